import Uplift

/// What `uplift simulate --whatif` found in one segment: for how many applicants some declared
/// action would give more credit, how much the best action would give (exact sum and a
/// histogram, so medians survive merging), and which actions help how many people. Counts and
/// sums only, so partial runs merge exactly, like the rest of the summary.
package struct WhatIfStats: Sendable, Equatable {
    /// Applicants the what-if ran on (the segment's decided rows).
    package var tried = 0
    /// Applicants with at least one action that gives more credit.
    package var improvable = 0
    /// Applicants whose what-if could not run (their record decodes for a decision but the
    /// what-if refused it); counted, never dropped.
    package var failed = 0
    /// The sum of each improvable applicant's best gain, exact.
    package var gainTotal = MoneyTotal.zero
    /// Each improvable applicant's best gain.
    package var gains = UpliftHistogram()
    /// Action name → applicants for whom it is among the actions that help.
    package var actions: [String: Int] = [:]

    package init() {}

    /// Adds another segment's counts; checked, never wrapped.
    mutating func merge(_ o: WhatIfStats, _ field: String) throws(SummaryError) {
        var m = self
        m.tried = try SummaryError.add(tried, o.tried, "\(field).tried")
        m.improvable = try SummaryError.add(improvable, o.improvable, "\(field).improvable")
        m.failed = try SummaryError.add(failed, o.failed, "\(field).failed")
        m.gainTotal = try SummaryError.add(gainTotal, o.gainTotal, "\(field).gain_total")
        try m.gains.merge(o.gains, "\(field).gain_histogram")
        try SummaryError.add(o.actions, into: &m.actions, "\(field).actions")
        self = m
    }
}

/// A share's what-if counts for one segment, by action index (no string hashing per row).
struct WhatIfTally {
    var tried = 0, improvable = 0, failed = 0
    var gainTotal = MoneyTotal.zero
    var gains = UpliftHistogram()
    var actions: [Int]

    init(actions: Int) { self.actions = Array(repeating: 0, count: actions) }

    /// Counts one applicant's report (nil: the what-if could not run).
    mutating func add(_ report: WhatIfReport?, actionNames: [String]) {
        tried += 1
        guard let report else { failed += 1; return }
        // Suggestions come best first: the first one's gain is the most this person can get.
        guard let best = report.suggestions.first else { return }
        improvable += 1
        gainTotal.add(best.gain.raw)
        gains.add(best.gain.raw)
        var seen = [Bool](repeating: false, count: actions.count)
        for s in report.suggestions {
            guard let k = actionNames.firstIndex(of: s.action), !seen[k] else { continue }
            seen[k] = true
            actions[k] += 1
        }
    }

    func stats(_ actionNames: [String]) -> WhatIfStats {
        var s = WhatIfStats()
        s.tried = tried; s.improvable = improvable; s.failed = failed
        s.gainTotal = gainTotal; s.gains = gains
        for (k, n) in actions.enumerated() where n > 0 && actionNames.indices.contains(k) { s.actions[actionNames[k]] = n }
        return s
    }
}

extension SimulationSummary {
    /// Every segment's what-if counts added up (the population's), or nil without `--whatif`.
    package var whatIfTotal: WhatIfStats? {
        guard hasWhatIf else { return nil }
        var all = WhatIfStats()
        // The sums cannot overflow: every segment's counts passed `SummaryConsistency` (what-if
        // `tried` equals the segment's count, and the segments' counts add up to the total, an
        // Int) and a gain total is a 128-bit sum of at most that many 64-bit gains. Were that
        // ever broken, no total is shown rather than a wrong one.
        for (name, st) in segments.sorted(by: { $0.key < $1.key }) {
            guard let w = st.whatIf else { continue }
            do { try all.merge(w, "segments.\(name).whatif") } catch { return nil }
        }
        return all
    }

    /// Segments with what-if counts, most applicants first.
    var whatIfSegments: [(name: String, stats: WhatIfStats)] {
        segments.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            .compactMap { k, st in st.whatIf.map { (k, $0) } }
    }
}
