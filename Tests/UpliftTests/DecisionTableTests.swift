import Foundation
import XCTest
import Uplift

/// `kind: decision_table`: cells as risk officers write them, every hit policy, outputs of
/// every column type, the checker's findings at the YAML line, and the same decisions from the
/// VM and the reference interpreter.
final class DecisionTableTests: XCTestCase {
    static let schema = """
    record Item { size: integer }
    facts Applicant {
      score: integer between -100 and 200
      late: integer between 0 and 50
      verified: bool
      status: enum(full_time, part_time, none)
      years: integer between 0 and 60
      maybe: integer optional
      limit: money between 0 and 1000000
      items: list of Item
    }
    """

    /// Loads a bundle with `rules` and the given table files.
    func load(_ rules: String, _ tables: [String: String]) -> Result<Policy, PolicyLoadError> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-dt-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = tables.keys.sorted()
        var files = ["bundle.yaml": "name: dt\nversion: \"1\"\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [\(names.joined(separator: ", "))]\n",
                     "schema.uplift": Self.schema, "policy.uplift": rules]
        for (k, v) in tables { files[k] = v }
        for (name, text) in files { try? text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        do { return .success(try Policy.load(bundle: dir.path)) } catch { return .failure(error) }
    }

    func applicant(score: Int = 50, late: Int = 0, verified: Bool = true, status: String = "full_time", years: Int = 3,
                   maybe: Int? = nil, items: [Int] = []) -> String {
        #"{"score": \#(score), "late": \#(late), "verified": \#(verified), "status": "\#(status)", "years": \#(years), "#
            + #""maybe": \#(maybe.map(String.init) ?? "null"), "limit": 5000, "items": [\#(items.map { #"{"size": \#($0)}"# }.joined(separator: ","))]}"#
    }

    /// Reported values by name, after checking that the VM and the reference interpreter agree.
    func reported(_ p: Policy, _ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        let a = try p.applicant(json: json)
        let vm = try p.evaluate(a), ref = try p.evaluate(a, engine: .reference)
        XCTAssertEqual(vm.reported, ref.reported, file: file, line: line)
        XCTAssertEqual(vm.tables, ref.tables, file: file, line: line)
        return Dictionary(uniqueKeysWithValues: vm.reported.map { ($0.name, $0.text) })
    }

    static let payment = """
    kind: decision_table
    name: payment
    hit: first
    inputs:
      score: score
      late: late
    outputs:
      rating: enum(excellent, good, average, poor)
      note: string
      points: integer
      boost: bool
    rows:
      - { id: top, score: ">= 95", late: "<= 0", rating: excellent, note: "best history", points: 30, boost: true }
      - { id: good, score: "[90..95)", late: "0..1", rating: good, note: good, points: 20, boost: true }
      - { id: mid, score: "in [80, 85, 89]", rating: average, note: "some lates", points: 0, boost: false }
      - { id: rest, score: "-", late: "", rating: poor, note: poor, points: -30, boost: false }
    """

    func testFirstHitEveryCellFormAndOutputType() throws {
        let p = try load("""
        let points = payment.points
        let rating_is_top = payment.rating == excellent
        let note = payment.note
        let boost = payment.boost
        report points, rating_is_top, note, boost
        """, ["payment.yaml": Self.payment]).get()
        XCTAssertEqual(try reported(p, applicant(score: 96, late: 0)), ["points": "30", "rating_is_top": "true", "note": "\"best history\"", "boost": "true"])
        XCTAssertEqual(try reported(p, applicant(score: 92, late: 1))["points"], "20")
        XCTAssertEqual(try reported(p, applicant(score: 96, late: 1))["points"], "-30")  // fails `late <= 0`, and 96 is past [90..95)
        XCTAssertEqual(try reported(p, applicant(score: 95, late: 2))["points"], "-30") // 95 is outside [90..95)
        XCTAssertEqual(try reported(p, applicant(score: 85, late: 9))["points"], "0")
        XCTAssertEqual(try reported(p, applicant(score: 86, late: 0))["points"], "-30")
        let d = try p.evaluate(json: applicant(score: 91, late: 1))
        XCTAssertEqual(d.tables, [TableMatch(table: "payment", kind: "decision_table", rows: [1], labels: ["good"])])
        XCTAssertEqual(p.tables.map(\.rows), [["top", "good", "mid", "rest"]])
        let text = DecisionRenderer.text(d, p.explain(d))
        XCTAssertTrue(text.contains("table:     payment good"), text)
        XCTAssertTrue(text.contains("· top: score >= 95, late <= 0 [score = 91, late = 1]"), text)
        XCTAssertTrue(text.contains("✓ good: score [90..95), late 0..1 [score = 91, late = 1] → matched"), text)
        XCTAssertTrue(DecisionRenderer.json(d).contains(#""payment": "good""#))
    }

    func testNoMatchMakesOutputsMissingUnlessDefault() throws {
        let table = """
        kind: decision_table
        name: t
        inputs: { score: score }
        outputs: { bonus: money }
        rows:
          - { score: "> 100", bonus: 500 }
        """
        // Without a default the output may be missing: reading it bare is refused, `otherwise` decides.
        guard case .failure(let e) = load("let b = t.bonus + 1\nreport b", ["t.yaml": table]) else { return XCTFail("loaded") }
        XCTAssertTrue(e.diagnostics.contains { $0.code == "E252" }, e.description)
        let p = try load("let b = t.bonus otherwise 7\nreport b", ["t.yaml": table]).get()
        XCTAssertTrue(p.warnings.contains { $0.code == "W332" && $0.message.contains("score = 100") }, "\(p.warnings)")
        XCTAssertEqual(try reported(p, applicant(score: 50))["b"], "7.00")
        XCTAssertEqual(try reported(p, applicant(score: 150))["b"], "500.00")
        XCTAssertEqual(try p.evaluate(json: applicant(score: 50)).tables.first?.rows, [])
        let withDefault = try load("let b = t.bonus + 1\nreport b", ["t.yaml": table + "\ndefault: { bonus: 2 }\n"]).get()
        XCTAssertEqual(try reported(withDefault, applicant(score: 50))["b"], "3.00")
        XCTAssertEqual(try withDefault.evaluate(json: applicant(score: 50)).tables.first?.labels, ["default"])
    }

    func testUniqueRefusesProvableOverlapAndFaultsOnAnUnprovableOne() throws {
        let overlap = """
        kind: decision_table
        name: u
        hit: unique
        inputs: { score: score }
        outputs: { v: integer }
        rows:
          - { score: ">= 10", v: 1 }
          - { score: "< 20", v: 2 }
        default: { v: 0 }
        """
        guard case .failure(let e) = load("let x = u.v\nreport x", ["u.yaml": overlap]) else { return XCTFail("loaded") }
        let d = try XCTUnwrap(e.diagnostics.first { $0.code == "E335" }, e.description)
        XCTAssertTrue(d.message.contains("row 1") && d.message.contains("row 2") && d.message.contains("score = "), d.message)
        XCTAssertTrue(e.description.contains("u.yaml:8:5"), e.description)
        // Overlaps the checker cannot see (a list count) fault at evaluation, naming the table.
        let hidden = """
        kind: decision_table
        name: u
        hit: unique
        inputs: { n: count(items) }
        outputs: { v: integer }
        rows:
          - { n: ">= 1", v: 1 }
          - { n: ">= 2", v: 2 }
        default: { v: 0 }
        """
        let p = try load("let x = u.v\nreport x", ["u.yaml": hidden]).get()
        XCTAssertEqual(try reported(p, applicant(items: [1]))["x"], "1")
        XCTAssertEqual(try reported(p, applicant(items: []))["x"], "0")
        for engine in Engine.allCases {
            XCTAssertThrowsError(try p.evaluate(p.applicant(json: applicant(items: [1, 2])), engine: engine)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("two rows of a `unique` decision table") && text.contains("decision table `u`"), text)
            }
        }
    }

    func testCollectPolicies() throws {
        func table(_ hit: String) -> String {
            """
            kind: decision_table
            name: c
            hit: \(hit)
            inputs: { score: score, verified: verified }
            outputs: { points: integer }
            rows:
              - { verified: "true", points: 5 }
              - { score: ">= 50", points: 3 }
              - { score: "not in [0..10]", points: -1 }
            """
        }
        let cases: [(String, String, [String: String], [Int])] = [
            ("collect sum", "c.points", ["x": "7"], [0, 1, 2]),
            ("collect min", "c.points otherwise 99", ["x": "-1"], [0, 1, 2]),
            ("collect max", "c.points otherwise 99", ["x": "5"], [0, 1, 2]),
            ("collect count", "c.count", ["x": "3"], [0, 1, 2]),
            ("collect list", "c.count", ["x": "3"], [0, 1, 2]),
        ]
        for (hit, read, expected, rows) in cases {
            let p = try load("let x = \(read)\nreport x", ["c.yaml": table(hit)]).get()
            XCTAssertEqual(try reported(p, applicant(score: 60, verified: true)), expected, hit)
            XCTAssertEqual(try p.evaluate(json: applicant(score: 60, verified: true)).tables.first?.rows, rows, hit)
            // No row: sums are 0, min and max missing, counts 0.
            let none = try reported(p, applicant(score: 5, verified: false))["x"]
            XCTAssertEqual(none, hit == "collect sum" || hit.hasSuffix("count") || hit.hasSuffix("list") ? "0" : "99", hit)
        }
        let p = try load("let x = c.points\nreport x", ["c.yaml": table("collect sum")]).get()
        let d = try p.evaluate(json: applicant(score: 60, verified: false))
        let text = DecisionRenderer.text(d, p.explain(d))
        XCTAssertTrue(text.contains("· row 1: verified true [verified = false]") && text.contains("→ row 2, row 3 [points = 2]"), text)
    }

    func testCheckerFindingsAreLocatedInTheYAML() throws {
        func diagnostics(_ table: String, rules: String = "let x = t.v otherwise 0\nreport x") -> [Diagnostic] {
            switch load(rules, ["t.yaml": table]) {
            case .failure(let e): return e.diagnostics
            case .success(let p): return p.warnings
            }
        }
        let base = "kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { v: integer }\n"
        // A comma means *or*: this cell matches everything, and hides the rows after it.
        let comma = diagnostics(base + "rows:\n  - { score: \">= 30, < 50\", v: 1 }\n  - { score: \"< 10\", v: 2 }\n")
        XCTAssertTrue(comma.contains { $0.code == "W331" }, "\(comma)")
        XCTAssertTrue(comma.contains { $0.code == "W330" && $0.message.contains("row `row 1`") }, "\(comma)")
        let codes: [(String, String)] = [
            (base + "rows:\n  - { score: \">=\", v: 1 }\n", "E330"),
            (base + "hit: firts\nrows:\n  - { v: 1 }\n", "E331"),
            ("kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { count: integer }\nhit: collect sum\nrows:\n  - { count: 1 }\n", "E332"),
            ("kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { v: string }\nhit: collect sum\nrows:\n  - { v: a }\n", "E333"),
            ("kind: decision_table\nname: t\ninputs: { m: maybe }\noutputs: { v: integer }\nrows:\n  - { v: 1 }\n", "E334"),
            (base + "complete: true\nrows:\n  - { score: \"< 0\", v: 1 }\n", "E336"),
            (base + "rows:\n  - { id: a, score: \"< 0\", v: 1 }\n  - { id: a, v: 2 }\n", "E337"),
            ("kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { v: \"enum(low, high)\" }\nrows:\n  - { v: hihg }\n", "E304"),
            (base + "rows:\n  - { score: \"< 0\", v: 1 }\n  - { score: \"< -5\", v: 2 }\n  - { v: 3 }\n", "W330"),
            (base + "hit: collect sum\nrows:\n  - { score: \"< 0\", v: 1 }\ndefault: { v: 0 }\n", "W334"),
        ]
        for (table, code) in codes {
            let d = diagnostics(table)
            XCTAssertTrue(d.contains { $0.code == code }, "expected \(code) for\n\(table)\ngot \(d.map { "\($0.code) \($0.message)" })")
        }
        let gap = diagnostics(base + "complete: true\nrows:\n  - { score: \"< 0\", v: 1 }\n")
        XCTAssertTrue(gap.contains { $0.code == "E336" && $0.message.contains("score = 0") }, "\(gap)")
        // The enum typo is suggested.
        let typo = diagnostics("kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { v: \"enum(low, high)\" }\nrows:\n  - { v: hihg }\n")
        XCTAssertTrue(typo.contains { $0.help?.contains("`high`") == true }, "\(typo)")
    }

    func testConditionColumnsHoldWholeConditions() throws {
        let p = try load("let x = e.tier\nreport x", ["e.yaml": """
        kind: decision_table
        name: e
        inputs: { employment: ~, score: score }
        outputs: { tier: integer }
        rows:
          - { employment: "status == full_time and years >= 5", score: ">= 50", tier: 1 }
          - { employment: "status != none", tier: 2 }
          - { tier: 3 }
        """]).get()
        XCTAssertEqual(try reported(p, applicant(score: 60, status: "full_time", years: 6))["x"], "1")
        XCTAssertEqual(try reported(p, applicant(score: 60, status: "full_time", years: 4))["x"], "2")
        XCTAssertEqual(try reported(p, applicant(score: 60, status: "none", years: 9))["x"], "3")
    }

    /// 4,000 rows: checking is bounded (the masking analysis reports W333 rather than
    /// comparing every pair), and evaluation picks the right row.
    func testLargeTablesCheckInBoundedTime() throws {
        var rows = ""
        for k in 0..<4_000 { rows += "  - { score: \"\(k - 100)\", v: \(k) }\n" }
        let p = try load("let x = t.v otherwise -1\nreport x", ["t.yaml": "kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { v: integer }\nrows:\n" + rows]).get()
        XCTAssertEqual(try reported(p, applicant(score: 150))["x"], "250")
        XCTAssertEqual(try reported(p, applicant(score: -100))["x"], "0")
    }

    /// Findings of the review of the first version, each pinned.
    func testReviewFindings() throws {
        func diagnostics(_ table: String, rules: String = "let x = t.v otherwise 0\nreport x") -> [Diagnostic] {
            switch load(rules, ["t.yaml": table]) {
            case .failure(let e): return e.diagnostics
            case .success(let p): return p.warnings
            }
        }
        // `complete: true` on a table too large to prove complete is an error, not a silent trust.
        var rows = ""
        for k in 0..<1_500 { rows += "  - { s: \"== \(k)\", v: \(k) }\n" }
        let big = diagnostics("kind: decision_table\nname: t\ncomplete: true\ninputs: { s: score }\noutputs: { v: integer }\nrows:\n" + rows,
                              rules: "let x = t.v <= 0\nreport x")
        XCTAssertTrue(big.contains { $0.code == "E336" }, "\(big.map(\.code))")
        // `default` is the default row's name; `id` is each row's key.
        let base = "kind: decision_table\nname: t\ninputs: { score: score }\noutputs: { v: integer }\n"
        XCTAssertTrue(diagnostics(base + "rows:\n  - { id: default, score: \"> 0\", v: 1 }\ndefault: { v: 9 }\n").contains { $0.code == "E337" })
        XCTAssertTrue(diagnostics("kind: decision_table\nname: t\ninputs: { id: score }\noutputs: { v: integer }\nrows:\n  - { v: 1 }\n").contains { $0.code == "E332" })
        // A table with an error is reported once, however many rules read it.
        let once = diagnostics("kind: decision_table\nname: t\ninputs: { m: maybe }\noutputs: { v: integer }\nrows:\n  - { v: 1 }\n",
                               rules: "let x = t.v\nlet y = t.v\nlet z = t.v\nreport x, y, z")
        XCTAssertEqual(once.filter { $0.code == "E334" }.count, 1, "\(once.map(\.code))")
        // A collect row that can never match is found too.
        XCTAssertTrue(diagnostics(base + "hit: collect sum\nrows:\n  - { score: \"[5..1]\", v: 1 }\n", rules: "let x = t.v\nreport x").contains { $0.code == "W330" })
        // A block scalar's final newline does not stop `-` from meaning "any value".
        XCTAssertFalse(diagnostics(base + "rows:\n  - score: |\n      -\n    v: 1\n").contains { $0.severity == .error })
        // A collect table's rows are always a JSON list, one or none alike; count and list show no outputs.
        let p = try load("let x = c.count\nreport x", ["c.yaml": base.replacingOccurrences(of: "name: t", with: "name: c")
            + "hit: collect count\nrows:\n  - { score: \"< 0\", v: 1 }\n  - { score: \"< 10\", v: 2 }\n"]).get()
        for (score, json) in [(-3, #"["row 1","row 2"]"#), (5, #"["row 2"]"#), (50, "[]")] {
            let d = try p.evaluate(json: applicant(score: score))
            XCTAssertTrue(DecisionRenderer.json(d).contains(#""c": \#(json)"#), DecisionRenderer.json(d))
            XCTAssertFalse(DecisionRenderer.text(d, p.explain(d)).contains("missing"), DecisionRenderer.text(d, p.explain(d)))
        }
    }
}
