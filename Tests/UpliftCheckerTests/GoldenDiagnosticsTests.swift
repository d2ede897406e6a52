import Foundation
import XCTest
import UpliftBundle
import UpliftChecker
import UpliftSyntax

/// The full text a policy author sees for a bundle with many mistakes, compared with a golden
/// file. Regenerate with UPDATE_GOLDEN=1 after an intended change, and read the diff.
final class GoldenDiagnosticsTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testBrokenBundleReportsEveryErrorInOneRun() throws {
        let dir = Self.fixtures.appendingPathComponent("broken-bundle").path
        let (bundle, d1) = BundleLoader.load(directory: dir)
        let b = try XCTUnwrap(bundle)
        let (policy, d2) = PolicyChecker.check(b)
        XCTAssertNil(policy)
        var all = d1
        all.append(contentsOf: d2.all)
        let text = DiagnosticRenderer.render(all.sorted(), in: b.sources).replacingOccurrences(of: dir, with: "BUNDLE")
        let golden = Self.fixtures.appendingPathComponent("broken-bundle.expected.txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        XCTAssertEqual(text, expected)
    }

    /// SARIF carries the same findings, codes and locations as the text output.
    func testSARIFMatchesTheTextOutput() throws {
        let dir = Self.fixtures.appendingPathComponent("broken-bundle").path
        let (bundle, d1) = BundleLoader.load(directory: dir)
        let b = try XCTUnwrap(bundle)
        var collected = d1
        collected.append(contentsOf: PolicyChecker.check(b).1.all)
        let all = collected.sorted()
        let sarif = SARIFRenderer.render(all, in: b.sources)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        XCTAssertEqual(root["version"] as? String, "2.1.0")
        let run = try XCTUnwrap((root["runs"] as? [[String: Any]])?.first)
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, all.count)
        for (d, r) in zip(all, results) {
            XCTAssertEqual(r["ruleId"] as? String, d.code)
            XCTAssertEqual(r["level"] as? String, d.severity == .error ? "error" : "warning")
            let physical = ((r["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
            let region = physical?["region"] as? [String: Any]
            let file = try XCTUnwrap(b.sources.file(d.span))
            let loc = file.location(of: d.span.start)
            XCTAssertEqual((physical?["artifactLocation"] as? [String: Any])?["uri"] as? String, file.path)
            XCTAssertEqual(region?["startLine"] as? Int, loc.line, d.message)
            XCTAssertEqual(region?["startColumn"] as? Int, loc.column, d.message)
            XCTAssertTrue(((r["message"] as? [String: Any])?["text"] as? String)?.hasPrefix(d.message) == true)
        }
        // Rules list each code once.
        let rules = (((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]) ?? []
        XCTAssertEqual(rules.compactMap { $0["id"] as? String }, Array(Set(all.map(\.code))).sorted())
    }
}
