import Foundation
import XCTest
@testable import Uplift
@testable import UpliftSimulator
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Simulations, summaries and diffs count every table of a bundle, whatever its kind and
/// however many there are: two segment tables, a band table and decision tables of each hit
/// policy, checked row by row against `Decision.tables`.
final class TableSummaryTests: XCTestCase {
    static let files: [String: String] = [
        "bundle.yaml": "name: tables\nversion: \"1\"\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [seg.yaml, region.yaml, band.yaml, grade.yaml, bonus.yaml]\n",
        "schema.uplift": """
        facts Applicant {
          id: string pii key
          score: integer between 0 and 100
          age: integer between 0 and 150
          verified: bool
          current_limit: money between 0 and 100000
        }
        """,
        "policy.uplift": """
        reason CAP "cap"
        amount = band.base * seg.multiplier + grade.extra + bonus.points * region.factor
        cap CAP = 3000
        """,
        "seg.yaml": "kind: segments\nname: seg\ncolumns: { multiplier: decimal }\nsegments:\n  - { name: young, when: age < 30, multiplier: 1.2 }\n  - { name: rest, when: true, multiplier: 1 }\n",
        "region.yaml": "kind: segments\nname: region\ncolumns: { factor: integer }\nsegments:\n  - { name: verified, when: verified, factor: 10 }\n  - { name: other, when: true, factor: 1 }\n",
        "band.yaml": "kind: bands\nname: band\ninput: score\ncolumns: { base: money }\nbands:\n  - { to: 49, base: 100 }\n  - { from: 50, base: 500 }\n",
        "grade.yaml": """
        kind: decision_table
        name: grade
        inputs: { score: score }
        outputs: { extra: money }
        rows:
          - { id: high, score: ">= 80", extra: 300 }
          - { id: mid, score: "[40..80)", extra: 100 }
        default: { extra: 0 }
        """,
        "bonus.yaml": """
        kind: decision_table
        name: bonus
        hit: collect sum
        inputs: { score: score, verified: verified }
        outputs: { points: money }
        rows:
          - { verified: "true", points: 5 }
          - { score: "> 90", points: 3 }
        """,
    ]

    static let policy: Policy = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-tables-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try? text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        do { return try Policy.load(bundle: dir.path) } catch { fatalError("\(error)") }
    }()

    static func population(_ n: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { i in
            #"{"id": "a\#(i)", "score": \#(rng.int(0...100)), "age": \#(rng.int(18...70)), "verified": \#(rng.chance(50)), "current_limit": 1000}"#
        }
    }

    func simulate(_ rows: [String], workers: Int = 2, batch: Int = 29) throws -> (SimulationSummary, [JSONValue]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-tables-\(UUID().uuidString).jsonl")
        try (rows.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = SimulationOptions()
        options.workers = workers
        options.batchSize = batch
        options.writeDecisions = true
        var out: [UInt8] = []
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let s = try Simulator(policy: Self.policy, options: options).run(input: handle, decisions: { out += $0 })
        return (s, try String(decoding: out, as: UTF8.self).split(separator: "\n").map { try JSONParser.parse(String($0)) })
    }

    func testEveryTableIsCountedRowByRow() throws {
        let p = Self.policy
        XCTAssertEqual(p.tables.map(\.name), ["seg", "region", "band", "grade", "bonus"])
        let rows = Self.population(1_500, seed: 7)
        let (summary, lines) = try simulate(rows)
        var expected: [String: [String: Int]] = [:]
        for (row, line) in zip(rows, lines) {
            let d = try p.evaluate(json: row)
            for t in d.tables {
                for l in t.labels.isEmpty ? [TableCounts.noRow] : t.labels { expected[t.table, default: [:]][l, default: 0] += 1 }
                // Each decision line names every table's rows (two segment tables, so all are shown).
                let shown = line["tables"]?[t.table]
                let want: JSONValue = t.kind == "decision_table" && t.table == "bonus" ? .array(t.labels.map { .string($0) })
                    : t.label.map { .string($0) } ?? .null
                XCTAssertEqual(shown, want, "\(t.table) for \(row)")
            }
        }
        XCTAssertEqual(summary.tables.mapValues(\.rows), expected)
        XCTAssertEqual(summary.tables["bonus"]?.selectsMany, true)
        XCTAssertEqual(summary.tables["region"]?.kind, "segments")
        XCTAssertEqual(summary.tablesBeyondSegmentsAndBands.map(\.name), ["bonus", "grade", "region", "seg"])
        // The second segment table is no longer lost: the text names both, and the decision tables.
        let text = SummaryText.render(summary)
        for name in ["table region (segments)", "table seg (segments)", "table grade (decision table)", "table bonus (decision table, rows of every match)"] {
            XCTAssertTrue(text.contains(name), "\(name) missing from\n\(text)")
        }
        XCTAssertTrue(HTMLReport.simulation(summary).contains("Table grade (decision table)"))
    }

    func testTablesMergeExactlyAndRoundTripThroughJSON() throws {
        let rows = Self.population(900, seed: 11)
        let (whole, _) = try simulate(rows)
        let (a, _) = try simulate(Array(rows[..<400])), (b, _) = try simulate(Array(rows[400...]), workers: 1)
        var merged = try SummaryJSON.parse(SummaryJSON.render(a))
        try merged.merge(try SummaryJSON.parse(SummaryJSON.render(b)))
        XCTAssertEqual(merged.tables, whole.tables)
        XCTAssertEqual(try SummaryJSON.parse(SummaryJSON.render(whole)), whole)
        // A part whose table rows contradict its decided count is refused, naming the field.
        var bad = whole
        let high = bad.tables["grade"]?.rows["high"] ?? 0
        bad.tables["grade"]?.rows["high"] = high + 1
        XCTAssertThrowsError(try SummaryJSON.parse(SummaryJSON.render(bad))) { error in
            XCTAssertTrue("\(error)".contains("tables.grade.rows"), "\(error)")
        }
        // A table that is a different kind in two parts is refused.
        var other = b
        other.tables["grade"]?.kind = "segments"
        var m = a
        XCTAssertThrowsError(try m.merge(other))
    }

    func testDiffCountsTableRowsOnEachSide() throws {
        let rows = Self.population(600, seed: 3)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-tables-\(UUID().uuidString).jsonl")
        try (rows.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let d = try PolicyDiff(base: Self.policy, candidate: Self.policy, options: DiffOptions()).run(input: handle)
        XCTAssertEqual(d.baseTableRows, d.candidateTableRows)
        var expected: [String: Int] = [:]
        for r in rows {
            for t in try Self.policy.evaluate(json: r).tables where t.kind == "decision_table" || t.kind == "segments" {
                for l in t.labels.isEmpty ? [TableCounts.noRow] : t.labels { expected["\(t.table) \(l)", default: 0] += 1 }
            }
        }
        XCTAssertEqual(d.baseTableRows, expected)
        XCTAssertTrue(DiffRendering.json(d).contains(#""table_rows""#))
    }
}
