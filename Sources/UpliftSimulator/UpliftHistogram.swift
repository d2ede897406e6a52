/// Counts of uplift amounts, for medians and percentiles that survive merging partial runs.
///
/// Exact while a population has at most `exactLimit` distinct amounts (policies round uplifts to
/// a step, so real runs stay exact); past that, every amount is floored to three significant
/// digits, so a quantile is then within 1% below the true one. Integer arithmetic only, so the
/// same input gives the same figures on every machine, merged in any order.
package struct UpliftHistogram: Sendable, Equatable {
    package static let exactLimit = 4_096
    /// Raw fixed-point amount (or its bucket floor) → count.
    package private(set) var counts: [Int64: Int] = [:]
    package private(set) var exact = true

    package init() {}

    /// A histogram read back from a summary; counts that cannot be held exactly are refused.
    package init(counts: [Int64: Int], exact: Bool, field: String = "uplift_histogram") throws(SummaryError) {
        self.exact = exact
        for (k, n) in counts { try add(k, count: n, field) }
        if self.counts.count > Self.exactLimit { try collapse(field) }
    }

    /// How many amounts were counted, exactly (a merged histogram may hold more than `Int.max`
    /// in principle; 128 bits cannot overflow for any number of 64-bit counts a machine holds).
    package var total: Int128 { counts.values.reduce(Int128(0)) { $0 + Int128($1) } }

    /// Counts one amount (one approval): a share's histogram holds at most a batch of rows.
    package mutating func add(_ raw: Int64) {
        counts[exact ? raw : Self.bucket(raw), default: 0] += 1
        if exact && counts.count > Self.exactLimit { collapseUnchecked() }
    }

    mutating func add(_ raw: Int64, count: Int, _ field: String) throws(SummaryError) {
        let k = exact ? raw : Self.bucket(raw)
        counts[k] = try SummaryError.add(counts[k] ?? 0, count, field)
        if exact && counts.count > Self.exactLimit { try collapse(field) }
    }

    /// Adds `other`'s counts, checked: an overflow is reported with `field`, never wrapped.
    package mutating func merge(_ other: UpliftHistogram, _ field: String = "uplift_histogram") throws(SummaryError) {
        var m = self
        if !other.exact && m.exact { try m.collapse(field) }
        for (k, n) in other.counts { try m.add(k, count: n, field) }
        self = m
    }

    mutating func collapse(_ field: String) throws(SummaryError) {
        var out: [Int64: Int] = [:]
        for (k, n) in counts { out[Self.bucket(k)] = try SummaryError.add(out[Self.bucket(k)] ?? 0, n, field) }
        exact = false
        counts = out
    }

    /// Collapsing a share's histogram: its counts add up to at most a batch, so no sum overflows.
    mutating func collapseUnchecked() {
        var out: [Int64: Int] = [:]
        for (k, n) in counts { out[Self.bucket(k), default: 0] += n }
        exact = false
        counts = out
    }

    /// `raw` floored to three significant digits.
    static func bucket(_ raw: Int64) -> Int64 {
        guard raw > 0 else { return raw }
        var unit: Int64 = 1
        while raw / unit >= 1_000 { unit *= 10 }
        return raw / unit * unit
    }

    /// The smallest amount with at least `percent`% of the counts at or below it (nearest
    /// rank), in integers: exact however many counts there are.
    package func quantile(percent: Int) -> Int64? {
        let n = total
        guard n > 0 else { return nil }
        let p = Int128(max(0, min(100, percent)))
        let rank = max(1, (n * p + 99) / 100)
        var seen: Int128 = 0
        for k in counts.keys.sorted() {
            seen += Int128(counts[k] ?? 0)
            if seen >= rank { return k }
        }
        return counts.keys.max()
    }

    /// The amount and count of each bar, in increasing order of amount.
    package var sorted: [(amount: Int64, count: Int)] { counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}
