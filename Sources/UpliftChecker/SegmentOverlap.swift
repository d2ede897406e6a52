import UpliftSyntax

/// Finds the pairs of exclusive segments that might share an applicant without trying every
/// pair: 10,000 segments make 50 million pairs, while real overlaps are few.
///
/// Each segment's condition is explored once into boxes (one range per variable). A pair can
/// overlap only when some box of one meets some box of the other in every variable: exploring
/// a condition inside a narrower box never yields a box outside what it yields from no
/// constraint at all (`constrain` only narrows, `!=` only moves an end). So the boxes are sorted
/// by their range on one variable and swept; only pairs that meet there are compared in full,
/// and only pairs that meet in full go on to the exact check. Each comparison the sweep makes
/// costs one step of the caller's budget, so a table whose boxes all meet on that variable is
/// still bounded.
struct SegmentOverlap {
    typealias Box = IntervalReasoning.Box
    typealias Variable = IntervalReasoning.Variable

    let domain: (Variable) -> ClosedRange<Int64>

    /// Candidate pairs `(i, j)` with `i < j`, in the order the pairwise check tried them; nil
    /// when `budget` runs out first. `boxes[i]` is nil for a condition too large to explore,
    /// which is paired with every other segment.
    func candidates(_ boxes: [[Box]?], _ budget: inout Int) -> [(Int, Int)]? {
        let n = boxes.count
        var flat: [(owner: Int, box: Box)] = []
        var wild: [Int] = []
        for (i, b) in boxes.enumerated() {
            if let b { flat += b.map { (i, $0) } } else { wild.append(i) }
        }
        let axis = Self.axis(flat.map(\.box))
        let range = { (b: Box) -> ClosedRange<Int64> in axis.map { b.ranges[$0] ?? domain($0) } ?? 0...0 }
        let order = flat.indices.sorted { (range(flat[$0].box).lowerBound, flat[$0].owner) < (range(flat[$1].box).lowerBound, flat[$1].owner) }
        let ranges = order.map { range(flat[$0].box) }
        var found = Set<Int>()
        for (k, a) in order.enumerated() {
            var m = k + 1
            while m < order.count, ranges[m].lowerBound <= ranges[k].upperBound {
                budget -= 1
                if budget < 0 { return nil }
                let b = order[m]
                let (x, y) = (flat[a].owner, flat[b].owner)
                if x != y, meet(flat[a].box, flat[b].box) { found.insert(min(x, y) * n + max(x, y)) }
                m += 1
            }
        }
        for w in wild {
            for o in 0..<n where o != w && boxes[o]?.isEmpty != true {
                budget -= 1
                if budget < 0 { return nil }
                found.insert(min(w, o) * n + max(w, o))
            }
        }
        return found.sorted().map { ($0 / n, $0 % n) }
    }

    /// Whether two boxes share a value of every variable either constrains (a variable only one
    /// constrains stays within its domain, which the other box leaves whole).
    func meet(_ a: Box, _ b: Box) -> Bool {
        for (v, r) in a.ranges {
            guard let s = b.ranges[v] else { continue }
            if r.upperBound < s.lowerBound || s.upperBound < r.lowerBound { return false }
        }
        return true
    }

    /// The variable most boxes constrain (ties to the first in a fixed order), to sweep on.
    static func axis(_ boxes: [Box]) -> Variable? {
        var counts: [Variable: Int] = [:]
        for b in boxes { for v in b.ranges.keys { counts[v, default: 0] += 1 } }
        return counts.max { ($0.value, rank($1.key)) < ($1.value, rank($0.key)) }?.key
    }

    /// A fixed order of variables, so the choice of axis never depends on hashing.
    static func rank(_ v: Variable) -> Int {
        switch v {
        case .fact(let f): f
        case .value(let i): (1 << 40) + i
        case .segment(let t): (2 << 40) + t
        case .uplift: 3 << 40
        }
    }
}
