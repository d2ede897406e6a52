import Foundation
import XCTest
import Uplift

/// The public entry points a service or a batch job uses beyond `evaluate`, through
/// `import Uplift` alone: CSV rows, the outline, synthetic populations, located load errors.
final class EmbeddingAPITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let policy: Policy? = try? Policy.load(bundle: root.appendingPathComponent("policies/certificate-uplift").path)

    func reference() throws -> Policy { try XCTUnwrap(Self.policy, "the reference bundle loads") }

    func testCSVRowsDecideAsTheirJSONDoes() throws {
        let policy = try reference()
        let population = policy.syntheticPopulation(count: 300, seed: 11)
        let header = policy.csvHeader(policy.csvColumns)
        XCTAssertEqual(header.unknown.compactMap { $0 }, [], "the policy's own columns are all known")
        var unknown: [UnknownField] = []
        for record in population {
            let cells = policy.csvValues(of: record).map { v -> String in
                switch v {
                case .null: return ""
                case .bool(let b): return b ? "true" : "false"
                case .number(let n): return n
                case .string(let s): return s
                default: return v.jsonText
                }
            }
            let fromCSV = try policy.evaluate(policy.applicant(csvCells: cells, header: header, options: .strict, unknown: &unknown))
            let fromJSON = try policy.evaluate(policy.applicant(record))
            XCTAssertEqual(DecisionRenderer.json(fromCSV, pretty: false), DecisionRenderer.json(fromJSON, pretty: false))
        }
        XCTAssertEqual(unknown, [])
    }

    func testAnUnknownCSVColumnIsReportedOrRefusedWhenStrict() throws {
        let policy = try reference()
        let record = try XCTUnwrap(policy.syntheticPopulation(count: 1, seed: 3).first)
        let names = policy.csvColumns + ["Monthly_Income"]
        let header = policy.csvHeader(names)
        XCTAssertEqual(header.unknown.last??.suggestion, "monthly_income")
        let cells = policy.csvValues(of: record).map { v -> String in
            if case .number(let n) = v { return n }
            if case .string(let s) = v { return s }
            if case .bool(let b) = v { return b ? "true" : "false" }
            if case .null = v { return "" }
            return v.jsonText
        } + ["9000"]
        var unknown: [UnknownField] = []
        _ = try policy.applicant(csvCells: cells, header: header, unknown: &unknown)
        XCTAssertEqual(unknown.map(\.path), ["Monthly_Income"])
        unknown = []
        XCTAssertThrowsError(try policy.applicant(csvCells: cells, header: header, options: .strict, unknown: &unknown)) { error in
            XCTAssertEqual((error as? ApplicantError)?.path, "Monthly_Income")
            XCTAssertEqual((error as? ApplicantError)?.message, "unknown field (did you mean `monthly_income`?)")
        }
        // A row with a cell too few names the count.
        XCTAssertThrowsError(try policy.applicant(csvCells: Array(cells.dropLast()), header: header, unknown: &unknown)) { error in
            XCTAssertTrue((error as? ApplicantError)?.message.contains("expected \(names.count) cells") == true, "\(error)")
        }
    }

    /// The reference policy's shape, as docs/reference-policy.md specifies it.
    func testTheOutlineListsRulesCapsAndReasonsWhereTheyAreDeclared() throws {
        let outline = try reference().outline
        XCTAssertEqual(outline.rules.count, 9)
        XCTAssertEqual(outline.caps.count, 4)
        XCTAssertEqual(outline.reasons.count, try reference().reasonCodes.count)
        XCTAssertEqual(outline.reasons.map(\.code), try reference().reasonCodes.map(\.code))
        XCTAssertEqual(Set(outline.rules.map(\.kind)), [.gate, .referral, .noChange])
        for located in outline.rules.map(\.location) + outline.caps.map(\.location) + outline.reasons.map(\.location) {
            XCTAssertTrue(located.range(of: #"^.+\.uplift:[0-9]+:[0-9]+$"#, options: .regularExpression) != nil, located)
        }
        XCTAssertEqual(outline.catchAllSegments["segment"], ["general"], "the reference segment table ends in `general` (`when: true`)")
    }

    func testSyntheticApplicantsStreamAsTheyListAndJSONTextRoundTrips() throws {
        let policy = try reference()
        let listed = policy.syntheticPopulation(count: 50, seed: 9)
        var streamed: [JSONValue] = []
        policy.forEachSyntheticApplicant(count: 50, seed: 9) { streamed.append($0) }
        XCTAssertEqual(streamed, listed)
        XCTAssertEqual(policy.syntheticPopulation(count: -3, seed: 1), [], "a negative count is an empty population, not a trap")
        for record in listed {
            let again = try policy.applicant(json: record.jsonText)
            XCTAssertEqual(DecisionRenderer.json(try policy.evaluate(again)), DecisionRenderer.json(try policy.evaluate(policy.applicant(record))))
        }
    }

    func testALoadErrorIsLocatedToTheLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-embed-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("policies/certificate-uplift"), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("policy.uplift")
        let text = try String(contentsOf: rules, encoding: .utf8)
        try (text + "\ndecline NO_SUCH_REASON when age > 200\n").write(to: rules, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Policy.load(bundle: dir.path)) { error in
            guard let error = error as? PolicyLoadError, let first = error.diagnostics.first else { return XCTFail("\(error)") }
            let at = error.sources.location(of: first.span)
            XCTAssertEqual(at?.path.hasSuffix("policy.uplift"), true)
            XCTAssertEqual(at?.start.line, text.split(separator: "\n", omittingEmptySubsequences: false).count + 1)
            XCTAssertEqual(at?.start.column, 9, "the caret is under the reason code")
            XCTAssertGreaterThan(at?.end.column ?? 0, 9)
            XCTAssertEqual(error.sources.describe(first.span), "\(at?.path ?? ""):\(at?.start.line ?? 0):9")
        }
    }

    func testAmountsParseFromStrings() {
        XCTAssertEqual(FixedDecimal(parsing: "1200.50")?.raw, 1_200_500_000)
        XCTAssertEqual(FixedDecimal(parsing: "1200.50"), FixedDecimal(parsing: Substring("1200.50")))
        XCTAssertNil(FixedDecimal(parsing: "12.0000001"), "more than six decimals is refused, not rounded")
        XCTAssertNil(FixedDecimal(parsing: "1e3"))
    }
}
