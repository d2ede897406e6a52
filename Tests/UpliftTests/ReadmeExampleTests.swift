import Foundation
import XCTest
import Uplift

/// The embedding snippet in README.md is this test's code, character for character.
final class ReadmeExampleTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testReadmeSnippetRuns() throws {
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(Self.root.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        var printed: [String] = []
        func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }

        // README-BEGIN
        let policy = try Policy.load(bundle: "policies/certificate-uplift")
        let applicant = try policy.applicant(json: """
            {"id": "u-1", "as_of": "2024-12-23", "age": 27, "gender": "female",
             "occupation": "employee", "job_tenure_months": 18, "account_age_months": 24,
             "current_limit": 8000, "monthly_income": 12000, "max_overdue_days_12m": 0,
             "fraud_flag": false, "certificates": [
               {"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false}]}
            """)
        let decision = try policy.evaluate(applicant)   // thread-safe: share `policy` freely
        print(decision.outcome, decision.uplift, decision.reasons.map(\.code))  // approve 2100 []
        print(DecisionRenderer.text(decision, policy.explain(decision)))
        // README-END

        XCTAssertEqual(printed.first, "approve 2100 []")
        XCTAssertTrue(printed.last?.contains("segment:   young_professional") == true)

        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let body = source.components(separatedBy: "// README-BEGIN\n")[1].components(separatedBy: "        // README-END")[0]
        let snippet = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }.joined(separator: "\n")
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("import Uplift\n\n" + snippet), "README.md's embedding snippet differs from this test:\n\(snippet)")
    }
}
