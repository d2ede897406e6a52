import Foundation
import XCTest
import Uplift

/// The YAML tables of docs/language.md "Tables (YAML)" load, as table files of one small
/// bundle whose rules are that section's rule examples, and decide what the text says they do.
final class LanguageTableExamplesTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let schema = """
    facts Applicant {
      age: integer between 0 and 150
      occupation: enum(employee, rider, blue_collar, student, self_employed, other)
      job_tenure_months: integer between 0 and 1200
      account_age_months: integer between 0 and 1200
      max_overdue_days_12m: integer between 0 and 36500
      score: integer between 0 and 1000
    }
    """

    /// The section's fenced blocks of `language` (```yaml, ```uplift).
    static func blocks(_ language: String) throws -> [String] {
        let doc = try String(contentsOf: root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        guard let start = doc.range(of: "\n## Tables (YAML)\n") else { return [] }
        let rest = doc[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        return section.components(separatedBy: "```\(language)\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    /// The section's tables (named by their `name:`) in one bundle, with the section's rules.
    func load() throws -> (Policy, [String: String]) {
        let tables = try Self.blocks("yaml")
        XCTAssertGreaterThanOrEqual(tables.count, 7, "catalogue, bands, segments and four decision tables")
        let rules = try Self.blocks("uplift").joined(separator: "\n")
            + "\nreport history_points, spotless, loyalty_points, loyalty_reasons\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-doc-tables-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tables"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        var files: [String: String] = [:]
        for (i, t) in tables.enumerated() {
            let name = t.split(separator: "\n").first { $0.hasPrefix("name: ") }.map { String($0.dropFirst(6)) } ?? "table\(i)"
            files[name] = "tables/\(i)-\(name).yaml"
            try t.write(to: dir.appendingPathComponent(files[name] ?? ""), atomically: true, encoding: .utf8)
        }
        let bundle = "name: doc\nversion: \"1\"\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [\(files.values.sorted().joined(separator: ", "))]\n"
        for (name, text) in ["bundle.yaml": bundle, "schema.uplift": Self.schema, "policy.uplift": rules] {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        do { return (try Policy.load(bundle: dir.path), files) } catch {
            XCTFail("the examples of docs/language.md \"Tables (YAML)\" do not load:\n\(error)")
            throw error
        }
    }

    func applicant(age: Int = 30, occupation: String = "employee", tenure: Int = 12, account: Int = 12, late: Int = 0) -> String {
        #"{"age": \#(age), "occupation": "\#(occupation)", "job_tenure_months": \#(tenure), "account_age_months": \#(account), "#
            + #""max_overdue_days_12m": \#(late), "score": 50}"#
    }

    func testTheSectionsTablesLoadAndDecideAsDescribed() throws {
        let (policy, files) = try load()
        XCTAssertEqual(Set(policy.tables.map(\.name)), ["amount_band", "segment", "payment_history", "age_band", "tenure_bonus", "loyalty"])
        func matched(_ d: Decision, _ table: String) -> [String] { d.tables.first { $0.table == table }?.labels ?? ["?"] }
        func reported(_ d: Decision) -> [String: String] { Dictionary(uniqueKeysWithValues: d.reported.map { ($0.name, $0.text) }) }

        // "With late = 2 and account = 18 the second row matches: rating is good, points 20."
        let good = try policy.evaluate(json: applicant(account: 18, late: 2))
        XCTAssertEqual(matched(good, "payment_history"), ["good"])
        XCTAssertEqual(reported(good)["history_points"], "20")
        XCTAssertEqual(reported(good)["spotless"], "false")
        XCTAssertEqual(policy.tables.first { $0.name == "payment_history" }?.rows, ["top", "good", "row 3", "rest"])
        let explained = DecisionRenderer.text(good, policy.explain(good))
        XCTAssertTrue(explained.contains("✓ good: late [1..3], account >= 12 [max_overdue_days_12m = 2, account_age_months = 18] → matched"), explained)
        let top = try policy.evaluate(json: applicant(account: 30, late: 0))
        XCTAssertEqual(reported(top)["spotless"], "true")
        XCTAssertEqual(matched(try policy.evaluate(json: applicant(late: 9)), "payment_history"), ["row 3"])
        XCTAssertEqual(matched(try policy.evaluate(json: applicant(late: 99)), "payment_history"), ["rest"])

        // "15 with 40 months in the job and a 30-month account."
        let loyal = try policy.evaluate(json: applicant(tenure: 40, account: 30))
        XCTAssertEqual(reported(loyal)["loyalty_points"], "15")
        XCTAssertEqual(reported(loyal)["loyalty_reasons"], "2")
        XCTAssertEqual(matched(loyal, "loyalty"), ["row 1", "row 2"])

        // Whole conditions; the default when no row matches.
        XCTAssertEqual(matched(try policy.evaluate(json: applicant(age: 30, tenure: 40)), "tenure_bonus"), ["settled"])
        XCTAssertEqual(matched(try policy.evaluate(json: applicant(age: 20, tenure: 40)), "tenure_bonus"), ["working"])
        XCTAssertEqual(matched(try policy.evaluate(json: applicant(occupation: "student")), "tenure_bonus"), ["default"])

        // The comma example: the first row matches every age, and hides the second.
        for age in [0, 10, 29, 30, 49, 50, 150] {
            XCTAssertEqual(matched(try policy.evaluate(json: applicant(age: age)), "age_band"), ["row 1"], "age \(age)")
        }
        let zen = policy.warnings.filter { $0.code.hasPrefix("W33") && policy.sources.describe($0.span).contains(files["age_band"] ?? "-") }
        XCTAssertEqual(Set(zen.map(\.code)), ["W331", "W330"], "\(policy.warnings.map { "\($0.code) \(policy.sources.describe($0.span))" }) \(files)")
        // The other examples are clean.
        let others = policy.warnings.filter { ["W330", "W331", "W332", "W333"].contains($0.code) && !policy.sources.describe($0.span).contains(files["age_band"] ?? "-") }
        XCTAssertEqual(others.map { "\($0.code) \($0.message)" }, [])
    }

    /// A bundle with one decision table `t` of one row, `input: "cell"`, over inputs of every
    /// kind the cells table uses (integer, decimal, enum, bool).
    func cellPolicy(_ input: String, _ cell: String) throws -> Result<Policy, PolicyLoadError> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-doc-cell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = "facts Applicant {\n  n: integer between 0 and 1000\n  d: decimal between 0 and 10\n"
            + "  o: enum(employee, rider, student)\n  r: enum(excellent, good)\n  b: bool\n}\n"
        let table = "kind: decision_table\nname: t\ninputs: { n: n, d: d, o: o, r: r, b: b }\noutputs: { v: integer }\n"
            + "rows:\n  - { \(input): \"\(cell)\", v: 1 }\ndefault: { v: 0 }\n"
        let files = ["bundle.yaml": "name: c\nversion: \"1\"\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [t.yaml]\n",
                     "schema.uplift": schema, "policy.uplift": "let x = t.v\nreport x\n", "t.yaml": table]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        do { return .success(try Policy.load(bundle: dir.path)) } catch { return .failure(error) }
    }

    /// Every cell of the section's cells table reads (on an input of a fitting type), and the
    /// forms mean what the table says.
    func testEveryCellOfTheCellsTableReadsAndMeansWhatItSays() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let table = try XCTUnwrap(doc.components(separatedBy: "| cell | matches when the input |\n").dropFirst().first?.components(separatedBy: "\n\n").first)
        let pattern = try NSRegularExpression(pattern: "`([^`]*)`")
        var cells: [String] = []
        for line in table.split(separator: "\n").dropFirst() {
            let first = String(line.split(separator: "|").first ?? "")
            for m in pattern.matches(in: first, range: NSRange(first.startIndex..., in: first)) {
                if let r = Range(m.range(at: 1), in: first) { cells.append(String(first[r])) }
            }
        }
        XCTAssertGreaterThanOrEqual(cells.count, 18, "\(cells)")
        for cell in cells {
            var reads = false
            for input in ["n", "d", "o", "r", "b"] where !reads {
                if case .success = try cellPolicy(input, cell) { reads = true }
            }
            XCTAssertTrue(reads, "the documented cell `\(cell)` reads on no input")
        }
        // (input, cell, values it matches, values it does not)
        let meanings: [(String, String, [String], [String])] = [
            ("n", ">= 95, 0", ["0", "95", "200"], ["1", "94"]),
            ("n", "[30..50)", ["30", "49"], ["29", "50"]),
            ("d", "(0..1]", ["0.01", "1"], ["0", "1.01"]),
            ("n", "30..49", ["30", "49"], ["29", "50"]),
            ("n", "in [80, 85, 89]", ["80", "89"], ["81"]),
            ("n", "in [0..10]", ["0", "10"], ["11"]),
            ("n", "not in [0..10]", ["11"], ["0", "10"]),
            ("o", "not in [employee, rider]", ["\"student\""], ["\"rider\""]),
            ("n", "-", ["0", "1000"], []),
            ("n", "!= 0", ["1"], ["0"]),
        ]
        for (input, cell, yes, no) in meanings {
            let p = try cellPolicy(input, cell).get()
            for (values, expected) in [(yes, "1"), (no, "0")] {
                for v in values {
                    var fields = ["n": "5", "d": "5", "o": "\"employee\"", "r": "\"good\"", "b": "true"]
                    fields[input] = v
                    let json = "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
                    XCTAssertEqual(try p.evaluate(json: json).reported.first?.text, expected, "`\(cell)` with \(input) = \(v)")
                }
            }
        }
    }

    /// A `collect min`/`max` table folds the matching rows only, so its outputs are missing
    /// when none matches even with a `default:` row: reading one bare is refused (it used to be
    /// typed as always present and read the missing marker as a number).
    func testCollectMinOutputsAreMissingEvenWithADefaultRow() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-doc-collect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let table = "kind: decision_table\nname: t\nhit: collect min\ninputs: { s: score }\noutputs: { p: integer }\nrows:\n  - { s: \">= 60\", p: 3 }\ndefault: { p: 7 }\n"
        func load(_ rules: String) throws -> Result<Policy, PolicyLoadError> {
            let files = ["bundle.yaml": "name: c\nversion: \"1\"\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [t.yaml]\n",
                         "schema.uplift": Self.schema, "policy.uplift": rules, "t.yaml": table]
            for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            do { return .success(try Policy.load(bundle: dir.path)) } catch { return .failure(error) }
        }
        guard case .failure(let e) = try load("let x = t.p + 1\nreport x") else { return XCTFail("a bare read of a collect min output loaded") }
        XCTAssertTrue(e.diagnostics.contains { $0.code == "E252" }, e.description)
        let p = try load("let x = t.p otherwise 0\nreport x").get()
        XCTAssertEqual(try p.evaluate(json: applicant()).reported.first?.text, "0")
    }
}
