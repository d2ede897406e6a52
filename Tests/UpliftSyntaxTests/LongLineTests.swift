import XCTest
import UpliftSyntax

/// A decision table's row can hold thousands of cells on one line: finding each cell's place
/// must not walk the line from its start (that made checking quadratic in the row's length).
final class LongLineTests: XCTestCase {
    func testColumnsOnAsciiLinesAreOffsetsAndOthersAreWalked() {
        let f = SourceFile(path: "t", text: "ab\nxé z\n" + String(repeating: "c", count: 200_000))
        XCTAssertEqual(f.offset(line: 1, column: 2), 1)
        XCTAssertEqual(f.offset(line: 1, column: 99), 2)        // clamped to the line's end
        XCTAssertEqual(f.offset(line: 2, column: 3), 3 + 3)     // `é` is two bytes
        XCTAssertEqual(f.offset(line: 2, column: 99), 3 + 5)
        // 200,000 lookups on a 200,000-column line: instant when each is an offset; a walk from
        // the line's start each time would take 2 × 10^10 steps.
        var sum = 0
        for c in stride(from: 1, through: 200_000, by: 1) { sum &+= f.offset(line: 3, column: c) }
        XCTAssertEqual(sum, (0..<200_000).reduce(0) { $0 + 9 + $1 })
        XCTAssertEqual(f.location(of: f.offset(line: 2, column: 4)).column, 4)
    }
}
