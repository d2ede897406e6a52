import Foundation
import XCTest

/// `uplift synth`, `simulate`, `diff` and `summary merge` end to end, as an analyst runs them.
final class SimulateCLITests: XCTestCase {
    var bundle: String { CLITests.bundle }

    func tempPath(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-simcli-\(UUID().uuidString)-\(name)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func synth(_ count: Int, seed: Int = 1, format: String = "jsonl") throws -> String {
        let r = try run(["synth", bundle, "--count", String(count), "--seed", String(seed), "--format", format])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    func testSynthIsDeterministicAndSimulateDecidesEveryRow() throws {
        let population = try synth(2_000)
        XCTAssertEqual(population, try synth(2_000))
        XCTAssertNotEqual(population, try synth(2_000, seed: 2))
        let file = tempPath("pop.jsonl"), decisions = tempPath("decisions.jsonl"), summary = tempPath("summary.json"), report = tempPath("report.html")
        try population.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try run(["simulate", bundle, "--population", file, "--decisions", decisions, "--summary", summary,
                             "--report", report, "--workers", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("2,000 read, 2,000 decided, 0 bad"), r.stdout)
        XCTAssertEqual(try String(contentsOfFile: decisions, encoding: .utf8).split(separator: "\n").count, 2_000)
        XCTAssertTrue(try String(contentsOfFile: summary, encoding: .utf8).contains("\"kind\": \"uplift-simulation-summary\""))
        XCTAssertTrue(try String(contentsOfFile: report, encoding: .utf8).contains("<svg"))
        // Not a terminal: no progress line on standard error.
        XCTAssertEqual(r.stderr, "")
    }

    func testProgressForLogs() throws {
        let file = tempPath("pop.jsonl")
        try synth(500).write(toFile: file, atomically: true, encoding: .utf8)
        let r = try run(["simulate", bundle, "--population", file, "--progress"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Rows, rate and (the file's size being known) the share done and the time left.
        XCTAssertTrue(r.stderr.contains("rows/s"), r.stderr)
        XCTAssertTrue(r.stderr.contains("ETA"), r.stderr)
        XCTAssertEqual(try run(["simulate", bundle, "--population", file, "--progress", "--quiet"]).stderr, "")
    }

    func testBadRowsExitTwoAndAreReported() throws {
        let good = try synth(3).split(separator: "\n").map(String.init)
        let input = [good[0], "{oops", good[1].replacingOccurrences(of: "\"age\":", with: "\"age\":\"x\",\"was\":"), good[2]].joined(separator: "\n")
        let r = try run(["simulate", bundle, "--population", "-", "--decisions", "-", "--quiet"], stdin: input)
        XCTAssertEqual(r.status, 2)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[1].contains("\"error\""))
        XCTAssertTrue(lines[2].contains("\"path\":\"age\""))
        // With decisions on standard output, the summary is on standard error.
        XCTAssertTrue(r.stderr.contains("4 read, 2 decided, 2 bad"), r.stderr)
        XCTAssertTrue(r.stderr.contains("line 2:"))
    }

    func testCSVPopulationByExtension() throws {
        let csv = tempPath("pop.csv")
        try synth(300, format: "csv").write(toFile: csv, atomically: true, encoding: .utf8)
        let jsonl = tempPath("pop.jsonl")
        try synth(300).write(toFile: jsonl, atomically: true, encoding: .utf8)
        let a = try run(["simulate", bundle, "--population", csv, "--format", "json"])
        let b = try run(["simulate", bundle, "--population", jsonl, "--format", "json"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
    }

    func testSummaryMergeOfPartsEqualsOneRun() throws {
        let rows = try synth(1_500).split(separator: "\n").map(String.init)
        let whole = tempPath("whole.jsonl")
        try rows.joined(separator: "\n").write(toFile: whole, atomically: true, encoding: .utf8)
        let one = try run(["simulate", bundle, "--population", whole, "--format", "json"])
        var parts: [String] = []
        for (i, range) in [0..<400, 400..<1_100, 1_100..<1_500].enumerated() {
            let file = tempPath("part\(i).jsonl"), summary = tempPath("part\(i).json")
            try rows[range].joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try run(["simulate", bundle, "--population", file, "--summary", summary, "--quiet"]).status, 0)
            parts.append(summary)
        }
        let merged = try run(["summary", "merge"] + parts)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(merged.stdout, one.stdout)
        // Parts of another bundle are refused.
        let other = try corruptCopy { try replace($0.appendingPathComponent("bundle.yaml"), "version: 1.0.0", "version: 1.0.1") }
        let foreign = tempPath("foreign.json")
        _ = try run(["simulate", other, "--population", whole, "--summary", foreign, "--quiet"])
        let refused = try run(["summary", "merge", parts[0], foreign])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("merge parts of one run"))
    }

    func testDiffAgainstItselfAndAgainstAChange() throws {
        let file = tempPath("pop.jsonl")
        try synth(1_000).write(toFile: file, atomically: true, encoding: .utf8)
        let same = try run(["diff", bundle, bundle, "--population", file])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertTrue(same.stdout.contains("no changes"))
        let changed = try corruptCopy { try replace($0.appendingPathComponent("policy.uplift"), "age > 60", "age > 50") }
        let report = tempPath("diff.html")
        let d = try run(["diff", bundle, changed, "--population", file, "--report", report, "--format", "json"])
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertTrue(d.stdout.contains("\"swap_outs\""))
        XCTAssertFalse(d.stdout.contains("\"changed\": 0,"))
        XCTAssertTrue(try String(contentsOfFile: report, encoding: .utf8).contains("Swap matrix"))
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try run(["simulate", bundle, "--population", "/no/such/file.jsonl"]).status, 2)
        XCTAssertEqual(try run(["simulate", bundle, "--population", "-", "--explain"], stdin: "").status, 2)
        XCTAssertEqual(try run(["simulate", bundle, "--population", "-", "--workers", "0"], stdin: "").status, 2)
        XCTAssertEqual(try run(["summary", "merge", "/no/such/summary.json"]).status, 2)
        let notSummary = tempPath("x.json")
        try "{\"kind\": \"other\"}".write(toFile: notSummary, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(["summary", "merge", notSummary]).status, 2)
    }
}
