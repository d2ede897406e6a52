import Uplift

/// What a simulation found: counts and sums only, so summaries of parts of a population merge
/// into exactly the summary of the whole (`uplift summary merge`).
package struct SimulationSummary: Sendable, Equatable {
    /// Per segment: how many, with which outcome, and what approvals were granted.
    package struct SegmentStats: Sendable, Equatable {
        package var count = 0
        package var outcomes: [String: Int] = [:]
        /// Sum of approved uplifts, exact.
        package var upliftTotal = MoneyTotal.zero
        /// Approved uplifts.
        package var uplifts = UpliftHistogram()
        /// What the declared actions would do for this segment (`simulate --whatif`); nil
        /// when the what-if did not run.
        package var whatIf: WhatIfStats?
        package init() {}

        package var approved: Int { outcomes[Outcome.approve.rawValue] ?? 0 }

        mutating func merge(_ o: SegmentStats, _ field: String) throws(SummaryError) {
            count = try SummaryError.add(count, o.count, "\(field).count")
            try SummaryError.add(o.outcomes, into: &outcomes, "\(field).outcomes")
            upliftTotal = try SummaryError.add(upliftTotal, o.upliftTotal, "\(field).uplift_total")
            try uplifts.merge(o.uplifts, "\(field).uplift_histogram")
            if let w = o.whatIf {
                var mine = whatIf ?? WhatIfStats()
                try mine.merge(w, "\(field).whatif")
                whatIf = mine
            }
        }
    }

    /// A row that could not be decided: its line in the input, the field and what is wrong.
    package struct BadRow: Sendable, Equatable {
        package var line: Int
        package var path: String
        package var message: String
        package init(line: Int, path: String, message: String) { self.line = line; self.path = path; self.message = message }
    }

    /// How many bad rows are kept in full; all are counted.
    package static let keptBadRows = 20

    package var policy: PolicyIdentity
    /// Rows read: decided plus bad.
    package var rows = 0
    package var decided = 0
    package var badRowCount = 0
    package var outcomes: [String: Int] = [:]
    /// New credit granted: the sum of approved uplifts, exact.
    package var newCredit = MoneyTotal.zero
    /// Sum of uplifts proposed by referrals, for the people who review them.
    package var referredUplift = MoneyTotal.zero
    /// Credit removed by decreases (a policy that `allow decrease`): the sum of the amounts the
    /// limits went down by, exact and positive.
    package var creditRemoved = MoneyTotal.zero
    package var segments: [String: SegmentStats] = [:]
    package var reasons: [String: Int] = [:]
    package var bands: [String: Int] = [:]
    package var bindingCaps: [String: Int] = [:]
    /// Every table's matched rows (bands, segments, decision tables), by table name.
    package var tables: [String: TableCounts] = [:]
    /// The first bad rows, by line.
    package var badRows: [BadRow] = []
    /// True when `--max-errors` stopped the run before the end of the input.
    package var stoppedEarly = false
    /// Lines of the input not read because the run stopped early (counted, never silently lost).
    package var unreadLines = 0
    /// Fields the schema does not know, by name without list positions (`Monthly_Income`,
    /// `certificates.Confidence`): how many rows carried each. They were ignored (or, with
    /// `strict`, made the row bad), so a producer's typo never passes unseen.
    package var unknownFields: [String: Int] = [:]
    /// For the unknown fields that look like a schema field: the field they probably mean.
    package var unknownFieldSuggestions: [String: String] = [:]
    /// How many distinct unknown field names a summary keeps: the rest are counted under
    /// `otherUnknownFields` (rows per folded name, added up, so it may exceed the rows), so a population with a new key on every row cannot grow memory
    /// or the summary without bound.
    package static let keptUnknownFields = 100
    package static let otherUnknownFields = "(other unknown fields)"

    /// Keeps the `keptUnknownFields` most frequent unknown names (ties by name), folding the
    /// rest into `otherUnknownFields`, with checked adds.
    mutating func foldUnknownFields() throws(SummaryError) {
        guard unknownFields.count > Self.keptUnknownFields else { return }
        let ranked = unknownFields.filter { $0.key != Self.otherUnknownFields }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var kept = Dictionary(uniqueKeysWithValues: ranked.prefix(Self.keptUnknownFields - 1).map { ($0.key, $0.value) })
        var other = unknownFields[Self.otherUnknownFields] ?? 0
        for (_, n) in ranked.dropFirst(Self.keptUnknownFields - 1) { other = try SummaryError.add(other, n, "unknown_fields") }
        kept[Self.otherUnknownFields] = other
        unknownFields = kept
        unknownFieldSuggestions = unknownFieldSuggestions.filter { kept[$0.key] != nil }
    }

    package init(policy: PolicyIdentity) { self.policy = policy }

    /// Whether the what-if ran (`simulate --whatif`): some segment has its counts.
    package var hasWhatIf: Bool { segments.values.contains { $0.whatIf != nil } }

    /// Adds another summary of the same policy; the order of merging does not matter. Every
    /// sum is exact or the merge fails with an overflow error naming the field: a merged summary
    /// never holds a wrapped number.
    package mutating func merge(_ o: SimulationSummary) throws(SummaryError) {
        // A part with what-if counts and one without cannot add up to either kind of summary.
        if !segments.isEmpty, !o.segments.isEmpty, hasWhatIf != o.hasWhatIf {
            throw SummaryError(.inconsistent, field: "segments.whatif", "is in one part and not in the other: merge runs made all with --whatif or all without")
        }
        var m = self
        m.rows = try SummaryError.add(rows, o.rows, "rows")
        m.decided = try SummaryError.add(decided, o.decided, "decided")
        m.badRowCount = try SummaryError.add(badRowCount, o.badRowCount, "bad_rows")
        try SummaryError.add(o.outcomes, into: &m.outcomes, "outcomes")
        m.newCredit = try SummaryError.add(newCredit, o.newCredit, "new_credit")
        m.referredUplift = try SummaryError.add(referredUplift, o.referredUplift, "referred_uplift")
        m.creditRemoved = try SummaryError.add(creditRemoved, o.creditRemoved, "credit_removed")
        for (k, s) in o.segments {
            var t = m.segments[k] ?? SegmentStats()
            try t.merge(s, "segments.\(k)")
            m.segments[k] = t
        }
        try SummaryError.add(o.reasons, into: &m.reasons, "reasons")
        try SummaryError.add(o.bands, into: &m.bands, "bands")
        try SummaryError.add(o.bindingCaps, into: &m.bindingCaps, "binding_caps")
        for (name, t) in o.tables {
            if var mine = m.tables[name] { try mine.merge(t, "tables.\(name)"); m.tables[name] = mine } else { m.tables[name] = t }
        }
        m.badRows = Array((badRows + o.badRows).sorted { $0.line < $1.line }.prefix(Self.keptBadRows))
        m.stoppedEarly = stoppedEarly || o.stoppedEarly
        m.unreadLines = try SummaryError.add(unreadLines, o.unreadLines, "unread_lines")
        try SummaryError.add(o.unknownFields, into: &m.unknownFields, "unknown_fields")
        m.unknownFieldSuggestions.merge(o.unknownFieldSuggestions) { a, _ in a }
        try m.foldUnknownFields()
        // All or nothing: a failed merge leaves this summary as it was.
        self = m
    }
}

extension Outcome {
    /// Whether reports list this outcome: `decrease` only when the summary has one (or credit
    /// was removed), so a policy that never decreases reads exactly as before.
    func isShown(in s: SimulationSummary) -> Bool {
        self != .decrease || (s.outcomes[rawValue] ?? 0) > 0 || s.creditRemoved.raw != 0
    }
}
