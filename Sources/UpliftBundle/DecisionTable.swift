import UpliftSyntax

/// How a decision table chooses among the rows that match (DMN's hit policies).
package enum HitPolicy: Sendable, Hashable {
    /// The first matching row, in table order: segments work this way.
    case first
    /// At most one row may match; two matching is a check-time error when provable, else an
    /// evaluation error naming the table.
    case unique
    /// Every matching row counts, and each output column is combined across them.
    case collect(CollectOperator)

    /// The policy as written in YAML (`first`, `unique`, `collect sum`).
    package var name: String {
        switch self {
        case .first: "first"
        case .unique: "unique"
        case .collect(let op): "collect \(op.rawValue)"
        }
    }
}

/// How `collect` combines the output columns of the matching rows.
package enum CollectOperator: String, Sendable, Hashable, CaseIterable {
    /// The sum of each numeric column (0 when no row matches).
    case sum
    /// The smallest / largest value of each numeric column (missing when no row matches).
    case min, max
    /// Only the number of matching rows (`table.count`).
    case count
    /// Every matching row is recorded in the decision; rules read `table.count`.
    case list
}

/// A DMN-style decision table: input expressions, typed outputs, and rows of cells that test
/// the inputs (`>= 95`, `[30..50)`, `in [a, b]`, `-`).
package struct DecisionTable: Sendable {
    /// One input column: the expression its cells test, or nil for a column whose cells are
    /// whole conditions over the facts (`employment_status == full_time and years >= 5`).
    package struct Input: Sendable {
        package var name: Identifier
        package var expression: Expr?
    }
    package struct Row: Sendable {
        /// `id:` as written, or nil (the row is then called "row N").
        package var id: Identifier?
        /// Each input's cell, parsed into a condition; nil means "any" (`-` or omitted).
        package var tests: [Expr?]
        /// Each input's cell as written, for explanations ("`>= 95`").
        package var cellText: [String]
        package var values: [Cell]
        package var span: Span
    }
    package var name: Identifier
    package var hit: HitPolicy
    package var inputs: [Input]
    package var outputs: [ColumnDecl]
    package var rows: [Row]
    /// `default:` — the outputs when no row matches.
    package var defaultRow: Row?
    /// `complete: true`: the author states every input matches some row; a gap is an error.
    package var complete = false
    package var span: Span
}
