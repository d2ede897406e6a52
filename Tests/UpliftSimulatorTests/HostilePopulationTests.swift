import Foundation
import XCTest
import Uplift
@testable import UpliftSimulator

/// Hostile populations at the simulator's level: what `simulate` guarantees `diff` guarantees
/// too (personal data masked in bad rows), and the reader accounts for every line whatever the
/// chunking (byte-order marks, broken quotes, over-long records).
final class HostilePopulationTests: XCTestCase {
    func testDiffMasksPersonalFieldsInBadRows() throws {
        let (policy, secret, good) = try personalPhoneBundle()
        // The base bundle does not know `phone`; the candidate does, and marks it personal.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-pii-diff-\(UUID().uuidString).jsonl")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        try [secret, good].joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let d = try PolicyDiff(base: SimulatorTests.policy, candidate: policy, options: DiffOptions()).run(input: handle)
        XCTAssertEqual(d.badRows.map(\.path), ["phone"])
        XCTAssertEqual(d.badRows.first?.message, "invalid value (personal data: not shown)")
        let text = DiffRendering.text(d) + DiffRendering.json(d) + DiffRendering.html(d)
        XCTAssertFalse(text.contains("13800138000"))
    }

    /// Reads `text` through the reader with tiny chunks' worth of records at a time.
    func records(_ text: String, format: PopulationFormat, limit: Int = RecordLimit.defaultBytes, header: Int? = nil) throws -> [(line: Int, text: String, problem: String?)] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-reader-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var reader = PopulationReader(handle: handle, format: format, maxRecordBytes: limit)
        reader.expectedCells = header
        var out: [(Int, String, String?)] = []
        var buffer: [UInt8] = []
        while true {
            let rs = try reader.next(limit: 1, into: &buffer)
            if rs.isEmpty { break }
            for r in rs { out.append((r.line, String(decoding: buffer[r.start..<r.end], as: UTF8.self), r.problem?.message)) }
        }
        return out
    }

    func testTheReaderAccountsForEveryLine() throws {
        // A byte-order mark, a blank line, the last line without a newline.
        let a = try records("\u{FEFF}{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}", format: .jsonl)
        XCTAssertEqual(a.map(\.line), [1, 3, 4])
        XCTAssertEqual(a.map(\.text), ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        // An over-long record in the middle: reported at its line, the next ones keep theirs.
        let b = try records("{\"a\":1}\n" + String(repeating: "x", count: 100) + "\n{\"c\":3}\n", format: .jsonl, limit: 50)
        XCTAssertEqual(b.map(\.line), [1, 2, 3])
        guard b.count == 3 else { return }
        XCTAssertNil(b[0].problem)
        XCTAssertEqual(b[1].problem?.hasPrefix("the record is longer than 50 bytes"), true)
        XCTAssertEqual(b[2].text, "{\"c\":3}")
        // CSV: a quote that never closes, then good rows; a real multi-line cell stays whole.
        let c = try records("a,\"b,c\n1,2,3\n\"x\ny\",3,4\n4,5,6\n", format: .csv, header: 3)
        XCTAssertEqual(c.map(\.line), [1, 2, 3, 5])
        guard c.count == 4 else { return }
        XCTAssertEqual(c[0].problem?.hasPrefix("a quote opened on this line is never closed"), true)
        XCTAssertEqual(c[1].text, "1,2,3")
        XCTAssertEqual(c[2].text, "\"x\ny\",3,4")
        XCTAssertEqual(c[3].text, "4,5,6")
        // An unclosed quote on the last line, whatever follows it.
        let d = try records("1,2\n3,\"4\n", format: .csv, header: 2)
        XCTAssertEqual(d.map(\.line), [1, 2])
        XCTAssertNotNil(d.last?.problem)
    }
}
