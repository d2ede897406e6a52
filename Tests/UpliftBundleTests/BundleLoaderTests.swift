import Foundation
import XCTest
@testable import UpliftBundle
import UpliftSyntax

final class BundleLoaderTests: XCTestCase {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/certificate-uplift").path

    func copy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-bundle-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Self.reference, toPath: dir.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func edit(_ file: URL, _ a: String, _ b: String) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains(a), a)
        try text.replacingOccurrences(of: a, with: b).write(to: file, atomically: true, encoding: .utf8)
    }

    func testReferenceBundleLoads() throws {
        let (bundle, d) = BundleLoader.load(directory: Self.reference)
        XCTAssertTrue(d.all.isEmpty, "\(d.all)")
        let b = try XCTUnwrap(bundle)
        XCTAssertEqual(b.name, "certificate-uplift")
        XCTAssertEqual(b.version, "1.0.0")
        XCTAssertEqual(b.rules.count, 1)
        XCTAssertEqual(b.tables.map(\.name.name), ["catalogue", "amount_band", "segment"])
        guard case .catalogue(let c) = b.tables[0] else { return XCTFail() }
        XCTAssertEqual(c.categories.map(\.name.name), ["professional", "language", "honor"])
        XCTAssertEqual(c.categories[0].values.first?.value.formatted(), "0.9")
        guard case .segments(let s) = b.tables[2] else { return XCTFail() }
        XCTAssertEqual(s.segments.map(\.name.name), ["student", "young_professional", "rider", "new_blue_collar", "general"])
    }

    func testHashDependsOnContentOnly() throws {
        let dir = try copy()
        let (a, _) = BundleLoader.load(directory: Self.reference)
        let (b, _) = BundleLoader.load(directory: dir.path)
        XCTAssertEqual(a?.hash, b?.hash, "same content in another directory")
        // Listing the tables in another order changes the manifest text, but not which files count.
        XCTAssertEqual(BundleLoader.contentHash([("a", "1"), ("b", "2")]), BundleLoader.contentHash([("b", "2"), ("a", "1")]))
        try edit(dir.appendingPathComponent("tables/amount-bands.yaml"), "base_uplift: 200", "base_uplift: 250")
        let (c, _) = BundleLoader.load(directory: dir.path)
        XCTAssertNotEqual(a?.hash, c?.hash)
    }

    func testMissingAndEscapingFilesAreReportedAtTheManifestEntry() throws {
        let dir = try copy()
        try edit(dir.appendingPathComponent("bundle.yaml"), "tables/segments.yaml", "tables/segmnts.yaml")
        try edit(dir.appendingPathComponent("bundle.yaml"), "  - policy.uplift", "  - ../policy.uplift")
        let (bundle, d) = BundleLoader.load(directory: dir.path)
        let sources = try XCTUnwrap(bundle).sources
        let missing = try XCTUnwrap(d.errors.first { $0.code == "E312" })
        XCTAssertTrue(sources.describe(missing.span).hasSuffix("bundle.yaml:10:5"), sources.describe(missing.span))
        XCTAssertTrue(d.errors.contains { $0.code == "E311" })
    }

    func testNoBundleDirectory() {
        let (bundle, d) = BundleLoader.load(directory: "/nonexistent/bundle")
        XCTAssertNil(bundle)
        XCTAssertEqual(d.errors.map(\.code), ["E310"])
    }

    func testTableValueErrors() throws {
        let dir = try copy()
        try edit(dir.appendingPathComponent("tables/segments.yaml"), "maximum: 500", "maximum: 500.005")
        try edit(dir.appendingPathComponent("tables/certificates.yaml"), "cpa: 70", "cpa: 70.5")
        try edit(dir.appendingPathComponent("tables/amount-bands.yaml"), "kind: bands", "kind: bandz")
        try edit(dir.appendingPathComponent("bundle.yaml"), "version: 1.0.0", "version: 1.0.0\nowner: risk")
        let (_, d) = BundleLoader.load(directory: dir.path)
        let messages = d.errors.map(\.message)
        XCTAssertTrue(messages.contains { $0.contains("at most 2 decimal places") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("integer column") }, "\(messages)")
        XCTAssertTrue(d.errors.contains { $0.code == "E307" && $0.help == "did you mean `bands`?" })
        XCTAssertTrue(d.errors.contains { $0.code == "E305" && $0.message.contains("owner") })
    }
}
