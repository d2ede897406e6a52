import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Explanations show the values that decided, not only the rule's text: the operands of a
/// failed filter part (`confidence 0.80 < min_confidence 0.85 (language)`), the operands of a
/// rule's comparisons (`count(accepted) = 1`) and each group's part of a grouped total
/// (`professional 70 (cpa)`), the same in text and JSON and for both engines.
final class ExplanationValuesTests: XCTestCase {
    static var policy: Policy { ReferencePolicyTests.policy }

    func applicant(_ name: String, _ edit: (String) -> String = { $0 }) throws -> Applicant {
        let text = try String(contentsOfFile: "\(ReferencePolicyTests.bundle)/examples/\(name).json", encoding: .utf8)
        return try Self.policy.applicant(json: edit(text))
    }

    /// Text and JSON of the explanation, checked to be the same for the VM and the reference
    /// interpreter.
    func explained(_ a: Applicant, file: StaticString = #filePath, line: UInt = #line) throws -> (Explanation, String, JSONValue) {
        let vm = try Self.policy.evaluator.evaluate(a, engine: .vm)
        let ref = try Self.policy.evaluator.evaluate(a, engine: .reference)
        let e = Self.policy.explain(vm), eRef = Self.policy.explain(ref)
        let text = DecisionRenderer.text(vm, e), json = DecisionRenderer.json(vm, e)
        XCTAssertEqual(text, DecisionRenderer.text(ref, eRef), file: file, line: line)
        XCTAssertEqual(json, DecisionRenderer.json(ref, eRef), file: file, line: line)
        return (e, text, try JSONParser.parse(json))
    }

    func testAFailedFilterPartShowsBothOperandsAndTheCategory() throws {
        let (e, text, json) = try explained(try applicant("approve-young-professional"))
        let accepted = try XCTUnwrap(e.lists.first { $0.name == "accepted" })
        XCTAssertNil(accepted.elements[0].because)
        XCTAssertEqual(accepted.elements[1].because, "confidence 0.80 < min_confidence 0.85 (language)")
        XCTAssertTrue(text.contains("→ left out: confidence 0.80 < min_confidence 0.85 (language)\n"), text)
        let element = json["explanation"]?["lists"]?[0]?["elements"]?[1]
        XCTAssertEqual(element?["because"], .string("confidence 0.80 < min_confidence 0.85 (language)"))
        XCTAssertEqual(element?["failed"], .string("c.confidence >= catalogue[c.type].min_confidence"))
    }

    func testOtherFailedPartsSayWhatWasFound() throws {
        // An expired certificate: the comparison with the decision date, not "expires is present".
        let expired = try explained(try applicant("approve-young-professional") {
            $0.replacingOccurrences(of: #""confidence":0.80,"forgery_suspected":false,"expires":"2026-01-01""#,
                                    with: #""confidence":0.90,"forgery_suspected":false,"expires":"2024-06-30""#)
        })
        XCTAssertEqual(expired.0.lists.first?.elements[1].because, "expires 2024-06-30 < as_of 2024-12-23")
        // A flag that was set, and a type the catalogue does not know.
        let forged = try explained(try applicant("decline-gates"))
        XCTAssertTrue(forged.1.contains("left out: forgery_suspected = true"), forged.1)
        let unknown = try explained(try applicant("no-change-no-certificate"))
        XCTAssertTrue(unknown.1.contains(#"left out: type "driving_license" is not in catalogue"#), unknown.1)
        // Two decimals that differ in their places still read alike.
        let low = try explained(try applicant("refer-low-confidence"))
        XCTAssertTrue(low.1.contains("left out: confidence 0.80 < min_confidence 0.90 (professional)"), low.1)
    }

    func testRuleOperandsThatAreNotReadsShowTheirValues() throws {
        let (e, text, json) = try explained(try applicant("approve-young-professional"))
        let referral = try XCTUnwrap(e.referrals.first { $0.code == "LOW_CONFIDENCE_MATERIAL" })
        XCTAssertFalse(referral.fired)
        XCTAssertEqual(referral.reads.first { $0.name == "count(accepted)" }?.text, "1")
        XCTAssertTrue(text.contains("LOW_CONFIDENCE_MATERIAL: count(accepted) == 0 and low_confidence_material [low_confidence_material = true, count(accepted) = 1] → passes"), text)
        XCTAssertTrue(text.contains("NO_QUALIFYING_CERTIFICATE: count(accepted) == 0 [count(accepted) = 1] → passes"), text)
        let rule = json["explanation"]?["referrals"]?[1]
        XCTAssertEqual(rule?["code"], .string("LOW_CONFIDENCE_MATERIAL"))
        XCTAssertEqual(rule?["reads"]?["count(accepted)"], .number("1"))
        // Plain reads are not repeated: `age` stays once.
        let age = try XCTUnwrap(e.gates.first { $0.code == "AGE_OUT_OF_RANGE" })
        XCTAssertEqual(age.reads.map(\.name), ["age"])
    }

    func testAGroupedTotalShowsEachGroupsContribution() throws {
        let (e, text, json) = try explained(try applicant("approve-young-professional"))
        XCTAssertTrue(text.contains("band amount_band: score = 70 (professional 70 (cpa)) → 60–89"), text)
        XCTAssertTrue(text.contains("\nscore:     70 (professional 70 (cpa))\n"), "the reported score line")
        let score = try XCTUnwrap(e.groupedValues.first { $0.name == "score" }?.value)
        XCTAssertEqual(score.contributions?.map(\.text), ["professional 70 (cpa)"])
        let parts = json["explanation"]?["grouped_values"]?["score"]
        XCTAssertEqual(parts?["value"], .number("70"))
        XCTAssertEqual(parts?["contributions"]?[0]?["group"], .string("professional"))
        XCTAssertEqual(parts?["contributions"]?[0]?["value"], .number("70"))
        XCTAssertEqual(parts?["contributions"]?[0]?["from"], .string("cpa"))
        // Three categories, each its best certificate; several of one category do not stack.
        let big = try explained(try applicant("refer-large-uplift"))
        XCTAssertTrue(big.1.contains("score = 135 (professional 70 (cpa), language 30 (ielts), honor 35 (national_scholarship))"), big.1)
        // No accepted certificate: the total alone.
        let none = try explained(try applicant("no-change-no-certificate"))
        XCTAssertTrue(none.1.contains("band amount_band: score = 0 → 0–9"), none.1)
        XCTAssertEqual(none.2["explanation"]?["grouped_values"]?["score"]?["contributions"], .array([]))
    }

    /// Operands that are expressions (arithmetic, built-ins, counts of named lists, literals
    /// of money) in rules, caps and filters, on a small bundle of their own.
    func testExpressionOperandsReadAsWrittenWithTheirValues() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "bundle.yaml": "name: operands\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
            "schema.uplift": """
            record Item {
              amount: money
            }
            facts Applicant {
              income: money
              limit: money
              n: integer
              ratio: decimal
              items: list of Item
            }
            """,
            "policy.uplift": """
            reason TOO_MUCH "too much"
            reason FEW "few"
            reason CAP "cap"
            let big = [i for i in items where i.amount >= 10]
            let total = sum(i.amount for i in items)
            refer TOO_MUCH when 3 * income - limit > 1000 and max(n, 2) >= 5
            no_change FEW when count(big) < 2 or ratio * 2 > 1.5
            amount = limit - limit + 100
            cap CAP = 50 when total > limit + 20
            """,
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let policy = try Policy.load(bundle: dir.path)
        let a = try policy.applicant(json: #"{"income": 1000, "limit": 500, "n": 7, "ratio": 0.5, "items": [{"amount": 20}, {"amount": 5}]}"#)
        let vm = try policy.evaluator.evaluate(a, engine: .vm), ref = try policy.evaluator.evaluate(a, engine: .reference)
        let text = DecisionRenderer.text(vm, policy.explain(vm))
        XCTAssertEqual(text, DecisionRenderer.text(ref, policy.explain(ref)))
        XCTAssertEqual(DecisionRenderer.json(vm, policy.explain(vm)), DecisionRenderer.json(ref, policy.explain(ref)))
        for line in [
            // Operand names come from the checked form, which puts the money side of `*` first.
            "TOO_MUCH: 3 * income - limit > 1000 and max(n, 2) >= 5 [income = 1000.00, limit = 500.00, n = 7, income * 3 - limit = 2500.00, max(n, 2) = 7] → refers",
            "FEW: count(big) < 2 or ratio * 2 > 1.5 [ratio = 0.5, count(big) = 1, ratio * 2 = 1] → no change",
            "→ left out: amount 5.00 < 10.00",
            "CAP: 50 does not apply [total = 25.00, limit = 500.00, limit + 20 = 520.00]",
        ] {
            XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
        }
    }

    /// Every generated applicant explains alike on both engines, with the values shown.
    func testEnginesExplainAlikeOnGeneratedApplicants() throws {
        let population = SyntheticApplicants(policy: Self.policy.checked).population(count: 300, seed: 77)
        var shown = 0
        for (i, value) in population.enumerated() {
            let a = try Self.policy.applicant(value)
            let vm = try Self.policy.evaluator.evaluate(a, engine: .vm), ref = try Self.policy.evaluator.evaluate(a, engine: .reference)
            let t = DecisionRenderer.text(vm, Self.policy.explain(vm))
            XCTAssertEqual(t, DecisionRenderer.text(ref, Self.policy.explain(ref)), "applicant \(i)")
            if t.contains("left out: ") && !t.contains("left out: not ") { shown += 1 }
            XCTAssertFalse(t.contains("left out: not "), "a failed part without its values, applicant \(i):\n\(t)")
        }
        XCTAssertGreaterThan(shown, 30)
    }
}

private extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let xs) = self, xs.indices.contains(index) { return xs[index] }
        return nil
    }
}
