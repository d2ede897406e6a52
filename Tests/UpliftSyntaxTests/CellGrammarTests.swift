import Foundation
import XCTest
import UpliftSyntax

/// Reads `grammar/cells.ebnf` (with the rule grammar it builds on), generates random cells from
/// it and checks that `CellParser` accepts every one as a condition on the input: the grammar
/// file and the cell parser agree. Invalid cells are refused with a located error.
final class CellGrammarTests: XCTestCase {
    typealias G = GrammarGeneratorTests

    func testCellParserAcceptsEveryGeneratedCell() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var rules = G.EBNF.parse(try String(contentsOf: root.appendingPathComponent("grammar/uplift.ebnf"), encoding: .utf8))
        for (k, v) in G.EBNF.parse(try String(contentsOf: root.appendingPathComponent("grammar/cells.ebnf"), encoding: .utf8)) { rules[k] = v }
        XCTAssertNotNil(rules["cell"])
        let input = Expr(.name("input"), Span(file: 0, start: 0, end: 5))
        var forms = Set<String>()
        for seed in 0..<UInt64(1_500) {
            var g = G.Generator(rules: rules, rng: G.SystemRandomNumberGeneratorFree(state: seed))
            g.emit(.nonterminal("cell"))
            let text = g.out.joined(separator: " ")
            let (e, d) = CellParser.parse(text, input: input, file: 0, base: 0)
            if d.hasErrors {
                var map = SourceMap()
                _ = map.add(SourceFile(path: "cell", text: text))
                return XCTFail("seed \(seed): the grammar generated a cell the parser rejects: \(text)\n\(DiagnosticRenderer.render(d.all, in: map))")
            }
            if text == "-" { XCTAssertNil(e, text) } else { XCTAssertNotNil(e, text) }
            forms.insert(text.hasPrefix("not in") ? "not in" : text.hasPrefix("in") ? "in" : text.first.map(String.init) ?? "")
        }
        XCTAssertTrue(forms.isSuperset(of: ["-", "in", "not in", "[", ">"]), "\(forms)")
    }

    func testMalformedCellsAreLocatedErrors() {
        let input = Expr(.name("input"), Span(file: 0, start: 0, end: 5))
        for text in [">=", ">= 30,", "[30..", "in [1, 2", "30 40", "\"a, b\" 3"] {
            let (_, d) = CellParser.parse(text, input: input, file: 0, base: 100)
            XCTAssertTrue(d.hasErrors, text)
            XCTAssertTrue(d.all.allSatisfy { $0.span.start >= 100 && $0.span.start <= 100 + text.utf8.count }, "\(text): \(d.all.map(\.span))")
        }
    }

    /// Commas and `..` inside strings and lists belong to the value, not to the cell.
    func testStringsKeepTheirCommasAndDots() throws {
        let input = Expr(.name("input"), Span(file: 0, start: 0, end: 5))
        for text in [#"in ["a, b", "q \" , q"]"#, #""x..y""#, #""a, b", "c""#] {
            let (e, d) = CellParser.parse(text, input: input, file: 0, base: 0)
            XCTAssertFalse(d.hasErrors, text)
            guard let e else { return XCTFail(text) }
            switch (text.first, e.kind) {
            case ("i", .membership(_, let list, negated: false)):
                if case .list(let items) = list.kind { XCTAssertEqual(items.count, 2, text) } else { XCTFail(text) }
            case ("\"", .binary(.eq, _, _)) where !text.contains(","): break
            case ("\"", .binary(.or, _, _)): break
            default: XCTFail("\(text): \(e.kind)")
            }
        }
    }
}
