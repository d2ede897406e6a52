import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
import Uplift
@testable import UpliftPolicyTests

final class PolicyTestsTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let bundle = root.appendingPathComponent("policies/certificate-uplift").path

    /// A copy of the reference bundle, edited.
    func copy(_ edits: [(file: String, from: String, to: String)]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-tests-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Self.bundle, toPath: dir.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for e in edits {
            let url = dir.appendingPathComponent(e.file)
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssertTrue(text.contains(e.from), "\(e.from) not in \(e.file)")
            try text.replacingOccurrences(of: e.from, with: e.to).write(to: url, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    func run(_ bundle: String) throws -> ([PolicyTestResult], PolicyCoverage, PolicyTestLoader.Loaded) {
        let policy = try Policy.load(bundle: bundle)
        let loaded = PolicyTestLoader.load(bundle: bundle)
        let results = PolicyTestRunner.run(loaded.cases, policy: policy)
        var coverage = PolicyCoverage(policy: policy)
        for r in results { if let d = r.decision, let e = r.explanation { coverage.record(d, e) } }
        return (results, coverage, loaded)
    }

    func testReferenceBundleTestsPassWithFullCoverage() throws {
        let (results, coverage, loaded) = try run(Self.bundle)
        XCTAssertEqual(loaded.diagnostics.map(\.message), [])
        XCTAssertGreaterThanOrEqual(results.count, 60)
        XCTAssertEqual(results.filter { !$0.passed }.map(\.test.name), [])
        XCTAssertEqual(coverage.missing.map { "\($0.kind) \($0.name) \($0.aspect)" }, [])
        XCTAssertEqual(coverage.percentText, "100.0%")
        // Every gate, referral, no-change rule, segment, band, cap and reason code has points.
        let kinds = Set(coverage.points.map(\.kind))
        XCTAssertEqual(kinds, ["gate", "referral", "no_change", "segment", "band", "cap", "reason"])
        // No decision tables here: the report reads as it did before they existed.
        XCTAssertEqual(PolicyTestReport.coverageText(coverage),
                       "coverage: 100.0% (\(coverage.points.count) of \(coverage.points.count) points: gates, referrals, no-change rules, segments, bands, caps, reason codes)\n")
    }

    func testABrokenCopyFailsWithReadableDiffs() throws {
        let broken = try copy([("policy.uplift", "age < 18 or age > 60", "age < 18 or age > 59"),
                               ("tables/segments.yaml", "multiplier: 1.2", "multiplier: 1.1")])
        let (results, _, _) = try run(broken)
        let failed = results.filter { !$0.passed }
        XCTAssertTrue(failed.contains { $0.test.name == "age 60 is still in range" && $0.mismatches == [Mismatch(what: "outcome", expected: "approve", actual: "decline")] })
        // 1800 × 1.1 = 1980 → 1900 instead of 2100.
        let yp = try XCTUnwrap(failed.first { $0.test.name.hasPrefix("a young professional with a CPA") })
        XCTAssertTrue(yp.mismatches.contains(Mismatch(what: "uplift", expected: "2100.00", actual: "1900.00")))
        let text = PolicyTestReport.text(results, files: 4)
        XCTAssertTrue(text.contains("FAIL tests/gates.yaml:"))
        XCTAssertTrue(text.contains("outcome: expected approve, got decline"))
        XCTAssertTrue(text.contains("✗ AGE_OUT_OF_RANGE: age < 18 or age > 59 [age = 60] → declines"), "the explanation of the actual decision")
        XCTAssertTrue(text.hasSuffix("passed, \(failed.count) failed (\(results.count) cases in 4 files)\n"))
    }

    func testCoverageNamesWhatIsNotExercised() throws {
        // Only the example tests: no gate other than those in decline-gates fires, for instance.
        let (results, coverage, _) = try run(Self.bundle)
        var partial = PolicyCoverage(policy: try Policy.load(bundle: Self.bundle))
        for r in results where r.test.location.hasPrefix("tests/examples.yaml") { if let d = r.decision, let e = r.explanation { partial.record(d, e) } }
        XCTAssertLessThan(partial.covered, coverage.covered)
        XCTAssertTrue(partial.missing.contains { $0.kind == "gate" && $0.name == "FRAUD_FLAG" && $0.aspect == "fired" })
        XCTAssertTrue(PolicyTestReport.coverageText(partial).contains("gate FRAUD_FLAG: fired"))
        XCTAssertTrue(PolicyTestReport.coverageJSON(partial).contains("\"covered\":false"))
    }

    func testMistakesInTestFilesAreLocated() throws {
        let bad = try copy([("tests/gates.yaml", "expect: { outcome: decline, reasons: [FRAUD_FLAG] }", "expect: { outcome: declined, reason: [FRAUD_FLAG] }"),
                            ("tests/examples.yaml", "applicant: examples/approve-rider-capped.json", "applicant: examples/no-such-file.json")])
        let loaded = PolicyTestLoader.load(bundle: bad)
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(Set(errors.map(\.code)), ["E305", "E404", "E401"])
        let rendered = DiagnosticRenderer.render(errors, in: loaded.sources)
        XCTAssertTrue(rendered.contains("tests/gates.yaml:"), rendered)
        XCTAssertTrue(rendered.contains("did you mean `decline`?"), rendered)
        XCTAssertTrue(rendered.contains("did you mean `reasons`?"), rendered)
        XCTAssertTrue(rendered.contains("tests/examples.yaml:"), rendered)
    }

    func testJUnitIsWellFormedAndCountsFailures() throws {
        let broken = try copy([("policy.uplift", "account_age_months < 6", "account_age_months < 7")])
        let (results, _, _) = try run(broken)
        let xml = PolicyTestReport.junit(results, policy: try Policy.load(bundle: broken).identity)
        let parser = XMLParser(data: Data(xml.utf8))
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        let failures = results.filter { !$0.passed }.count
        XCTAssertGreaterThan(failures, 0)
        XCTAssertTrue(xml.contains("tests=\"\(results.count)\" failures=\"\(failures)\""))
        XCTAssertTrue(xml.contains("<failure message=\"outcome: expected approve, got decline\">"))
    }
}
