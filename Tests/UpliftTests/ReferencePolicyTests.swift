import Foundation
import XCTest
import Uplift

/// The reference policy's examples give exactly the decisions `docs/reference-policy.md` specifies.
final class ReferencePolicyTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let bundle = root.appendingPathComponent("policies/certificate-uplift").path
    static let policy: Policy = {
        do { return try Policy.load(bundle: bundle) } catch { fatalError("reference bundle does not load:\n\(error)") }
    }()

    func example(_ name: String) throws -> Decision {
        let text = try String(contentsOfFile: "\(Self.bundle)/examples/\(name).json", encoding: .utf8)
        return try Self.policy.evaluate(json: text)
    }

    func assertDecision(_ name: String, _ outcome: Outcome, uplift: String, newLimit: String, reasons: [String], segment: String, score: String,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let d = try example(name)
        XCTAssertEqual(d.outcome, outcome, name, file: file, line: line)
        XCTAssertEqual(d.uplift.formatted(minFractionDigits: 2), uplift, name, file: file, line: line)
        XCTAssertEqual(d.newLimit?.formatted(minFractionDigits: 2), newLimit, name, file: file, line: line)
        XCTAssertEqual(d.reasons.map(\.code), reasons, name, file: file, line: line)
        XCTAssertEqual(d.segment, segment, name, file: file, line: line)
        XCTAssertEqual(d.reported.first { $0.name == "score" }?.text, score, name, file: file, line: line)
    }

    func testBundleChecksWithoutWarnings() {
        XCTAssertEqual(Self.policy.warnings.map(\.message), [])
        XCTAssertEqual(Self.policy.identity.name, "certificate-uplift")
        XCTAssertEqual(Self.policy.identity.hash.count, 64)
    }

    func testExamples() throws {
        // 1800 × 1.2 = 2160 → 2100.
        try assertDecision("approve-young-professional", .approve, uplift: "2100.00", newLimit: "10100.00", reasons: [], segment: "young_professional", score: "70")
        // 3000 × 1.0; segment 2000 and income 3 × 2000 − 5000 = 1000 both bind.
        try assertDecision("approve-rider-capped", .approve, uplift: "1000.00", newLimit: "6000.00",
                           reasons: ["CAPPED_BY_SEGMENT", "CAPPED_BY_INCOME"], segment: "rider", score: "100")
        // 1800 × 0.5 = 900; segment 500; income 3 × 1100.10 − 3000.30 = 300.00 exactly.
        try assertDecision("approve-student-exact-income-cap", .approve, uplift: "300.00", newLimit: "3300.30",
                           reasons: ["CAPPED_BY_SEGMENT", "CAPPED_BY_INCOME"], segment: "student", score: "70")
        try assertDecision("decline-gates", .decline, uplift: "0.00", newLimit: "5000.00",
                           reasons: ["AGE_OUT_OF_RANGE", "SUSPECTED_FORGERY", "RECENT_DELINQUENCY"], segment: "general", score: "0")
        // 70 + 35 + 30 = 135 → 3000 × 1.2 = 3600, capped at 3000 ≥ 2500 on an 8-month account.
        try assertDecision("refer-large-uplift", .refer, uplift: "3000.00", newLimit: "10000.00",
                           reasons: ["REVIEW_LARGE_UPLIFT", "CAPPED_BY_SEGMENT"], segment: "young_professional", score: "135")
        try assertDecision("refer-low-confidence", .refer, uplift: "0.00", newLimit: "5000.00",
                           reasons: ["LOW_CONFIDENCE_MATERIAL"], segment: "new_blue_collar", score: "0")
        try assertDecision("no-change-no-certificate", .noChange, uplift: "0.00", newLimit: "5000.00",
                           reasons: ["NO_QUALIFYING_CERTIFICATE"], segment: "student", score: "0")
        // 200 × 0.8 = 160, self cap 6050 − 6000 = 50 → 0.
        try assertDecision("no-change-self-cap", .noChange, uplift: "0.00", newLimit: "6000.00",
                           reasons: ["CAPPED_BY_SELF_LIMIT"], segment: "general", score: "10")
    }

    func testEveryExampleFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Self.bundle)/examples").filter { $0.hasSuffix(".json") }
        XCTAssertEqual(files.count, 8)
        for f in files { XCTAssertNoThrow(try example(String(f.dropLast(5)))) }
    }

    func base() -> [String: FactValue] {
        ["id": .string("t"), "as_of": .date("2024-12-23"), "age": .integer(30), "gender": .string("male"), "occupation": .string("other"),
         "job_tenure_months": .integer(100), "account_age_months": .integer(24), "current_limit": .decimal("5000"),
         "max_overdue_days_12m": .integer(0), "fraud_flag": .bool(false), "certificates": .list([])]
    }

    func cert(_ type: String, _ confidence: String, expires: String? = nil, verified: Bool = true) -> [String: FactValue] {
        var c: [String: FactValue] = ["type": .string(type), "verified": .bool(verified), "confidence": .decimal(confidence), "forgery_suspected": .bool(false)]
        if let expires { c["expires"] = .date(expires) }
        return c
    }

    func decide(_ change: (inout [String: FactValue]) -> Void) throws -> Decision {
        var a = base()
        change(&a)
        return try Self.policy.evaluate(Self.policy.applicant(a))
    }

    func testThresholdsOnBothSides() throws {
        XCTAssertEqual(try decide { $0["age"] = .integer(18) }.reasons.map(\.code), ["NO_QUALIFYING_CERTIFICATE"])
        XCTAssertEqual(try decide { $0["age"] = .integer(60) }.outcome, .noChange)
        XCTAssertEqual(try decide { $0["age"] = .integer(61) }.reasons.map(\.code), ["AGE_OUT_OF_RANGE"])
        XCTAssertEqual(try decide { $0["max_overdue_days_12m"] = .integer(3) }.outcome, .noChange)
        XCTAssertEqual(try decide { $0["max_overdue_days_12m"] = .integer(4) }.reasons.map(\.code), ["RECENT_DELINQUENCY"])
        XCTAssertEqual(try decide { $0["account_age_months"] = .integer(5) }.reasons.map(\.code), ["ACCOUNT_TOO_NEW"])
        XCTAssertEqual(try decide { $0["months_since_last_uplift"] = .integer(2) }.reasons.map(\.code), ["UPLIFT_COOLDOWN"])
        XCTAssertEqual(try decide { $0["months_since_last_uplift"] = .integer(3) }.outcome, .noChange)
        XCTAssertEqual(try decide { $0["fraud_flag"] = .bool(true) }.reasons.map(\.code), ["FRAUD_FLAG"])
    }

    func testCertificateAcceptance() throws {
        // Confidence exactly at the category minimum counts; just below goes to review.
        let at = try decide { $0["certificates"] = .list([self.cert("cpa", "0.90")]) }
        XCTAssertEqual(at.reported.first?.text, "70")
        let below = try decide { $0["certificates"] = .list([self.cert("cpa", "0.89")]) }
        XCTAssertEqual(below.reasons.map(\.code), ["LOW_CONFIDENCE_MATERIAL"])
        let tooLow = try decide { $0["certificates"] = .list([self.cert("cpa", "0.69")]) }
        XCTAssertEqual(tooLow.reasons.map(\.code), ["NO_QUALIFYING_CERTIFICATE"])
        // Expiry on the decision date still counts; the day before does not.
        XCTAssertEqual(try decide { $0["certificates"] = .list([self.cert("cet6", "0.9", expires: "2024-12-23")]) }.reported.first?.text, "20")
        XCTAssertEqual(try decide { $0["certificates"] = .list([self.cert("cet6", "0.9", expires: "2024-12-22")]) }.reported.first?.text, "0")
        // One category does not stack: the best counts; categories add up.
        let stack = try decide { $0["certificates"] = .list([self.cert("cet4", "0.9"), self.cert("ielts", "0.9"), self.cert("cet6", "0.9"), self.cert("nurse_license", "0.95")]) }
        XCTAssertEqual(stack.reported.first?.text, "60")
        // Unverified and unknown types are ignored.
        XCTAssertEqual(try decide { $0["certificates"] = .list([self.cert("cpa", "0.99", verified: false), self.cert("pilot", "0.99")]) }.reported.first?.text, "0")
    }

    func testProtectedAttributeNeverChangesTheDecision() throws {
        for file in try FileManager.default.contentsOfDirectory(atPath: "\(Self.bundle)/examples") where file.hasSuffix(".json") {
            let text = try String(contentsOfFile: "\(Self.bundle)/examples/\(file)", encoding: .utf8)
            let decisions = try ["female", "male", "unspecified"].map { g in
                try Self.policy.evaluate(json: text.replacingOccurrences(of: #""gender": "unspecified""#, with: #""gender": "\#(g)""#)
                    .replacingOccurrences(of: #""gender":"female""#, with: #""gender":"\#(g)""#))
            }
            XCTAssertEqual(Set(decisions.map { DecisionRenderer.json($0) }).count, 1, file)
        }
    }

    func testExplanationShowsGatesCertificatesAndCaps() throws {
        let d = try example("approve-young-professional")
        let e = Self.policy.explain(d)
        XCTAssertEqual(e.gates.count, 6)
        XCTAssertEqual(e.gates.first { $0.code == "RECENT_DELINQUENCY" }?.reads.first?.text, "0")
        let accepted = try XCTUnwrap(e.lists.first { $0.name == "accepted" })
        XCTAssertEqual(accepted.elements.map(\.kept), [true, false])
        XCTAssertEqual(accepted.elements[1].failed, "c.confidence >= catalogue[c.type].min_confidence")
        XCTAssertEqual(e.bands.first?.band, "60–89")
        XCTAssertEqual(e.segments.first?.segment, "young_professional")
        XCTAssertEqual(e.segments.first?.tested.map(\.name), ["student", "young_professional"])
        XCTAssertEqual(e.amount?.text, "2160.00")
        XCTAssertEqual(e.caps.map(\.binds), [false, false, false, false])
        XCTAssertNil(e.caps[3].value) // no self-set cap: the cap does not apply
        let text = DecisionRenderer.text(d, e)
        XCTAssertTrue(text.contains("RECENT_DELINQUENCY: max_overdue_days_12m > 3 [max_overdue_days_12m = 0] → passes"), text)
        XCTAssertFalse(text.contains("u-001"), "pii must not appear")
        let declined = Self.policy.explain(try example("decline-gates"))
        XCTAssertTrue(DecisionRenderer.text(try example("decline-gates"), declined).contains("max_overdue_days_12m = 4] → declines"))
    }

    func testJSONOutputIsExactAndParses() throws {
        let d = try example("approve-student-exact-income-cap")
        let json = DecisionRenderer.json(d, Self.policy.explain(d))
        let parsed = try JSONParser.parse(json)
        XCTAssertEqual(parsed["uplift"], .number("300"))
        XCTAssertEqual(parsed["new_limit"], .number("3300.3"))
        XCTAssertEqual(parsed["outcome"], .string("approve"))
        XCTAssertEqual(parsed["policy"]?["hash"], .string(Self.policy.identity.hash))
        XCTAssertNotNil(parsed["explanation"]?["caps"])
    }

    func testBadApplicantsNameTheField() throws {
        let text = try String(contentsOfFile: "\(Self.bundle)/examples/approve-young-professional.json", encoding: .utf8)
        func error(_ replace: String, _ with: String) -> ApplicantError? {
            do { _ = try Self.policy.applicant(json: text.replacingOccurrences(of: replace, with: with)); return nil } catch { return error }
        }
        XCTAssertEqual(error("\"confidence\":0.80", "\"confidence\":\"high\"")?.path, "certificates[1].confidence")
        XCTAssertEqual(error("\"confidence\":0.80", "\"confidence\":1.01")?.path, "certificates[1].confidence")
        XCTAssertEqual(error("\"age\":27,", "")?.path, "age")
        XCTAssertEqual(error("\"age\":27", "\"age\":1e400")?.path, "age")
        XCTAssertEqual(error("\"current_limit\":8000", "\"current_limit\":8000.001")?.path, "current_limit")
        XCTAssertEqual(error("\"occupation\":\"employee\"", "\"occupation\":\"pilot\"")?.message, "expected one of employee, rider, blue_collar, student, self_employed, other, found the string \"pilot\"")
        XCTAssertEqual(error("\"as_of\":\"2024-12-23\"", "\"as_of\":\"2024-13-01\"")?.path, "as_of")
        XCTAssertEqual(error("{", "[")?.path, "")
        // Unknown fields are ignored; optional fields may be null or absent.
        XCTAssertNil(error("\"age\":27", "\"age\":27,\"nickname\":\"x\""))
    }

    /// The largest limit the schema allows evaluates without trapping; beyond it the record is
    /// refused (an unbounded 9 trillion is covered in `EvaluationErrorTests`).
    func testHugeLimitsEvaluateWithoutTrapping() throws {
        let d = try decide { $0["current_limit"] = .decimal("1000000000"); $0["monthly_income"] = .decimal("1000000000"); $0["certificates"] = .list([self.cert("cpa", "0.95")]) }
        XCTAssertEqual(d.outcome, .noChange)
        XCTAssertEqual(d.reasons.map(\.code), ["CAPPED_BY_PRODUCT_LIMIT"])
        XCTAssertThrowsError(try decide { $0["current_limit"] = .decimal("9000000000000") }) { e in
            XCTAssertEqual((e as? ApplicantError)?.path, "current_limit")
        }
    }

    func testConcurrentEvaluationGivesIdenticalDecisions() throws {
        let text = try String(contentsOfFile: "\(Self.bundle)/examples/approve-rider-capped.json", encoding: .utf8)
        let policy = Self.policy
        let expected = DecisionRenderer.json(try policy.evaluate(json: text))
        let results = UnsafeSendableBox(Array(repeating: "", count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let d = try? policy.evaluate(json: text)
            results.set(i, d.map { DecisionRenderer.json($0) } ?? "error")
        }
        XCTAssertEqual(Set(results.values), [expected])
    }
}

/// Collects results written from concurrent iterations, each to its own index.
final class UnsafeSendableBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [String]
    init(_ v: [String]) { values = v }
    func set(_ i: Int, _ v: String) { lock.lock(); values[i] = v; lock.unlock() }
}
