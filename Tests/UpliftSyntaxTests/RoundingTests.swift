import XCTest
import UpliftSyntax

/// Every rounding mode on positive and negative halves and non-halves, the edges of the range,
/// and 128-bit intermediates.
final class RoundingTests: XCTestCase {
    static let one = FixedDecimal.scale

    /// Rounds `x` (a decimal) to a step of 1 and formats the result.
    func r(_ x: String, _ mode: RoundingMode, step: Int64 = RoundingTests.one) -> String {
        guard let v = FixedDecimal(parsing: Substring(x)), let out = FixedMath.round(v.raw, step: step, mode: mode) else { return "nil" }
        return FixedDecimal(raw: out).formatted()
    }

    func testEveryModeOnHalvesAndBetween() {
        let inputs = ["2.5", "1.5", "-1.5", "-2.5", "1.2", "-1.2", "1.7", "-1.7", "3", "-3", "0.5", "-0.5"]
        let table: [RoundingMode: [String]] = [
            .down:             ["2", "1", "-2", "-3", "1", "-2", "1", "-2", "3", "-3", "0", "-1"],
            .up:               ["3", "2", "-1", "-2", "2", "-1", "2", "-1", "3", "-3", "1", "0"],
            .towardZero:       ["2", "1", "-1", "-2", "1", "-1", "1", "-1", "3", "-3", "0", "0"],
            .awayFromZero:     ["3", "2", "-2", "-3", "2", "-2", "2", "-2", "3", "-3", "1", "-1"],
            .halfUp:           ["3", "2", "-1", "-2", "1", "-1", "2", "-2", "3", "-3", "1", "0"],
            .nearest:          ["3", "2", "-1", "-2", "1", "-1", "2", "-2", "3", "-3", "1", "0"],
            .halfDown:         ["2", "1", "-2", "-3", "1", "-1", "2", "-2", "3", "-3", "0", "-1"],
            .halfEven:         ["2", "2", "-2", "-2", "1", "-1", "2", "-2", "3", "-3", "0", "0"],
            .halfTowardZero:   ["2", "1", "-1", "-2", "1", "-1", "2", "-2", "3", "-3", "0", "0"],
            .halfAwayFromZero: ["3", "2", "-2", "-3", "1", "-1", "2", "-2", "3", "-3", "1", "-1"],
        ]
        XCTAssertEqual(Set(table.keys), Set(RoundingMode.allCases), "every mode is in the table")
        for (mode, want) in table {
            XCTAssertEqual(inputs.map { r($0, mode) }, want, "\(mode.rawValue)")
        }
        // Steps other than 1: money to 100, and a half of a decimal step.
        XCTAssertEqual(r("-150", .halfEven, step: 100 * Self.one), "-200")
        XCTAssertEqual(r("-250", .halfEven, step: 100 * Self.one), "-200")
        XCTAssertEqual(r("-250", .halfAwayFromZero, step: 100 * Self.one), "-300")
        XCTAssertEqual(r("-0.125", .halfEven, step: Self.one / 100), "-0.12")
        XCTAssertEqual(r("-0.135", .halfEven, step: Self.one / 100), "-0.14")
        // Today's helpers are the modes they always were.
        XCTAssertEqual(FixedMath.nearest(-1_500_000, step: Self.one), -1_000_000)
        XCTAssertEqual(FixedMath.floor(-1_500_000, step: Self.one), -2_000_000)
        XCTAssertEqual(FixedMath.ceil(-1_500_000, step: Self.one), -1_000_000)
    }

    func testModesHaveStableCodesAndTheAliasIsHalfUp() {
        XCTAssertEqual(RoundingMode.nearest.canonical, .halfUp)
        XCTAssertEqual(RoundingMode.nearest.code, RoundingMode.halfUp.code)
        // Bytecode of programs compiled before the new modes: down 0, up 1, nearest 2.
        XCTAssertEqual([RoundingMode.down, .up, .nearest].map(\.code), [0, 1, 2])
        for m in RoundingMode.allCases where m != .nearest { XCTAssertEqual(RoundingMode(code: m.code), m) }
        XCTAssertNil(RoundingMode(code: 99))
        XCTAssertEqual(Set(RoundingMode.allCases.map(\.code)).count, RoundingMode.allCases.count - 1)
    }

    func testEdgesOfTheRangeAreReportedNotTrapped() {
        let step: Int64 = 100
        for m in RoundingMode.allCases {
            // Toward zero and the multiples inside the range always fit.
            XCTAssertNotNil(FixedMath.round(Int64.max, step: step, mode: .towardZero))
            XCTAssertNotNil(FixedMath.round(Int64.min + 1, step: step, mode: .towardZero))
            // A multiple beyond the range is nil, never a trap; a bad step too.
            let up = FixedMath.round(Int64.max, step: step, mode: m)
            let down = FixedMath.round(Int64.min + 1, step: step, mode: m)
            XCTAssertTrue(up.map { $0 % step == 0 } ?? true, "\(m)")
            XCTAssertTrue(down.map { $0 % step == 0 && $0 != Int64.min } ?? true, "\(m)")
            XCTAssertNil(FixedMath.round(5, step: 0, mode: m))
            XCTAssertNil(FixedMath.round(5, step: -10, mode: m))
        }
        XCTAssertNil(FixedMath.round(Int64.max, step: step, mode: .up))
        XCTAssertNil(FixedMath.round(Int64.min + 1, step: step, mode: .down))
        XCTAssertEqual(FixedMath.round(Int64.min + 1, step: step, mode: .up), Int64.min + 8)
    }

    func testChainsAreComputedIn128Bits() throws {
        // current_limit * percent_change / 100 with a limit of 5e11: the product (1e19 yuan
        // as raw 1e25) overflows 64 bits, the result (1e11) does not.
        let limit = Int128(500_000_000_000) * Int128(FixedDecimal.scale)
        guard case .success(let product) = WideOperation.mulInt.apply(limit, 20),
              case .success(let result) = WideOperation.divFixed.apply(product, Int128(100 * FixedDecimal.scale)) else { return XCTFail() }
        XCTAssertNil(FixedMath.mulInt(Int64(limit), 20), "64 bits overflow on the way")
        XCTAssertEqual(WideMath.narrow(result), 100_000_000_000 * FixedDecimal.scale)
        // A result that does not fit is nil, never a trap; Int64.min is missing, never a number.
        XCTAssertNil(WideMath.narrow(Int128(Int64.max) + 1))
        XCTAssertNil(WideMath.narrow(Int128(Int64.min)))
        // Steps that overflow 128 bits, and division by zero, fail.
        guard case .failure(.overflow) = WideOperation.mulInt.apply(Int128.max / 2, 3) else { return XCTFail() }
        guard case .failure(.divisionByZero) = WideOperation.divFixed.apply(1, 0) else { return XCTFail() }
        guard case .failure(.overflow) = WideOperation.negate.apply(Int128.min, 0) else { return XCTFail() }
        // Each step rounds as the 64-bit one does (half to even).
        for (a, b) in [(Int64(1_234_567), Int64(7_654_321)), (-2_500_000, 1_000_001), (3, 500_000), (-3, 500_000), (5, 100_000)] {
            guard case .success(let w) = WideOperation.mulFixed.apply(Int128(a), Int128(b)),
                  case .success(let q) = WideOperation.divFixed.apply(Int128(a), Int128(b)) else { return XCTFail() }
            XCTAssertEqual(WideMath.narrow(w), FixedMath.mulFixed(a, b), "\(a) × \(b)")
            XCTAssertEqual(WideMath.narrow(q), FixedMath.divFixed(a, b), "\(a) ÷ \(b)")
        }
    }
}
