import Uplift

/// The relations every summary written by `uplift simulate` satisfies, checked on each part
/// `uplift summary merge` reads: a part that breaks one was edited or corrupted, and adding it
/// would make every merged figure wrong without anyone noticing. Sums are taken in 128 bits,
/// so a hostile part cannot make the check itself overflow.
enum SummaryConsistency {
    static func check(_ s: SimulationSummary) throws(SummaryError) {
        func fail(_ field: String, _ message: String) -> SummaryError { SummaryError(.inconsistent, field: field, message) }
        func sum(_ xs: some Sequence<Int>) -> Int128 { xs.reduce(Int128(0)) { $0 + Int128($1) } }

        guard Int128(s.decided) + Int128(s.badRowCount) == Int128(s.rows) else {
            throw fail("rows", "is \(s.rows), but decided (\(s.decided)) plus bad_rows (\(s.badRowCount)) is \(Int128(s.decided) + Int128(s.badRowCount))")
        }
        let known = Set(Outcome.allCases.map(\.rawValue))
        for k in s.outcomes.keys where !known.contains(k) { throw fail("outcomes.\(k)", "is not an outcome (\(Outcome.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard sum(s.outcomes.values) == Int128(s.decided) else {
            throw fail("outcomes", "add up to \(sum(s.outcomes.values)), but decided is \(s.decided)")
        }
        guard s.badRows.count <= s.badRowCount else {
            throw fail("bad_row_examples", "lists \(s.badRows.count) rows, but bad_rows is \(s.badRowCount)")
        }
        guard sum(s.segments.values.map(\.count)) == Int128(s.decided) else {
            throw fail("segments", "counts add up to \(sum(s.segments.values.map(\.count))), but decided is \(s.decided) (every decided row has a segment or \"(none)\")")
        }
        var credit = MoneyTotal.zero
        for (name, st) in s.segments.sorted(by: { $0.key < $1.key }) {
            let f = "segments.\(name)"
            for k in st.outcomes.keys where !known.contains(k) { throw fail("\(f).outcomes.\(k)", "is not an outcome") }
            guard sum(st.outcomes.values) == Int128(st.count) else {
                throw fail("\(f).outcomes", "add up to \(sum(st.outcomes.values)), but the segment's count is \(st.count)")
            }
            guard st.uplifts.total == Int128(st.approved) else {
                throw fail("\(f).uplift_histogram", "counts \(st.uplifts.total) approvals, but the segment has \(st.approved)")
            }
            if st.uplifts.exact {
                let histogramSum = st.uplifts.counts.reduce(Int128(0)) { $0 + Int128($1.key) * Int128($1.value) }
                guard histogramSum == st.upliftTotal.raw else {
                    throw fail("\(f).uplift_total", "is \(st.upliftTotal), but the histogram's amounts add up to \(MoneyTotal(raw: histogramSum))")
                }
            }
            if let w = st.whatIf { try checkWhatIf(w, segment: st, f) } else if s.hasWhatIf {
                throw fail("\(f).whatif", "is missing, but other segments have what-if counts (every segment of a --whatif run has them)")
            }
            guard let c = credit.adding(st.upliftTotal) else { throw SummaryError(.overflow, field: "\(f).uplift_total", "overflows: the segments' totals do not fit in 128 bits") }
            credit = c
        }
        guard credit == s.newCredit else {
            throw fail("new_credit", "is \(s.newCredit), but the segments' uplift totals add up to \(credit)")
        }
        // Credit removed is a sum of positive amounts, one per decrease.
        guard s.creditRemoved.raw >= 0, (s.outcomes[Outcome.decrease.rawValue] ?? 0) > 0 || s.creditRemoved.raw == 0 else {
            throw fail("credit_removed", "is \(s.creditRemoved), but the summary has \(s.outcomes[Outcome.decrease.rawValue] ?? 0) decreases")
        }
        // The folded bucket adds up several names, so only the named counts are bounded by rows.
        for (k, n) in s.unknownFields where n > s.rows && k != SimulationSummary.otherUnknownFields { throw fail("unknown_fields.\(k)", "is \(n), more than the \(s.rows) rows read") }
        for (name, t) in s.tables.sorted(by: { $0.key < $1.key }) {
            let total = sum(t.rows.values)
            if t.selectsMany ? total < Int128(s.decided) : total != Int128(s.decided) {
                throw fail("tables.\(name).rows", "add up to \(total), but decided is \(s.decided) (every decided row matches \(t.selectsMany ? "at least one row or" : "one row or") \"\(TableCounts.noRow)\")")
            }
        }
        for (k, n) in s.bands where n > s.decided { throw fail("bands.\(k)", "is \(n), more than the \(s.decided) decided rows") }
        for (k, n) in s.bindingCaps where n > (s.reasons[k] ?? 0) {
            throw fail("binding_caps.\(k)", "is \(n), more than reasons.\(k) (\(s.reasons[k] ?? 0)); a binding cap is also a reason")
        }
    }

    /// A segment's what-if counts: one what-if per decided row, the improvable and failed
    /// among them, one best gain per improvable applicant, and no action helping more people
    /// than could be helped.
    static func checkWhatIf(_ w: WhatIfStats, segment st: SimulationSummary.SegmentStats, _ f: String) throws(SummaryError) {
        func fail(_ field: String, _ message: String) -> SummaryError { SummaryError(.inconsistent, field: field, message) }
        let g = "\(f).whatif"
        guard w.tried == st.count else { throw fail("\(g).tried", "is \(w.tried), but the segment decided \(st.count) rows (every decided row is tried)") }
        guard Int128(w.improvable) + Int128(w.failed) <= Int128(w.tried) else {
            throw fail("\(g).improvable", "is \(w.improvable) and failed \(w.failed), more than the \(w.tried) tried")
        }
        guard w.gains.total == Int128(w.improvable) else { throw fail("\(g).gain_histogram", "counts \(w.gains.total) gains, but improvable is \(w.improvable)") }
        if w.gains.exact {
            let sum = w.gains.counts.reduce(Int128(0)) { $0 + Int128($1.key) * Int128($1.value) }
            guard sum == w.gainTotal.raw else { throw fail("\(g).gain_total", "is \(w.gainTotal), but the histogram's gains add up to \(MoneyTotal(raw: sum))") }
        }
        for (k, n) in w.actions.sorted(by: { $0.key < $1.key }) where n > w.improvable {
            throw fail("\(g).actions.\(k)", "is \(n), more than the \(w.improvable) applicants an action can help")
        }
    }
}
