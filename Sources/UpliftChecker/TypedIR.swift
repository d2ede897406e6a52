import UpliftBundle
import UpliftSyntax

/// Arithmetic on raw register values, chosen by the checker from the operand types.
public enum ArithmeticOp: String, Sendable {
    /// Same-scale addition and subtraction (integers, or fixed-point with fixed-point).
    case add, sub
    /// Integer × integer, or fixed-point × integer (the result keeps the fixed scale).
    case mulInt
    /// Fixed-point × fixed-point.
    case mulFixed
    /// Fixed-point ÷ fixed-point, giving fixed-point.
    case divFixed
}

public enum ComparisonOp: String, Sendable { case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=" }

public enum Builtin: String, Sendable, CaseIterable {
    case min, max, roundDown = "round_down", roundUp = "round_up", round, abs, daysBetween = "days_between"
}

/// Which value of a catalogue row a lookup reads.
public enum CatalogueColumn: Sendable, Hashable {
    case category
    case categoryValue(Int)
    case entryValue(Int)
}

/// A list expression: a list field of the applicant, narrowed by the filters of named lists.
public struct ListSource: Sendable {
    /// The applicant's list field.
    public var field: Int
    public var record: Int
    /// Filters in the order they apply; each binds its own loop variable to the same element.
    public var filters: [(variable: Int, condition: TExpr, conjuncts: [(test: TExpr, span: Span)])]
    /// Presence facts every element of this list satisfies (for narrowing).
    var proven: Set<String>
    var root: Int
    /// The loop variables of every filter, all bound to the same element.
    public var variables: [Int] { filters.map(\.variable) }
}

public struct CheckedAggregate: Sendable {
    public var kind: AggregateKind
    public var variable: Int
    public var source: ListSource
    public var condition: TExpr?
    public var body: TExpr?
    /// Per-group aggregation over an enumeration key with `domain` cases.
    public var group: (inner: AggregateKind, key: TExpr, domain: Int)?
    public var type: ValueType
}

/// Typed, resolved expressions: what the compiler and any interpreter consume.
public indirect enum TExpr: Sendable {

    /// A raw register value; `Int64.min` stands for "missing".
    case constant(Int64)
    case fact(Int)
    case value(Int)
    case element(variable: Int, field: Int)
    case arithmetic(ArithmeticOp, TExpr, TExpr)
    case negate(TExpr)
    case compare(ComparisonOp, TExpr, TExpr)
    case and(TExpr, TExpr)
    case or(TExpr, TExpr)
    case not(TExpr)
    case isMissing(TExpr)
    case otherwise(TExpr, TExpr)
    case conditional(TExpr, TExpr, TExpr)
    /// Integer → fixed-point.
    case toFixed(TExpr)
    case catalogueHas(table: Int, key: TExpr)
    case catalogueLookup(table: Int, column: CatalogueColumn, key: TExpr)
    case bandColumn(table: Int, column: Int)
    case segmentColumn(table: Int, column: Int)
    case segmentIndex(table: Int)
    case aggregate(CheckedAggregate)
    case builtin(Builtin, [TExpr], fixed: Bool)
    /// The engine's capped and rounded uplift.
    case uplift
}

public struct NamedValue: Sendable {
    public var name: String
    public var type: ValueType
    /// nil for list values, which live in `list` instead of a register.
    public var expr: TExpr?
    public var list: ListSource?
    public var span: Span
    public var reported: Bool
}

public struct ReasonInfo: Sendable {
    public var code: String
    public var message: String
    public var span: Span
}

public struct CheckedRule: Sendable {
    public var kind: RuleKind
    public var reason: Int
    public var condition: TExpr
    public var span: Span
    public var conditionSpan: Span
    /// Names (facts and values) the condition reads, for explanations.
    public var reads: [Read]
}

/// A bound on the amount: a `cap` (upper) or, with `isFloor`, a `floor` (lower, only in a
/// policy that allows decreases). Both live in `CheckedPolicy.caps` in the order written, so
/// they share registers, the binding mask and the evaluation order.
public struct CheckedCap: Sendable {
    public var reason: Int
    public var bound: TExpr
    public var condition: TExpr?
    public var span: Span
    public var boundSpan: Span
    public var reads: [Read]
    /// A `floor`: the decrease may not go below the bound.
    public var isFloor = false
}

/// A name an expression reads, recorded so explanations can show "age = 17".
public struct Read: Sendable, Hashable {
    public enum Target: Sendable, Hashable { case fact(Int), value(Int), uplift, band(Int), segment(Int) }
    public var name: String
    public var target: Target
}

public struct CheckedCatalogue: Sendable {
    public var name: String
    /// The enum holding the catalogue's category names.
    public var categoryEnum: Int
    public var categoryColumns: [(name: String, type: ValueType)]
    public var entryColumns: [(name: String, type: ValueType)]
    /// Entry key → (category index, category values, entry values), raw.
    public var entries: [(key: String, category: Int, values: [Int64])]
    public var categoryValues: [[Int64]]
}

public struct CheckedBands: Sendable {
    public var name: String
    public var input: TExpr
    public var inputType: ValueType
    public var inputSpan: Span
    public var inputReads: [Read]
    public var columns: [(name: String, type: ValueType)]
    /// Inclusive lower bound of each band, raw; nil on an open first band.
    public var lower: [Int64?]
    public var upper: [Int64?]
    public var values: [[Int64]]
    public var labels: [String]
}

/// Which kind of row table a `CheckedSegments` came from: how outputs name it.
public enum RowTableKind: String, Sendable {
    case segments
    case decisionTable = "decision_table"
}

/// A table whose rows are conditions, tried by its hit policy: a segment table (first match,
/// the last row a catch-all) or a decision table (first, unique or collect; its cells turned
/// into one condition per row by the checker). Both compile, run and explain the same way.
public struct CheckedSegments: Sendable {
    public var name: String
    public var nameEnum: Int
    public var columns: [(name: String, type: ValueType)]
    /// Row names: segment names, or a decision table's row ids (`row 3` when it has none).
    public var names: [String]
    public var conditions: [TExpr]
    public var conditionText: [String]
    public var reads: [[Read]]
    /// Each row's output values, raw; a decision table has one more row after its own (the
    /// default row's values, or missing values) that `noMatchRow` names.
    public var values: [[Int64]]
    public var kind: RowTableKind = .segments
    public var hit: HitPolicy = .first
    /// Where each row is written (a segment's `when`, a decision table's row).
    public var rowSpans: [Span] = []
    /// The row recorded when no row matches; nil when the last row matches everyone.
    public var noMatchRow: Int? = nil
    /// Whether a default row gives the outputs when no row matches.
    public var hasDefault = false
    /// No applicant should match two rows (`exclusive: true`, or hit policy `unique`).
    public var exclusive = false
    /// `complete: true`: a gap is an error.
    public var complete = false
    /// Whether an input-free row can match no applicant (checked for masking and gaps).
    public var isCollect: Bool { if case .collect = hit { true } else { false } }
}

/// A node of the evaluation order: everything computed before the rules are decided.
public enum EvaluationStep: Sendable, Hashable {
    case value(Int)
    case band(Int)
    case segment(Int)
    case amount
    case cap(Int)
    case uplift
}

/// A checked, resolved policy: the input of the compiler.
public struct CheckedPolicy: Sendable {
    /// The first segment table (not a decision table): the one summaries call "segment".
    public var firstSegmentTable: CheckedSegments? { segments.first { $0.kind == .segments } }

    public var name: String
    public var version: String
    public var hash: String
    public var sources: SourceMap
    public var schema: FactSchema
    public var values: [NamedValue]
    public var catalogues: [CheckedCatalogue]
    public var bands: [CheckedBands]
    public var segments: [CheckedSegments]
    public var reasons: [ReasonInfo]
    public var rules: [CheckedRule]
    public var caps: [CheckedCap]
    public var amount: TExpr?
    public var amountSpan: Span?
    public var amountReads: [Read]
    public var rounding: (mode: RoundingMode, step: Int64)?
    /// `allow decrease`: a negative amount lowers the limit (outcome `decrease`).
    public var allowsDecrease = false
    public var order: [EvaluationStep]
    public var loopVariables: Int
    /// Every string constant the policy mentions (catalogue keys first), so the VM compares ids.
    public var strings: [String]
    /// The tables whose rows decisions select, in the bundle's order: what decisions,
    /// summaries and reports list, one entry per table of any kind.
    public var tableOrder: [TableRef] = []
    /// The fact the manifest names as the current limit (`current_limit:`), if it names one.
    public var declaredCurrentLimit: Int? = nil
}

/// A table of the policy by kind and index into that kind's array.
public enum TableRef: Sendable, Hashable {
    case band(Int)
    /// A segment table or a decision table (`CheckedPolicy.segments`).
    case rows(Int)
}
