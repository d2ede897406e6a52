import Foundation
import XCTest
import Uplift

/// Each language construct, evaluated by the VM on one applicant, gives the value its
/// documentation promises. Values are checked through `report`, as a policy author would.
final class LanguageSemanticsTests: XCTestCase {
    static let schema = """
    record Item {
      kind: enum(a, b, c)
      label: string
      amount: money
      weight: decimal
      due: date optional
    }
    facts Applicant {
      as_of: date
      n: integer
      m: money
      ratio: decimal
      maybe: integer optional
      flag: bool
      word: string
      items: list of Item
    }
    """
    static let applicant = """
    {"as_of": "2024-12-23", "n": 7, "m": 1100.10, "ratio": 0.25, "maybe": null, "flag": true, "word": "hello",
     "items": [
       {"kind": "a", "label": "x", "amount": 10.50, "weight": 0.5, "due": "2024-12-31"},
       {"kind": "b", "label": "y", "amount": 20, "weight": 1.5},
       {"kind": "a", "label": "z", "amount": 30.25, "weight": 0.1, "due": "2024-01-01"}]}
    """

    /// Evaluates `expressions` as reported values and returns their texts by name.
    func values(_ expressions: [(String, String)]) throws -> [String: String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-sem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = expressions.map { "let \($0.0) = \($0.1)" }.joined(separator: "\n") + "\nreport " + expressions.map(\.0).joined(separator: ", ") + "\n"
        let files = ["bundle.yaml": "name: sem\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
                     "schema.uplift": Self.schema, "policy.uplift": rules]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let policy: Policy
        do { policy = try Policy.load(bundle: dir.path) } catch { XCTFail(error.description); return [:] }
        let d = try policy.evaluate(json: Self.applicant)
        return Dictionary(uniqueKeysWithValues: d.reported.map { ($0.name, $0.text) })
    }

    func testArithmeticIsExact() throws {
        let v = try values([("a", "3 * m - 3000.30"), ("b", "m * 1.2"), ("c", "m / 3"), ("d", "n / 2"), ("e", "-n + 10"),
                            ("f", "ratio * ratio"), ("g", "m * ratio"), ("h", "round_down(m, 100)"), ("i", "round_up(m, 100)"),
                            ("j", "round(m, 1000)"), ("k", "min(m, 500, 2000)"), ("l", "max(n, 3)"), ("o", "abs(0 - n)")])
        XCTAssertEqual(v, ["a": "300.00", "b": "1320.12", "c": "366.70", "d": "3.5", "e": "3", "f": "0.0625", "g": "275.025",
                           "h": "1100.00", "i": "1200.00", "j": "1000.00", "k": "500.00", "l": "7", "o": "7"])
    }

    func testLogicComparisonsAndMembership() throws {
        let v = try values([("a", "n between 7 and 9"), ("b", "n in 8..9"), ("c", "word in [\"hi\", \"hello\"]"), ("d", "not flag or n > 100"),
                            ("e", "if n >= 7 then 1 else 2"), ("f", "word != \"hello\""), ("g", "as_of > 2024-12-01"),
                            ("h", "days_between(2024-12-01, as_of)"), ("i", "n not in [1, 2, 3]")])
        XCTAssertEqual(v, ["a": "true", "b": "false", "c": "true", "d": "false", "e": "1", "f": "false", "g": "true", "h": "22", "i": "true"])
    }

    func testOptionalHandling() throws {
        let v = try values([("a", "maybe is missing"), ("b", "maybe otherwise 5"), ("c", "maybe is present and maybe > 3"),
                            ("d", "if maybe is present then maybe else 0")])
        XCTAssertEqual(v, ["a": "true", "b": "5", "c": "false", "d": "0"])
    }

    func testAggregations() throws {
        let v = try values([
            ("a", "count(items)"), ("b", "count(i for i in items where i.kind == a)"), ("c", "sum(i.amount for i in items)"),
            ("d", "max(i.weight for i in items) otherwise 0"), ("e", "min(i.amount for i in items where i.kind == c) otherwise 0"),
            ("f", "any(i.label == \"y\" for i in items)"), ("g", "all(i.amount > 10 for i in items)"),
            ("h", "sum(max(i.amount) for i in items group by i.kind)"), ("i", "count(count() for i in items group by i.kind)"),
            ("j", "count([i for i in items where i.due is present and i.due >= as_of])"),
            ("k", "sum(i.amount for i in items where i.due is missing or i.due < as_of)"),
            ("l", "all(i.weight > 5 for i in [i for i in items where i.kind == c])"),
        ])
        XCTAssertEqual(v, ["a": "3", "b": "2", "c": "60.75", "d": "1.5", "e": "0.00", "f": "true", "g": "true",
                           "h": "50.25", "i": "2", "j": "1", "k": "50.25", "l": "true"])
    }

    func testNamedValuesAreOrderIndependent() throws {
        let v = try values([("late", "early + 1"), ("early", "n * 2")])
        XCTAssertEqual(v, ["late": "15", "early": "14"])
    }
}
