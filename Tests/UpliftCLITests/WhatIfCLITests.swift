import Foundation
import XCTest

/// `uplift whatif` as a user drives it: text, JSON re-run through `eval`, exit codes.
final class WhatIfCLITests: XCTestCase {
    let examples = CLITests.root.appendingPathComponent("policies/certificate-uplift/examples").path

    func testTextNamesTheBestActionAndWhatItClears() throws {
        let r = try run(["whatif", CLITests.bundle, "--applicant", "\(examples)/no-change-no-certificate.json", "--top", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("now:       no_change, uplift 0.00"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  1. if you hold a certificate of type "), r.stdout)
        XCTAssertTrue(r.stdout.contains("→ approve 500.00 (+500.00), new limit 5500.00; clears NO_QUALIFYING_CERTIFICATE"), r.stdout)
        XCTAssertTrue(r.stdout.contains("more; --top shows them"), r.stdout)
        XCTAssertFalse(r.stdout.contains("0.9"), "no confidence threshold in the text: \(r.stdout)")
    }

    func testEachJSONSuggestionIsWhatEvalGivesOnItsApplicant() throws {
        let r = try run(["whatif", CLITests.bundle, "--applicant", "\(examples)/refer-low-confidence.json", "--top", "4", "--depth", "2", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let suggestions = try XCTUnwrap(report["suggestions"] as? [[String: Any]])
        XCTAssertEqual(suggestions.count, 4)
        for s in suggestions {
            let applicant = try JSONSerialization.data(withJSONObject: try XCTUnwrap(s["applicant"]))
            let eval = try run(["eval", CLITests.bundle, "--applicant", "-", "--format", "json"], stdin: String(decoding: applicant, as: UTF8.self))
            XCTAssertEqual(eval.status, 0, eval.stderr)
            let decided = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(decided["outcome"] as? String, s["outcome"] as? String)
            XCTAssertEqual((decided["uplift"] as? NSNumber)?.doubleValue, Double(try XCTUnwrap(s["uplift"] as? NSNumber).doubleValue))
        }
    }

    func testExitCodes() throws {
        // A bad applicant names the field; exit 2.
        let bad = try run(["whatif", CLITests.bundle, "--applicant", "-"], stdin: #"{"age": "x"}"#)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("bad applicant in standard input"), bad.stderr)
        // Not JSON at all.
        XCTAssertEqual(try run(["whatif", CLITests.bundle, "--applicant", "-"], stdin: "{").status, 2)
        // A bundle without actions says how to declare them; exit 2.
        let bare = try corruptCopy { dir in try self.replace(dir.appendingPathComponent("bundle.yaml"), "actions: actions.yaml", "") }
        defer { try? FileManager.default.removeItem(atPath: bare) }
        let none = try run(["whatif", bare, "--applicant", "\(examples)/decline-gates.json"])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("declares no actions"), none.stderr)
        // Bad usage.
        XCTAssertEqual(try run(["whatif", CLITests.bundle, "--applicant", "\(examples)/decline-gates.json", "--depth", "3"]).status, 2)
        // An actions file that touches a protected fact: the bundle has errors; exit 1.
        let unfair = try corruptCopy { dir in try self.replace(dir.appendingPathComponent("actions.yaml"), "raise: self_set_cap", "raise: gender") }
        defer { try? FileManager.default.removeItem(atPath: unfair) }
        let refused = try run(["whatif", unfair, "--applicant", "\(examples)/decline-gates.json"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("error[E342]"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("actions.yaml:"), refused.stderr)
    }

    func testSimulateWhatIfCountsPerSegmentAndRefusesWhatItCannotDo() throws {
        let rows = try run(["synth", CLITests.bundle, "--count", "40", "--seed", "5"])
        XCTAssertEqual(rows.status, 0, rows.stderr)
        let summary = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-whatif-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: summary) }
        let r = try run(["simulate", CLITests.bundle, "--population", "-", "--whatif", "--summary", summary.path], stdin: rows.stdout)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("what-if (an action that gives more credit; gain of the best one):"), r.stdout)
        XCTAssertTrue(r.stdout.contains("actions that help (applicants):"), r.stdout)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: summary)) as? [String: Any])
        let segments = try XCTUnwrap(json["segments"] as? [String: [String: Any]])
        let tried = segments.values.compactMap { ($0["whatif"] as? [String: Any])?["tried"] as? Int }.reduce(0, +)
        XCTAssertEqual(tried, json["decided"] as? Int, "every decided row is tried")
        // A CSV population has no JSON record to change: usage error, exit 2.
        let csv = try run(["simulate", CLITests.bundle, "--population", "x.csv", "--whatif"])
        XCTAssertEqual(csv.status, 2)
        XCTAssertTrue(csv.stderr.contains("--whatif reads JSON Lines"), csv.stderr)
        // A bundle without actions: exit 2, saying how to declare them.
        let bare = try corruptCopy { dir in try self.replace(dir.appendingPathComponent("bundle.yaml"), "actions: actions.yaml", "") }
        defer { try? FileManager.default.removeItem(atPath: bare) }
        let none = try run(["simulate", bare, "--population", "-", "--whatif"], stdin: rows.stdout)
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("declares no actions"), none.stderr)
    }
}
