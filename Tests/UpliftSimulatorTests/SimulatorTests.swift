import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Uplift
@testable import UpliftSimulator
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

final class SimulatorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let bundle = root.appendingPathComponent("policies/certificate-uplift").path
    static let policy: Policy = {
        do { return try Policy.load(bundle: bundle) } catch { fatalError("reference bundle does not load:\n\(error)") }
    }()

    static func population(_ count: Int, seed: UInt64) -> [JSONValue] {
        SyntheticApplicants(policy: policy.checked).population(count: count, seed: seed)
    }

    func temp(_ text: String, _ ext: String = "jsonl") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-sim-\(UUID().uuidString).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs a simulation over `text`; returns the summary and the decision lines.
    func simulate(_ text: String, format: PopulationFormat = .jsonl, workers: Int = 2, batch: Int = 37,
                  maxErrors: Int? = nil, policy: Policy = SimulatorTests.policy) throws -> (SimulationSummary, [JSONValue]) {
        let url = try temp(text, format.rawValue)
        var options = SimulationOptions()
        options.format = format
        options.workers = workers
        options.batchSize = batch
        options.writeDecisions = true
        options.maxErrors = maxErrors
        var out: [UInt8] = []
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let summary = try Simulator(policy: policy, options: options).run(input: handle, decisions: { out += $0 })
        let lines = try String(decoding: out, as: UTF8.self).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        return (summary, lines)
    }

    func testDecisionsMatchEvalInInputOrder() throws {
        let population = Self.population(3_000, seed: 21)
        let (summary, lines) = try simulate(population.map(JSONWriter.encode).joined(separator: "\n") + "\n")
        XCTAssertEqual(lines.count, population.count)
        XCTAssertEqual(summary.rows, population.count)
        XCTAssertEqual(summary.badRowCount, 0)
        for (i, (a, line)) in zip(population, lines).enumerated() {
            let d = try Self.policy.evaluate(Self.policy.applicant(a))
            XCTAssertEqual(line["line"], .number(String(i + 1)))
            XCTAssertEqual(line["key"], a["id"], "row \(i + 1)")
            XCTAssertEqual(line["outcome"], .string(d.outcome.rawValue), "row \(i + 1)")
            XCTAssertEqual(line["uplift"], .number(d.uplift.formatted()), "row \(i + 1)")
            XCTAssertEqual(line["reasons"], .array(d.reasons.map { .string($0.code) }), "row \(i + 1)")
            XCTAssertEqual(line["segment"], d.segment.map { .string($0) } ?? .null, "row \(i + 1)")
            XCTAssertEqual(line["policy"]?["hash"], .string(Self.policy.identity.hash))
            // Personal data other than the key never appears.
            XCTAssertNil(line["gender"])
        }
    }

    func testSummaryIsConsistentWithTheDecisions() throws {
        let population = Self.population(2_000, seed: 22)
        let (s, lines) = try simulate(population.map(JSONWriter.encode).joined(separator: "\n"))
        var outcomes: [String: Int] = [:], credit = MoneyTotal.zero, reasons: [String: Int] = [:]
        for l in lines {
            guard case .string(let o)? = l["outcome"], case .number(let u)? = l["uplift"], case .array(let rs)? = l["reasons"] else { return XCTFail("bad line \(l)") }
            outcomes[o, default: 0] += 1
            if o == "approve" { credit.add(FixedDecimal(parsing: Substring(u))?.raw ?? 0) }
            for case .string(let r) in rs { reasons[r, default: 0] += 1 }
        }
        XCTAssertEqual(s.outcomes, outcomes)
        XCTAssertEqual(s.newCredit, credit)
        XCTAssertEqual(s.reasons, reasons)
        XCTAssertEqual(s.segments.values.map(\.count).reduce(0, +), s.decided)
        XCTAssertEqual(s.segments.values.map(\.upliftTotal.raw).reduce(0, +), s.newCredit.raw)
        // Several outcomes occur, so the comparison means something.
        XCTAssertGreaterThanOrEqual(outcomes.count, 3)
    }

    func testBadRowsAreCountedReportedAndKeepTheirPlace() throws {
        let good = Self.population(5, seed: 23).map(JSONWriter.encode)
        let rows = [
            good[0],
            "{not json",
            good[1].replacingOccurrences(of: #""age":"#, with: #""age":"old","was_age":"#),
            "",                                                   // a blank line is not a row
            good[2].replacingOccurrences(of: #""as_of":"#, with: #""as_of_missing":"#),
            good[3].replacingOccurrences(of: #""id":""#, with: #""id":7,"old_id":""#),
            good[4],
        ]
        let (s, lines) = try simulate(rows.joined(separator: "\n"), workers: 2, batch: 2)
        XCTAssertEqual(s.rows, 6)
        XCTAssertEqual(s.decided, 2)
        XCTAssertEqual(s.badRowCount, 4)
        XCTAssertEqual(s.badRows.map(\.line), [2, 3, 5, 6])
        XCTAssertEqual(s.badRows.map(\.path), ["", "age", "as_of", "id"])
        XCTAssertTrue(s.badRows[0].message.contains("not valid JSON"))
        // `id` is personal but it is the key, the one personal field outputs show.
        XCTAssertEqual(s.badRows[3].message, "expected a string, found the number 7")
        XCTAssertEqual(lines.map { $0["line"] }, [1, 2, 3, 5, 6, 7].map { .number(String($0)) })
        XCTAssertNotNil(lines[1]["error"])
        XCTAssertNotNil(lines[5]["outcome"])
    }

    func testPersonalFieldsOtherThanTheKeyAreMaskedInErrors() throws {
        let (policy, secret, good) = try personalPhoneBundle()
        let (s, lines) = try simulate(secret + "\n" + good, policy: policy)
        XCTAssertEqual(s.badRows.map(\.path), ["phone"])
        XCTAssertEqual(s.badRows.first?.message, "invalid value (personal data: not shown)")
        let text = lines.map(JSONWriter.encode).joined() + SummaryJSON.render(s) + SummaryText.render(s) + HTMLReport.simulation(s)
        XCTAssertFalse(text.contains("13800138000"))
    }

    func testMaxErrorsStopsEarly() throws {
        let rows = (0..<50).map { _ in "{broken" }
        let (s, _) = try simulate(rows.joined(separator: "\n"), workers: 1, batch: 5, maxErrors: 3)
        XCTAssertTrue(s.stoppedEarly)
        XCTAssertLessThan(s.rows, 50)
        XCTAssertGreaterThanOrEqual(s.badRowCount, 3)
    }

    func testCSVGivesTheSameDecisionsAsJSONLines() throws {
        let population = Self.population(500, seed: 24)
        let csv = Self.policy.csvColumns.joined(separator: ",") + "\n"
            + population.map { CSVWriter.row($0, policy: Self.policy) }.joined(separator: "\r\n") + "\n"
        let (fromCSV, csvLines) = try simulate(csv, format: .csv)
        let (fromJSON, jsonLines) = try simulate(population.map(JSONWriter.encode).joined(separator: "\n"))
        XCTAssertEqual(fromCSV.badRowCount, 0, "\(fromCSV.badRows)")
        XCTAssertEqual(SummaryJSON.render(fromCSV), SummaryJSON.render(fromJSON))
        XCTAssertEqual(csvLines.map { $0["outcome"] }, jsonLines.map { $0["outcome"] })
        XCTAssertEqual(csvLines.map { $0["key"] }, jsonLines.map { $0["key"] })
    }

    func testMergedPartsEqualOneRun() throws {
        let rows = Self.population(3_000, seed: 25).map(JSONWriter.encode)
        let (whole, _) = try simulate(rows.joined(separator: "\n"))
        var merged: SimulationSummary?
        for part in [rows[0..<700], rows[700..<2_100], rows[2_100...]] {
            let (s, _) = try simulate(part.joined(separator: "\n"), workers: 1)
            // Through JSON, as `uplift summary merge` reads them.
            let read = try SummaryJSON.parse(SummaryJSON.render(s))
            XCTAssertEqual(read, s)
            if merged == nil { merged = read } else { try merged?.merge(read) }
        }
        XCTAssertEqual(merged, whole)
    }

    func testHostileSummariesAreRefusedNotTrapped() throws {
        let (s, _) = try simulate(Self.population(50, seed: 29).map(JSONWriter.encode).joined(separator: "\n"))
        let text = SummaryJSON.render(s)
        let huge = text.replacingOccurrences(of: "\"rows\": 50", with: "\"rows\": 9223372036854775807")
        XCTAssertNotEqual(huge, text)
        XCTAssertThrowsError(try SummaryJSON.parse(huge))
        XCTAssertThrowsError(try SummaryJSON.parse(text.replacingOccurrences(of: "\"rows\": 50", with: "\"rows\": -1")))
        // Every rendering of a summary built in code whose counts do not add up still completes.
        var big = s
        big.outcomes["approve"] = Int.max / 2
        big.decided = 3
        for k in big.segments.keys { big.segments[k]?.outcomes["approve"] = Int.max - 1; big.segments[k]?.count = 2 }
        XCTAssertFalse(SummaryText.render(big).isEmpty)
        XCTAssertNoThrow(try JSONParser.parse(SummaryJSON.render(big)))
        XCTAssertTrue(HTMLReport.simulation(big).contains("<svg"))
    }

    func testHistogramQuantilesAndCollapse() {
        var h = UpliftHistogram()
        for v in 1...100 { h.add(Int64(v) * 1_000_000) }
        XCTAssertEqual(h.quantile(percent: 50), 50_000_000)
        XCTAssertEqual(h.quantile(percent: 90), 90_000_000)
        XCTAssertTrue(h.exact)
        for v in 0..<Int64(UpliftHistogram.exactLimit + 10) { h.add(1_000_000_000 + v * 1_000_000) }
        XCTAssertFalse(h.exact)
        XCTAssertEqual(h.total, Int128(100 + UpliftHistogram.exactLimit + 10))
        // Collapsed quantiles are within 1% below the true value.
        let q = h.quantile(percent: 99) ?? 0
        let truth: Int64 = 1_000_000_000 + Int64(Double(UpliftHistogram.exactLimit + 10) * 0.99 - 100 + 99) * 1_000_000
        XCTAssertLessThanOrEqual(q, truth)
        XCTAssertGreaterThanOrEqual(q, truth - truth / 100)
    }

    func testSynthFollowsTheSchemaHints() throws {
        let population = Self.population(5_000, seed: 28)
        var ages = Set<Int>(), ids = Set<String>(), occupations: [String: Int] = [:], lengths = Set<Int>()
        for a in population {
            guard case .number(let age)? = a["age"], case .string(let id)? = a["id"], case .string(let o)? = a["occupation"],
                  case .array(let certs)? = a["certificates"] else { return XCTFail("unexpected shape \(a)") }
            ages.insert(Int(age) ?? -1)
            ids.insert(id)
            occupations[o, default: 0] += 1
            lengths.insert(certs.count)
            XCTAssertEqual(a["as_of"], .string("2025-06-30"))
        }
        // Ages in 18…60 plus the listed thresholds 17 and 61; unique keys; weights respected.
        XCTAssertEqual(ages.min(), 17)
        XCTAssertEqual(ages.max(), 61)
        XCTAssertEqual(ids.count, population.count)
        XCTAssertGreaterThan(occupations["employee"] ?? 0, 3 * (occupations["other"] ?? 0))
        XCTAssertEqual(lengths, Set(0...4))
        // A realistic mix: every outcome is common, not a rounding error.
        let (s, _) = try simulate(population.map(JSONWriter.encode).joined(separator: "\n"))
        // (The reference policy never lowers a limit.)
        XCTAssertNil(s.outcomes[Outcome.decrease.rawValue])
        for o in Outcome.allCases where o != .decrease { XCTAssertGreaterThan(s.outcomes[o.rawValue] ?? 0, population.count / 20, o.rawValue) }
    }

    func testReportIsSelfContained() throws {
        let (s, _) = try simulate(Self.population(500, seed: 26).map(JSONWriter.encode).joined(separator: "\n"))
        let html = HTMLReport.simulation(s)
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))
        XCTAssertEqual(Self.svgProblems(html), [])
    }

    /// Each inline chart must be well-formed XML, or browsers (and SVG tools) draw nothing.
    static func svgProblems(_ html: String) -> [String] {
        var problems: [String] = []
        var rest = html[...]
        var count = 0
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            count += 1
            let svg = String(rest[start.lowerBound..<end.upperBound])
            let data = Data(svg.replacingOccurrences(of: "<svg ", with: "<svg xmlns=\"http://www.w3.org/2000/svg\" ").utf8)
            let parser = XMLParser(data: data)
            if !parser.parse() { problems.append("chart \(count): \(parser.parserError.map { "\($0)" } ?? "not XML")") }
            rest = rest[end.upperBound...]
        }
        if count == 0 { problems.append("no charts") }
        return problems
    }
}

extension XCTestCase {
    /// A copy of the reference bundle whose applicants also carry a phone number (pii), with a
    /// record whose phone is a number (a bad row whose message must not show it) and a good one.
    func personalPhoneBundle() throws -> (policy: Policy, secret: String, good: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-pii-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: SimulatorTests.bundle, toPath: dir.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let schemaURL = dir.appendingPathComponent("schema.uplift")
        let schema = try String(contentsOf: schemaURL, encoding: .utf8)
            .replacingOccurrences(of: "  as_of: date", with: "  phone: string pii optional\n  as_of: date")
        try schema.write(to: schemaURL, atomically: true, encoding: .utf8)
        let policy = try Policy.load(bundle: dir.path)
        let good = JSONWriter.encode(SimulatorTests.population(1, seed: 27)[0])
        return (policy, good.replacingOccurrences(of: #""as_of":"#, with: #""phone":13800138000,"as_of":"#), good)
    }
}
