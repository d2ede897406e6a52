import Foundation
import XCTest
import Uplift

/// Arithmetic chains are computed in 128 bits: `current_limit * percent_change / 100` decides
/// for any limit whose result fits, in both engines; a result that does not fit is a located
/// evaluation error. `round(x, step, mode)` rounds in the mode written.
final class WideArithmeticTests: XCTestCase {
    static let schema = "facts Account {\n  current_limit: money\n  percent_change: integer\n  ratio: decimal\n}\n"

    func load(_ rules: String) throws -> Policy {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-wide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["bundle.yaml": "name: wide\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
                     "schema.uplift": Self.schema, "policy.uplift": rules]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try Policy.load(bundle: dir.path)
    }

    /// Reported values by name from both engines (asserted equal), or the evaluation error of both.
    func values(_ p: Policy, _ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> Result<[String: String], EvaluationError> {
        let a = try p.applicant(json: json)
        func one(_ e: Engine) -> Result<[String: String], EvaluationError> {
            do {
                let d = try p.evaluate(a, engine: e)
                return .success(Dictionary(uniqueKeysWithValues: d.reported.map { ($0.name, $0.text) }))
            } catch { return .failure(error) }
        }
        let vm = one(.vm), ref = one(.reference)
        func text(_ r: Result<[String: String], EvaluationError>) -> String {
            switch r {
            case .success(let v): v.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            case .failure(let e): e.description
            }
        }
        XCTAssertEqual(text(vm), text(ref), "the engines disagree", file: file, line: line)
        return vm
    }

    func testAProductThatOverflows64BitsOnTheWayStillDecides() throws {
        let p = try load("""
        let change = current_limit * percent_change / 100
        let share = current_limit * (ratio / 4)
        let scaled = current_limit * ratio * 1000 / 1000
        let back = -(current_limit * 30) / 30 + current_limit
        report change, share, scaled, back
        """)
        let v = try values(p, #"{"current_limit": 500000000000, "percent_change": -20, "ratio": 0.5}"#)
        XCTAssertEqual(try v.get(), ["change": "-100000000000.00", "share": "62500000000.00", "scaled": "250000000000.00", "back": "0.00"])
        // Small numbers are unchanged.
        let small = try values(p, #"{"current_limit": 0.03, "percent_change": 50, "ratio": 0.000001}"#)
        XCTAssertEqual(try small.get()["change"], "0.015")
    }

    func testAResultThatDoesNotFitIsALocatedError() throws {
        let p = try load("let huge = current_limit * percent_change * 100 / 2\nreport huge\n")
        let r = try values(p, #"{"current_limit": 500000000000, "percent_change": 90, "ratio": 0}"#)
        guard case .failure(let e) = r else { return XCTFail("\(r)") }
        XCTAssertEqual(e.fault, "a number grew beyond the representable range")
        XCTAssertEqual(e.rule, "value `huge`")
        XCTAssertTrue(e.location.hasSuffix("policy.uplift:1:5"), e.location)
        // Division by zero inside a chain is still division by zero.
        let z = try load("let q = current_limit * percent_change / (percent_change - percent_change)\nreport q\n")
        guard case .failure(let dz) = try values(z, #"{"current_limit": 5, "percent_change": 3, "ratio": 0}"#) else { return XCTFail() }
        XCTAssertEqual(dz.fault, "division by zero")
    }

    func testTheRoundFunctionTakesAMode() throws {
        let p = try load("""
        let a = round(current_limit, 1)
        let b = round(current_limit, 1, half_away_from_zero)
        let c = round(current_limit, 1, half_even)
        let d = round(current_limit, 1, down)
        let e = round(current_limit, 1, toward_zero)
        report a, b, c, d, e
        """)
        let v = try values(p, #"{"current_limit": -1.5, "percent_change": 0, "ratio": 0}"#)
        XCTAssertEqual(try v.get(), ["a": "-1.00", "b": "-2.00", "c": "-2.00", "d": "-2.00", "e": "-1.00"])
        // A mode that does not exist is a checked error with a suggestion.
        XCTAssertThrowsError(try load("let a = round(current_limit, 1, half_evn)\nreport a\n")) { error in
            XCTAssertTrue("\(error)".contains("E278"), "\(error)")
            XCTAssertTrue("\(error)".contains("did you mean `half_even`?"), "\(error)")
        }
    }
}
