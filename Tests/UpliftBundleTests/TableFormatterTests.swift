import Foundation
import XCTest
@testable import UpliftBundle

final class TableFormatterTests: XCTestCase {
    func testExpressionsInTablesAreFormattedInPlace() {
        let messy = """
        kind: segments
        name: segment
        columns: { multiplier: decimal }
        segments:
          - name: young
            when:   occupation==employee  and age<30   # the young ones
            multiplier: 1.2
          - name: general
            when: true
            multiplier: 1
        """
        let expected = messy.replacingOccurrences(of: "when:   occupation==employee  and age<30   # the young ones",
                                                  with: "when: occupation == employee and age < 30  # the young ones")
        XCTAssertEqual(TableFormatter.format(messy), expected)
        XCTAssertEqual(TableFormatter.format(expected), expected)
    }

    func testTheYAMLAroundIsNeverRewritten() {
        // Quoted scalars, flow mappings and anything that is not a plain one-line value stay as they are.
        let untouched = """
        kind: segments
        name: segment
        columns: { multiplier: decimal }
        segments:
          - { name: a, when: age<30, multiplier: 1 }
          - name: b
            when: "age<40"
            multiplier: 1
          - name: c
            when: |
              age<50
            multiplier: 1
          - name: d
            when: true
            multiplier: 1
        """
        XCTAssertEqual(TableFormatter.format(untouched), untouched)
    }

    func testBandInputsToo() {
        let messy = "kind: bands\nname: band\ninput:  score+1\ncolumns: { base: money }\nbands:\n  - { to: 9, base: 0 }\n  - { from: 10, base: 1 }\n"
        XCTAssertEqual(TableFormatter.format(messy), messy.replacingOccurrences(of: "input:  score+1", with: "input: score + 1"))
    }

    /// A decision table's input expressions and `~` cells are formatted wherever they are
    /// written (block, flow, quoted); its cell tests are not expressions and stay as written.
    func testDecisionTableExpressionsAreFormattedAndCellTestsKept() {
        let messy = """
        kind: decision_table
        name: payment
        hit: first   # the first row that matches
        inputs:
          score: max_score-penalty   # after the penalty
          late:   max_overdue_days_12m
          employment: ~
        outputs: { points: integer, rating: "enum(good, poor)" }
        rows:
          - { id: top, score: ">=95", late: "0..1", employment: "status==full_time and years>=5", points: 30, rating: good }
          - { id: mid, score: "[80..95)", employment: 'status!=none', points: 10, rating: good }  # some
          - id: rest
            score: "-"
            employment: status==none
            points: 0
            rating: poor
        default: { points: 0, rating: poor }
        """
        let expected = messy
            .replacingOccurrences(of: "score: max_score-penalty   #", with: "score: max_score - penalty   #")
            .replacingOccurrences(of: "\"status==full_time and years>=5\"", with: "\"status == full_time and years >= 5\"")
            .replacingOccurrences(of: "'status!=none'", with: "'status != none'")
            .replacingOccurrences(of: "employment: status==none", with: "employment: status == none")
        let formatted = TableFormatter.format(messy)
        XCTAssertEqual(formatted, expected)
        XCTAssertTrue(formatted.contains("score: \">=95\", late: \"0..1\""), "cell tests are not expressions")
        XCTAssertTrue(formatted.contains("late:   max_overdue_days_12m"), "an already formatted expression keeps its spacing")
        XCTAssertEqual(TableFormatter.format(expected), expected, "idempotent")
    }

    func testDecisionTablesInFlowStyleAndWhatIsLeftAlone() {
        let flow = "kind: decision_table\nname: t\ninputs: { s: a+b, n: count(items)  , c: ~ }\noutputs: { v: integer }\nrows:\n  - { s: \"< 3\", c: \"a>1\", v: 1 }\n"
        let expected = "kind: decision_table\nname: t\ninputs: { s: a + b, n: count(items)  , c: ~ }\noutputs: { v: integer }\nrows:\n  - { s: \"< 3\", c: \"a > 1\", v: 1 }\n"
        XCTAssertEqual(TableFormatter.format(flow), expected)
        XCTAssertEqual(TableFormatter.format(expected), expected)
        // Not rewritten: a block scalar, a quoted expression that needs an escape, a cell that
        // does not parse, `-`, and `when`/`input` keys, which mean nothing in a decision table.
        let untouched = """
        kind: decision_table
        name: t
        inputs:
          when: |
            a+b
          input: x
          c: ~
        outputs: { v: integer }
        rows:
          - { when: "<3", input: "x+1", c: "name==\\"a\\"", v: 1 }
          - { c: "a >", v: 2 }
          - { c: "-", v: 3 }
          - input: x+1
            c: x==1 and
            v: 4
        """
        XCTAssertEqual(TableFormatter.format(untouched), untouched)
    }

    /// 10,000 condition cells on one line (a flow sequence of rows), all rewritten. Each edited
    /// line is rebuilt in one pass; this is not a speed test (splicing cell by cell is
    /// quadratic but memcpy-fast, and passes here too), it checks that every cell of a long
    /// line lands in its place.
    func testAOneLineTableWithManyCellsIsFormatted() {
        let n = 10_000
        let rows = (0..<n).map { "{ c: \"a>\($0)\", v: \($0) }" }.joined(separator: ", ")
        let text = "kind: decision_table\nname: t\ninputs: { c: ~ }\noutputs: { v: integer }\nrows: [" + rows + "]\n"
        let formatted = TableFormatter.format(text)
        XCTAssertEqual(formatted, text.replacingOccurrences(of: "\"a>", with: "\"a > "))
        XCTAssertTrue(formatted.contains("{ c: \"a > 9999\", v: 9999 }"))
    }

    func testTheReferenceTablesAreFormatted() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("policies/certificate-uplift/tables")
        for name in ["segments.yaml", "amount-bands.yaml"] {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(TableFormatter.format(text), text, name)
        }
    }
}
