import UpliftBundle
import UpliftSyntax

/// Arithmetic on raw register values, chosen by the checker from the operand types.
package enum ArithmeticOp: String, Sendable {
    /// Same-scale addition and subtraction (integers, or fixed-point with fixed-point).
    case add, sub
    /// Integer × integer, or fixed-point × integer (the result keeps the fixed scale).
    case mulInt
    /// Fixed-point × fixed-point.
    case mulFixed
    /// Fixed-point ÷ fixed-point, giving fixed-point.
    case divFixed
}

package enum ComparisonOp: String, Sendable { case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=" }

package enum Builtin: String, Sendable, CaseIterable {
    case min, max, roundDown = "round_down", roundUp = "round_up", round, abs, daysBetween = "days_between"
}

/// Which value of a catalogue row a lookup reads.
package enum CatalogueColumn: Sendable, Hashable {
    case category
    case categoryValue(Int)
    case entryValue(Int)
}

/// A list expression: a list field of the applicant, narrowed by the filters of named lists.
package struct ListSource: Sendable {
    /// The applicant's list field.
    package var field: Int
    package var record: Int
    /// Filters in the order they apply; each binds its own loop variable to the same element.
    package var filters: [(variable: Int, condition: TExpr, conjuncts: [(test: TExpr, span: Span)])]
    /// Presence facts every element of this list satisfies (for narrowing).
    var proven: Set<String>
    var root: Int
    /// The loop variables of every filter, all bound to the same element.
    package var variables: [Int] { filters.map(\.variable) }
}

package struct CheckedAggregate: Sendable {
    package var kind: AggregateKind
    package var variable: Int
    package var source: ListSource
    package var condition: TExpr?
    package var body: TExpr?
    /// Per-group aggregation over an enumeration key with `domain` cases.
    package var group: (inner: AggregateKind, key: TExpr, domain: Int)?
    package var type: ValueType
}

/// Typed, resolved expressions: what the compiler and any interpreter consume.
package indirect enum TExpr: Sendable {

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

package struct NamedValue: Sendable {
    package var name: String
    package var type: ValueType
    /// nil for list values, which live in `list` instead of a register.
    package var expr: TExpr?
    package var list: ListSource?
    package var span: Span
    package var reported: Bool
}

package struct ReasonInfo: Sendable {
    package var code: String
    package var message: String
    package var span: Span
}

package struct CheckedRule: Sendable {
    package var kind: RuleKind
    package var reason: Int
    package var condition: TExpr
    package var span: Span
    package var conditionSpan: Span
    /// Names (facts and values) the condition reads, for explanations.
    package var reads: [Read]
}

/// A bound on the amount: a `cap` (upper) or, with `isFloor`, a `floor` (lower, only in a
/// policy that allows decreases). Both live in `CheckedPolicy.caps` in the order written, so
/// they share registers, the binding mask and the evaluation order.
package struct CheckedCap: Sendable {
    package var reason: Int
    package var bound: TExpr
    package var condition: TExpr?
    package var span: Span
    package var boundSpan: Span
    package var reads: [Read]
    /// A `floor`: the decrease may not go below the bound.
    package var isFloor = false
}

/// A name an expression reads, recorded so explanations can show "age = 17".
package struct Read: Sendable, Hashable {
    package enum Target: Sendable, Hashable { case fact(Int), value(Int), uplift, band(Int), segment(Int) }
    package var name: String
    package var target: Target
}

package struct CheckedCatalogue: Sendable {
    package var name: String
    /// The enum holding the catalogue's category names.
    package var categoryEnum: Int
    package var categoryColumns: [(name: String, type: ValueType)]
    package var entryColumns: [(name: String, type: ValueType)]
    /// Entry key → (category index, category values, entry values), raw.
    package var entries: [(key: String, category: Int, values: [Int64])]
    package var categoryValues: [[Int64]]
}

package struct CheckedBands: Sendable {
    package var name: String
    package var input: TExpr
    package var inputType: ValueType
    package var inputSpan: Span
    package var inputReads: [Read]
    package var columns: [(name: String, type: ValueType)]
    /// Inclusive lower bound of each band, raw; nil on an open first band.
    package var lower: [Int64?]
    package var upper: [Int64?]
    package var values: [[Int64]]
    package var labels: [String]
}

/// Which kind of row table a `CheckedSegments` came from: how outputs name it.
package enum RowTableKind: String, Sendable {
    case segments
    case decisionTable = "decision_table"
}

/// A table whose rows are conditions, tried by its hit policy: a segment table (first match,
/// the last row a catch-all) or a decision table (first, unique or collect; its cells turned
/// into one condition per row by the checker). Both compile, run and explain the same way.
package struct CheckedSegments: Sendable {
    package var name: String
    package var nameEnum: Int
    package var columns: [(name: String, type: ValueType)]
    /// Row names: segment names, or a decision table's row ids (`row 3` when it has none).
    package var names: [String]
    package var conditions: [TExpr]
    package var conditionText: [String]
    package var reads: [[Read]]
    /// Each row's output values, raw; a decision table has one more row after its own (the
    /// default row's values, or missing values) that `noMatchRow` names.
    package var values: [[Int64]]
    package var kind: RowTableKind = .segments
    package var hit: HitPolicy = .first
    /// Where each row is written (a segment's `when`, a decision table's row).
    package var rowSpans: [Span] = []
    /// The row recorded when no row matches; nil when the last row matches everyone.
    package var noMatchRow: Int? = nil
    /// Whether a default row gives the outputs when no row matches.
    package var hasDefault = false
    /// No applicant should match two rows (`exclusive: true`, or hit policy `unique`).
    package var exclusive = false
    /// `complete: true`: a gap is an error.
    package var complete = false
    /// Whether an input-free row can match no applicant (checked for masking and gaps).
    package var isCollect: Bool { if case .collect = hit { true } else { false } }
}

/// A node of the evaluation order: everything computed before the rules are decided.
package enum EvaluationStep: Sendable, Hashable {
    case value(Int)
    case band(Int)
    case segment(Int)
    case amount
    case cap(Int)
    case uplift
}

/// A checked, resolved policy: the input of the compiler.
package struct CheckedPolicy: Sendable {
    /// The first segment table (not a decision table): the one summaries call "segment".
    package var firstSegmentTable: CheckedSegments? { segments.first { $0.kind == .segments } }

    package var name: String
    package var version: String
    package var hash: String
    package var sources: SourceMap
    package var schema: FactSchema
    package var values: [NamedValue]
    package var catalogues: [CheckedCatalogue]
    package var bands: [CheckedBands]
    package var segments: [CheckedSegments]
    package var reasons: [ReasonInfo]
    package var rules: [CheckedRule]
    package var caps: [CheckedCap]
    package var amount: TExpr?
    package var amountSpan: Span?
    package var amountReads: [Read]
    package var rounding: (mode: RoundingMode, step: Int64)?
    /// `allow decrease`: a negative amount lowers the limit (outcome `decrease`).
    package var allowsDecrease = false
    package var order: [EvaluationStep]
    package var loopVariables: Int
    /// Every string constant the policy mentions (catalogue keys first), so the VM compares ids.
    package var strings: [String]
    /// The tables whose rows decisions select, in the bundle's order: what decisions,
    /// summaries and reports list, one entry per table of any kind.
    package var tableOrder: [TableRef] = []
    /// The fact the manifest names as the current limit (`current_limit:`), if it names one.
    package var declaredCurrentLimit: Int? = nil
    /// What a person can do about their decision (`uplift whatif`).
    package var actions: [CheckedAction] = []
}

/// A table of the policy by kind and index into that kind's array.
package enum TableRef: Sendable, Hashable {
    case band(Int)
    /// A segment table or a decision table (`CheckedPolicy.segments`).
    case rows(Int)
}
