import UpliftChecker

/// Named lists read by more than one aggregate (`accepted` in `score` and in two `count`s) have
/// their filter decided once per element and remembered, instead of re-run by every reader.
///
/// The memo is filled lazily, by the first reader that needs an element, so an evaluation runs
/// exactly the filter tests the reference interpreter would run first, in the same order, and
/// faults (if any) in the same place. Each memoised filter owns two bits of a per-element word:
/// "decided" (2k) and "kept" (2k+1), so a program can memoise up to 32 filters.
enum FilterMemo {
    static let capacity = 32

    /// Filter loop variable → memo index, for filters that at least two aggregates read.
    static func plan(_ policy: CheckedPolicy) -> [Int: Int32] {
        var uses: [Int: Int] = [:]
        func visit(_ x: TExpr) {
            x.forEachAggregate { agg in
                for f in agg.source.filters { uses[f.variable, default: 0] += 1 }
            }
        }
        for v in policy.values { if let e = v.expr { visit(e) } }
        for b in policy.bands { visit(b.input) }
        for s in policy.segments { s.conditions.forEach(visit) }
        if let a = policy.amount { visit(a) }
        for c in policy.caps { visit(c.bound); if let w = c.condition { visit(w) } }
        for r in policy.rules { visit(r.condition) }
        var plan: [Int: Int32] = [:]
        for (variable, n) in uses.sorted(by: { $0.key < $1.key }) where n >= 2 && plan.count < capacity {
            plan[variable] = Int32(plan.count)
        }
        return plan
    }
}

extension TExpr {
    /// Calls `body` for every aggregate in the expression, nested ones included.
    func forEachAggregate(_ body: (CheckedAggregate) -> Void) {
        switch self {
        case .constant, .fact, .value, .element, .bandColumn, .segmentColumn, .segmentIndex, .uplift: break
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .otherwise(let a, let b):
            a.forEachAggregate(body); b.forEachAggregate(body)
        case .negate(let a), .not(let a), .isMissing(let a), .toFixed(let a):
            a.forEachAggregate(body)
        case .conditional(let c, let a, let b):
            c.forEachAggregate(body); a.forEachAggregate(body); b.forEachAggregate(body)
        case .catalogueHas(_, let k), .catalogueLookup(_, _, let k):
            k.forEachAggregate(body)
        case .builtin(_, let args, _):
            for a in args { a.forEachAggregate(body) }
        case .aggregate(let agg):
            body(agg)
            for f in agg.source.filters { f.condition.forEachAggregate(body) }
            agg.condition?.forEachAggregate(body)
            agg.body?.forEachAggregate(body)
            agg.group?.key.forEachAggregate(body)
        }
    }
}
