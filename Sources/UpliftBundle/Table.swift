import Foundation
import UpliftSyntax

/// The value types a table column may hold: the same for every table kind, so a column that
/// works in a segment table works in a decision table.
package enum ColumnType: Sendable, Hashable {
    case integer, decimal, money, string, bool
    /// `enum(a, b, c)`: a column whose cells are one of the listed names; rules compare it
    /// with those names (`payment.rating == excellent`).
    case enumeration([String])

    /// The type names a column may declare, for messages and did-you-mean.
    package static let names = ["integer", "decimal", "money", "string", "bool", "enum(...)"]

    /// Parses a column type as written in YAML: `money`, `enum(low, high)`.
    package init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "integer": self = .integer
        case "decimal": self = .decimal
        case "money": self = .money
        case "string": self = .string
        case "bool": self = .bool
        default:
            guard t.hasPrefix("enum("), t.hasSuffix(")") else { return nil }
            let cases = t.dropFirst(5).dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !cases.isEmpty, cases.allSatisfy(YAMLReader.isName) else { return nil }
            self = .enumeration(cases)
        }
    }

    /// The type as a person writes it.
    package var name: String {
        switch self {
        case .integer: "integer"
        case .decimal: "decimal"
        case .money: "money"
        case .string: "string"
        case .bool: "bool"
        case .enumeration(let c): "enum(\(c.joined(separator: ", ")))"
        }
    }

    /// Whether cells of this type are numbers (read with `YAMLReader.number`).
    package var isNumber: Bool { self == .integer || self == .decimal || self == .money }
}

package struct ColumnDecl: Sendable {
    package var name: Identifier
    package var type: ColumnType
}

/// One value in a table, with where it was written: a number (exact), or for string, bool and
/// enum columns the text (`value` is then zero).
package struct Cell: Sendable {
    package var value: FixedDecimal
    package var span: Span
    /// The cell's text for string, bool and enum columns; nil for numbers.
    package var text: String?
    package init(value: FixedDecimal, span: Span, text: String? = nil) { self.value = value; self.span = span; self.text = text }
}

/// Certificate types grouped into categories: each category has its own parameters
/// (`min_confidence`) and each entry its own values (`points`).
package struct CatalogueTable: Sendable {
    package struct Category: Sendable {
        package var name: Identifier
        package var values: [Cell]
        package var entries: [Entry]
    }
    package struct Entry: Sendable {
        package var key: Identifier
        package var values: [Cell]
    }
    package var name: Identifier
    package var categoryColumns: [ColumnDecl]
    package var entryColumns: [ColumnDecl]
    package var categories: [Category]
}

/// A value → row table: the row whose range holds the input applies.
package struct BandTable: Sendable {
    package struct Band: Sendable {
        /// Inclusive lower bound; absent on the first band means "and below".
        package var from: Cell?
        /// Inclusive upper bound (`to`) for integer inputs; absent on the last band means "and above".
        package var to: Cell?
        package var values: [Cell]
        package var span: Span
    }
    package var name: Identifier
    /// The DSL expression the band reads (`score`), checked like any rule expression.
    package var input: Expr
    package var columns: [ColumnDecl]
    package var bands: [Band]
}

/// Populations with their own parameters: the first segment whose `when` holds applies.
package struct SegmentTable: Sendable {
    package struct Segment: Sendable {
        package var name: Identifier
        package var when: Expr
        package var values: [Cell]
        package var span: Span
    }
    package var name: Identifier
    package var columns: [ColumnDecl]
    package var segments: [Segment]
    /// `exclusive: true`: the author states no applicant matches two segments (a final
    /// catch-all aside); the checker warns, with an example, where two overlap.
    package var exclusive = false
    package init(name: Identifier, columns: [ColumnDecl], segments: [Segment], exclusive: Bool = false) {
        self.name = name; self.columns = columns; self.segments = segments; self.exclusive = exclusive
    }
}

/// Every table kind a bundle may hold. Adding a kind adds a case here, its reader (a
/// `TableReader` extension), its checking and its compiling; see docs/ARCHITECTURE.md.
package enum Table: Sendable {
    case catalogue(CatalogueTable)
    case bands(BandTable)
    case segments(SegmentTable)
    case decisionTable(DecisionTable)

    package var name: Identifier {
        switch self {
        case .catalogue(let t): t.name
        case .bands(let t): t.name
        case .segments(let t): t.name
        case .decisionTable(let t): t.name
        }
    }
}
