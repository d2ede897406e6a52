import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import Uplift
@testable import UpliftSimulator

/// Hostile cases for the output side of simulations: totals that would wrap in 64 bits,
/// summaries whose counts contradict each other, merges that would overflow, and the reports
/// that show such figures. Each test failed before totals were made 128 bits wide and parts
/// were checked for consistency (see docs/TESTING.md).
final class HostileSummaryTests: XCTestCase {
    /// A bundle that approves every applicant with an uplift of 2.1 × 10^12: five of them add
    /// up to more than a 64-bit fixed-point amount holds (9.2 × 10^12).
    static let hugeUpliftBundle = bundle(multiplier: "2100000000")
    /// The same with 2 × 10^12: a candidate for diffs.
    static let otherHugeUpliftBundle = bundle(multiplier: "2000000000")

    static func bundle(multiplier: String) -> Result<Policy, Error> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-huge-\(UUID().uuidString)")
        let files = [
            "bundle.yaml": "name: huge\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
            "schema.uplift": "facts Applicant {\n  id: string key\n  current_limit: money\n}\n",
            "policy.uplift": "amount = current_limit * \(multiplier)\n",
        ]
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            return .success(try Policy.load(bundle: dir.path))
        } catch { return .failure(error) }
    }

    static var hugeUplift: Policy { get throws { try hugeUpliftBundle.get() } }

    static func rows(_ n: Int) -> String {
        (0..<n).map { #"{"id":"A\#($0)","current_limit":1000}"# }.joined(separator: "\n")
    }

    func run(_ text: String, policy: Policy? = nil, workers: Int = 2, batch: Int = 2) throws -> SimulationSummary {
        let policy = try policy ?? Self.hugeUplift
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-\(UUID().uuidString).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = SimulationOptions()
        options.workers = workers
        options.batchSize = batch
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try Simulator(policy: policy, options: options).run(input: handle)
    }

    // MARK: Totals that never wrap

    func testFiveHugeApprovalsAddUpExactlyInEveryForm() throws {
        let s = try run(Self.rows(5))
        XCTAssertEqual(s.outcomes["approve"], 5)
        XCTAssertEqual(s.newCredit, MoneyTotal(raw: Int128(5) * 2_100_000_000_000 * 1_000_000))
        // Text: exact, grouped in thousands; before, "-7,946,744,073,709.551616".
        let text = SummaryText.render(s)
        XCTAssertTrue(text.contains("new credit:  10,500,000,000,000.00 (approved)"), text)
        XCTAssertFalse(text.contains("-"), text)
        XCTAssertTrue(text.contains("10,500,000,000,000.00"), "the segment total")
        // JSON: exact decimal numbers, and reading it back gives the same summary.
        let json = SummaryJSON.render(s)
        let v = try JSONParser.parse(json)
        XCTAssertEqual(v["new_credit"], .number("10500000000000"))
        XCTAssertEqual(v["segments"]?["(none)"]?["uplift_total"], .number("10500000000000"))
        XCTAssertEqual(v["segments"]?["(none)"]?["uplift_mean"], .number("2100000000000"))
        XCTAssertEqual(try SummaryJSON.parse(json), s)
        // HTML: the same exact, grouped figure.
        let html = HTMLReport.simulation(s)
        XCTAssertTrue(html.contains("<b>10,500,000,000,000.00</b>"))
        XCTAssertFalse(html.contains("-7,946"))
    }

    func testMergedHugePartsStayExactAndRoundTrip() throws {
        let part = try run(Self.rows(4))
        var total = try SummaryJSON.parse(SummaryJSON.render(part))
        for _ in 0..<9 { try total.merge(try SummaryJSON.parse(SummaryJSON.render(part))) }
        XCTAssertEqual(total.newCredit.formatted(), "84000000000000")
        XCTAssertEqual(total.rows, 40)
        // A merged summary is mergeable again (its amounts exceed 64 bits).
        let again = try SummaryJSON.parse(SummaryJSON.render(total))
        XCTAssertEqual(again, total)
        try total.merge(again)
        XCTAssertEqual(SummaryText.amount(total.newCredit), "168,000,000,000,000.00")
    }

    func testADiffOfHugeApprovalsIsExact() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-diff-\(UUID().uuidString).jsonl")
        try Self.rows(5).write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var options = DiffOptions()
        options.workers = 2
        options.batchSize = 1
        let d = try PolicyDiff(base: try Self.otherHugeUpliftBundle.get(), candidate: try Self.hugeUplift, options: options).run(input: handle)
        XCTAssertEqual(d.candidateCredit.formatted(), "10500000000000")
        XCTAssertEqual(d.baseCredit.formatted(), "10000000000000")
        XCTAssertEqual(d.creditChange, d.candidateCredit.subtracting(d.baseCredit))
        XCTAssertEqual(d.segments["(none)"]?.upliftChange.formatted(), "500000000000")
        XCTAssertTrue(DiffRendering.text(d).contains("new credit:  base 10,000,000,000,000.00, candidate 10,500,000,000,000.00, change +500,000,000,000.00"), DiffRendering.text(d))
        XCTAssertEqual(try JSONParser.parse(DiffRendering.json(d))["candidate_credit"], .number("10500000000000"))
        XCTAssertTrue(DiffRendering.html(d).contains("10,500,000,000,000.00"))
    }

    func testAMergeThatWouldOverflowIsAnErrorNamingTheField() throws {
        let s = try run(Self.rows(1))
        // A consistent part whose counts sit at the top of Int's range.
        let top = Int.max - 1
        let text = SummaryJSON.render(s)
            .replacingOccurrences(of: "\"rows\": 1,", with: "\"rows\": \(top),")
            .replacingOccurrences(of: "\"decided\": 1,", with: "\"decided\": \(top),")
        var edited = try JSONParser.parse(text)
        XCTAssertEqual(edited["rows"], .number(String(top)))
        // Make every count agree: outcomes, segment, histogram, totals.
        let amount = MoneyTotal(raw: Int128(top) * 2_100_000_000_000 * 1_000_000).formatted()
        var json = JSONWriter.encode(edited)
        json = json.replacingOccurrences(of: #""approve":1"#, with: "\"approve\":\(top)")
            .replacingOccurrences(of: #""count":1"#, with: "\"count\":\(top)")
            .replacingOccurrences(of: #""2100000000000":1"#, with: "\"2100000000000\":\(top)")
            .replacingOccurrences(of: #""new_credit":2100000000000"#, with: "\"new_credit\":\(amount)")
            .replacingOccurrences(of: #""uplift_total":2100000000000"#, with: "\"uplift_total\":\(amount)")
        edited = try JSONParser.parse(json)
        let part = try SummaryJSON.parse(json)
        XCTAssertEqual(part.newCredit.formatted(), amount)
        var total = part
        XCTAssertThrowsError(try total.merge(part)) { e in
            XCTAssertEqual((e as? SummaryError)?.kind, .overflow)
            XCTAssertEqual((e as? SummaryError)?.field, "rows")
        }
        // All or nothing: the failed merge changed nothing.
        XCTAssertEqual(total, part)
    }

    func testHistogramMergesAreCheckedNotWrapped() throws {
        var h = UpliftHistogram()
        h.add(1_000_000)
        let full = try UpliftHistogram(counts: [1_000_000: Int.max], exact: true)
        XCTAssertThrowsError(try h.merge(full, "segments.x.uplift_histogram")) { e in
            XCTAssertEqual((e as? SummaryError)?.field, "segments.x.uplift_histogram")
        }
        XCTAssertEqual(h.total, 1)
        // Quantiles over more counts than Int holds are exact (integer ranks).
        var wide = try UpliftHistogram(counts: [1_000_000: Int.max, 3_000_000: Int.max], exact: true)
        XCTAssertEqual(wide.total, Int128(Int.max) * 2)
        XCTAssertEqual(wide.quantile(percent: 50), 1_000_000)
        XCTAssertEqual(wide.quantile(percent: 51), 3_000_000)
        try wide.merge(UpliftHistogram())
        XCTAssertEqual(wide.quantile(percent: 90), 3_000_000)
    }

    // MARK: Inconsistent parts

    /// A real part, then one field edited: each must be refused with the field's name.
    func testInconsistentPartsAreRefusedWithTheField() throws {
        let s = try run(SimulatorTests.population(300, seed: 91).map(JSONWriter.encode).joined(separator: "\n"), policy: SimulatorTests.policy, batch: 37)
        let text = SummaryJSON.render(s)
        XCTAssertNoThrow(try SummaryJSON.parse(text))
        let v = try JSONParser.parse(text)
        guard case .object(let segs)? = v["segments"], let (segment, sv) = segs.first,
              case .number(let segCount)? = sv["count"], case .number(let credit)? = v["new_credit"] else { return XCTFail("no segments") }
        func edited(_ path: [String], _ value: JSONValue) -> String {
            func set(_ x: JSONValue, _ p: ArraySlice<String>) -> JSONValue {
                guard let k = p.first, case .object(let fs) = x else { return value }
                if !fs.contains(where: { $0.0 == k }) { return .object(fs + [(k, set(.null, p.dropFirst()))]) }
                return .object(fs.map { $0.0 == k ? ($0.0, set($0.1, p.dropFirst())) : $0 })
            }
            return JSONWriter.encode(set(v, path[...]))
        }
        let cases: [(String, [String], JSONValue)] = [
            ("rows", ["rows"], .number("1")),                                     // rows 1, decided 300
            ("rows", ["decided"], .number("3000")),
            ("outcomes", ["outcomes", "approve"], .number("100000")),
            ("outcomes.maybe", ["outcomes", "maybe"], .number("0")),
            ("segments", ["segments", segment, "count"], .number(String((Int(segCount) ?? 0) + 1))),
            ("new_credit", ["new_credit"], .number(credit + "1")),
            ("bands.60–89", ["bands", "60–89"], .number("301")),
        ]
        for (field, path, value) in cases {
            let bad = edited(path, value)
            XCTAssertNotEqual(bad, JSONWriter.encode(v), field)
            XCTAssertThrowsError(try SummaryJSON.parse(bad), field) { e in
                guard let e = e as? SummaryError else { return XCTFail("untyped error \(e)") }
                XCTAssertTrue(e.field.hasPrefix(field), "\(field): \(e)")
                XCTAssertEqual(e.kind, .inconsistent, "\(e)")
                XCTAssertTrue(e.description.hasPrefix(e.field + " "), e.description)
            }
        }
    }

    func testPartAmountsMustBeExactDecimals() throws {
        let text = SummaryJSON.render(try run(Self.rows(1)))
        for bad in ["2.1e12", "2100000000000.0000001", "99999999999999999999999999999999999999999"] {
            XCTAssertThrowsError(try SummaryJSON.parse(text.replacingOccurrences(of: "\"new_credit\": 2100000000000", with: "\"new_credit\": \(bad)"))) { e in
                XCTAssertEqual((e as? SummaryError)?.field, "new_credit", bad)
            }
        }
    }

    func testWideAmountsParseAndFormatExactly() {
        for text in ["0", "-12.5", "1.000001", "170141183460469231731687303715884.105727", "-170141183460469231731687303715884.105727"] {
            XCTAssertEqual(MoneyTotal(parsing: Substring(text))?.formatted(), text)
        }
        XCTAssertNil(MoneyTotal(parsing: "170141183460469231731687303715884.105728"))
        XCTAssertNil(MoneyTotal(parsing: "1."))
        XCTAssertNil(MoneyTotal(parsing: "-"))
        XCTAssertNil(MoneyTotal(parsing: "1e3"))
        XCTAssertEqual(MoneyTotal(raw: -1_234_567_500_000).grouped, "-1,234,567.50")
    }
}

