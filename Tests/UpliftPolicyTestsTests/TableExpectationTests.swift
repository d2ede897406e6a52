import Foundation
import XCTest
import Uplift
@testable import UpliftPolicyTests

/// `tables:` expectations and decision-table row coverage, on a small bundle with a band
/// table, a segment table and decision tables of the hit policies first, unique (with a
/// default row) and collect sum.
final class TableExpectationTests: XCTestCase {
    static let files: [String: String] = [
        "bundle.yaml": """
        name: tables
        version: "1"
        schema: schema.uplift
        rules: [policy.uplift]
        tables: [tables/band.yaml, tables/segment.yaml, tables/payment.yaml, tables/tier.yaml, tables/bonus.yaml]
        """,
        "schema.uplift": """
        facts Applicant {
          score: integer between 0 and 200
          late: integer between 0 and 50
          verified: bool
        }
        """,
        "policy.uplift": """
        let p = payment.points otherwise 0
        let t = tier.v
        let b = bonus.points
        let a = band.base
        let m = segment.m
        report p, t, b, a, m
        """,
        "tables/band.yaml": """
        kind: bands
        name: band
        input: score
        columns: { base: money }
        bands:
          - { to: 49, base: 0 }
          - { from: 50, base: 100 }
        """,
        "tables/segment.yaml": """
        kind: segments
        name: segment
        columns: { m: decimal }
        segments:
          - { name: low, when: score < 50, m: 0.5 }
          - { name: general, when: true, m: 1 }
        """,
        "tables/payment.yaml": """
        kind: decision_table
        name: payment
        hit: first
        inputs: { score: score, late: late }
        outputs: { points: integer }
        rows:
          - { id: top, score: ">= 95", late: "0", points: 30 }
          - { id: good, score: "[90..95)", points: 20 }
          - { score: "[80..90)", points: 10 }
        """,
        "tables/tier.yaml": """
        kind: decision_table
        name: tier
        hit: unique
        inputs: { score: score }
        outputs: { v: integer }
        rows:
          - { id: low, score: "< 20", v: 1 }
          - { id: high, score: ">= 150", v: 2 }
        default: { v: 0 }
        """,
        "tables/bonus.yaml": """
        kind: decision_table
        name: bonus
        hit: collect sum
        inputs: { verified: verified, score: score, late: late }
        outputs: { points: integer }
        rows:
          - { verified: "true", points: 5 }
          - { score: ">= 50", points: 3 }
          - { late: ">= 10", points: -1 }
        """,
    ]

    /// The bundle above with `tests` as its tests/t.yaml.
    func bundle(tests: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-tables-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in Self.files.merging(["tests/t.yaml": tests], uniquingKeysWith: { $1 }) {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    func run(_ tests: String) throws -> (results: [PolicyTestResult], coverage: PolicyCoverage, loaded: PolicyTestLoader.Loaded) {
        let dir = try bundle(tests: tests)
        let policy = try Policy.load(bundle: dir)
        let loaded = PolicyTestLoader.load(bundle: dir, tables: policy.tables)
        let results = PolicyTestRunner.run(loaded.cases, policy: policy)
        var coverage = PolicyCoverage(policy: policy)
        for r in results { if let d = r.decision, let e = r.explanation { coverage.record(d, e) } }
        return (results, coverage, loaded)
    }

    static let passing = """
    tests:
      - name: a top payer, verified
        applicant: { score: 96, late: 0, verified: true }
        expect:
          segment: general
          band: ≥ 50
          tables: { payment: top, tier: default, bonus: [row 2, row 1], band: ≥ 50, segment: general }
      - name: a low score matches one bonus row and no payment row
        applicant: { score: 10, late: 12, verified: false }
        expect:
          tables: { payment: none, tier: low, bonus: [row 3], segment: low, band: ≤ 49 }
      - name: no bonus row at all
        applicant: { score: 160, late: 0, verified: false }
        expect:
          tables:
            bonus: [row 2]
            tier: high
      - name: a row without an id is called by its number
        applicant: { score: 85, late: 3, verified: false }
        expect:
          tables: { payment: row 3, bonus: [row 2] }
      - name: a good payer
        applicant: { score: 91, late: 3, verified: false }
        expect:
          tables: { payment: good }
      - name: nothing in bonus
        applicant: { score: 30, late: 0, verified: false }
        expect:
          tables: { bonus: none, payment: [] }
    """

    func testTableExpectationsPassForEveryKindOfTable() throws {
        let (results, coverage, loaded) = try run(Self.passing)
        XCTAssertEqual(loaded.diagnostics.map { "\($0.code) \($0.message)" }, [])
        XCTAssertEqual(results.count, 6)
        XCTAssertEqual(results.filter { !$0.passed }.map { "\($0.test.name): \($0.mismatches) \($0.error ?? "")" }, [])
        // Every row of every decision table, default included, was matched by some case.
        XCTAssertEqual(coverage.missing.filter { $0.kind == "decision_table" }.map(\.name), [])
        XCTAssertEqual(coverage.points.filter { $0.kind == "decision_table" }.map(\.name),
                       ["payment top", "payment good", "payment row 3", "tier low", "tier high", "tier default",
                        "bonus row 1", "bonus row 2", "bonus row 3"])
    }

    func testWrongRowsFailWithExpectedAndActual() throws {
        let (results, _, loaded) = try run("""
        tests:
          - name: wrong rows
            applicant: { score: 96, late: 0, verified: true }
            expect:
              segment: low
              tables: { payment: good, tier: low, bonus: [row 1], band: ≤ 49 }
          - name: expected none
            applicant: { score: 85, late: 0, verified: false }
            expect:
              tables: { payment: none, bonus: none }
          - name: expected a row, none matched
            applicant: { score: 30, late: 0, verified: false }
            expect:
              tables: { payment: top, bonus: [row 1, row 3] }
        """)
        XCTAssertEqual(loaded.diagnostics.map(\.message), [])
        XCTAssertEqual(results.map(\.mismatches), [
            [Mismatch(what: "segment", expected: "low", actual: "general"),
             Mismatch(what: "table payment", expected: "good", actual: "top"),
             Mismatch(what: "table tier", expected: "low", actual: "default"),
             Mismatch(what: "table bonus", expected: "[row 1]", actual: "[row 1, row 2]"),
             Mismatch(what: "table band", expected: "≤ 49", actual: "≥ 50")],
            [Mismatch(what: "table payment", expected: "none", actual: "row 3"),
             Mismatch(what: "table bonus", expected: "none", actual: "row 2")],
            [Mismatch(what: "table payment", expected: "top", actual: "none"),
             Mismatch(what: "table bonus", expected: "[row 1, row 3]", actual: "none")],
        ])
        let text = PolicyTestReport.text(results, files: 1)
        XCTAssertTrue(text.contains("table payment: expected good, got top"), text)
        XCTAssertTrue(text.contains("table bonus:   expected [row 1], got [row 1, row 2]"), text)
        XCTAssertTrue(text.hasSuffix("0 passed, 3 failed (3 cases in 1 file)\n"), text)
        XCTAssertTrue(PolicyTestReport.json(results, coverage: nil).contains(#""what":"table payment""#))
    }

    func testUnknownTablesAndRowsAreLocatedWithASuggestion() throws {
        let tests = """
        tests:
          - name: table typo
            applicant: { score: 96, late: 0, verified: true }
            expect: { tables: { paymnt: top } }
          - name: row typo
            applicant: { score: 96, late: 0, verified: true }
            expect: { tables: { payment: tpo } }
          - name: a row in a list
            applicant: { score: 96, late: 0, verified: true }
            expect: { tables: { bonus: [row 1, rwo 2] } }
          - name: two rows of a first-hit table
            applicant: { score: 96, late: 0, verified: true }
            expect: { tables: { payment: [top, good] } }
          - name: segment typo
            applicant: { score: 96, late: 0, verified: true }
            expect: { segment: genral }
          - name: band typo
            applicant: { score: 96, late: 0, verified: true }
            expect: { band: ">= 50" }
          - name: nothing close
            applicant: { score: 96, late: 0, verified: true }
            expect: { tables: { tier: zzzzzzzz } }
        """
        let dir = try bundle(tests: tests)
        let policy = try Policy.load(bundle: dir)
        let loaded = PolicyTestLoader.load(bundle: dir, tables: policy.tables)
        XCTAssertEqual(loaded.cases.count, 0)
        XCTAssertEqual(loaded.diagnostics.map(\.code), ["E405", "E406", "E406", "E407", "E406", "E406", "E406"])
        XCTAssertEqual(loaded.diagnostics.map { $0.help ?? "" }, [
            "did you mean `payment`?", "did you mean `top`?", "did you mean `row 2`?",
            "expect one row, or `none`; only `collect` tables match several",
            "did you mean `general`?", "did you mean `≥ 50`?",
            "its rows are `low`, `high`, `default`; `none` when no row matches",
        ])
        let rendered = DiagnosticRenderer.render(loaded.diagnostics, in: loaded.sources)
        XCTAssertTrue(rendered.contains("tests/t.yaml:4:25"), rendered)   // at `paymnt`
        XCTAssertTrue(rendered.contains("tests/t.yaml:7:34"), rendered)   // at `tpo`
        XCTAssertTrue(rendered.contains("tests/t.yaml:10:40"), rendered)  // at `rwo 2`
        XCTAssertTrue(rendered.contains("the policy has no table `paymnt`"), rendered)
        XCTAssertTrue(rendered.contains("table `payment` matches at most one row (hit policy first), but 2 are expected"), rendered)
        // Read without the policy's tables (as before), names are not checked.
        XCTAssertEqual(PolicyTestLoader.load(bundle: dir).diagnostics.map(\.code), [])
    }

    func testCoverageCountsDecisionTableRowsForEveryHitPolicy() throws {
        // Only the first case: the rows it did not match are listed.
        let first = Self.passing.components(separatedBy: "  - name: a low score")[0]
        let (_, coverage, _) = try run(first)
        XCTAssertEqual(coverage.missing.filter { $0.kind == "decision_table" }.map(\.name),
                       ["payment good", "payment row 3", "tier low", "tier high", "bonus row 3"])
        let text = PolicyTestReport.coverageText(coverage)
        XCTAssertTrue(text.contains("points: gates, referrals, no-change rules, segments, bands, caps, reason codes, decision-table rows)"), text)
        XCTAssertFalse(text.contains("decision_table tier default"), text)
        XCTAssertTrue(text.contains("  decision_table bonus row 3: matched  (bonus table)"), text)
        let json = PolicyTestReport.coverageJSON(coverage)
        XCTAssertTrue(json.contains(#"{"kind":"decision_table","name":"bonus row 3","aspect":"matched","location":"bonus table","covered":false}"#), json)
        XCTAssertTrue(json.contains(#"{"kind":"decision_table","name":"bonus row 1","aspect":"matched","location":"bonus table","covered":true}"#), json)
    }
}
