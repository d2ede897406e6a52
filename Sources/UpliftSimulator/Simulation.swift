import Foundation
import Uplift

/// How to run a simulation.
package struct SimulationOptions: Sendable {
    package var format: PopulationFormat = .jsonl
    /// Threads deciding rows; decisions still come out in input order.
    package var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Produce one JSON line per row (decided or bad), in input order.
    package var writeDecisions = false
    /// Add each decision's explanation to its line.
    package var explain = false
    /// Stop after the batch in which this many bad rows were found.
    package var maxErrors: Int?
    /// Rows per worker per batch: the unit of parallel work and of memory.
    package var batchSize = 2_048
    /// A record longer than this is reported as a bad row and skipped, so memory stays bounded.
    package var maxRecordBytes = RecordLimit.defaultBytes
    /// How records are read: `.strict` makes a row with a field the schema does not know bad.
    package var applicantOptions = ApplicantOptions.lenient
    /// Also try every declared action on each decided applicant (`--whatif`; JSON Lines only:
    /// a suggestion is a changed JSON record) and count, per segment, who could get more.
    package var whatIf = false
    package init() {}
}

/// Where a running simulation is, for progress lines.
package struct SimulationProgress: Sendable {
    package var rows: Int
    package var bytesRead: Int
}

/// Runs a policy over a population: streams the input in batches, decides each batch on all
/// workers, and writes decisions in input order. Memory is bounded by one batch per worker,
/// whatever the population's size; every row is either decided or reported as bad.
package struct Simulator: Sendable {
    package let policy: Policy
    package let options: SimulationOptions
    let line: DecisionLine
    let personal: PersonalFields
    let actionNames: [String]

    package init(policy: Policy, options: SimulationOptions) {
        self.policy = policy
        self.options = options
        line = DecisionLine(policy: policy)
        personal = PersonalFields(paths: policy.personalFieldPaths)
        actionNames = policy.actionNames
    }

    /// What one worker made of its share of a batch.
    struct Share {
        var output: [UInt8] = []
        var summary: SimulationSummary
    }

    /// A share while it is being decided.
    struct Work {
        var output: [UInt8] = []
        var tally: ShareTally
    }

    /// Runs the whole input. `decisions` receives output bytes in input order (only with
    /// `writeDecisions`); `progress` is called after each batch.
    package func run(input: FileHandle, decisions: ([UInt8]) throws -> Void = { _ in },
                    progress: (SimulationProgress) -> Void = { _ in }) throws -> SimulationSummary {
        var summary = SimulationSummary(policy: policy.identity)
        let pipeline = BatchPipeline(format: options.format, workers: options.workers, batchSize: options.batchSize, maxRecordBytes: options.maxRecordBytes)
        let buffers = WorkerBuffers(workers: pipeline.workers, policies: 1)
        let maxErrors = options.maxErrors, write = options.writeDecisions
        let unread = try pipeline.run(input: input, work: { w, records, bytes, header in
            self.decideShare(records, bytes, header: header, buffer: &buffers.buffers[w].buffers[0])
        }, take: { shares, bytesRead in
            for share in shares {
                if write { try decisions(share.output) }
                try summary.merge(share.summary)
            }
            progress(SimulationProgress(rows: summary.rows, bytesRead: bytesRead))
            return maxErrors.map { summary.badRowCount < $0 } ?? true
        })
        summary.stoppedEarly = unread != nil
        summary.unreadLines = unread ?? 0
        return summary
    }

    func decideShare(_ records: ArraySlice<RawRecord>, _ bytes: UnsafeBufferPointer<UInt8>, header: [String],
                     buffer: inout EvaluationBuffer) -> Share {
        var share = Work(tally: ShareTally(policy: policy))
        share.output.reserveCapacity(records.count * (options.explain ? 4_096 : 400))
        let decoding = RecordDecoding(format: options.format, options: options.applicantOptions)
        let csv = decoding.csvHeader(header, policy)
        var unknown: [UnknownField] = []
        for r in records {
            let text = UnsafeBufferPointer(rebasing: bytes[r.start..<r.end])
            let applicant: Applicant
            unknown.removeAll(keepingCapacity: true)
            defer { if !unknown.isEmpty { share.tally.addUnknown(unknown) } }
            do throws(ApplicantError) {
                applicant = try decoding.applicant(r, text, header: csv, policy: policy, unknown: &unknown)
            } catch {
                bad(SimulationSummary.BadRow(line: r.line, path: error.path, message: personal.masked(error)), &share)
                continue
            }
            do {
                let d = try policy.evaluate(applicant, reusing: &buffer)
                share.tally.add(d)
                if options.whatIf {
                    // Every helpful action is counted, so none is left out by `top`.
                    let report = try? policy.whatIf(utf8: text, options: WhatIfOptions(top: Int.max))
                    share.tally.addWhatIf(d, report, actionNames: actionNames)
                }
                if options.writeDecisions {
                    line.write(d, applicant, line: r.line, explanation: options.explain ? policy.explain(d) : nil, to: &share.output)
                }
            } catch {
                bad(SimulationSummary.BadRow(line: r.line, path: "", message: error.description), &share)
            }
        }
        return Share(output: share.output, summary: share.tally.summary(policy))
    }

    func bad(_ row: SimulationSummary.BadRow, _ share: inout Work) {
        share.tally.addBad(row)
        if options.writeDecisions { line.writeBad(row, to: &share.output) }
    }
}

