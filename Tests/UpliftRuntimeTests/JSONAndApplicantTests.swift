import XCTest
@testable import UpliftRuntime

final class JSONParserTests: XCTestCase {
    func testNumbersStayText() throws {
        let v = try JSONParser.parse(#"{"a": 1100.10, "b": [true, null, "x\u00e9"], "c": -0.5e2}"#)
        XCTAssertEqual(v["a"], .number("1100.10"))
        XCTAssertEqual(v["b"], .array([.bool(true), .null, .string("xé")]))
        XCTAssertEqual(v["c"], .number("-0.5e2"))
    }

    func testMalformedInputIsLocated() {
        for (text, line) in [("{\"a\": }", 1), ("{\n\"a\": 1,\n}", 3), ("[1 2]", 1), ("{\"a\": 01}", 1), ("\"open", 1), ("", 1)] {
            do {
                _ = try JSONParser.parse(text)
                XCTFail("accepted \(text)")
            } catch {
                XCTAssertEqual(error.line, line, text)
            }
        }
    }

    func testDeepNestingIsRejectedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep))
    }
}
