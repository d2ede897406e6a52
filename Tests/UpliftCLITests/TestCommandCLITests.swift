import Foundation
import XCTest

/// `uplift test` as a risk officer and a CI system run it.
final class TestCommandCLITests: XCTestCase {
    func testReferenceBundlePassesWithFullCoverage() throws {
        let r = try run(["test", CLITests.bundle, "--coverage"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains(" passed, 0 failed"), r.stdout)
        XCTAssertTrue(r.stdout.contains("coverage: 100.0%"), r.stdout)
        let j = try run(["test", CLITests.bundle, "--coverage", "--format", "json"])
        XCTAssertEqual(j.status, 0)
        XCTAssertTrue(j.stdout.contains("\"failed\": 0"), j.stdout)
    }

    func testFailuresExitOneAndWriteJUnit() throws {
        let broken = try corruptCopy { try replace($0.appendingPathComponent("policy.uplift"), "max_overdue_days_12m > 3", "max_overdue_days_12m > 4") }
        let junit = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-junit-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: junit) }
        let r = try run(["test", broken, "--filter", "overdue", "--junit", junit])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("FAIL tests/gates.yaml:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("1 passed, 1 failed (2 cases in 4 files)"), r.stdout)
        XCTAssertTrue(try String(contentsOfFile: junit, encoding: .utf8).contains("failures=\"1\""))
    }

    func testABrokenTestFileIsReportedWithItsLocation() throws {
        let broken = try corruptCopy { try replace($0.appendingPathComponent("tests/gates.yaml"), "expect: { outcome: approve }", "expect: { outcome: aprove }") }
        let r = try run(["test", broken])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("error[E404]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("tests/gates.yaml:"), r.stderr)
    }

    /// A band label typed with a hyphen for the en dash names no band of the policy: an error at
    /// its line with the label it meant, not a case that can never pass.
    func testAnUnknownRowLabelIsAnErrorWithASuggestion() throws {
        let broken = try corruptCopy {
            try replace($0.appendingPathComponent("tests/amounts.yaml"), "uplift: 100, band: 10–19, reported", "uplift: 100, band: 10-19, reported")
        }
        let r = try run(["test", broken])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("error[E406]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("tests/amounts.yaml:37:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean `10–19`?"), r.stderr)
    }
}
