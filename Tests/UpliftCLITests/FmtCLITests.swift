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

    func testAFileThatDoesNotParseIsLeftAlone() throws {
        let broken = try corruptCopy { try replace($0.appendingPathComponent("policy.uplift"), "when fraud_flag", "when (fraud_flag") }
        let before = try String(contentsOfFile: broken + "/policy.uplift", encoding: .utf8)
        let r = try run(["fmt", broken + "/policy.uplift"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("does not parse"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: broken + "/policy.uplift", encoding: .utf8), before)
    }
}
