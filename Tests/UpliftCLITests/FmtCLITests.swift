import Foundation
import XCTest

/// `uplift fmt` and `uplift fmt --check` as authors and CI run them.
final class FmtCLITests: XCTestCase {
    func testCheckPassesOnTheRepositoryAndFailsWithADiffOnAMessyCopy() throws {
        XCTAssertEqual(try run(["fmt", "--check", CLITests.bundle]).status, 0)
        let messy = try corruptCopy { try replace($0.appendingPathComponent("policy.uplift"), "decline FRAUD_FLAG         when fraud_flag", "decline   FRAUD_FLAG when  fraud_flag") }
        let r = try run(["fmt", "--check", messy])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("-decline   FRAUD_FLAG when  fraud_flag"), r.stdout)
        XCTAssertTrue(r.stdout.contains("+decline FRAUD_FLAG         when fraud_flag"), r.stdout)
        // Formatting restores the file exactly.
        XCTAssertEqual(try run(["fmt", messy]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: messy + "/policy.uplift", encoding: .utf8),
                       try String(contentsOfFile: CLITests.bundle + "/policy.uplift", encoding: .utf8))
    }

    /// A decision table's input expressions are formatted by `uplift fmt`; its cell tests are not.
    func testDecisionTablesAreFormatted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-fmt-dt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let messy = "kind: decision_table\nname: t\ninputs:\n  s: score+1  # shifted\noutputs: { v: integer }\nrows:\n  - { s: \">=95\", v: 1 }\n"
        let file = dir.appendingPathComponent("t.yaml")
        try messy.write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(["fmt", "--check", dir.path]).status, 1)
        XCTAssertEqual(try run(["fmt", dir.path]).status, 0)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), messy.replacingOccurrences(of: "score+1", with: "score + 1"))
        XCTAssertEqual(try run(["fmt", "--check", dir.path]).status, 0)
    }

    func testAFileThatDoesNotParseIsLeftAlone() throws {
        let broken = try corruptCopy { try replace($0.appendingPathComponent("policy.uplift"), "when fraud_flag", "when (fraud_flag") }
        let before = try String(contentsOfFile: broken + "/policy.uplift", encoding: .utf8)
        let r = try run(["fmt", broken + "/policy.uplift"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("does not parse"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: broken + "/policy.uplift", encoding: .utf8), before)
    }
}
