import Foundation
import XCTest

/// Runs the built `uplift` binary as a user would and checks output and exit codes.
final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let bundle = root.appendingPathComponent("policies/certificate-uplift").path
    static let examples = bundle + "/examples"

    static var binary: URL {
        // The test bundle sits next to the products in .build/<config>.
        var dir = Bundle(for: CLITests.self).bundleURL
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("uplift")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate }
            dir.deleteLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/uplift")
    }

    func testCheckPassesOnTheReferenceBundle() throws {
        let r = try run(["check", Self.bundle])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("certificate-uplift 1.0.0: ok"))
        let j = try run(["check", Self.bundle, "--format", "json"])
        XCTAssertEqual(j.status, 0)
        XCTAssertTrue(j.stdout.contains("\"errors\": 0"))
    }

    func testEvalTextAndJSON() throws {
        let file = Self.examples + "/approve-young-professional.json"
        let t = try run(["eval", Self.bundle, "--applicant", file, "--explain"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stdout.hasPrefix("outcome:   approve\nuplift:    2100.00\n"), t.stdout)
        XCTAssertTrue(t.stdout.contains("explanation"))
        let j = try run(["eval", Self.bundle, "--applicant", "-", "--format", "json"], stdin: try String(contentsOfFile: file, encoding: .utf8))
        XCTAssertEqual(j.status, 0, j.stderr)
        XCTAssertTrue(j.stdout.contains("\"uplift\": 2100"), j.stdout)
        XCTAssertTrue(j.stdout.contains("\"segment\": \"young_professional\""))
    }

    /// Each corruption gives exit 1 and a located, helpful message, never a crash.
    func testCorruptedBundlesAreReportedWithLocations() throws {
        let cases: [(String, (URL) throws -> Void, [String])] = [
            ("field typo", { try self.replace($0.appendingPathComponent("policy.uplift"), "max_overdue_days_12m > 3", "max_overdue_day_12m > 3") },
             ["policy.uplift:", "unknown name `max_overdue_day_12m`", "did you mean `max_overdue_days_12m`?", "^^^"]),
            ("yaml indent", { try self.replace($0.appendingPathComponent("tables/segments.yaml"), "    multiplier: 1.0\n    maximum: 2000\n  - name: new_blue_collar", "   multiplier: 1.0\n    maximum: 2000\n  - name: new_blue_collar") },
             ["segments.yaml:", "malformed YAML", "indentation"]),
            ("stray token", { try self.replace($0.appendingPathComponent("policy.uplift"), "when fraud_flag", "when fraud_flag )") },
             ["policy.uplift:", "error[E103]"]),
            ("overlapping band", { try self.replace($0.appendingPathComponent("tables/amount-bands.yaml"), "from: 20, to: 39", "from: 15, to: 39") },
             ["amount-bands.yaml:10:", "overlaps band 2", "start this band at 20"]),
            ("rule reads gender", { try self.replace($0.appendingPathComponent("policy.uplift"), "when fraud_flag", "when fraud_flag or gender == male") },
             ["policy.uplift:", "`gender` is a protected attribute"]),
        ]
        for (name, edit, expected) in cases {
            let dir = try corruptCopy(edit)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let r = try run(["check", dir])
            XCTAssertEqual(r.status, 1, "\(name): \(r.stderr)")
            for e in expected { XCTAssertTrue(r.stderr.contains(e), "\(name): missing \(e) in\n\(r.stderr)") }
            XCTAssertTrue(r.stderr.contains("= help:"), name)
            let j = try run(["check", dir, "--format", "json"])
            XCTAssertEqual(j.status, 1, name)
            XCTAssertTrue(j.stdout.contains("\"line\""), name)
        }
    }

    func testBadApplicantsExitTwoNamingTheField() throws {
        let good = try String(contentsOfFile: Self.examples + "/approve-young-professional.json", encoding: .utf8)
        let cases: [(String, String)] = [
            ("not json at all", "not valid JSON"),
            (good.replacingOccurrences(of: "\"confidence\":0.80", with: "\"confidence\":true"), "certificates[1].confidence"),
            (good.replacingOccurrences(of: "\"fraud_flag\":false,", with: ""), "fraud_flag: missing required field"),
            (good.replacingOccurrences(of: "\"age\":27", with: "\"age\":123456789012345678901234567890"), "age:"),
            (good.replacingOccurrences(of: "\"current_limit\":8000", with: "\"current_limit\":\"lots\""), "current_limit"),
            (String(repeating: "[", count: 10_000), "nesting"),
        ]
        for (input, expected) in cases {
            let r = try run(["eval", Self.bundle, "--applicant", "-"], stdin: input)
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(expected), "missing \(expected) in \(r.stderr)")
        }
        let missing = try run(["eval", Self.bundle, "--applicant", "/nonexistent.json"])
        XCTAssertEqual(missing.status, 2)
    }

    func testBenchReportsSpeedAndAllocations() throws {
        for engine in ["vm", "reference"] {
            let r = try run(["bench", Self.bundle, "--count", "20", "--seconds", "0.1", "--engine", engine, "--format", "json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let json = r.stdout
            for key in ["ns_per_decision_median", "ns_per_decision_p99", "decisions_per_second", "allocations_per_decision"] {
                XCTAssertTrue(json.contains("\"\(key)\""), "\(key) missing in \(json)")
            }
            XCTAssertTrue(json.contains("\"engine\": \"\(engine)\""))
            // Decisions allocate today (issue 3 tracks reaching zero); the counter must see them.
            XCTAssertFalse(json.contains("\"allocations_per_decision\": 0.0"), json)
        }
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.examples).filter { $0.hasSuffix(".json") }.sorted()
        let lines = try examples.map { try String(contentsOfFile: Self.examples + "/" + $0, encoding: .utf8).replacingOccurrences(of: "\n", with: "") }
        let population = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-pop-\(UUID().uuidString).jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: population, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: population) }
        let r = try run(["bench", Self.bundle, "--population", population.path, "--seconds", "0.1", "--explain"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("population:    \(examples.count) applicants"), r.stdout)
        try "{\"age\": \"x\"}\n".write(to: population, atomically: true, encoding: .utf8)
        let bad = try run(["bench", Self.bundle, "--population", population.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains(":1: "), bad.stderr)
        XCTAssertEqual(try run(["bench", Self.bundle, "--count", "0"]).status, 2)
    }

    func testUsageErrorsExitTwoAndHelpHasExamples() throws {
        XCTAssertEqual(try run(["eval", Self.bundle]).status, 2)
        XCTAssertEqual(try run(["check"]).status, 2)
        XCTAssertEqual(try run(["frobnicate"]).status, 2)
        for cmd in [["--help"], ["check", "--help"], ["eval", "--help"], ["bench", "--help"]] {
            let r = try run(cmd)
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("uplift "), r.stdout)
            XCTAssertTrue(r.stdout.contains("Example"), r.stdout)
        }
        let nobundle = try run(["check", "/nonexistent"])
        XCTAssertEqual(nobundle.status, 1)
        XCTAssertTrue(nobundle.stderr.contains("no bundle at"))
    }
}
