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

    func testTheReferenceTablesAreFormatted() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("policies/certificate-uplift/tables")
        for name in ["segments.yaml", "amount-bands.yaml"] {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(TableFormatter.format(text), text, name)
        }
    }
}
