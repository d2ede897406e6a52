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
        for x in expressions(of: policy) {
            x.forEachAggregate { agg in
                for f in agg.source.filters { uses[f.variable, default: 0] += 1 }
            }
        }
        var plan: [Int: Int32] = [:]
        for (variable, n) in uses.sorted(by: { $0.key < $1.key }) where n >= 2 && plan.count < capacity {
            plan[variable] = Int32(plan.count)
        }
        return plan
    }
}

extension FilterMemo {
    /// Every expression the compiled program evaluates: values, band inputs, segment
    /// conditions, the amount, caps and their conditions, rules.
    static func expressions(of policy: CheckedPolicy) -> [TExpr] {
        var out: [TExpr] = policy.values.compactMap(\.expr) + policy.bands.map(\.input) + policy.segments.flatMap(\.conditions)
        if let a = policy.amount { out.append(a) }
        for c in policy.caps { out.append(c.bound); if let w = c.condition { out.append(w) } }
        return out + policy.rules.map(\.condition)
    }

    /// Aggregates (outside any loop) that appear more than once, by their description.
    static func repeatedAggregates(_ policy: CheckedPolicy) -> [String] {
        var seen: [String: Int] = [:]
        // Only the outermost aggregates: nested ones may read an enclosing loop's element.
        for x in expressions(of: policy) { x.forEachTopLevelAggregate { seen[aggregateKey($0), default: 0] += 1 } }
        return seen.filter { $0.value >= 2 }.map(\.key).sorted()
    }
}

/// Two aggregates compute the same value when they differ only in the name of their element.
func aggregateKey(_ agg: CheckedAggregate) -> String {
    var a = agg
    a.body = a.body?.renamingVariable(agg.variable, to: -1)
    a.condition = a.condition?.renamingVariable(agg.variable, to: -1)
    if let g = a.group { a.group = (g.inner, g.key.renamingVariable(agg.variable, to: -1), g.domain) }
    a.variable = -1
    return String(describing: a)
}

extension TExpr {
    /// The expression with loop variable `v` read as `w`.
    func renamingVariable(_ v: Int, to w: Int) -> TExpr {
        func r(_ x: TExpr) -> TExpr { x.renamingVariable(v, to: w) }
        switch self {
        case .element(let x, let f): return x == v ? .element(variable: w, field: f) : self
        case .constant, .fact, .value, .bandColumn, .segmentColumn, .segmentIndex, .uplift: return self
        case .arithmetic(let op, let a, let b): return .arithmetic(op, r(a), r(b))
        case .compare(let op, let a, let b): return .compare(op, r(a), r(b))
        case .and(let a, let b): return .and(r(a), r(b))
        case .or(let a, let b): return .or(r(a), r(b))
        case .otherwise(let a, let b): return .otherwise(r(a), r(b))
        case .negate(let a): return .negate(r(a))
        case .not(let a): return .not(r(a))
        case .isMissing(let a): return .isMissing(r(a))
        case .toFixed(let a): return .toFixed(r(a))
        case .conditional(let c, let a, let b): return .conditional(r(c), r(a), r(b))
        case .catalogueHas(let t, let k): return .catalogueHas(table: t, key: r(k))
        case .catalogueLookup(let t, let c, let k): return .catalogueLookup(table: t, column: c, key: r(k))
        case .builtin(let b, let args, let fixed): return .builtin(b, args.map(r), fixed: fixed)
        case .aggregate(var agg):
            agg.body = agg.body.map(r)
            agg.condition = agg.condition.map(r)
            if let g = agg.group { agg.group = (g.inner, r(g.key), g.domain) }
            return .aggregate(agg)
        }
    }

    /// Calls `body` for each aggregate not inside another aggregate.
    func forEachTopLevelAggregate(_ body: (CheckedAggregate) -> Void) {
        forEachAggregate(nested: false, body)
    }

    /// Calls `body` for every aggregate in the expression; with `nested: false`, not for those
    /// inside another aggregate.
    func forEachAggregate(nested: Bool = true, _ body: (CheckedAggregate) -> Void) {
        switch self {
        case .constant, .fact, .value, .element, .bandColumn, .segmentColumn, .segmentIndex, .uplift: break
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .otherwise(let a, let b):
            a.forEachAggregate(nested: nested, body); b.forEachAggregate(nested: nested, body)
        case .negate(let a), .not(let a), .isMissing(let a), .toFixed(let a):
            a.forEachAggregate(nested: nested, body)
        case .conditional(let c, let a, let b):
            c.forEachAggregate(nested: nested, body); a.forEachAggregate(nested: nested, body); b.forEachAggregate(nested: nested, body)
        case .catalogueHas(_, let k), .catalogueLookup(_, _, let k):
            k.forEachAggregate(nested: nested, body)
        case .builtin(_, let args, _):
            for a in args { a.forEachAggregate(nested: nested, body) }
        case .aggregate(let agg):
            body(agg)
            guard nested else { return }
            for f in agg.source.filters { f.condition.forEachAggregate(nested: nested, body) }
            agg.condition?.forEachAggregate(nested: nested, body)
            agg.body?.forEachAggregate(nested: nested, body)
            agg.group?.key.forEachAggregate(nested: nested, body)
        }
    }
}
