/// How large a typed expression is once every shared part is counted where it is used.
///
/// `x between a and b` and `x in [a, b, c]` repeat `x` in their typed form (`a <= x and x <= b`),
/// so nesting them inside each other would double the work of every later stage per level. The
/// checker measures what it is about to repeat and refuses to repeat anything larger than
/// `ExpressionSize.repeatLimit`, which keeps every later walk linear in the rule text.
enum ExpressionSize {
    /// Nodes a repeated part may have; real conditions repeat a field or a small sum.
    static let repeatLimit = 2_000
    /// Nodes all the repetitions of one part may add up to (`x in [a, b, …]` repeats `x` per item).
    static let repeatBudget = 200_000

    /// The node count of `e`, or nil once it passes `limit` (the walk stops there, so the cost
    /// is at most `limit` steps whatever the size).
    static func count(_ e: TExpr, limit: Int) -> Int? {
        var budget = limit
        return walk(e, &budget) ? limit - budget : nil
    }

    /// Visits nodes until the budget runs out; false when it did.
    private static func walk(_ e: TExpr, _ budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch e {
        case .constant, .fact, .value, .element, .bandColumn, .segmentColumn, .segmentIndex, .uplift:
            return true
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .otherwise(let a, let b):
            return walk(a, &budget) && walk(b, &budget)
        case .negate(let a), .not(let a), .isMissing(let a), .toFixed(let a), .catalogueHas(_, let a), .catalogueLookup(_, _, let a):
            return walk(a, &budget)
        case .conditional(let c, let a, let b):
            return walk(c, &budget) && walk(a, &budget) && walk(b, &budget)
        case .builtin(_, let args, _):
            return args.allSatisfy { walk($0, &budget) }
        case .aggregate(let agg):
            for f in agg.source.filters where !walk(f.condition, &budget) { return false }
            if let c = agg.condition, !walk(c, &budget) { return false }
            if let b = agg.body, !walk(b, &budget) { return false }
            if let g = agg.group, !walk(g.key, &budget) { return false }
            return true
        }
    }
}

extension TExpr {
    /// `terms` joined by `and` (or `or`) as a balanced tree, so a long list of alternatives
    /// (`x in [1, 2, …, 10000]`) does not become a chain as deep as it is long. nil when empty.
    static func balanced(or: Bool, _ terms: ArraySlice<TExpr>) -> TExpr? {
        guard let first = terms.first else { return nil }
        if terms.count == 1 { return first }
        let mid = terms.startIndex + terms.count / 2
        guard let l = balanced(or: or, terms[..<mid]), let r = balanced(or: or, terms[mid...]) else { return first }
        return or ? .or(l, r) : .and(l, r)
    }
}
