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
}
