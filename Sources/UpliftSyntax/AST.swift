/// The syntax tree of rule files and embedded expressions, exactly as written (names unresolved).

package struct Identifier: Sendable, Hashable {
    package var name: String
    package var span: Span
    package init(_ name: String, _ span: Span) { self.name = name; self.span = span }
}

package enum BinaryOperator: String, Sendable, Hashable {
    case add = "+", sub = "-", mul = "*", div = "/"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and, or
    package var isComparison: Bool { [.eq, .ne, .lt, .le, .gt, .ge].contains(self) }
    package var isArithmetic: Bool { [.add, .sub, .mul, .div].contains(self) }
}

/// Aggregations over a list, written like `sum(e for c in list where cond)`.
package enum AggregateKind: String, Sendable, Hashable, CaseIterable {
    case any, all, count, sum, max, min
}

package struct Expr: Sendable {
    package indirect enum Kind: Sendable {
        case number(String)
        case string(String)
        case date(String)
        case bool(Bool)
        case name(String)
        case member(Expr, Identifier)
        case index(Expr, Expr)
        case call(Identifier, [Expr])
        case negate(Expr)
        case not(Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `x between a and b`, inclusive at both ends.
        case between(Expr, Expr, Expr)
        /// `x in container` / `x not in container`: a list literal, a range `a..b`, or a table.
        case membership(Expr, Expr, negated: Bool)
        case range(Expr, Expr)
        case list([Expr])
        /// `x is present` / `x is missing`.
        case presence(Expr, present: Bool)
        /// `x otherwise y`: y when x is missing.
        case otherwise(Expr, Expr)
        case conditional(Expr, Expr, Expr)
        /// `kind(body for v in source where filter)`, or grouped:
        /// `kind(inner(body) for v in source where filter group by key)`.
        case aggregate(Aggregation)
        /// `[v for v in source where filter]`: the elements that pass.
        case filter(variable: Identifier, source: Expr, condition: Expr?)
        case error
    }
    package var kind: Kind
    package var span: Span
    /// Height of the tree below this node; the parser refuses trees too deep to check safely.
    package let depth: Int
    package init(_ kind: Kind, _ span: Span) {
        self.kind = kind
        self.span = span
        depth = 1 + kind.children.reduce(0) { max($0, $1.depth) }
    }
}

extension Expr.Kind {
    var children: [Expr] {
        switch self {
        case .number, .string, .date, .bool, .name, .error: []
        case .member(let e, _), .negate(let e), .not(let e), .presence(let e, _): [e]
        case .index(let a, let b), .binary(_, let a, let b), .membership(let a, let b, _), .range(let a, let b), .otherwise(let a, let b): [a, b]
        case .between(let a, let b, let c), .conditional(let a, let b, let c): [a, b, c]
        case .call(_, let args), .list(let args): args
        case .aggregate(let g): [g.body, g.source, g.condition, g.groupBy].compactMap { $0 }
        case .filter(_, let s, let c): [s] + (c.map { [$0] } ?? [])
        }
    }
}

package struct Aggregation: Sendable {
    package var kind: AggregateKind
    package var body: Expr?
    package var variable: Identifier
    package var source: Expr
    package var condition: Expr?
    package var groupBy: Expr?
    /// The per-group aggregation when grouped (`max` in `sum(max(x) for … group by k)`).
    package var inner: AggregateKind?
    package init(kind: AggregateKind, body: Expr?, variable: Identifier, source: Expr, condition: Expr?, groupBy: Expr?, inner: AggregateKind?) {
        self.kind = kind; self.body = body; self.variable = variable; self.source = source
        self.condition = condition; self.groupBy = groupBy; self.inner = inner
    }
}

/// A type written in the fact schema.
package indirect enum TypeSyntax: Sendable {
    case named(Identifier)                 // bool, integer, decimal, money, string, date, or a record name
    case enumeration([Identifier], Span)
    case list(Identifier, Span)            // `list of Certificate`
}

/// `sample …`: how `uplift synth` generates the field (never read by decisions).
package struct SampleHint: Sendable {
    /// `between LOW and HIGH`: uniform in the range.
    package var range: (Expr, Expr)?
    /// `[v, v: weight, …]`: these values (weight 1 unless given); with a range, mixed in.
    package var values: [(value: Expr, weight: Expr?)]
    /// `absent N percent`: how often an optional field is left out.
    package var absent: Expr?
    /// `length between LOW and HIGH`: how many elements a list gets.
    package var length: (Expr, Expr)?
    package var span: Span
    package init(range: (Expr, Expr)?, values: [(value: Expr, weight: Expr?)], absent: Expr?, length: (Expr, Expr)?, span: Span) {
        self.range = range; self.values = values; self.absent = absent; self.length = length; self.span = span
    }
}

package struct FieldDecl: Sendable {
    package var name: Identifier
    package var type: TypeSyntax
    package var optional: Bool
    package var pii: Bool
    package var protected: Bool
    /// Identifies the applicant in simulation outputs (the one personal field shown there).
    package var key: Bool
    /// A fact the person cannot change (`immutable`): no what-if action may touch it.
    package var immutable = false
    /// `between LOW and HIGH`: the range an input value must lie in.
    package var range: (Expr, Expr)?
    package var sample: SampleHint?
    package var span: Span
    package init(name: Identifier, type: TypeSyntax, optional: Bool, pii: Bool, protected: Bool, key: Bool = false, range: (Expr, Expr)?, sample: SampleHint? = nil, span: Span) {
        self.name = name; self.type = type; self.optional = optional; self.pii = pii; self.protected = protected; self.key = key
        self.range = range; self.sample = sample; self.span = span
    }
}

package enum RuleKind: String, Sendable, Hashable {
    /// A gate: the application is declined with the reason when the condition holds.
    case decline
    /// A referral to manual review.
    case refer
    /// The limit stays as it is.
    case noChange = "no_change"
}

/// How an amount is rounded to a multiple of a step (`round MODE to STEP`, `round(x, step, MODE)`).
/// `down` and `up` are toward −∞ and +∞, so a negative amount (a decrease) rounded `down`
/// decreases more; the `half_…` modes round to the nearer multiple and differ only on a tie.
/// `nearest` is kept as the alias of `half_up`, which it always meant (−1.5 → −1).
package enum RoundingMode: String, Sendable, Hashable, CaseIterable {
    case down, up, nearest
    case towardZero = "toward_zero", awayFromZero = "away_from_zero"
    case halfDown = "half_down", halfUp = "half_up", halfEven = "half_even"
    case halfTowardZero = "half_toward_zero", halfAwayFromZero = "half_away_from_zero"
}

package enum Decl: Sendable {
    case record(name: Identifier, fields: [FieldDecl], span: Span)
    case facts(name: Identifier, fields: [FieldDecl], span: Span)
    case reason(code: Identifier, message: String, span: Span)
    case value(name: Identifier, expr: Expr, span: Span)
    case rule(kind: RuleKind, code: Identifier, condition: Expr, span: Span)
    case cap(code: Identifier, bound: Expr, condition: Expr?, span: Span)
    /// `floor CODE = bound [when …]`: a lower bound on a decrease (the counterpart of `cap`).
    case floor(code: Identifier, bound: Expr, condition: Expr?, span: Span)
    /// `allow decrease`: the amount may be negative, lowering the limit.
    case allowDecrease(span: Span)
    case amount(expr: Expr, span: Span)
    case rounding(mode: RoundingMode, step: Expr, span: Span)
    case report(names: [Identifier], span: Span)

    package var span: Span {
        switch self {
        case .record(_, _, let s), .facts(_, _, let s), .reason(_, _, let s), .value(_, _, let s), .rule(_, _, _, let s),
             .cap(_, _, _, let s), .floor(_, _, _, let s), .allowDecrease(let s), .amount(_, let s), .rounding(_, _, let s), .report(_, let s): s
        }
    }
}

package struct RuleFile: Sendable {
    package var file: Int
    package var decls: [Decl]
    package init(file: Int, decls: [Decl]) { self.file = file; self.decls = decls }
}
