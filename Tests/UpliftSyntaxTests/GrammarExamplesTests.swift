import Foundation
import XCTest
import UpliftSyntax

/// Every rule file in `policies/` and every `uplift` example in the docs parses without error,
/// and every declaration keyword the parser knows is in `grammar/uplift.ebnf`.
final class GrammarExamplesTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func assertParses(_ text: String, _ name: String) {
        let (_, d) = Parser.parseFile(SourceFile(path: name, text: text), file: 0)
        var map = SourceMap()
        _ = map.add(SourceFile(path: name, text: text))
        XCTAssertFalse(d.hasErrors, "\(name):\n\(DiagnosticRenderer.render(d.all, in: map))")
    }

    func testPolicyFilesParse() throws {
        let e = FileManager.default.enumerator(atPath: Self.root.appendingPathComponent("policies").path)
        var count = 0
        while let f = e?.nextObject() as? String {
            guard f.hasSuffix(".uplift") else { continue }
            assertParses(try String(contentsOf: Self.root.appendingPathComponent("policies/\(f)"), encoding: .utf8), f)
            count += 1
        }
        XCTAssertGreaterThanOrEqual(count, 2)
    }

    func testDocumentationExamplesParse() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let blocks = doc.components(separatedBy: "```uplift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertGreaterThanOrEqual(blocks.count, 6)
        for (i, b) in blocks.enumerated() { assertParses(b, "docs/language.md block \(i + 1)") }
    }

    func testGrammarNamesEveryKeyword() throws {
        let grammar = try String(contentsOf: Self.root.appendingPathComponent("grammar/uplift.ebnf"), encoding: .utf8)
        for k in Parser.declarationKeywords.union(Parser.reserved) { XCTAssertTrue(grammar.contains("\"\(k)\""), k) }
        for a in AggregateKind.allCases { XCTAssertTrue(grammar.contains("\"\(a.rawValue)\""), a.rawValue) }
    }
}
