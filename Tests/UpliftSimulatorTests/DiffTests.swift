import Foundation
import XCTest
import Uplift
@testable import UpliftSimulator

final class DiffTests: XCTestCase {
    static var policy: Policy { SimulatorTests.policy }

    func run(_ base: Policy, _ candidate: Policy, _ rows: [String]) throws -> DiffSummary {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-diff-\(UUID().uuidString).jsonl")
        try rows.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = DiffOptions()
        options.workers = 2
        options.batchSize = 50
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try PolicyDiff(base: base, candidate: candidate, options: options).run(input: handle)
    }

    /// A copy of the reference bundle with one edit.
    func variant(_ edit: (String) -> String) throws -> Policy {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-variant-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: SimulatorTests.bundle, toPath: dir.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("policy.uplift")
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        return try Policy.load(bundle: dir.path)
    }

    func testABundleAgainstItselfChangesNothing() throws {
        let rows = SimulatorTests.population(2_000, seed: 31).map(JSONWriter.encode)
        let d = try run(Self.policy, Self.policy, rows)
        XCTAssertEqual(d.changed, 0)
        XCTAssertEqual(d.swapIns, 0)
        XCTAssertEqual(d.swapOuts, 0)
        XCTAssertEqual(d.baseCredit, d.candidateCredit)
        XCTAssertEqual(d.baseReasons, d.candidateReasons)
        XCTAssertTrue(d.examples.isEmpty)
        XCTAssertEqual((0..<4).map { d.matrix[$0][$0] }.reduce(0, +), 2_000)
        XCTAssertTrue(DiffRendering.text(d).contains("no changes"))
    }

    func testAChangedCopyReportsExactlyTheChanges() throws {
        // Lower the age limit and raise the income cap's multiple: some applicants swap out,
        // some approvals grow.
        let candidate = try variant {
            $0.replacingOccurrences(of: "age < 18 or age > 60", with: "age < 18 or age > 55")
              .replacingOccurrences(of: "3 * monthly_income - current_limit", with: "4 * monthly_income - current_limit")
        }
        let population = SimulatorTests.population(3_000, seed: 32)
        let d = try run(Self.policy, candidate, population.map(JSONWriter.encode))
        // Expected, applicant by applicant.
        let index = Dictionary(uniqueKeysWithValues: Outcome.allCases.enumerated().map { ($1, $0) })
        let n = Outcome.allCases.count
        var matrix = Array(repeating: Array(repeating: 0, count: n), count: n)
        var upliftChanged = 0, baseCredit = MoneyTotal.zero, candidateCredit = MoneyTotal.zero
        for a in population {
            let b = try Self.policy.evaluate(Self.policy.applicant(a)), c = try candidate.evaluate(candidate.applicant(a))
            matrix[index[b.outcome] ?? 0][index[c.outcome] ?? 0] += 1
            if b.outcome == .approve { baseCredit.add(b.uplift.raw) }
            if c.outcome == .approve { candidateCredit.add(c.uplift.raw) }
            if b.outcome == .approve && c.outcome == .approve && b.uplift != c.uplift { upliftChanged += 1 }
        }
        XCTAssertEqual(d.matrix, matrix)
        XCTAssertEqual(d.upliftChanged, upliftChanged)
        XCTAssertEqual(d.baseCredit, baseCredit)
        XCTAssertEqual(d.candidateCredit, candidateCredit)
        XCTAssertGreaterThan(d.changed, 0)
        // Every kind of change that occurred has examples, each explained on both sides.
        for (kind, xs) in d.examples {
            XCTAssertFalse(xs.isEmpty, kind)
            XCTAssertTrue(xs.allSatisfy { $0.base.contains("explanation") && $0.candidate.contains("explanation") }, kind)
        }
        XCTAssertFalse(d.examples.isEmpty)
        let html = DiffRendering.html(d)
        XCTAssertTrue(html.contains("<svg") && !html.contains("<script"))
        XCTAssertEqual(SimulatorTests.svgProblems(html), [])
        let json = try JSONParser.parse(DiffRendering.json(d))
        XCTAssertEqual(json["swap_outs"], .number(String(d.swapOuts)))
    }
}
