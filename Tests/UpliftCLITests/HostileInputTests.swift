import Foundation
import XCTest

/// Hostile cases on the input side of the CLI: paths that are directories or missing, numeric
/// options out of range, and populations that would lose rows (a byte-order mark, an unclosed CSV
/// quote, an over-long line, a run stopped early). Every physical line is decided, reported bad,
/// or counted as not read.
final class HostileInputTests: XCTestCase {
    var bundle: String { CLITests.bundle }

    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-in-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func synth(_ count: Int, format: String = "jsonl") throws -> String {
        let r = try run(["synth", bundle, "--count", String(count), "--seed", "5", "--format", format])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    func testADirectoryOrMissingFileIsBadInputWithAPlainMessage() throws {
        let dir = try tempDir()
        let cases: [([String], String)] = [
            (["eval", bundle, "--applicant", dir], "applicant file"),
            (["simulate", bundle, "--population", dir, "--quiet"], "population file"),
            (["diff", bundle, bundle, "--population", dir, "--quiet"], "population file"),
            (["bench", bundle, "--population", dir], "population file"),
            (["summary", "merge", dir], "summary file"),
            (["eval", bundle, "--applicant", dir + "/missing.json"], "applicant file"),
            (["simulate", bundle, "--population", dir + "/missing.jsonl", "--quiet"], "population file"),
        ]
        for (args, what) in cases {
            let r = try run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("error: cannot read \(what) `"), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("it is a directory") || r.stderr.contains("No such file or directory"), r.stderr)
            XCTAssertFalse(r.stderr.contains("Cocoa") || r.stderr.contains("NSError"), r.stderr)
        }
    }

    func testNumericOptionsSayTheirBound() throws {
        let cases: [([String], String)] = [
            (["simulate", bundle, "--population", "-", "--workers", "-1"], "--workers must be between 1 and 256 (got -1)"),
            (["simulate", bundle, "--population", "-", "--workers", "0"], "--workers must be between 1 and 256 (got 0)"),
            (["simulate", bundle, "--population", "-", "--max-errors", "-5"], "--max-errors must be at least 1 (got -5)"),
            (["simulate", bundle, "--population", "-", "--max-record-bytes", "0"], "--max-record-bytes must be at least 1"),
            (["synth", bundle, "--count", "-1"], "--count must be between 0 and 1,000,000,000"),
            (["bench", bundle, "--count", "-1"], "--count must be between 1 and 10,000,000"),
            (["bench", bundle, "--seconds", "-2"], "--seconds must be between 0 and 3600"),
            (["eval", bundle, "--applicant", "-", "--max-record-bytes", "-3"], "--max-record-bytes must be at least 1"),
        ]
        for (args, message) in cases {
            let r = try run(args, stdin: "")
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Missing value"), r.stderr)
        }
    }

    func testHelpShowsPlainDefaults() throws {
        let synth = try run(["synth", "--help"])
        XCTAssertTrue(synth.stdout.contains("default: jsonl"), synth.stdout)
        XCTAssertFalse(synth.stdout.contains("PopulationFormatOption"), synth.stdout)
        let simulate = try run(["simulate", "--help"])
        XCTAssertTrue(simulate.stdout.contains("(default: all cores)"), simulate.stdout)
        XCTAssertFalse(simulate.stdout.contains("all cores). (default:"), simulate.stdout)
    }

    func testACSVByteOrderMarkIsSkipped() throws {
        let csv = "\u{FEFF}" + (try synth(50, format: "csv"))
        let r = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet"], stdin: csv)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("50 read, 50 decided, 0 bad"), r.stdout)
        let jsonl = "\u{FEFF}" + (try synth(50))
        let j = try run(["simulate", bundle, "--population", "-", "--quiet"], stdin: jsonl)
        XCTAssertEqual(j.status, 0, j.stdout + j.stderr)
        XCTAssertTrue(j.stdout.contains("50 read, 50 decided, 0 bad"), j.stdout)
    }

    func testAnUnclosedCSVQuoteLosesOnlyItsOwnLine() throws {
        var lines = try synth(2_000, format: "csv").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line 101 (the header is line 1) opens a quote it never closes.
        guard let comma = lines[100].firstIndex(of: ",") else { return XCTFail("no comma in \(lines[100])") }
        lines[100].insert("\"", at: lines[100].index(after: comma))
        let r = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet", "--decisions", "-"],
                        stdin: lines.joined(separator: "\n"))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("2,000 read, 1,999 decided, 1 bad"), r.stderr)
        XCTAssertTrue(r.stderr.contains("line 101: a quote opened on this line is never closed"), r.stderr)
        // One decision line per row, in order, the bad one in its place.
        let out = r.stdout.split(separator: "\n")
        XCTAssertEqual(out.count, 2_000)
        XCTAssertTrue(out[99].contains("\"error\""), String(out[99]))
        // The same quote on the last line, where it runs to the end of the input.
        var last = try synth(20, format: "csv").split(separator: "\n").map(String.init)
        last[20] = last[20].replacingOccurrences(of: ",", with: ",\"", options: [], range: last[20].range(of: ","))
        let end = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet"], stdin: last.joined(separator: "\n") + "\n")
        XCTAssertTrue(end.stdout.contains("20 read, 19 decided, 1 bad"), end.stdout)
        XCTAssertTrue(end.stdout.contains("line 21: a quote opened"), end.stdout)
        // A quoted cell that really spans lines is still one record.
        let header = last[0]
        let spanning = header + "\n" + last[1].replacingOccurrences(of: "A1,", with: "\"A\n1\",")
        let ok = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet"], stdin: spanning)
        XCTAssertTrue(ok.stdout.contains("1 read, 1 decided, 0 bad"), ok.stdout)
    }

    func testInvalidUTF8InACSVCellIsABadRowNamingTheColumn() throws {
        let dir = try tempDir()
        var lines = try synth(3, format: "csv").split(separator: "\n").map { Array($0.utf8) }
        // Row 2's id becomes A\xFF.
        guard let comma = lines[2].firstIndex(of: UInt8(ascii: ",")) else { return XCTFail("no comma") }
        lines[2].insert(0xFF, at: comma)
        try Data(lines.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: dir + "/p.csv"))
        let r = try run(["simulate", bundle, "--population", dir + "/p.csv", "--quiet"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stdout.contains("3 read, 2 decided, 1 bad"), r.stdout)
        XCTAssertTrue(r.stdout.contains("line 3: id: not valid UTF-8"), r.stdout)
    }

    func testTwoUnclosedQuotesInTheFirstBatchLoseOnlyTheirLines() throws {
        // Rows 2 and 4 each open a quote; the header's cell count must already be known.
        var lines = try synth(6, format: "csv").split(separator: "\n").map(String.init)
        for k in [2, 4] { lines[k] = lines[k].replacingOccurrences(of: ",", with: ",\"", options: [], range: lines[k].range(of: ",")) }
        let r = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet"], stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertTrue(r.stdout.contains("6 read, 4 decided, 2 bad"), r.stdout)
        XCTAssertTrue(r.stdout.contains("line 3: a quote opened"), r.stdout)
        XCTAssertTrue(r.stdout.contains("line 5: a quote opened"), r.stdout)
    }

    func testABrokenCSVHeaderStopsTheRunNamingIt() throws {
        let rows = try synth(3, format: "csv").split(separator: "\n").map(String.init)
        let header = "id,\"as_of" + rows[0].dropFirst(5)
        let r = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet"], stdin: ([header] + rows.dropFirst()).joined(separator: "\n"))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("error: cannot read the population: line 1: the CSV header is unreadable"), r.stderr)
    }

    func testUnknownFieldNamesAreBoundedInTheSummary() throws {
        // A new stray key on every row: counted, but only 100 names kept.
        let rows = try synth(300).split(separator: "\n").enumerated().map { i, l in "{\"x\(i)\":1," + l.dropFirst() }
        let r = try run(["simulate", bundle, "--population", "-", "--quiet", "--format", "json", "--workers", "2"], stdin: rows.joined(separator: "\n"))
        XCTAssertEqual(r.status, 0, r.stderr)
        guard let data = r.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let unknown = json["unknown_fields"] as? [String: Int] else { return XCTFail(r.stdout) }
        XCTAssertLessThanOrEqual(unknown.count, 100)
        XCTAssertEqual(unknown.values.reduce(0, +), 300)
        XCTAssertNotNil(unknown["(other unknown fields)"])
        // Five new keys per row: the folded bucket still counts each row once, and the summary
        // stays one that `summary merge` accepts.
        let dir = try tempDir()
        let many = try synth(200).split(separator: "\n").enumerated().map { i, l in
            "{" + (0..<5).map { "\"k\(i)_\($0)\":1," }.joined() + l.dropFirst()
        }
        let part = dir + "/part.json"
        let p = try run(["simulate", bundle, "--population", "-", "--quiet", "--summary", part], stdin: many.joined(separator: "\n"))
        XCTAssertEqual(p.status, 0, p.stderr)
        let merged = try run(["summary", "merge", part, part])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        guard let m = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any],
              let folded = (m["unknown_fields"] as? [String: Int])?["(other unknown fields)"] else { return XCTFail(merged.stdout) }
        XCTAssertGreaterThan(folded, 0)
    }

    func testAnOverLongLineIsReportedAndTheRestDecided() throws {
        var lines = try synth(300).split(separator: "\n").map(String.init)
        lines[10] = String(repeating: "\u{0}", count: 300_000)
        let r = try run(["simulate", bundle, "--population", "-", "--quiet", "--max-record-bytes", "100000"], stdin: lines.joined(separator: "\n"))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stdout.contains("300 read, 299 decided, 1 bad"), r.stdout)
        XCTAssertTrue(r.stdout.contains("line 11: the record is longer than 100000 bytes"), r.stdout)
        XCTAssertFalse(r.stdout.contains("\u{0}"))
        // From a file, read in 1 MiB chunks: a 3 MB line is dropped while it is read, never held.
        let dir = try tempDir()
        lines[10] = String(repeating: "\u{0}", count: 3_000_000)
        try lines.joined(separator: "\n").write(toFile: dir + "/big.jsonl", atomically: true, encoding: .utf8)
        let f = try run(["simulate", bundle, "--population", dir + "/big.jsonl", "--quiet", "--max-record-bytes", "1000000", "--decisions", dir + "/d.jsonl"])
        XCTAssertTrue(f.stdout.contains("300 read, 299 decided, 1 bad"), f.stdout)
        XCTAssertTrue(f.stdout.contains("line 11: the record is longer than 1000000 bytes"), f.stdout)
        let decided = try String(contentsOfFile: dir + "/d.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(decided.count, 300)
        XCTAssertTrue(decided[10].contains("\"line\":11"), String(decided[10]))
        XCTAssertTrue(decided[11].contains("\"line\":12"), String(decided[11]))
        // eval has the same limit.
        let e = try run(["eval", bundle, "--applicant", "-", "--max-record-bytes", "1000"], stdin: String(repeating: " ", count: 5_000))
        XCTAssertEqual(e.status, 2)
        XCTAssertTrue(e.stderr.contains("larger than 1000 bytes"), e.stderr)
    }

    func testANearMissOfASchemaFieldNeverPassesSilently() throws {
        let file = CLITests.examples + "/approve-student-exact-income-cap.json"
        let typo = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"monthly_income\"", with: "\"Monthly_Income\"")
        let e = try run(["eval", bundle, "--applicant", "-"], stdin: typo)
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stderr.contains("warning: unknown field `Monthly_Income` ignored; did you mean `monthly_income`?"), e.stderr)
        let strict = try run(["eval", bundle, "--applicant", "-", "--strict"], stdin: typo)
        XCTAssertEqual(strict.status, 2)
        XCTAssertTrue(strict.stderr.contains("Monthly_Income: unknown field (did you mean `monthly_income`?)"), strict.stderr)
        // A field nothing resembles is ignored quietly, unless strict.
        let extra = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "{", with: "{\"crm_segment\": \"B2\", ")
        XCTAssertEqual(try run(["eval", bundle, "--applicant", "-"], stdin: extra).stderr, "")
        XCTAssertEqual(try run(["eval", bundle, "--applicant", "-", "--strict"], stdin: extra).status, 2)

        // simulate counts them by name in the summary and warns about near misses.
        let rows = try synth(40).split(separator: "\n").enumerated().map { i, l in
            i < 10 ? l.replacingOccurrences(of: "\"monthly_income\"", with: "\"Monthly_Income\"") : String(l)
        }
        let s = try run(["simulate", bundle, "--population", "-", "--quiet"], stdin: rows.joined(separator: "\n"))
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertTrue(s.stdout.contains("Monthly_Income                           10 rows   did you mean `monthly_income`?"), s.stdout)
        XCTAssertTrue(s.stderr.contains("warning: 10 rows have the field `Monthly_Income`"), s.stderr)
        let j = try run(["simulate", bundle, "--population", "-", "--quiet", "--format", "json"], stdin: rows.joined(separator: "\n"))
        XCTAssertTrue(j.stdout.contains("\"unknown_fields\": {\"Monthly_Income\":10}"), j.stdout)
        XCTAssertTrue(j.stdout.contains("\"unknown_field_suggestions\": {\"Monthly_Income\":\"monthly_income\"}"), j.stdout)
        let st = try run(["simulate", bundle, "--population", "-", "--quiet", "--strict"], stdin: rows.joined(separator: "\n"))
        XCTAssertEqual(st.status, 2)
        XCTAssertTrue(st.stdout.contains("40 read, 30 decided, 10 bad"), st.stdout)
        // A CSV header gets the same treatment.
        let csv = try synth(5, format: "csv").replacingOccurrences(of: "monthly_income", with: "Monthly_Income")
        let c = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet"], stdin: csv)
        XCTAssertTrue(c.stdout.contains("Monthly_Income                            5 rows"), c.stdout)
        let cs = try run(["simulate", bundle, "--population", "-", "--input-format", "csv", "--quiet", "--strict"], stdin: csv)
        XCTAssertTrue(cs.stdout.contains("5 read, 0 decided, 5 bad"), cs.stdout)
        XCTAssertEqual(try run(["diff", bundle, bundle, "--population", "-", "--input-format", "csv", "--quiet", "--strict"], stdin: csv).status, 2)
    }

    func testSummaryMergeRefusesAnInconsistentPartNamingFileAndField() throws {
        let dir = try tempDir()
        let good = dir + "/good.json", bad = dir + "/bad.json"
        XCTAssertEqual(try run(["simulate", bundle, "--population", "-", "--summary", good, "--quiet"], stdin: try synth(30)).status, 0)
        let text = try String(contentsOfFile: good, encoding: .utf8)
        guard let rows = text.range(of: "\"rows\": 30") else { return XCTFail("no rows in \(text)") }
        try text.replacingCharacters(in: rows, with: "\"rows\": 1").write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try run(["summary", "merge", good, bad])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("bad.json: rows is 1, but decided (30) plus bad_rows (0) is 30"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testARunStoppedEarlyCountsTheLinesItDidNotRead() throws {
        var lines = try synth(5_000).split(separator: "\n").map(String.init)
        for k in 0..<10 { lines[k] = "{oops" }
        // One worker decides 2,048 rows per batch; it stops after the first.
        let r = try run(["simulate", bundle, "--population", "-", "--quiet", "--workers", "1", "--max-errors", "5", "--format", "json"],
                        stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stdout.contains("\"rows\": 2048"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"stopped_early\": true"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"unread_lines\": 2952"), r.stdout)
    }
}
