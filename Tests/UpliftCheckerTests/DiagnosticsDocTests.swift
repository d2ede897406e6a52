import Foundation
import XCTest
import UpliftBundle
@testable import UpliftChecker
import UpliftSyntax

/// docs/diagnostics.md documents every code the sources can emit, and each example marked
/// "(checked)" really produces its code.
final class DiagnosticsDocTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func doc() throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
    }

    /// `### CODE` → the body of its section.
    static func sections(_ doc: String) -> [(code: String, body: String)] {
        var out: [(String, String)] = []
        for part in doc.components(separatedBy: "\n### ").dropFirst() {
            let code = String(part.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
            out.append((code, part))
        }
        return out
    }

    func testEveryCodeInTheSourcesIsDocumented() throws {
        let documented = Set(Self.sections(try Self.doc()).map(\.code))
        var emitted = Set<String>()
        let e = FileManager.default.enumerator(atPath: Self.root.appendingPathComponent("Sources").path)
        let pattern = try NSRegularExpression(pattern: "\"([EW][0-9]{3})\"")
        while let p = e?.nextObject() as? String {
            guard p.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: Self.root.appendingPathComponent("Sources/\(p)"), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let r = Range(m.range(at: 1), in: text) { emitted.insert(String(text[r])) }
            }
        }
        XCTAssertGreaterThan(emitted.count, 100)
        XCTAssertEqual(emitted.subtracting(documented).sorted(), [], "codes without a section in docs/diagnostics.md")
        XCTAssertEqual(documented.subtracting(emitted).sorted(), [], "documented codes nothing emits")
    }

    func testCheckedExamplesProduceTheirCode() throws {
        var checked = 0
        for (code, body) in Self.sections(try Self.doc()) {
            guard let start = body.range(of: "```uplift check\n"), let end = body.range(of: "\n```", range: start.upperBound..<body.endIndex) else { continue }
            let example = String(body[start.upperBound..<end.lowerBound])
            let (_, diags, _) = try TestBundle.check(rules: TestBundle.rules + "\n" + example)
            XCTAssertTrue(diags.contains { $0.code == code }, "\(code): the example gives \(diags.map(\.code)) instead:\n\(example)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 60)
    }
}
