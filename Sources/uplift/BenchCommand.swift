import ArgumentParser
import Foundation
import Uplift
import UpliftAllocationCounter

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure evaluation speed on one thread, like `opa bench`.",
        discussion: """
        Evaluates every applicant of the population repeatedly and reports nanoseconds per \
        decision (median and p99 of timed batches), decisions per second and heap allocations \
        per decision. Without --population it uses a deterministic synthetic population. Build \
        with `-c release` for meaningful numbers.

        Example:
          swift run -c release uplift bench policies/certificate-uplift
          swift run -c release uplift bench policies/certificate-uplift --engine reference --format json
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @Option(help: "Applicants as JSON Lines (one object per line). Default: synthetic.")
    var population: String?

    @Option(parsing: .unconditional, help: "Synthetic population size when no --population is given.")
    var count = 1_000

    @Option(parsing: .unconditional, help: "Seed of the synthetic population.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Minimum measuring time in seconds.")
    var seconds = 2.0

    @Option(help: "Evaluator: vm (the product) or reference (the tree-walking oracle).")
    var engine: Engine = .vm

    @Flag(help: "A population field the schema does not know is an error, not ignored.")
    var strict = false

    @Flag(help: "Also render each decision's explanation.")
    var explain = false

    @Flag(help: "Measure what-ifs instead: every single-action suggestion for each applicant (uplift whatif).")
    var whatif = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard count > 0, count <= 10_000_000 else { throw ValidationError("--count must be between 1 and 10,000,000") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be between 0 and 3600") }
    }

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        if whatif { return try benchWhatIf(policy) }
        let applicants = try loadApplicants(policy)
        // Warm up, and learn how many passes a batch needs to last about a millisecond.
        let perPass = time { try? evaluateAll(policy, applicants) }
        let passes = max(1, Int(1_000_000 / max(1, perPass)))
        var batches: [Double] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        var decisions = 0
        repeat {
            let ns = time { for _ in 0..<passes { try? evaluateAll(policy, applicants) } }
            batches.append(Double(ns) / Double(passes * applicants.count))
            decisions += passes * applicants.count
        } while DispatchTime.now().uptimeNanoseconds < deadline
        // Allocations over one pass, counted by the interposed allocator.
        uplift_allocation_counting(1)
        try? evaluateAll(policy, applicants)
        uplift_allocation_counting(0)
        let allocations = Double(uplift_allocation_count()) / Double(applicants.count)
        batches.sort()
        let median = batches[batches.count / 2]
        let p99 = batches[min(batches.count - 1, Int(Double(batches.count) * 0.99))]
        let mean = batches.reduce(0, +) / Double(batches.count)
        let rate = mean > 0 ? 1e9 / mean : 0
        let fmt = { (x: Double) in String(format: "%.1f", x) }
        switch format {
        case .text:
            try emit("""
            policy:        \(policy.identity.name) \(policy.identity.version)
            engine:        \(engine.rawValue)\(explain ? " + explanation" : "")
            population:    \(applicants.count) applicants, \(decisions) decisions in \(batches.count) batches
            ns/decision:   median \(fmt(median)), p99 \(fmt(p99))
            decisions/s:   \(Int(rate))
            allocations:   \(fmt(allocations)) per decision
            """)
        case .json:
            try emit(JSONWriter.object([
                ("policy", JSONWriter.quote(policy.identity.name)), ("engine", JSONWriter.quote(engine.rawValue)),
                ("explain", explain ? "true" : "false"), ("applicants", String(applicants.count)), ("decisions", String(decisions)),
                ("batches", String(batches.count)), ("ns_per_decision_median", fmt(median)), ("ns_per_decision_p99", fmt(p99)),
                ("decisions_per_second", String(Int(rate))), ("allocations_per_decision", fmt(allocations)),
            ], indent: 0))
        }
    }

    /// Reads the options once: property-wrapper reads in the loop would be measured too. The VM
    /// path reuses one register buffer, as `uplift simulate` and a request handler do.
    func evaluateAll(_ policy: Policy, _ applicants: [Applicant]) throws {
        let engine = self.engine, explain = self.explain
        var buffer = EvaluationBuffer()
        for a in applicants {
            let d = engine == .vm ? try policy.evaluate(a, reusing: &buffer) : try policy.evaluate(a, engine: engine)
            if explain { blackHole(policy.explain(d)) } else { blackHole(d) }
        }
    }

    /// Every single-action suggestion for each applicant of a synthetic population, timed one
    /// applicant at a time, until `seconds` have passed.
    func benchWhatIf(_ policy: Policy) throws {
        guard !policy.actionNames.isEmpty else {
            writeError("error: \(bundle) declares no actions")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        let population = policy.syntheticPopulation(count: count, seed: seed)
        var times: [Double] = [], suggestions = 0
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        repeat {
            for a in population {
                var found = 0
                let ns = time { found = (try? policy.whatIf(a, options: WhatIfOptions(top: 1000)))?.suggestions.count ?? 0 }
                times.append(Double(ns) / 1000)
                suggestions += found
            }
        } while DispatchTime.now().uptimeNanoseconds < deadline
        times.sort()
        let fmt = { (x: Double) in String(format: "%.1f", x) }
        let median = times[times.count / 2], p99 = times[min(times.count - 1, Int(Double(times.count) * 0.99))]
        switch format {
        case .text:
            try emit("""
            policy:        \(policy.identity.name) \(policy.identity.version)
            what-ifs:      \(times.count) (\(population.count) applicants), \(policy.actionNames.count) actions, \(fmt(Double(suggestions) / Double(times.count))) suggestions each
            µs/what-if:    median \(fmt(median)), p99 \(fmt(p99))
            """)
        case .json:
            try emit(JSONWriter.object([
                ("policy", JSONWriter.quote(policy.identity.name)), ("whatifs", String(times.count)), ("applicants", String(population.count)),
                ("us_per_whatif_median", fmt(median)), ("us_per_whatif_p99", fmt(p99)),
            ], indent: 0))
        }
    }

    func time(_ body: () -> Void) -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return DispatchTime.now().uptimeNanoseconds - start
    }

    func loadApplicants(_ policy: Policy) throws -> [Applicant] {
        guard let path = population else {
            return try policy.syntheticPopulation(count: count, seed: seed).map { try policy.applicant($0) }
        }
        // The whole population is held in memory by design: it is what is measured.
        let data = try InputFile.read(path, what: "population file", limit: Int.max)
        var out: [Applicant] = []
        // Lines as raw bytes: the reader sees invalid UTF-8 as it is.
        for (i, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do { out.append(try policy.applicant(utf8: line, options: ApplicantOptions(strict: strict))) } catch {
                writeError("error: \(path):\(i + 1): \(error)")
                throw ExitCode(ExitStatus.badInput.rawValue)
            }
        }
        guard !out.isEmpty else {
            writeError("error: `\(path)` holds no applicants")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        return out
    }
}

extension Engine: ExpressibleByArgument {}

/// Keeps the optimiser from discarding a result.
@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }
