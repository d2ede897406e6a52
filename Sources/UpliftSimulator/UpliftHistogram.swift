/// Counts of uplift amounts, for medians and percentiles that survive merging partial runs.
///
/// Exact while a population has at most `exactLimit` distinct amounts (policies round uplifts to
/// a step, so real runs stay exact); past that, every amount is floored to three significant
/// digits, so a quantile is then within 1% below the true one. Integer arithmetic only, so the
/// same input gives the same figures on every machine, merged in any order.
public struct UpliftHistogram: Sendable, Equatable {
    public static let exactLimit = 4_096
    /// Raw fixed-point amount (or its bucket floor) → count.
    public private(set) var counts: [Int64: Int] = [:]
    public private(set) var exact = true

    public init() {}

    public init(counts: [Int64: Int], exact: Bool) {
        self.counts = counts
        self.exact = exact
        if counts.count > Self.exactLimit { collapse() }
    }

    public var total: Int { counts.values.reduce(0, &+) }

    /// `total / n` rounded half up to whole cents (raw fixed-point), for means of amounts.
    public static func meanCents(_ total: Int64, _ n: Int) -> Int64? {
        guard n > 0 else { return nil }
        let cents = (total / 10_000 + Int64(n) / 2) / Int64(n)
        return cents * 10_000
    }

    public mutating func add(_ raw: Int64, count: Int = 1) {
        counts[exact ? raw : Self.bucket(raw), default: 0] &+= count
        if exact && counts.count > Self.exactLimit { collapse() }
    }

    public mutating func merge(_ other: UpliftHistogram) {
        if !other.exact && exact { collapse() }
        for (k, n) in other.counts { add(k, count: n) }
    }

    mutating func collapse() {
        exact = false
        var out: [Int64: Int] = [:]
        for (k, n) in counts { out[Self.bucket(k), default: 0] &+= n }
        counts = out
    }

    /// `raw` floored to three significant digits.
    static func bucket(_ raw: Int64) -> Int64 {
        guard raw > 0 else { return raw }
        var unit: Int64 = 1
        while raw / unit >= 1_000 { unit *= 10 }
        return raw / unit * unit
    }

    /// The smallest amount with at least `q` of the counts at or below it (nearest rank).
    public func quantile(_ q: Double) -> Int64? {
        let n = total
        guard n > 0 else { return nil }
        let rank = max(1, Int((Double(n) * q).rounded(.up)))
        var seen = 0
        for k in counts.keys.sorted() {
            seen += counts[k] ?? 0
            if seen >= rank { return k }
        }
        return counts.keys.max()
    }
}
