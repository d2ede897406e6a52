import UpliftSyntax

/// The value types a table column may hold.
public enum ColumnType: String, Sendable, CaseIterable {
    case integer, decimal, money
}

public struct ColumnDecl: Sendable {
    public var name: Identifier
    public var type: ColumnType
}

/// One number in a table, exact, with where it was written.
public struct Cell: Sendable {
    public var value: FixedDecimal
    public var span: Span
}

/// Certificate types grouped into categories: each category has its own parameters
/// (`min_confidence`) and each entry its own values (`points`).
public struct CatalogueTable: Sendable {
    public struct Category: Sendable {
        public var name: Identifier
        public var values: [Cell]
        public var entries: [Entry]
    }
    public struct Entry: Sendable {
        public var key: Identifier
        public var values: [Cell]
    }
    public var name: Identifier
    public var categoryColumns: [ColumnDecl]
    public var entryColumns: [ColumnDecl]
    public var categories: [Category]
}

/// A value → row table: the row whose range holds the input applies.
public struct BandTable: Sendable {
    public struct Band: Sendable {
        /// Inclusive lower bound; absent on the first band means "and below".
        public var from: Cell?
        /// Inclusive upper bound (`to`) for integer inputs; absent on the last band means "and above".
        public var to: Cell?
        public var values: [Cell]
        public var span: Span
    }
    public var name: Identifier
    /// The DSL expression the band reads (`score`), checked like any rule expression.
    public var input: Expr
    public var columns: [ColumnDecl]
    public var bands: [Band]
}

/// Populations with their own parameters: the first segment whose `when` holds applies.
public struct SegmentTable: Sendable {
    public struct Segment: Sendable {
        public var name: Identifier
        public var when: Expr
        public var values: [Cell]
        public var span: Span
    }
    public var name: Identifier
    public var columns: [ColumnDecl]
    public var segments: [Segment]
    /// `exclusive: true`: the author states no applicant matches two segments (a final
    /// catch-all aside); the checker warns, with an example, where two overlap.
    public var exclusive = false
}

public enum Table: Sendable {
    case catalogue(CatalogueTable)
    case bands(BandTable)
    case segments(SegmentTable)

    public var name: Identifier {
        switch self {
        case .catalogue(let t): t.name
        case .bands(let t): t.name
        case .segments(let t): t.name
        }
    }
}
