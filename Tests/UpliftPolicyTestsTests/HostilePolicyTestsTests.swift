import Foundation
import XCTest
import Uplift
@testable import UpliftPolicyTests

/// Test files written to break `uplift test`: an alias bomb (which hung the loader at 3.9 GB),
/// an empty file, and test files or applicants that lead outside the bundle.
final class HostilePolicyTestsTests: XCTestCase {
    static let bundle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/certificate-uplift").path

    /// A copy of the reference bundle with its tests replaced by `tests` (file name → text).
    func bundle(tests: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Self.bundle, toPath: dir.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let testsDir = dir.appendingPathComponent("tests")
        try FileManager.default.removeItem(at: testsDir)
        try FileManager.default.createDirectory(at: testsDir, withIntermediateDirectories: true)
        for (name, text) in tests { try text.write(to: testsDir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }

    func secretFile(_ ext: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-secret-\(UUID().uuidString).\(ext)")
        try "tests:\n  - name: SECRET-LINE\n    applicant: { age: 1 }\n    expect: { outcome: approve }\n".write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func everything(_ l: PolicyTestLoader.Loaded) -> String {
        DiagnosticRenderer.render(l.diagnostics, in: l.sources) + l.diagnostics.map { "\($0.message) \($0.help ?? "")" }.joined()
            + l.cases.map(\.name).joined()
    }

    func testAnAliasBombInATestFileIsRefusedNotExpanded() throws {
        var lines = ["applicants:", "  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        for i in 1...9 { lines.append("  a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]") }
        lines += ["tests:", "  - name: boom", "    applicant: { age: *a9 }", "    expect: { outcome: approve }"]
        let dir = try bundle(tests: ["bomb.yaml": lines.joined(separator: "\n") + "\n"])
        let loaded = PolicyTestLoader.load(bundle: dir)
        XCTAssertEqual(loaded.cases.count, 0)
        XCTAssertEqual(loaded.diagnostics.map(\.code), ["E313"])
    }

    func testSharedApplicantsThroughAnchorsStillWork() throws {
        var text = "applicants:\n  base: &base { id: a, as_of: 2025-06-30, age: 30 }\ntests:\n"
        for i in 0..<300 { text += "  - name: case \(i)\n    applicant: *base\n    expect: { outcome: decline }\n" }
        let loaded = PolicyTestLoader.load(bundle: try bundle(tests: ["shared.yaml": text]))
        XCTAssertEqual(loaded.diagnostics.map(\.message), [])
        XCTAssertEqual(loaded.cases.count, 300)
    }

    func testAnEmptyTestFileHasItsOwnMessage() throws {
        let loaded = PolicyTestLoader.load(bundle: try bundle(tests: ["empty.yaml": "# to do\n"]))
        XCTAssertEqual(loaded.diagnostics.map(\.code), ["E300"])
        XCTAssertEqual(loaded.diagnostics.first?.message, "this test file is empty")
        XCTAssertTrue(loaded.diagnostics.first?.help?.contains("tests:") ?? false)
    }

    func testATestFileLinkedOutsideTheBundleIsNotRead() throws {
        let dir = try bundle(tests: [:])
        try FileManager.default.createSymbolicLink(atPath: dir + "/tests/linked.yaml", withDestinationPath: try secretFile("yaml"))
        let loaded = PolicyTestLoader.load(bundle: dir)
        XCTAssertEqual(loaded.diagnostics.map(\.code), ["E311"])
        XCTAssertEqual(loaded.cases.count, 0)
        XCTAssertFalse(everything(loaded).contains("SECRET"))
    }

    func testAnApplicantFileOutsideTheBundleIsNotRead() throws {
        let secret = try secretFile("json")
        let dir = try bundle(tests: [:])
        try FileManager.default.createSymbolicLink(atPath: dir + "/examples/linked.json", withDestinationPath: secret)
        let text = """
        tests:
          - name: through a link
            applicant: examples/linked.json
            expect: { outcome: approve }
          - name: through dots
            applicant: ../\(URL(fileURLWithPath: secret).lastPathComponent)
            expect: { outcome: approve }
        """
        try text.write(toFile: dir + "/tests/t.yaml", atomically: true, encoding: .utf8)
        let loaded = PolicyTestLoader.load(bundle: dir)
        XCTAssertEqual(loaded.diagnostics.map(\.code), ["E401", "E401"])
        XCTAssertTrue(loaded.diagnostics.allSatisfy { $0.message.contains("outside the bundle") }, "\(loaded.diagnostics.map(\.message))")
        XCTAssertFalse(everything(loaded).contains("SECRET"))
    }
}
