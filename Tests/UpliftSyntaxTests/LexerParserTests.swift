import XCTest
@testable import UpliftSyntax

final class LexerTests: XCTestCase {
    func tokens(_ s: String) -> ([Token], Diagnostics) {
        var d = Diagnostics()
        let t = Lexer.tokenize(SourceFile(path: "t.uplift", text: s), file: 0, diagnostics: &d)
        return (t, d)
    }

    func testNumbersDatesAndStringsKeepTheirText() {
        let (t, d) = tokens(#"1100.10 2024-12-23 "a \"q\"" # comment"#)
        XCTAssertFalse(d.hasErrors)
        XCTAssertEqual(t.map(\.kind), [.number, .date, .string, .eof])
        XCTAssertEqual(t[0].text, "1100.10")
        XCTAssertEqual(t[2].text, #"a "q""#)
    }

    func testUnreadableCharacterIsReportedWithAHint() {
        let (t, d) = tokens("a && b")
        XCTAssertEqual(d.errors.count, 2)
        XCTAssertEqual(d.errors[0].code, "E001")
        XCTAssertEqual(d.errors[0].help, "write `and` / `or`")
        XCTAssertEqual(t.filter { $0.kind == .identifier }.count, 2)
    }

    func testInvalidDateAndUnclosedString() {
        let (_, d) = tokens("2024-02-30 \"open")
        XCTAssertEqual(d.errors.map(\.code), ["E002", "E005"])
    }
}

final class ParserTests: XCTestCase {
    func parse(_ s: String) -> (RuleFile, Diagnostics) {
        Parser.parseFile(SourceFile(path: "t.uplift", text: s), file: 0)
    }

    func testDeclarationsParse() {
        let (f, d) = parse("""
        reason A "a"
        let x = sum(c.points for c in list where c.ok)
        decline A when age < 18 or age > 60
        cap A = 50000 - current_limit when current_limit is present
        amount = band.base * segment.multiplier
        round down to 100
        report x
        """)
        XCTAssertTrue(d.all.isEmpty, "\(d.all)")
        XCTAssertEqual(f.decls.count, 7)
    }

    func testPrecedenceAndOverOrComparisonOverArithmetic() {
        let (e, d) = Parser.parseExpression(bytes: Array("a or b and c + 1 > 2".utf8), file: 0, base: 0)
        XCTAssertTrue(d.all.isEmpty)
        guard case .binary(.or, _, let rhs) = e.kind, case .binary(.and, _, let cmp) = rhs.kind,
              case .binary(.gt, let sum, _) = cmp.kind, case .binary(.add, _, _) = sum.kind else {
            return XCTFail("wrong tree: \(e.kind)")
        }
    }

    func testGroupedAggregateAndFilter() {
        let (e, d) = Parser.parseExpression(bytes: Array("sum(max(t[c.k].p) for c in xs group by t[c.k].category)".utf8), file: 0, base: 0)
        XCTAssertTrue(d.all.isEmpty)
        guard case .aggregate(let a) = e.kind else { return XCTFail() }
        XCTAssertEqual(a.kind, .sum)
        XCTAssertEqual(a.inner, .max)
        XCTAssertNotNil(a.groupBy)
        let (f, d2) = Parser.parseExpression(bytes: Array("[c for c in xs where c.ok]".utf8), file: 0, base: 0)
        XCTAssertTrue(d2.all.isEmpty)
        guard case .filter = f.kind else { return XCTFail() }
    }

    func testRecoveryReportsEveryBrokenDeclaration() {
        let (f, d) = parse("""
        decline A when age <
        let x = (1 + 2
        reason B "fine"
        refer C age > 3
        """)
        XCTAssertEqual(d.errors.count, 3, DiagnosticRenderer.render(d.all, in: { var m = SourceMap(); _ = m.add(SourceFile(path: "t.uplift", text: "")); return m }()))
        XCTAssertEqual(f.decls.count, 1) // only `reason B` survives
    }

    func testDeepNestingIsRefusedNotACrash() {
        for text in [String(repeating: "(", count: 50_000) + "1",
                     "let x = " + String(repeating: "not ", count: 50_000) + "true",
                     "let x = 1" + String(repeating: " + 1", count: 50_000),
                     "let x = a" + String(repeating: ".b", count: 50_000)] {
            let (_, d) = Parser.parseFile(SourceFile(path: "t.uplift", text: text), file: 0)
            XCTAssertTrue(d.errors.contains { $0.code == "E109" || $0.code == "E103" }, String(text.prefix(20)))
        }
    }

    func testAssignmentInsteadOfEqualityIsExplained() {
        let (_, d) = Parser.parseExpression(bytes: Array("occupation = student".utf8), file: 0, base: 0)
        XCTAssertEqual(d.errors.first?.code, "E104")
    }

    func testCaretPointsAtTheSpan() {
        var map = SourceMap()
        let text = "let x = 1\ndecline A when foo > 3\n"
        let id = map.add(SourceFile(path: "p.uplift", text: text))
        let start = text.utf8.count - 8
        let d = Diagnostic(.error, "E260", "unknown name `foo`", at: Span(file: id, start: start, end: start + 3), help: "did you mean `food`?")
        XCTAssertEqual(DiagnosticRenderer.render(d, in: map), """
        error[E260]: unknown name `foo`
         --> p.uplift:2:16
          |
        2 | decline A when foo > 3
          |                ^^^
          = help: did you mean `food`?

        """)
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestions.closest(to: "max_overdue_day_12m", in: ["max_overdue_days_12m", "age"]), "max_overdue_days_12m")
        XCTAssertNil(Suggestions.closest(to: "zzz", in: ["age"]))
    }
}

final class NumberTests: XCTestCase {
    func testFixedDecimalIsExact() throws {
        let a = try XCTUnwrap(FixedDecimal(parsing: "1100.10"))
        let b = try XCTUnwrap(FixedDecimal(parsing: "3000.30"))
        let three = try XCTUnwrap(FixedMath.mulInt(a.raw, 3))
        XCTAssertEqual(FixedDecimal(raw: try XCTUnwrap(FixedMath.sub(three, b.raw))).formatted(minFractionDigits: 2), "300.00")
        XCTAssertEqual(FixedDecimal(raw: try XCTUnwrap(FixedMath.mulFixed(a.raw, try XCTUnwrap(FixedDecimal(parsing: "1.2")).raw))).formatted(), "1320.12")
    }

    func testParsingRejectsWhatItCannotRepresent() {
        XCTAssertNil(FixedDecimal(parsing: "1e3"))
        XCTAssertNil(FixedDecimal(parsing: "0.1234567"))
        XCTAssertNil(FixedDecimal(parsing: "99999999999999999999"))
        XCTAssertNil(FixedDecimal(parsing: "1."))
        XCTAssertEqual(FixedDecimal(parsing: "0.1000000")?.formatted(), "0.1")
        XCTAssertEqual(FixedDecimal(parsing: "-2.50")?.formatted(minFractionDigits: 2), "-2.50")
    }

    func testOverflowIsReportedNotTrapped() {
        XCTAssertNil(FixedMath.add(Int64.max, 1))
        XCTAssertNil(FixedMath.mulFixed(Int64.max, Int64.max))
        XCTAssertNil(FixedMath.divFixed(1, 0))
        XCTAssertEqual(FixedMath.divFixed(1_000_000, 3_000_000), 333_333)
        XCTAssertEqual(FixedMath.floor(-150, step: 100), -200)
        XCTAssertNil(FixedMath.floor(Int64.min + 1, step: 1_000_000_000))
        XCTAssertEqual(FixedMath.nearest(150, step: 100), 200)
        XCTAssertEqual(FixedMath.nearest(149, step: 100), 100)
        XCTAssertEqual(FixedMath.floor(2_160, step: 100), 2_100)
    }

    func testDates() {
        XCTAssertEqual(CivilDate.parse("1970-01-01"), 0)
        XCTAssertEqual(CivilDate.parse("2024-12-23").map(CivilDate.format), "2024-12-23")
        XCTAssertEqual(CivilDate.parse("2024-02-29").map(CivilDate.format), "2024-02-29")
        XCTAssertNil(CivilDate.parse("2023-02-29"))
        XCTAssertNil(CivilDate.parse("24-12-23"))
    }
}
