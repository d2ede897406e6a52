import UpliftSyntax

/// What a condition can say about the applicant, as one range per fact or value: enough to see
/// that `age < 18 and age > 60` can never hold, that `age >= 0 or age < 5` always does, or that
/// two segments' conditions share an applicant.
///
/// A condition is explored as the alternatives its `and`, `or` and `not` make (at most
/// `maxAlternatives` at once, and at most `maxSteps` steps per question; past either the answer
/// is "maybe", never a false warning, so the cost of a question is bounded whatever its size). Comparisons of a
/// fact or value with a constant narrow ranges; anything else (a list aggregate, a lookup, a
/// missing-value test) leaves them as they were, so the reasoning only ever says "impossible"
/// when it is.
struct IntervalReasoning {
    /// Which register a comparison constrains.
    enum Variable: Hashable {
        case fact(Int)
        case value(Int)
        case segment(Int)
        case uplift
    }

    /// Ranges known so far; variables not listed range over their whole domain.
    struct Box {
        var ranges: [Variable: ClosedRange<Int64>] = [:]
    }

    let domain: (Variable) -> ClosedRange<Int64>
    static let maxAlternatives = 256
    /// Steps one question may take: `(a or b) and (c or d) and …` makes alternatives multiply,
    /// and each is explored against what follows.
    static let maxSteps = 200_000

    /// The boxes in which `e` can be `polarity`; empty means it never can. nil means the
    /// condition is too large to explore (treat as "maybe").
    func satisfy(_ e: TExpr, _ polarity: Bool, in box: Box) -> [Box]? {
        var budget = Self.maxSteps
        return satisfy(e, polarity, in: box, &budget)
    }

    /// `satisfy`, spending one step of `budget` per node visited; nil once it is spent.
    func satisfy(_ e: TExpr, _ polarity: Bool, in box: Box, _ budget: inout Int) -> [Box]? {
        budget -= 1
        if budget < 0 { return nil }
        switch e {
        case .constant(let v):
            return (v != 0) == polarity ? [box] : []
        case .not(let a):
            return satisfy(a, !polarity, in: box, &budget)
        case .and(let a, let b):
            return polarity ? both(a, b, polarity, box, &budget) : either(a, b, polarity, box, &budget)
        case .or(let a, let b):
            // For `or` to be false, both sides are false.
            return polarity ? either(a, b, polarity, box, &budget) : both(a, b, polarity, box, &budget)
        case .compare(let op, let a, let b):
            if let v = variable(a), case .constant(let k) = b { return constrain(box, v, polarity ? op : op.negated, k) }
            if case .constant(let k) = a, let v = variable(b) { return constrain(box, v, polarity ? op.flipped : op.flipped.negated, k) }
            return [box]
        case .fact, .value:
            // A boolean fact or value: true is 1, false is 0.
            guard let v = variable(e), domain(v) == 0...1 else { return [box] }
            return constrain(box, v, .eq, polarity ? 1 : 0)
        default:
            return [box]
        }
    }

    /// `a` and `b` both `polarity`.
    func both(_ a: TExpr, _ b: TExpr, _ polarity: Bool, _ box: Box, _ budget: inout Int) -> [Box]? {
        guard let first = satisfy(a, polarity, in: box, &budget) else { return nil }
        var out: [Box] = []
        for b1 in first {
            guard let next = satisfy(b, polarity, in: b1, &budget) else { return nil }
            out += next
            if out.count > Self.maxAlternatives { return nil }
        }
        return out
    }

    /// `a` or `b` `polarity`.
    func either(_ a: TExpr, _ b: TExpr, _ polarity: Bool, _ box: Box, _ budget: inout Int) -> [Box]? {
        guard let x = satisfy(a, polarity, in: box, &budget), let y = satisfy(b, polarity, in: box, &budget) else { return nil }
        return x.count + y.count > Self.maxAlternatives ? nil : x + y
    }

    func variable(_ e: TExpr) -> Variable? {
        switch e {
        case .fact(let f): .fact(f)
        case .value(let i): .value(i)
        case .segmentIndex(let t): .segment(t)
        case .uplift: .uplift
        default: nil
        }
    }

    func constrain(_ box: Box, _ v: Variable, _ op: ComparisonOp, _ k: Int64) -> [Box] {
        let r = box.ranges[v] ?? domain(v)
        var lo = r.lowerBound, hi = r.upperBound
        switch op {
        case .eq: lo = max(lo, k); hi = min(hi, k)
        case .lt: if k == Int64.min { return [] }; hi = min(hi, k - 1)
        case .le: hi = min(hi, k)
        case .gt: if k == Int64.max { return [] }; lo = max(lo, k + 1)
        case .ge: lo = max(lo, k)
        case .ne:
            // A range cannot have a hole; only its ends can move.
            if lo == k && hi == k { return [] }
            if lo == k { lo += 1 } else if hi == k { hi -= 1 }
        }
        guard lo <= hi else { return [] }
        var out = box
        out.ranges[v] = lo...hi
        return [out]
    }

    /// Whether no applicant makes `e` true (false when unsure).
    func neverTrue(_ e: TExpr) -> Bool { satisfy(e, true, in: Box())?.isEmpty ?? false }
    /// Whether every applicant makes `e` true (false when unsure).
    func alwaysTrue(_ e: TExpr) -> Bool { satisfy(e, false, in: Box())?.isEmpty ?? false }
}

extension ComparisonOp {
    /// The comparison that holds exactly when this one does not.
    package var negated: ComparisonOp {
        switch self {
        case .eq: .ne
        case .ne: .eq
        case .lt: .ge
        case .le: .gt
        case .gt: .le
        case .ge: .lt
        }
    }

    /// The same comparison with its operands swapped: `k < x` is `x > k`.
    package var flipped: ComparisonOp {
        switch self {
        case .eq, .ne: self
        case .lt: .gt
        case .le: .ge
        case .gt: .lt
        case .ge: .le
        }
    }
}
