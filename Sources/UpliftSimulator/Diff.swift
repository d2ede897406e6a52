import Foundation
import Uplift

/// Champion/challenger: the same population through two policy versions, and what changes.
package struct DiffSummary: Sendable, Equatable {
    /// One applicant whose decision changed, with both decisions explained.
    package struct Example: Sendable, Equatable {
        package var line: Int
        package var key: String?
        package var base: String
        package var candidate: String
    }

    package struct SegmentChange: Sendable, Equatable {
        package var count = 0
        package var baseApproved = 0
        package var candidateApproved = 0
        package var baseUplift = MoneyTotal.zero
        package var candidateUplift = MoneyTotal.zero
        /// Candidate minus base, exact (a diff's totals come from decisions, never from files,
        /// so each stays below 2^63 × rows and the difference fits in 128 bits).
        package var upliftChange: MoneyTotal { MoneyTotal(raw: candidateUplift.raw - baseUplift.raw) }
    }

    package static let outcomes = Outcome.allCases.map(\.rawValue)
    package var base: PolicyIdentity
    package var candidate: PolicyIdentity
    package var rows = 0
    package var decided = 0
    package var badRowCount = 0
    package var badRows: [SimulationSummary.BadRow] = []
    /// matrix[base outcome][candidate outcome], in `Outcome.allCases` order.
    package var matrix: [[Int]] = Array(repeating: Array(repeating: 0, count: Outcome.allCases.count), count: Outcome.allCases.count)
    /// Approved by both (or decreased by both), with a different uplift.
    package var upliftChanged = 0
    package var baseCredit = MoneyTotal.zero
    package var candidateCredit = MoneyTotal.zero
    /// Credit removed by decreases (positive), for each side.
    package var baseRemoved = MoneyTotal.zero
    package var candidateRemoved = MoneyTotal.zero
    /// Candidate minus base new credit, exact (see `SegmentChange.upliftChange`).
    package var creditChange: MoneyTotal { MoneyTotal(raw: candidateCredit.raw - baseCredit.raw) }
    /// By the base decision's segment.
    package var segments: [String: SegmentChange] = [:]
    package var baseReasons: [String: Int] = [:]
    package var candidateReasons: [String: Int] = [:]
    /// Rows per band (`table band` when a policy has several band tables), for each side.
    package var baseBands: [String: Int] = [:]
    package var candidateBands: [String: Int] = [:]
    /// Rows per matched row of each decision table (and of each segment table when a policy
    /// has several), as `table row`, for each side.
    package var baseTableRows: [String: Int] = [:]
    package var candidateTableRows: [String: Int] = [:]
    /// Rows on which each cap bound, for each side.
    package var baseCaps: [String: Int] = [:]
    package var candidateCaps: [String: Int] = [:]
    /// A few examples per kind of change ("approve → decline", "uplift changed").
    package var examples: [String: [Example]] = [:]
    package var stoppedEarly = false
    /// Lines of the input not read because the run stopped early (counted, never silently lost).
    package var unreadLines = 0

    package static let examplesPerKind = 3

    package init(base: PolicyIdentity, candidate: PolicyIdentity) {
        self.base = base
        self.candidate = candidate
    }

    /// Rows the candidate approves and the base did not.
    package var swapIns: Int { (1..<n).map { cell($0, 0) }.reduce(0, +) }
    /// Rows the base approved and the candidate does not.
    package var swapOuts: Int { (1..<n).map { cell(0, $0) }.reduce(0, +) }
    package var changed: Int { (0..<n).flatMap { b in (0..<n).filter { $0 != b }.map { cell(b, $0) } }.reduce(0, +) + upliftChanged }
    /// `matrix[base][candidate]`, 0 outside it (a matrix set in code may be smaller, e.g. one
    /// made before `decrease` existed).
    package func cell(_ base: Int, _ candidate: Int) -> Int {
        matrix.indices.contains(base) && matrix[base].indices.contains(candidate) ? matrix[base][candidate] : 0
    }
    /// The number of outcomes (rows and columns of `matrix`).
    var n: Int { Outcome.allCases.count }
    /// The outcomes renderings show: `decrease` only when a row has it on either side.
    var shownOutcomes: [Int] {
        let d = Outcome.decrease.tallyIndex
        let used = (0..<n).contains { cell(d, $0) != 0 || cell($0, d) != 0 } || baseRemoved.raw != 0 || candidateRemoved.raw != 0
        return (0..<n).filter { $0 != d || used }
    }

    /// Adds another diff's counts (a later batch); every sum is exact or the merge fails with
    /// an overflow error naming the field.
    package mutating func merge(_ o: DiffSummary) throws(SummaryError) {
        var m = self
        m.rows = try SummaryError.add(rows, o.rows, "rows")
        m.decided = try SummaryError.add(decided, o.decided, "decided")
        m.badRowCount = try SummaryError.add(badRowCount, o.badRowCount, "bad_rows")
        m.badRows = Array((badRows + o.badRows).sorted { $0.line < $1.line }.prefix(SimulationSummary.keptBadRows))
        m.matrix = Array(repeating: Array(repeating: 0, count: n), count: n)
        for b in 0..<n { for c in 0..<n { m.matrix[b][c] = try SummaryError.add(cell(b, c), o.cell(b, c), "transitions") } }
        m.baseRemoved = try SummaryError.add(baseRemoved, o.baseRemoved, "base_credit_removed")
        m.candidateRemoved = try SummaryError.add(candidateRemoved, o.candidateRemoved, "candidate_credit_removed")
        m.upliftChanged = try SummaryError.add(upliftChanged, o.upliftChanged, "uplift_changed")
        m.baseCredit = try SummaryError.add(baseCredit, o.baseCredit, "base_credit")
        m.candidateCredit = try SummaryError.add(candidateCredit, o.candidateCredit, "candidate_credit")
        for (k, s) in o.segments {
            var t = m.segments[k] ?? SegmentChange()
            let f = "segments.\(k)"
            t.count = try SummaryError.add(t.count, s.count, "\(f).count")
            t.baseApproved = try SummaryError.add(t.baseApproved, s.baseApproved, "\(f).base_approved")
            t.candidateApproved = try SummaryError.add(t.candidateApproved, s.candidateApproved, "\(f).candidate_approved")
            t.baseUplift = try SummaryError.add(t.baseUplift, s.baseUplift, "\(f).base_uplift")
            t.candidateUplift = try SummaryError.add(t.candidateUplift, s.candidateUplift, "\(f).candidate_uplift")
            m.segments[k] = t
        }
        try SummaryError.add(o.baseReasons, into: &m.baseReasons, "reasons.base")
        try SummaryError.add(o.candidateReasons, into: &m.candidateReasons, "reasons.candidate")
        try SummaryError.add(o.baseBands, into: &m.baseBands, "bands.base")
        try SummaryError.add(o.candidateBands, into: &m.candidateBands, "bands.candidate")
        try SummaryError.add(o.baseTableRows, into: &m.baseTableRows, "tables.base")
        try SummaryError.add(o.candidateTableRows, into: &m.candidateTableRows, "tables.candidate")
        try SummaryError.add(o.baseCaps, into: &m.baseCaps, "binding_caps.base")
        try SummaryError.add(o.candidateCaps, into: &m.candidateCaps, "binding_caps.candidate")
        for (k, xs) in o.examples {
            m.examples[k] = Array(((examples[k] ?? []) + xs).sorted { $0.line < $1.line }.prefix(Self.examplesPerKind))
        }
        m.stoppedEarly = stoppedEarly || o.stoppedEarly
        m.unreadLines = try SummaryError.add(unreadLines, o.unreadLines, "unread_lines")
        self = m
    }
}

/// How to run a diff.
package struct DiffOptions: Sendable {
    package var format: PopulationFormat = .jsonl
    package var workers = ProcessInfo.processInfo.activeProcessorCount
    package var maxErrors: Int?
    package var batchSize = 2_048
    /// A record longer than this is reported as a bad row and skipped, so memory stays bounded.
    package var maxRecordBytes = RecordLimit.defaultBytes
    /// How records are read: `.strict` makes a row with a field either schema does not know bad.
    package var applicantOptions = ApplicantOptions.lenient
    package init() {}
}

package struct PolicyDiff: Sendable {
    package let base: Policy
    package let candidate: Policy
    package let options: DiffOptions

    /// Personal fields of either schema: a bad row's message never repeats their values.
    let personal: PersonalFields

    package init(base: Policy, candidate: Policy, options: DiffOptions) {
        self.base = base
        self.candidate = candidate
        self.options = options
        let a = PersonalFields(paths: base.personalFieldPaths), b = PersonalFields(paths: candidate.personalFieldPaths)
        personal = PersonalFields(paths: a.paths.union(b.paths))
    }

    package func run(input: FileHandle, progress: (SimulationProgress) -> Void = { _ in }) throws -> DiffSummary {
        var total = DiffSummary(base: base.identity, candidate: candidate.identity)
        let pipeline = BatchPipeline(format: options.format, workers: options.workers, batchSize: options.batchSize, maxRecordBytes: options.maxRecordBytes)
        let buffers = WorkerBuffers(workers: pipeline.workers, policies: 2)
        let maxErrors = options.maxErrors
        let unread = try pipeline.run(input: input, work: { w, records, bytes, header in
            self.compare(records, bytes, header: header, buffers: &buffers.buffers[w])
        }, take: { shares, bytesRead in
            for s in shares { try total.merge(s) }
            progress(SimulationProgress(rows: total.rows, bytesRead: bytesRead))
            return maxErrors.map { total.badRowCount < $0 } ?? true
        })
        total.stoppedEarly = unread != nil
        total.unreadLines = unread ?? 0
        return total
    }

    func compare(_ records: ArraySlice<RawRecord>, _ bytes: UnsafeBufferPointer<UInt8>, header: [String],
                 buffers: inout EvaluationBufferSet) -> DiffSummary {
        var s = DiffSummary(base: base.identity, candidate: candidate.identity)
        let line = DecisionLine(policy: base)
        let baseCodes = base.reasonCodes.map(\.code), candidateCodes = candidate.reasonCodes.map(\.code)
        let decoding = RecordDecoding(format: options.format, options: options.applicantOptions)
        let baseCSV = decoding.csvHeader(header, base), candidateCSV = decoding.csvHeader(header, candidate)
        var unknown: [UnknownField] = []
        var baseTables = TableTally(base.tables), candidateTables = TableTally(candidate.tables)
        for r in records {
            unknown.removeAll(keepingCapacity: true)
            let text = UnsafeBufferPointer(rebasing: bytes[r.start..<r.end])
            s.rows += 1
            let a: Applicant, b: Applicant
            do throws(ApplicantError) {
                a = try decoding.applicant(r, text, header: baseCSV, policy: base, unknown: &unknown)
                b = try decoding.applicant(r, text, header: candidateCSV, policy: candidate, unknown: &unknown)
            } catch {
                s.badRowCount += 1
                if s.badRows.count < SimulationSummary.keptBadRows { s.badRows.append(.init(line: r.line, path: error.path, message: personal.masked(error))) }
                continue
            }
            let db: Decision, dc: Decision
            do {
                db = try base.evaluate(a, reusing: &buffers.buffers[0])
                dc = try candidate.evaluate(b, reusing: &buffers.buffers[1])
            } catch {
                s.badRowCount += 1
                if s.badRows.count < SimulationSummary.keptBadRows { s.badRows.append(.init(line: r.line, path: "", message: "\(error)")) }
                continue
            }
            s.decided += 1
            let ob = db.outcome.tallyIndex, oc = dc.outcome.tallyIndex
            s.matrix[ob][oc] += 1
            let ub = db.outcome == .approve ? db.uplift.raw : 0, uc = dc.outcome == .approve ? dc.uplift.raw : 0
            s.baseCredit.add(ub)
            s.candidateCredit.add(uc)
            if db.outcome == .decrease { s.baseRemoved.add(-db.uplift.raw) }
            if dc.outcome == .decrease { s.candidateRemoved.add(-dc.uplift.raw) }
            let bothDecrease = db.outcome == .decrease && dc.outcome == .decrease
            let upliftChanged = (ob == 0 && oc == 0 && ub != uc) || (bothDecrease && db.uplift != dc.uplift)
            if upliftChanged { s.upliftChanged += 1 }
            var seg = s.segments[db.segment ?? "(none)"] ?? DiffSummary.SegmentChange()
            seg.count += 1
            if ob == 0 { seg.baseApproved += 1; seg.baseUplift.add(ub) }
            if oc == 0 { seg.candidateApproved += 1; seg.candidateUplift.add(uc) }
            s.segments[db.segment ?? "(none)"] = seg
            db.forEachReason { r, isCap in
                s.baseReasons[baseCodes[r], default: 0] += 1
                if isCap { s.baseCaps[baseCodes[r], default: 0] += 1 }
            }
            dc.forEachReason { r, isCap in
                s.candidateReasons[candidateCodes[r], default: 0] += 1
                if isCap { s.candidateCaps[candidateCodes[r], default: 0] += 1 }
            }
            baseTables.add(db)
            candidateTables.add(dc)
            let bb = db.bands, bc = dc.bands
            for b in bb { s.baseBands[bb.count == 1 ? b.band : "\(b.table) \(b.band)", default: 0] += 1 }
            for b in bc { s.candidateBands[bc.count == 1 ? b.band : "\(b.table) \(b.band)", default: 0] += 1 }
            if ob != oc || upliftChanged {
                let kind = upliftChanged ? (bothDecrease ? "decrease: amount changed" : "approve: uplift changed") : "\(db.outcome.rawValue) → \(dc.outcome.rawValue)"
                if (s.examples[kind]?.count ?? 0) < DiffSummary.examplesPerKind {
                    s.examples[kind, default: []].append(.init(
                        line: r.line, key: line.plainKey(of: a),
                        base: DecisionRenderer.text(db, base.explain(db)), candidate: DecisionRenderer.text(dc, candidate.explain(dc))))
                }
            }
        }
        s.baseTableRows = baseTables.flat
        s.candidateTableRows = candidateTables.flat
        return s
    }
}
