import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// The VM and the reference interpreter agree on the reference policy, and the policy has the
/// properties its specification implies, over deterministic synthetic applicants.
final class DifferentialReferencePolicyTests: XCTestCase {
    static let policy = ReferencePolicyTests.policy
    static var long: Bool { ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" }

    /// Generated applicants, nudged so that a good share pass the gates.
    func applicants(_ count: Int, seed: UInt64) -> [JSONValue] {
        let gen = SyntheticApplicants(policy: Self.policy.checked)
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            var a = gen.applicant(&rng)
            if rng.chance(70), case .object(var fields) = a {
                for (k, v) in [("max_overdue_days_12m", JSONValue.number(String(rng.int(0...4)))), ("fraud_flag", .bool(false)),
                               ("age", .number(String(rng.int(17...61)))), ("account_age_months", .number(String(rng.int(5...30))))] {
                    if let i = fields.firstIndex(where: { $0.0 == k }) { fields[i].1 = v }
                }
                a = .object(fields)
            }
            return a
        }
    }

    func decision(_ a: JSONValue, _ engine: Engine) throws -> Decision {
        try Self.policy.evaluate(Self.policy.applicant(a), engine: engine)
    }

    func summary(_ d: Decision) -> String {
        "\(d.outcome.rawValue) \(d.uplift) \(d.reasons.map(\.code)) \(d.segment ?? "-") \(d.reported.map(\.text)) \(d.bands.map(\.band))"
    }

    func testVMAndInterpreterAgreeOnGeneratedApplicants() throws {
        let count = Self.long ? 1_000_000 : 100_000
        var outcomes: [Outcome: Int] = [:]
        for (i, a) in applicants(count, seed: 1).enumerated() {
            let vm = try decision(a, .vm), ref = try decision(a, .reference)
            outcomes[vm.outcome, default: 0] += 1
            if summary(vm) != summary(ref) {
                return XCTFail("applicant \(i) differs:\nvm:  \(summary(vm))\nref: \(summary(ref))\n\(a)")
            }
            // Full decision and explanation, compared on a sample (rendering is the costly part).
            if i % 50 == 0 {
                XCTAssertEqual(DecisionRenderer.json(vm, Self.policy.explain(vm)), DecisionRenderer.json(ref, Self.policy.explain(ref)), "applicant \(i)")
            }
        }
        // The population exercises every outcome (the reference policy never decreases a limit).
        XCTAssertNil(outcomes[.decrease])
        for o in Outcome.allCases where o != .decrease { XCTAssertGreaterThan(outcomes[o] ?? 0, count / 200, "\(o): \(outcomes)") }
    }

    func withField(_ a: JSONValue, _ key: String, _ v: JSONValue?) -> JSONValue {
        guard case .object(var fields) = a else { return a }
        fields.removeAll { $0.0 == key }
        if let v { fields.append((key, v)) }
        return .object(fields)
    }

    func testProperties() throws {
        let accepted: JSONValue = .object([("type", .string("cpa")), ("verified", .bool(true)), ("confidence", .number("0.99")),
                                           ("forgery_suspected", .bool(false))])
        let capCodes = Set(["CAPPED_BY_SEGMENT", "CAPPED_BY_PRODUCT_LIMIT", "CAPPED_BY_INCOME", "CAPPED_BY_SELF_LIMIT"])
        for (i, a) in applicants(Self.long ? 200_000 : 20_000, seed: 2).enumerated() {
            let d = try decision(a, .vm)
            // Adding an accepted certificate never lowers the uplift.
            if case .array(let certs)? = a["certificates"] {
                let more = try decision(withField(a, "certificates", .array(certs + [accepted])), .vm)
                XCTAssertGreaterThanOrEqual(more.uplift, d.uplift, "applicant \(i): adding a certificate lowered the uplift")
            }
            // Removing the self-set cap never lowers the uplift.
            let uncapped = try decision(withField(a, "self_set_cap", nil), .vm)
            XCTAssertGreaterThanOrEqual(uncapped.uplift, d.uplift, "applicant \(i): removing self_set_cap lowered the uplift")
            // Changing gender never changes the decision.
            for g in ["female", "male", "unspecified"] {
                XCTAssertEqual(summary(try decision(withField(a, "gender", .string(g)), .vm)), summary(d), "applicant \(i): gender changed the decision")
            }
            // The uplift never exceeds any cap that applies.
            let e = Self.policy.explain(d)
            for c in e.caps {
                guard let v = c.value, let bound = FixedDecimal(parsing: Substring(v)) else { continue }
                XCTAssertLessThanOrEqual(d.uplift, max(bound, FixedDecimal(raw: 0)), "applicant \(i): uplift above \(c.code)")
            }
            // A decline gives only gate codes, never a binding cap.
            if d.outcome == .decline { XCTAssertTrue(d.reasons.allSatisfy { !capCodes.contains($0.code) }) }
            XCTAssertEqual(d.uplift.raw % (100 * FixedDecimal.scale), 0, "applicant \(i): uplift not a multiple of 100")
        }
    }
}
