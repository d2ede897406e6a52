import Foundation
import XCTest
import Uplift
@testable import UpliftSimulator

/// Simulations and diffs of a policy that lowers limits count the decreases and the credit
/// they remove, exactly, in every rendering and through merges.
final class DecreaseSummaryTests: XCTestCase {
    static let schema = """
    facts Account {
      id: string pii key
      current_limit: money
      percent_change: integer
    }
    """

    static func rules(floor: String) -> String {
        """
        reason CAPPED "Increases are at most 1000."
        reason FLOOR "A decrease is bounded."
        allow decrease
        amount = current_limit * percent_change / 100
        cap CAPPED = 1000
        floor FLOOR = \(floor)
        round down to 1

        """
    }

    func load(floor: String) throws -> Policy {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-decsim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["bundle.yaml": "name: decrease\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
                     "schema.uplift": Self.schema, "policy.uplift": Self.rules(floor: floor)]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try Policy.load(bundle: dir.path)
    }

    /// Accounts with limits 1000…8000 and changes −40 %…+30 %.
    static let rows: [String] = (0..<400).map { i in
        "{\"id\": \"a\(i)\", \"current_limit\": \(1000 + (i * 37) % 7000).50, \"percent_change\": \((i * 7) % 71 - 40)}"
    }

    func simulate(_ policy: Policy, _ rows: [String]) throws -> SimulationSummary {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-decsim-\(UUID().uuidString).jsonl")
        try rows.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = SimulationOptions()
        options.workers = 2
        options.batchSize = 33
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try Simulator(policy: policy, options: options).run(input: handle, decisions: { _ in })
    }

    func testSummariesCountDecreasesAndTheCreditRemoved() throws {
        let policy = try load(floor: "-0.25 * current_limit")
        var decreases = 0, approvals = 0, removed = MoneyTotal.zero, added = MoneyTotal.zero, floored = 0
        for r in Self.rows {
            let d = try policy.evaluate(json: r)
            if d.outcome == .decrease { decreases += 1; removed.add(-d.uplift.raw) }
            if d.outcome == .approve { approvals += 1; added.add(d.uplift.raw) }
            if d.reasons.contains(where: { $0.code == "FLOOR" }) { floored += 1 }
        }
        XCTAssertGreaterThan(decreases, 100)
        XCTAssertGreaterThan(floored, 20)
        let s = try simulate(policy, Self.rows)
        XCTAssertEqual(s.outcomes["decrease"], decreases)
        XCTAssertEqual(s.outcomes["approve"], approvals)
        XCTAssertEqual(s.creditRemoved, removed)
        XCTAssertEqual(s.newCredit, added)
        XCTAssertEqual(s.bindingCaps["FLOOR"], floored)
        // Every rendering says so, and the JSON form reads back to the same summary.
        let text = SummaryText.render(s)
        XCTAssertTrue(text.contains("decrease"), text)
        XCTAssertTrue(text.contains("credit removed: \(SummaryText.amount(removed)) (\(SummaryText.count(decreases)) decreases)"), text)
        XCTAssertTrue(HTMLReport.simulation(s).contains("credit removed by decreases: <b>\(SummaryText.amount(removed))</b>"))
        let json = SummaryJSON.render(s)
        XCTAssertTrue(json.contains("\"credit_removed\": \(removed.formatted())"), json)
        XCTAssertEqual(try SummaryJSON.parse(json), s)
        // Two halves merge into the whole.
        var merged = try simulate(policy, Array(Self.rows.prefix(150)))
        try merged.merge(try simulate(policy, Array(Self.rows.dropFirst(150))))
        XCTAssertEqual(merged, s)
        // A part claiming removed credit without any decrease is refused.
        var forged = s
        forged.outcomes["decrease"] = nil
        forged.outcomes["no_change", default: 0] += decreases
        XCTAssertThrowsError(try SummaryJSON.parse(SummaryJSON.render(forged)))
    }

    func testDiffCountsDecreaseTransitionsAndCreditRemoved() throws {
        let base = try load(floor: "-0.25 * current_limit"), candidate = try load(floor: "-0.1 * current_limit")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-decdiff-\(UUID().uuidString).jsonl")
        try Self.rows.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = DiffOptions()
        options.workers = 2
        options.batchSize = 41
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let d = try PolicyDiff(base: base, candidate: candidate, options: options).run(input: handle)
        var baseRemoved = MoneyTotal.zero, candidateRemoved = MoneyTotal.zero, changed = 0, both = 0
        for r in Self.rows {
            let b = try base.evaluate(json: r), c = try candidate.evaluate(json: r)
            if b.outcome == .decrease { baseRemoved.add(-b.uplift.raw) }
            if c.outcome == .decrease { candidateRemoved.add(-c.uplift.raw) }
            if b.outcome == .decrease && c.outcome == .decrease { both += 1; if b.uplift != c.uplift { changed += 1 } }
        }
        XCTAssertGreaterThan(changed, 10)
        let k = Outcome.decrease.tallyIndex
        XCTAssertEqual(d.matrix[k][k], both)
        XCTAssertEqual(d.baseRemoved, baseRemoved)
        XCTAssertEqual(d.candidateRemoved, candidateRemoved)
        XCTAssertEqual(d.upliftChanged, changed)
        let text = DiffRendering.text(d)
        XCTAssertTrue(text.contains("credit removed by decreases: base \(SummaryText.amount(baseRemoved)), candidate \(SummaryText.amount(candidateRemoved))"), text)
        XCTAssertTrue(text.contains("   decrease"), text)
        XCTAssertTrue(DiffRendering.heatMap(d).contains("decrease → decrease: \(SummaryText.count(both))"))
    }

    func testAPolicyWithoutDecreasesReadsAsBefore() throws {
        // The reference policy never decreases: no `decrease` line, no removed credit in the text.
        let rows = SimulatorTests.population(300, seed: 5).map(JSONWriter.encode)
        let s = try simulate(SimulatorTests.policy, rows)
        XCTAssertNil(s.outcomes["decrease"])
        XCTAssertFalse(SummaryText.render(s).contains("decrease"))
        XCTAssertFalse(HTMLReport.simulation(s).contains("decrease"))
    }
}
