import Uplift

/// A worker's counts for its share of a batch, kept by index (reason, segment, band) rather
/// than by name, so deciding a row costs no string hashing; turned into a named
/// `SimulationSummary` once per share.
struct ShareTally {
    struct Segment {
        var count = 0
        var outcomes = [Int](repeating: 0, count: Outcome.allCases.count)
        var upliftTotal = MoneyTotal.zero
        var uplifts = UpliftHistogram()
        var whatIf: WhatIfTally?
    }


    var rows = 0, decided = 0
    var outcomes = [Int](repeating: 0, count: Outcome.allCases.count)
    var newCredit = MoneyTotal.zero, referred = MoneyTotal.zero, removed = MoneyTotal.zero
    var reasons: [Int]
    var caps: [Int]
    /// Per segment of the first segment table; the last entry counts decisions without one.
    var segments: [Segment]
    /// Per table of any kind, per matched row.
    var tables: TableTally
    var bad: [SimulationSummary.BadRow] = []
    var badCount = 0
    /// Rows per unknown field name, and the near-miss suggestion for each (worked out once).
    var unknownFields: [String: Int] = [:]
    var unknownFieldSuggestions: [String: String] = [:]

    /// Sized from the policy's public outline (`Policy.reasonCodes`, `Policy.tables`).
    init(policy: Policy) {
        let tables = policy.tables
        self.tables = TableTally(tables)
        let reasonCount = policy.reasonCodes.count
        reasons = Array(repeating: 0, count: reasonCount)
        caps = Array(repeating: 0, count: reasonCount)
        segments = Array(repeating: Segment(), count: (tables.first { $0.kind == "segments" }?.rows.count ?? 0) + 1)
    }

    /// Counts one decided applicant's what-if, in the segment of its decision.
    mutating func addWhatIf(_ d: Decision, _ report: WhatIfReport?, actionNames: [String]) {
        let last = segments.count - 1
        let k = d.segmentIndex().map { $0 >= 0 && $0 < last ? $0 : last } ?? last
        var w = segments[k].whatIf ?? WhatIfTally(actions: actionNames.count)
        w.add(report, actionNames: actionNames)
        segments[k].whatIf = w
    }

    mutating func add(_ d: Decision) {
        rows += 1
        decided += 1
        let o = d.outcome.tallyIndex
        outcomes[o] += 1
        let uplift = d.uplift.raw
        if d.outcome == .approve { newCredit.add(uplift) }
        if d.outcome == .refer { referred.add(uplift) }
        // Credit removed is counted positive: a decrease of −1000 removes 1000.
        if d.outcome == .decrease { removed.add(-uplift) }
        let last = segments.count - 1
        let k = d.segmentIndex().map { $0 >= 0 && $0 < last ? $0 : last } ?? last
        segments[k].count += 1
        segments[k].outcomes[o] += 1
        if d.outcome == .approve {
            segments[k].upliftTotal.add(uplift)
            segments[k].uplifts.add(uplift)
        }
        d.forEachReason { r, isCap in
            reasons[r] += 1
            if isCap { caps[r] += 1 }
        }
        // Every table's rows, bands included (the `bands` counts are read from them).
        tables.add(d)
    }

    /// Counts one row's unknown fields (each name once per row).
    /// A row usually has one or two stray fields (a CSV export's extra columns on every row):
    /// those are counted without allocating; only a hostile row with many needs a set.
    mutating func addUnknown(_ fields: [UnknownField]) {
        // First the names this share keeps (bounded: past the limit a new name is folded).
        for f in fields where unknownFields[f.name] == nil && unknownFields.count < SimulationSummary.keptUnknownFields {
            unknownFields[f.name] = 0
            if let s = f.suggestion { unknownFieldSuggestions[f.name] = s }
        }
        func kept(_ f: UnknownField) -> String { unknownFields[f.name] != nil ? f.name : SimulationSummary.otherUnknownFields }
        // Then each kept name once per row, the folded bucket too: no count exceeds the rows.
        if fields.count <= 8 {
            for (i, f) in fields.enumerated() {
                let name = kept(f)
                if !fields[..<i].contains(where: { kept($0) == name }) { unknownFields[name, default: 0] += 1 }
            }
        } else {
            for name in Set(fields.map(kept)) { unknownFields[name, default: 0] += 1 }
        }
    }

    mutating func addBad(_ row: SimulationSummary.BadRow) {
        rows += 1
        badCount += 1
        if bad.count < SimulationSummary.keptBadRows { bad.append(row) }
    }

    func summary(_ policy: Policy) -> SimulationSummary {
        let codes = policy.reasonCodes.map(\.code), tableList = policy.tables
        var s = SimulationSummary(policy: policy.identity)
        s.rows = rows
        s.decided = decided
        s.badRowCount = badCount
        s.badRows = bad
        s.newCredit = newCredit
        s.referredUplift = referred
        s.creditRemoved = removed
        s.unknownFields = unknownFields
        s.unknownFieldSuggestions = unknownFieldSuggestions
        s.tables = tables.named
        for (i, o) in Outcome.allCases.enumerated() where outcomes[i] > 0 { s.outcomes[o.rawValue] = outcomes[i] }
        for (i, n) in reasons.enumerated() where n > 0 && codes.indices.contains(i) { s.reasons[codes[i]] = n }
        for (i, n) in caps.enumerated() where n > 0 && codes.indices.contains(i) { s.bindingCaps[codes[i]] = n }
        // A band's name alone when the policy has one band table, else `table band`.
        let bandTables = tableList.indices.filter { tableList[$0].kind == "bands" }
        for t in bandTables where tables.counts.indices.contains(t) {
            let table = tableList[t]
            for (b, n) in tables.counts[t].enumerated() where n > 0 && table.rows.indices.contains(b) {
                s.bands[bandTables.count == 1 ? table.rows[b] : "\(table.name) \(table.rows[b])", default: 0] += n
            }
        }
        let names = tableList.first { $0.kind == "segments" }?.rows ?? []
        for (k, seg) in segments.enumerated() where seg.count > 0 {
            var st = SimulationSummary.SegmentStats()
            st.count = seg.count
            for (i, o) in Outcome.allCases.enumerated() where seg.outcomes[i] > 0 { st.outcomes[o.rawValue] = seg.outcomes[i] }
            st.upliftTotal = seg.upliftTotal
            st.uplifts = seg.uplifts
            st.whatIf = seg.whatIf?.stats(policy.actionNames)
            s.segments[k < names.count ? names[k] : "(none)"] = st
        }
        return s
    }
}

extension Outcome {
    /// Position in `Outcome.allCases`, for per-outcome counters (no hashing per row).
    var tallyIndex: Int {
        switch self {
        case .approve: 0
        case .decline: 1
        case .refer: 2
        case .noChange: 3
        case .decrease: 4
        }
    }
}
