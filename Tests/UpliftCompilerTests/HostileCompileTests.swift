import Foundation
import XCTest
import UpliftBundle
import UpliftChecker
@testable import UpliftCompiler

/// Bundles whose size made compiling quadratic or its output deep: a 20,000-entry catalogue
/// (the catalogue index searched the string pool once per entry), a 10,000-term `or` and a
/// 10,000-item membership list (now balanced trees, so code generation and jump threading see
/// a shallow tree). Sizes are instant when linear in a debug build; no timing is asserted.
final class HostileCompileTests: XCTestCase {
    static let schema = """
    record Certificate {
      type: string
    }
    facts Applicant {
      id: string pii
      age: integer
      certificates: list of Certificate
    }
    """

    func compile(_ rules: String, tables: [String: String] = [:]) throws -> (CheckedPolicy, Program) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = "name: t\nversion: 1.0.0\nschema: schema.uplift\nrules: [policy.uplift]\n"
            + (tables.isEmpty ? "" : "tables: [\(tables.keys.sorted().joined(separator: ", "))]\n")
        try manifest.write(to: dir.appendingPathComponent("bundle.yaml"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: dir.appendingPathComponent("schema.uplift"), atomically: true, encoding: .utf8)
        try ("reason R \"r\"\n" + rules).write(to: dir.appendingPathComponent("policy.uplift"), atomically: true, encoding: .utf8)
        for (name, text) in tables { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let (bundle, d) = BundleLoader.load(directory: dir.path)
        XCTAssertEqual(d.all.filter { $0.severity == .error }.map(\.message), [])
        let (policy, d2) = PolicyChecker.check(try XCTUnwrap(bundle))
        XCTAssertEqual(d2.all.filter { $0.severity == .error }.map(\.message), [])
        let checked = try XCTUnwrap(policy)
        return (checked, PolicyCompiler.compile(checked))
    }

    func testA20000EntryCatalogueIsIndexedByKey() throws {
        var t = "kind: catalogue\nname: catalogue\nentry_columns:\n  points: integer\ncategories:\n  c:\n    entries:\n"
        for i in 0..<20_000 { t += "      e\(i): \(i % 100)\n" }
        let (policy, program) = try compile("let s = sum(catalogue[c.type].points for c in certificates where c.type in catalogue)\nreport s\ndecline R when s > 1000\n",
                                            tables: ["cat.yaml": t])
        XCTAssertEqual(policy.catalogues.first?.entries.count, 20_000)
        // The index maps each entry's string id to its row: spot-check the last entry.
        let id = try XCTUnwrap(policy.strings.firstIndex(of: "e19999"))
        XCTAssertTrue(program.tableData.contains(19_999))
        XCTAssertGreaterThan(program.tableData.count, id)
    }

    func testA10000TermOrAndA10000ItemListCompile() throws {
        let chain = (0..<10_000).map { "age == \($0)" }.joined(separator: " or ")
        let items = (0..<10_000).map(String.init).joined(separator: ", ")
        let (_, program) = try compile("reason S \"s\"\ndecline R when \(chain)\nrefer S when age in [\(items)]\n")
        // One compare-and-jump per term at least; the shallow tree keeps the stack small.
        XCTAssertGreaterThan(program.code.count, 20_000)
        XCTAssertLessThan(program.stackSize, 64)
    }
}
