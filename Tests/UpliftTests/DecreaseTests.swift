import Foundation
import XCTest
import Uplift

/// Policies that lower limits (`allow decrease`): the `decrease` outcome, floors with their
/// reason codes, the engine's precedence, the limit's own floor at 0, rounding of negative
/// amounts, and both engines agreeing on every case.
final class DecreaseTests: XCTestCase {
    static let schema = """
    facts Account {
      current_limit: money
      percent_change: integer
      risky: bool
      review: bool
      hold: bool
    }
    """

    static let rules = """
    reason RISKY "The account is risky."
    reason REVIEW "A person reviews the change."
    reason HOLD "The limit is kept."
    reason CAPPED "Increases are at most 1000."
    reason FLOOR_20 "A decrease is at most 20% of the limit."
    reason FLOOR_SMALL "Small limits lose at most 300." 
    allow decrease
    decline RISKY when risky
    amount = current_limit * percent_change / 100
    cap CAPPED = 1000
    floor FLOOR_20 = -0.2 * current_limit
    floor FLOOR_SMALL = -300 when current_limit < 2000
    round down to 10
    refer REVIEW when review
    no_change HOLD when hold
    """

    static func load(rules: String = rules, schema: String = schema) throws -> Policy {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-decrease-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["bundle.yaml": "name: decrease\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
                     "schema.uplift": schema, "policy.uplift": rules]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try Policy.load(bundle: dir.path)
    }

    /// Decides with both engines, asserts they agree, and returns the VM's decision.
    func decide(_ p: Policy, _ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> Decision {
        let a = try p.applicant(json: json)
        let vm = try p.evaluate(a, engine: .vm), ref = try p.evaluate(a, engine: .reference)
        XCTAssertEqual(vm.outcome, ref.outcome, file: file, line: line)
        XCTAssertEqual(vm.uplift, ref.uplift, file: file, line: line)
        XCTAssertEqual(vm.reasons.map(\.code), ref.reasons.map(\.code), file: file, line: line)
        XCTAssertEqual(DecisionRenderer.text(vm, p.explain(vm)), DecisionRenderer.text(ref, p.explain(ref)), file: file, line: line)
        return vm
    }

    static func account(_ limit: String, _ percent: Int, risky: Bool = false, review: Bool = false, hold: Bool = false) -> String {
        "{\"current_limit\": \(limit), \"percent_change\": \(percent), \"risky\": \(risky), \"review\": \(review), \"hold\": \(hold)}"
    }

    func testDecreaseLowersTheLimitAndFloorsBindWithTheirCodes() throws {
        let p = try Self.load()
        // −10% of 5000: no floor binds (−500 is above −1000).
        var d = try decide(p, Self.account("5000", -10))
        XCTAssertEqual(d.outcome, .decrease)
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-500.00")
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "4500.00")
        XCTAssertEqual(d.reasons.map(\.code), [])
        // −30% of 5000 = −1500: the 20% floor binds at −1000, with its code.
        d = try decide(p, Self.account("5000", -30))
        XCTAssertEqual(d.outcome, .decrease)
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-1000.00")
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "4000.00")
        XCTAssertEqual(d.reasons.map(\.code), ["FLOOR_20"])
        // A small limit: both floors apply; the higher one (−300) decides and both that bind are reported in order.
        d = try decide(p, Self.account("1800", -50))
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-300.00")
        XCTAssertEqual(d.reasons.map(\.code), ["FLOOR_20", "FLOOR_SMALL"])
        // An increase: caps bind, floors never do.
        d = try decide(p, Self.account("50000", 10))
        XCTAssertEqual(d.outcome, .approve)
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "1000.00")
        XCTAssertEqual(d.reasons.map(\.code), ["CAPPED"])
        // The explanation says which floor bound and why.
        let text = DecisionRenderer.text(d, p.explain(try decide(p, Self.account("5000", -30))))
        XCTAssertTrue(text.contains("floors (bind when above the amount):"), text)
        XCTAssertTrue(text.contains("✗ FLOOR_20: -0.2 * current_limit = -1000.00 [current_limit = 5000.00] → binds"), text)
        XCTAssertTrue(text.contains("· FLOOR_SMALL: -300 does not apply"), text)
        let json = DecisionRenderer.json(d, p.explain(d))
        XCTAssertTrue(json.contains("\"outcome\": \"approve\""), json)
        XCTAssertTrue(json.contains("\"floors\""), json)
    }

    func testPrecedenceWithGatesReferralsAndNoChange() throws {
        let p = try Self.load()
        // decline beats a decrease: the limit stays.
        var d = try decide(p, Self.account("5000", -10, risky: true))
        XCTAssertEqual(d.outcome, .decline)
        XCTAssertEqual(d.uplift.raw, 0)
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "5000.00")
        // A referral of a decrease keeps the proposed (negative) amount for the reviewer, and the binding floor.
        d = try decide(p, Self.account("5000", -30, review: true))
        XCTAssertEqual(d.outcome, .refer)
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-1000.00")
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "5000.00")
        XCTAssertEqual(d.reasons.map(\.code), ["REVIEW", "FLOOR_20"])
        // A no-change rule beats a decrease.
        d = try decide(p, Self.account("5000", -10, hold: true))
        XCTAssertEqual(d.outcome, .noChange)
        XCTAssertEqual(d.uplift.raw, 0)
        XCTAssertEqual(d.reasons.map(\.code), ["HOLD"])
        // An amount of 0 is no_change.
        d = try decide(p, Self.account("5000", 0))
        XCTAssertEqual(d.outcome, .noChange)
    }

    func testALimitNeverGoesBelowZero() throws {
        // No floor: −150% of the limit is bounded by the limit itself, and rounding never passes it.
        let p = try Self.load(rules: """
        allow decrease
        amount = current_limit * percent_change / 100
        round down to 100
        """)
        var d = try decide(p, Self.account("950", -150))
        XCTAssertEqual(d.outcome, .decrease)
        // −950 rounded down to 100 would be −1000, below 0: it rounds toward zero instead.
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-900.00")
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "50.00")
        XCTAssertTrue(DecisionRenderer.text(d, p.explain(d)).contains("the limit may not go below 0"))
        d = try decide(p, Self.account("1000", -150))
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-1000.00")
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "0.00")
    }

    func testWithoutAllowDecreaseANegativeAmountIsNoChange() throws {
        let p = try Self.load(rules: """
        amount = current_limit * percent_change / 100
        round down to 10
        """)
        let d = try decide(p, Self.account("5000", -10))
        XCTAssertEqual(d.outcome, .noChange)
        XCTAssertEqual(d.uplift.raw, 0)
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), "5000.00")
    }

    func testNegativeAmountsRoundInTheDeclaredMode() throws {
        // −12.5% of 100 = −12.5; rounded to a step of 1 in each mode. No floor is near.
        let expected: [(String, String)] = [
            ("down", "-13.00"), ("up", "-12.00"), ("toward_zero", "-12.00"), ("away_from_zero", "-13.00"),
            ("half_up", "-12.00"), ("nearest", "-12.00"), ("half_down", "-13.00"), ("half_even", "-12.00"),
            ("half_toward_zero", "-12.00"), ("half_away_from_zero", "-13.00"),
        ]
        for (mode, want) in expected {
            let p = try Self.load(rules: "allow decrease\namount = current_limit * percent_change / 1000\nround \(mode) to 1\n")
            let d = try decide(p, Self.account("100", -125))
            XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), want, mode)
        }
        // A binding floor is never passed by rounding away from zero: −37 floored at −35.5 rounds to −35, not −36.
        let p = try Self.load(rules: """
        reason F "floor"
        allow decrease
        amount = current_limit * percent_change / 100
        floor F = -35.5
        round down to 1
        """)
        let d = try decide(p, Self.account("100", -37))
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), "-35.00")
        XCTAssertEqual(d.reasons.map(\.code), ["F"])
    }

    func testFloorsNeedAllowDecrease() throws {
        XCTAssertThrowsError(try Self.load(rules: """
        reason F "floor"
        amount = current_limit * percent_change / 100
        floor F = -100
        """)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("E275"), text)
            XCTAssertTrue(text.contains("allow decrease"), text)
        }
        XCTAssertThrowsError(try Self.load(rules: "allow decrease\nallow decrease\namount = 0 - current_limit\n")) { error in
            XCTAssertTrue("\(error)".contains("E277"), "\(error)")
        }
        XCTAssertThrowsError(try Self.load(rules: "reason F \"f\"\nallow decrease\namount = 0 - current_limit\nfloor F = percent_change\n")) { error in
            XCTAssertTrue("\(error)".contains("E276"), "\(error)")
        }
    }
}
