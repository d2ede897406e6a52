import Foundation
import XCTest
import Uplift

/// Faults during evaluation are errors naming the rule, never a trap.
final class EvaluationErrorTests: XCTestCase {
    func bundle(policy: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "bundle.yaml": "name: faults\nversion: 0.1.0\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [bands.yaml]\n",
            "schema.uplift": "facts Applicant {\n  age: integer\n  current_limit: money\n}\n",
            "bands.yaml": "kind: bands\nname: band\ninput: age\ncolumns: { base: money }\nbands:\n  - { from: 18, to: 60, base: 100 }\n",
            "policy.uplift": policy,
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }

    func evaluationError(_ policy: Policy, _ json: String) -> EvaluationError? {
        do { _ = try policy.evaluate(json: json); return nil } catch {
            if case .evaluation(let e) = error { return e }
            XCTFail("\(error)")
            return nil
        }
    }

    func testDivisionByZeroNamesTheAmount() throws {
        let p = try Policy.load(bundle: bundle(policy: "amount = band.base / (age - age)\n"))
        let e = try XCTUnwrap(evaluationError(p, #"{"age": 30, "current_limit": 1}"#))
        XCTAssertEqual(e.fault, "division by zero")
        XCTAssertEqual(e.rule, "the amount")
        XCTAssertTrue(e.location.hasSuffix("policy.uplift:1:10"), e.location)
    }

    func testOverflowNamesTheValue() throws {
        let p = try Policy.load(bundle: bundle(policy: "let big = current_limit * 1000000\nreport big\namount = band.base\n"))
        let e = try XCTUnwrap(evaluationError(p, #"{"age": 30, "current_limit": 9000000000000}"#))
        XCTAssertEqual(e.rule, "value `big`")
        XCTAssertNil(evaluationError(p, #"{"age": 30, "current_limit": 1}"#))
    }

    func testInputOutsideEveryBand() throws {
        let p = try Policy.load(bundle: bundle(policy: "amount = band.base\n"))
        XCTAssertEqual(evaluationError(p, #"{"age": 17, "current_limit": 1}"#)?.fault, "the value is below the first band")
        XCTAssertEqual(evaluationError(p, #"{"age": 61, "current_limit": 1}"#)?.fault, "the value is above the last band")
        let ok = try p.evaluate(json: #"{"age": 60, "current_limit": 1}"#)
        XCTAssertEqual(ok.outcome, .approve)
        XCTAssertEqual(ok.uplift.formatted(), "100")
    }

    /// An applicant decoded for one policy and handed to another is a caller's mistake, but it
    /// must not crash either engine.
    func testApplicantFromAnotherPolicyDoesNotCrash() throws {
        let small = try Policy.load(bundle: bundle(policy: "amount = band.base\n"))
        let reference = ReferencePolicyTests.policy
        let foreign = try reference.applicant(json: try String(contentsOfFile: ReferencePolicyTests.bundle + "/examples/approve-rider-capped.json", encoding: .utf8))
        let tiny = try small.applicant(json: #"{"age": 30, "current_limit": 1}"#)
        for engine in Engine.allCases {
            _ = try? small.evaluate(foreign, engine: engine)
            if let d = try? reference.evaluate(tiny, engine: engine) { _ = DecisionRenderer.text(d, reference.explain(d)) }
        }
    }

    func testApplicantFromAJSONValue() throws {
        let p = try Policy.load(bundle: bundle(policy: "amount = band.base\n"))
        let a = try p.applicant(JSONValue.object([("age", .number("30")), ("current_limit", .string("1.50"))]))
        XCTAssertEqual(try p.evaluate(a).newLimit?.formatted(minFractionDigits: 2), "101.50")
    }
}
