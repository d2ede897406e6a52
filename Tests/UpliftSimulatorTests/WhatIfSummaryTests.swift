import Foundation
import XCTest
@testable import Uplift
@testable import UpliftSimulator
import UpliftRuntime
import UpliftSyntax

/// `uplift simulate --whatif`: the per-segment counts are what `Policy.whatIf` gives each row,
/// they survive the JSON summary and merge exactly, and contradictory parts are refused.
final class WhatIfSummaryTests: XCTestCase {
    static let policy = SimulatorTests.policy

    func run(_ rows: [JSONValue], workers: Int = 2, batch: Int = 23, whatIf: Bool = true) throws -> SimulationSummary {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-whatif-\(UUID().uuidString).jsonl")
        try rows.map(JSONWriter.encode).joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = SimulationOptions()
        options.workers = workers
        options.batchSize = batch
        options.whatIf = whatIf
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try Simulator(policy: Self.policy, options: options).run(input: handle)
    }

    func testEachSegmentCountsWhatTheWhatIfGivesEachApplicant() throws {
        let rows = SimulatorTests.population(240, seed: 41)
        let s = try run(rows)
        // The same counts, worked out one applicant at a time through the public API.
        var expected: [String: (tried: Int, improvable: Int, gains: Int64, actions: [String: Int])] = [:]
        for row in rows {
            guard let d = try? Self.policy.evaluate(json: JSONWriter.encode(row)) else { continue }
            let segment = d.segment ?? "(none)"
            var e = expected[segment] ?? (0, 0, 0, [:])
            e.tried += 1
            let report = try Self.policy.whatIf(row, options: WhatIfOptions(top: Int.max))
            if let best = report.suggestions.first {
                e.improvable += 1
                e.gains += best.gain.raw
                for a in Set(report.suggestions.map(\.action)) { e.actions[a, default: 0] += 1 }
            }
            expected[segment] = e
        }
        XCTAssertEqual(Set(s.segments.keys), Set(expected.keys))
        for (name, e) in expected {
            let w = try XCTUnwrap(s.segments[name]?.whatIf, name)
            XCTAssertEqual(w.tried, e.tried, name)
            XCTAssertEqual(w.improvable, e.improvable, name)
            XCTAssertEqual(w.gainTotal.raw, Int128(e.gains), name)
            XCTAssertEqual(w.gains.total, Int128(e.improvable), name)
            XCTAssertEqual(w.actions, e.actions, name)
            XCTAssertEqual(w.failed, 0, name)
        }
        // Some are improvable and some are not, and more than one action helps someone.
        let all = try XCTUnwrap(s.whatIfTotal)
        XCTAssertGreaterThan(all.improvable, 0)
        XCTAssertLessThan(all.improvable, all.tried)
        XCTAssertGreaterThan(all.actions.count, 1)
        // Deterministic whatever the workers and batches.
        XCTAssertEqual(try run(rows, workers: 1, batch: 1_000), s)
    }

    func testPartsMergeIntoTheWholeAndSurviveTheJSONSummary() throws {
        let rows = SimulatorTests.population(160, seed: 42)
        let whole = try run(rows)
        var merged = try SummaryJSON.parse(SummaryJSON.render(try run(Array(rows[..<70]))))
        try merged.merge(try SummaryJSON.parse(SummaryJSON.render(try run(Array(rows[70...])))))
        XCTAssertEqual(merged, whole)
        XCTAssertEqual(try SummaryJSON.parse(SummaryJSON.render(whole)), whole)
        // The text and the HTML report show the section; a run without --whatif does not.
        XCTAssertTrue(SummaryText.render(whole).contains("what-if (an action that gives more credit"))
        XCTAssertTrue(HTMLReport.simulation(whole).contains("What would raise the limit"))
        let plain = try run(rows, whatIf: false)
        XCTAssertFalse(plain.hasWhatIf)
        XCTAssertFalse(SummaryText.render(plain).contains("what-if"))
    }

    func testContradictoryWhatIfCountsAreRefused() throws {
        let rows = SimulatorTests.population(60, seed: 43)
        let s = try run(rows)
        let plain = try run(rows, whatIf: false)
        // A part with what-if counts and one without.
        var mixed = s
        XCTAssertThrowsError(try mixed.merge(plain)) { XCTAssertEqual(($0 as? SummaryError)?.field, "segments.whatif") }
        XCTAssertEqual(mixed, s, "a failed merge leaves the summary as it was")
        // Counts that contradict each other, as an edited file would have them.
        let text = SummaryJSON.render(s)
        let name = try XCTUnwrap(s.segments.first { w in w.value.whatIf.map { $0.improvable > 0 && $0.improvable < $0.tried } ?? false }?.key)
        func edited(_ change: (inout WhatIfStats) -> Void) -> String {
            var t = s
            var w = t.segments[name]?.whatIf ?? WhatIfStats()
            change(&w)
            t.segments[name]?.whatIf = w
            return SummaryJSON.render(t)
        }
        XCTAssertNoThrow(try SummaryJSON.parse(text))
        let cases: [(String, (inout WhatIfStats) -> Void)] = [
            ("tried", { $0.tried += 1 }),
            ("gain_histogram", { $0.improvable += 1 }),
            ("gain_total", { $0.gainTotal.add(1_000_000) }),
            ("actions.add_certificate", { $0.actions["add_certificate"] = $0.improvable + 1 }),
        ]
        for (field, change) in cases {
            XCTAssertThrowsError(try SummaryJSON.parse(edited(change)), field) { error in
                XCTAssertEqual((error as? SummaryError)?.field, "segments.\(name).whatif.\(field)", "\(error)")
            }
        }
    }
}
