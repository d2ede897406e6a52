import Foundation
import XCTest
import Uplift
@testable import UpliftSimulator

/// What the HTML reports show: bands and binding caps, numbers grouped in thousands, labelled
/// histogram axes, and a diff heat map whose shades follow a legend.
final class ReportContentTests: XCTestCase {
    func simulate(_ n: Int, seed: UInt64) throws -> SimulationSummary {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-report-\(UUID().uuidString).jsonl")
        try SimulatorTests.population(n, seed: seed).map(JSONWriter.encode).joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var options = SimulationOptions()
        options.workers = 2
        return try Simulator(policy: SimulatorTests.policy, options: options).run(input: handle)
    }

    func testSimulationReportShowsBandsCapsGroupedNumbersAndAxes() throws {
        let s = try simulate(2_500, seed: 41)
        let html = HTMLReport.simulation(s)
        XCTAssertEqual(SimulatorTests.svgProblems(html), [])
        XCTAssertTrue(html.contains("2,500 rows, 2,500 decided"), "counts grouped in thousands")
        // Every band and every binding cap, with its count grouped.
        XCTAssertTrue(html.contains("<h2>Bands</h2>") && html.contains("<h2>Binding caps</h2>"))
        XCTAssertFalse(s.bands.isEmpty || s.bindingCaps.isEmpty)
        for (band, n) in s.bands { XCTAssertTrue(html.contains("<td>\(band)</td><td>\(SummaryText.count(n))</td>"), band) }
        for (cap, n) in s.bindingCaps { XCTAssertTrue(html.contains("<td>\(cap)</td><td>\(SummaryText.count(n))</td>"), cap) }
        // Bands in the order of their ranges, not of their counts.
        let labels = ["0–9", "10–19", "20–39", "40–59", "60–89", "≥ 90"].filter { s.bands[$0] != nil }
        let positions = labels.compactMap { html.range(of: "<td>\($0)</td>")?.lowerBound }
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertGreaterThan(labels.count, 3)
        // The histogram's axes say what they count.
        XCTAssertTrue(html.contains(">approvals</text>"))
        XCTAssertTrue(html.contains(">uplift granted (yuan"))
        let approvals = s.outcomes["approve"] ?? 0
        XCTAssertGreaterThan(approvals, 0)
        XCTAssertTrue(html.contains("<td>approve</td><td>\(SummaryText.count(approvals))</td>"))
    }

    func testBandOrderFollowsTheRanges() {
        let labels = ["≥ 90", "10–19", "< 10", "100–199", "20–39", "other"]
        XCTAssertEqual(labels.sorted(by: HTMLReport.bandOrder), ["< 10", "10–19", "20–39", "≥ 90", "100–199", "other"])
    }

    func testHeatMapShadesByCountWithALegend() throws {
        var d = DiffSummary(base: SimulatorTests.policy.identity, candidate: SimulatorTests.policy.identity)
        d.matrix = [[5_000, 443, 0, 3], [0, 6_792, 0, 0], [0, 489, 3_276, 0], [190, 786, 0, 5_140]]
        let svg = DiffRendering.heatMap(d)
        XCTAssertEqual(SimulatorTests.svgProblems("<p>" + svg), [])
        func fill(_ b: Int, _ c: Int, in svg: String? = nil, matrix: [[Int]]? = nil) -> String? {
            let svg = svg ?? DiffRendering.heatMap(d), m = matrix ?? d.matrix
            let title = "<title>\(DiffRendering.names[b]) → \(DiffRendering.names[c]): \(SummaryText.count(m[b][c]))</title>"
            guard let t = svg.range(of: title), let rect = svg.range(of: "<rect", options: .backwards, range: svg.startIndex..<t.lowerBound),
                  let f = svg.range(of: "fill=\"", range: rect.upperBound..<t.lowerBound) else { return nil }
            return String(svg[f.upperBound...].prefix(7))
        }
        // Shades follow the counts: never lighter for more rows, the smallest change the
        // lightest class, the largest the darkest, and five classes in use here.
        let cells = [(0, 3), (3, 0), (0, 1), (2, 1), (3, 1)].sorted { d.matrix[$0.0][$0.1] < d.matrix[$1.0][$1.1] }
        let classes = cells.map { fill($0.0, $0.1).flatMap { DiffRendering.changeShades.firstIndex(of: $0) } }
        XCTAssertEqual(classes.compactMap { $0 }, classes.compactMap { $0 }.sorted())
        XCTAssertEqual(classes.compactMap { $0 }.count, 5, "\(classes)")
        XCTAssertEqual(classes.first, 0)
        XCTAssertEqual(classes.last, DiffRendering.changeShades.count - 1)
        XCTAssertGreaterThanOrEqual(Set(classes).count, 3, "\(classes)")
        // 443 and 786 rows: one step apart on a scale from 3 to 786, so not the same red.
        var close = d
        close.matrix = [[5_000, 443, 0, 0], [0, 6_792, 0, 0], [0, 489, 3_276, 0], [190, 786, 0, 5_140]]
        let closeSVG = DiffRendering.heatMap(close)
        XCTAssertNotEqual(fill(0, 1, in: closeSVG, matrix: close.matrix), fill(3, 1, in: closeSVG, matrix: close.matrix))
        XCTAssertNotEqual(fill(3, 0, in: closeSVG, matrix: close.matrix), fill(3, 1, in: closeSVG, matrix: close.matrix))
        XCTAssertEqual(DiffRendering.shadeBounds(least: 190, most: 786).count, 5)
        XCTAssertEqual(DiffRendering.shadeBounds(least: 1, most: 1), [1])
        XCTAssertEqual(DiffRendering.shadeBounds(least: 1, most: 3), [1, 2, 3])
        // No change is white, the diagonal grey; the legend names each class's range of rows.
        XCTAssertEqual(fill(0, 2), "#ffffff")
        XCTAssertEqual(fill(1, 1), "#eceff1")
        XCTAssertTrue(svg.contains("rows that changed:"))
        XCTAssertTrue(svg.contains(">1–"), "the first class starts at one row")
        XCTAssertTrue(svg.contains("–786</text>"))
        XCTAssertTrue(svg.contains("same outcome (diagonal"))
        XCTAssertTrue(svg.contains(">5,140</text>"), "cell counts grouped")
    }

    func testDiffReportShowsBandsAndCaps() throws {
        var d = DiffSummary(base: SimulatorTests.policy.identity, candidate: SimulatorTests.policy.identity)
        d.baseBands = ["0–9": 12_422, "≥ 90": 97]
        d.candidateBands = ["0–9": 12_000, "≥ 90": 519]
        d.baseCaps = ["CAPPED_BY_INCOME": 1_120]
        d.candidateCaps = ["CAPPED_BY_INCOME": 714]
        let html = DiffRendering.html(d)
        XCTAssertTrue(html.contains("<td>0–9</td><td>12,422</td><td>12,000</td><td>-422</td>"), html)
        XCTAssertTrue(html.contains("<td>≥ 90</td><td>97</td><td>519</td><td>+422</td>"))
        XCTAssertTrue(html.contains("<td>CAPPED_BY_INCOME</td><td>1,120</td><td>714</td><td>-406</td>"))
        let text = DiffRendering.text(d)
        XCTAssertTrue(text.contains("bands that changed:") && text.contains("binding caps that changed:"), text)
        let json = try JSONParser.parse(DiffRendering.json(d))
        XCTAssertEqual(json["binding_caps"]?["CAPPED_BY_INCOME"]?["candidate"], .number("714"))
        XCTAssertEqual(json["bands"]?["≥ 90"]?["base"], .number("97"))
    }
}
