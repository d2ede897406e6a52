import Foundation
import XCTest

/// A policy that lowers limits through the CLI: `uplift test` expectations with the `decrease`
/// outcome and negative amounts, `uplift fmt` on the new statements, and an arithmetic result
/// that does not fit exiting 3 with the rule named.
final class DecreaseCLITests: XCTestCase {
    func bundle(rules: String, tests: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-deccli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tests"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        var files = ["bundle.yaml": "name: decrease\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
                     "schema.uplift": "facts Account {\n  current_limit: money\n  percent_change: integer\n}\n",
                     "policy.uplift": rules]
        if let tests { files["tests/decrease.yaml"] = tests }
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }

    static let rules = """
    reason FLOOR_20 "A decrease is at most 20% of the limit."
    allow decrease
    amount = current_limit * percent_change / 100
    floor FLOOR_20 = -0.2 * current_limit
    round half_away_from_zero to 1

    """

    func testPolicyTestsExpectDecreases() throws {
        let tests = """
        tests:
          - name: ten percent down
            applicant: { current_limit: 5000, percent_change: -10 }
            expect: { outcome: decrease, uplift: -500, new_limit: 4500, reasons: [] }
          - name: the floor binds
            applicant: { current_limit: 5000, percent_change: -30 }
            expect: { outcome: decrease, uplift: -1000, new_limit: 4000, reasons: [FLOOR_20] }
          - name: a limit of 5e11 raised by 20 percent fits
            applicant: { current_limit: 500000000000, percent_change: 20 }
            expect: { outcome: approve, uplift: 100000000000, new_limit: 600000000000 }
        """
        let dir = try bundle(rules: Self.rules, tests: tests)
        let r = try run(["test", dir, "--coverage"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("coverage: 100.0%"), r.stdout)
        // A wrong expectation fails with the difference.
        let wrong = try bundle(rules: Self.rules, tests: tests.replacingOccurrences(of: "uplift: -500,", with: "uplift: -400,"))
        let w = try run(["test", wrong])
        XCTAssertEqual(w.status, 1, w.stdout + w.stderr)
        XCTAssertTrue(w.stdout.contains("-500"), w.stdout)
    }

    func testFmtLaysOutTheNewStatements() throws {
        let messy = "reason FLOOR_20 \"x\"\nreason C \"c\"\nallow    decrease\namount = current_limit*percent_change/100\ncap C = 100\nfloor  FLOOR_20 =   -0.2*current_limit\nround   half_even to 1\n"
        let dir = try bundle(rules: messy)
        let file = dir + "/policy.uplift"
        XCTAssertEqual(try run(["fmt", "--check", file]).status, 1)
        XCTAssertEqual(try run(["fmt", file]).status, 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(text.contains("allow decrease\n"), text)
        XCTAssertTrue(text.contains("cap C          = 100\nfloor FLOOR_20 = -0.2 * current_limit\n"), text)
        XCTAssertTrue(text.contains("round half_even to 1\n"), text)
        XCTAssertEqual(try run(["fmt", "--check", file]).status, 0)
        XCTAssertEqual(try run(["check", dir]).status, 0)
    }

    func testAnArithmeticResultThatDoesNotFitExits3() throws {
        let dir = try bundle(rules: "allow decrease\namount = current_limit * percent_change * 1000000 / 2\n")
        let r = try run(["eval", dir, "--applicant", "-"], stdin: #"{"current_limit": 500000000000, "percent_change": 90}"#)
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("the amount"), r.stderr)
        XCTAssertTrue(r.stderr.contains("policy.uplift:2:"), r.stderr)
        let ok = try run(["eval", dir, "--applicant", "-"], stdin: #"{"current_limit": 5000, "percent_change": -1}"#)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("outcome:   decrease"), ok.stdout)
    }
}
