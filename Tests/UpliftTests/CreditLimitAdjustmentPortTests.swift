import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// `policies/credit-limit-adjustment`, the port of GoRules Zen's credit-limit graph, against an
/// independent reading of that graph written here from Zen's JSON (first-hit tables, a comma
/// in a cell meaning *or*, `round` half away from zero), on 12,000 random accounts with values
/// on and beside every threshold; and the checker's findings on the cells Zen never reaches.
final class CreditLimitAdjustmentPortTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let bundle = root.appendingPathComponent("policies/credit-limit-adjustment").path

    struct Account {
        var limitCents: Int64
        var onTime: Decimal, late: Int
        var current: Decimal, average: Decimal
        var inquiries: Int, years: Decimal, verified: Bool
    }

    /// Zen's graph, node by node, in exact arithmetic (limits in fen).
    static func zen(_ a: Account) -> (pct: Int, amount: Int64, total: Int, rows: [String]) {
        let payment: (Int, String) = a.onTime >= 95 && a.late <= 0 ? (30, "rule1") : a.onTime >= 90 && a.late <= 1 ? (20, "rule2")
            : a.onTime >= 80 && a.late <= 2 ? (0, "rule3") : a.onTime >= 70 && a.late <= 3 ? (-10, "rule4") : (-30, "rule5")
        // Rule 2's cells `>= 30, < 50` and `>= 50, < 70` hold for every number.
        let utilization: (Int, String) = a.current < 30 && a.average < 50 ? (25, "rule1")
            : (a.current >= 30 || a.current < 50) && (a.average >= 50 || a.average < 70) ? (15, "rule2") : (-25, "rule5")
        let behaviour: (Int, String) = a.inquiries < 1 && a.years >= 3 && a.verified ? (25, "rule1")
            : a.inquiries < 2 && a.years >= 2 && a.verified ? (15, "rule2") : a.inquiries < 3 && a.years >= 1 ? (5, "rule3")
            : a.inquiries < 4 && a.years < 1 && !a.verified ? (-10, "rule4") : (-20, "rule5")
        let total = payment.0 + utilization.0 + behaviour.0
        let steps: [(Int, Int)] = [(50, 30), (40, 25), (30, 20), (20, 15), (10, 10), (0, 5), (-10, 0), (-20, -5), (-30, -10), (-40, -15)]
        let k = steps.firstIndex { total > $0.0 }
        let pct = k.map { steps[$0].1 } ?? -20
        // round(limit × pct / 100) half away from zero, in whole yuan: limit fen × pct / 10,000.
        let q = a.limitCents * Int64(pct)
        let amount = (abs(q) + 5_000) / 10_000 * (q < 0 ? -1 : 1)
        return (pct, amount, total, [payment.1, utilization.1, behaviour.1, "rule\((k ?? 10) + 1)"])
    }

    static func json(_ a: Account, id: Int) -> String {
        let limit = "\(a.limitCents / 100).\(String(format: "%02d", a.limitCents % 100))"
        return #"{"account": {"customer_id": "C\#(id)", "current_credit_limit": \#(limit), "#
            + #""payment_history": {"on_time_payment_percentage": \#(a.onTime), "late_payments_last_12_months": \#(a.late), "total_payments": 24}, "#
            + #""utilization": {"current_percentage": \#(a.current), "average_last_6_months": \#(a.average), "highest_balance": 100}, "#
            + #""financial_behavior": {"credit_inquiries_last_12_months": \#(a.inquiries), "years_with_institution": \#(a.years), "#
            + #""income_verified": \#(a.verified), "has_other_products": false}}}"#
    }

    func testPortDecidesAsZenOnRandomAccounts() throws {
        let policy = try Policy.load(bundle: Self.bundle)
        var rng = SplitMix64(seed: 2026)
        func near(_ points: [Int64], hundredths: Bool) -> Decimal {
            // A threshold, a hundredth either side, or anywhere in 0...100.
            if rng.chance(60) {
                let p = points[Int(rng.int(0...Int64(points.count - 1)))] * 100 + rng.int(-1...1)
                return Decimal(max(0, p)) / 100
            }
            return hundredths ? Decimal(rng.int(0...10_000)) / 100 : Decimal(rng.int(0...100))
        }
        var outcomes: [String: Int] = [:]
        for i in 0..<12_000 {
            let limit: Int64 = rng.chance(10) ? rng.int(0...1_000_000_000_000_00) : rng.chance(30) ? rng.int(0...100_000) * 500 : rng.int(0...5_000_000)
            let a = Account(limitCents: limit, onTime: near([95, 90, 80, 70], hundredths: true), late: Int(rng.int(0...5)),
                            current: near([30, 50, 70, 85], hundredths: true), average: near([50, 70, 85, 95], hundredths: true),
                            inquiries: Int(rng.int(0...5)), years: near([3, 2, 1], hundredths: true), verified: rng.chance(60))
            let expected = Self.zen(a)
            let d = try policy.evaluate(json: Self.json(a, id: i))
            let context = Self.json(a, id: i)
            XCTAssertEqual(d.uplift, FixedDecimal(raw: expected.amount * FixedDecimal.scale), context)
            XCTAssertEqual(d.newLimit, FixedDecimal(raw: (a.limitCents * 10_000) + expected.amount * FixedDecimal.scale), context)
            XCTAssertEqual(d.outcome.rawValue, expected.amount > 0 ? "approve" : expected.amount < 0 ? "decrease" : "no_change", context)
            XCTAssertEqual(d.tables.map { $0.label ?? "" }, expected.rows, context)
            let reported = Dictionary(uniqueKeysWithValues: d.reported.map { ($0.name, $0.text) })
            XCTAssertEqual(reported["percent_change"], String(expected.pct), context)
            XCTAssertEqual(reported["total_adjustment_score"], String(expected.total), context)
            outcomes[d.outcome.rawValue, default: 0] += 1
            if d.outcome.rawValue != (expected.amount > 0 ? "approve" : expected.amount < 0 ? "decrease" : "no_change") { break }
        }
        // The population reaches increases, decreases and no change alike.
        XCTAssertGreaterThan(outcomes["approve"] ?? 0, 1_000)
        XCTAssertGreaterThan(outcomes["decrease"] ?? 0, 1_000)
        XCTAssertGreaterThan(outcomes["no_change"] ?? 0, 100)
    }

    /// `uplift check` is clean but for what the port keeps on purpose: Zen's comma cells, which
    /// match every value, and the three utilization rows they hide.
    func testCheckerWarnsOnlyAboutTheCellsZenNeverReaches() throws {
        let policy = try Policy.load(bundle: Self.bundle)
        let found = policy.warnings.map { "\($0.code) \(policy.sources.describe($0.span))" }
        let expected = (16...18).flatMap { line in
            ["W331 tables/utilization.yaml:\(line):28", "W331 tables/utilization.yaml:\(line):52"]
        } + (17...19).map { "W330 tables/utilization.yaml:\($0):5" }
        XCTAssertEqual(Set(found.map { $0.replacingOccurrences(of: Self.bundle + "/", with: "") }), Set(expected), "\(found)")
        XCTAssertEqual(found.count, 9)
    }

    /// A copy of the port's bundle with `edit` applied to the named files.
    func copy(_ edits: [String: (String) -> String], removing: [String] = []) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-port-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Self.bundle, toPath: dir.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for name in removing { try FileManager.default.removeItem(at: dir.appendingPathComponent(name)) }
        for (name, edit) in edits {
            let url = dir.appendingPathComponent(name)
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try edit(text).write(to: url, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    /// The manifest's `current_limit:` must name a required money fact, with a suggestion.
    func testTheManifestNamesTheCurrentLimit() throws {
        for (path, message, help) in [
            ("account.current_limit", "which is not a fact of the schema", "did you mean `account.current_credit_limit`?"),
            ("account.customer_id", "which is string; the current limit is required money", "name a required money fact"),
        ] {
            let dir = try copy(["bundle.yaml": { $0.replacingOccurrences(of: "current_limit: account.current_credit_limit", with: "current_limit: \(path)") }])
            XCTAssertThrowsError(try Policy.load(bundle: dir)) { error in
                guard let e = error as? PolicyLoadError, let d = e.diagnostics.first(where: { $0.code == "E338" }) else { return XCTFail("\(error)") }
                XCTAssertTrue(d.message.contains(message), d.message)
                XCTAssertTrue(d.help?.contains(help) == true, d.help ?? "")
                XCTAssertTrue(e.description.contains("bundle.yaml:9:16"), e.description)
            }
        }
        // Without it the nested limit is no current limit: there is no new limit to show.
        let plain = try copy(["bundle.yaml": { $0.replacingOccurrences(of: "current_limit: account.current_credit_limit\n", with: "") }])
        let d = try Policy.load(bundle: plain).evaluate(json: String(contentsOfFile: Self.bundle + "/examples/zen-test-case.json", encoding: .utf8))
        XCTAssertNil(d.newLimit)
        XCTAssertEqual(d.uplift, FixedDecimal(raw: 1_500 * FixedDecimal.scale))
    }

    /// `with:` in a test file replaces one field of a nested record by its dotted path; a path
    /// through something that is not a record is a located error (E408).
    func testTestOverridesTakeDottedPaths() throws {
        let base = "applicant: examples/zen-test-case.json"
        let dir = try copy(["tests/recommendation.yaml": { _ in """
            tests:
              - name: one late payment
                \(base)
                with: { account.payment_history.late_payments_last_12_months: 1 }
                expect: { tables: { payment_history_evaluation: rule2 }, uplift: 1500 }
              - name: a typo in a record's name
                \(base)
                with: { account.utilisation.current_percentage: 31 }
                expect: { outcome: approve }
              - name: through a number
                \(base)
                with: { account.current_credit_limit.cents: 1 }
                expect: { outcome: approve }
            """ }], removing: ["tests/zen.yaml", "tests/ratings.yaml"])
        let out = try Self.runCLI(["test", dir])
        XCTAssertEqual(out.status, 1, out.text)
        XCTAssertTrue(out.text.contains("error[E408]") && out.text.contains("`with` cannot set `account.utilisation.current_percentage`"), out.text)
        XCTAssertTrue(out.text.contains("tests/recommendation.yaml:8:13"), out.text)
        XCTAssertTrue(out.text.contains("`account.current_credit_limit.cents`"), out.text)
        // The first case alone passes: the dotted override took effect.
        let one = try copy(["tests/recommendation.yaml": { _ in """
            tests:
              - name: one late payment
                \(base)
                with: { account.payment_history.late_payments_last_12_months: 1 }
                expect: { tables: { payment_history_evaluation: rule2 }, uplift: 1500 }
            """ }], removing: ["tests/zen.yaml", "tests/ratings.yaml"])
        let passed = try Self.runCLI(["test", one])
        XCTAssertEqual(passed.status, 0, passed.text)
        XCTAssertTrue(passed.text.contains("1 passed, 0 failed"), passed.text)
    }

    /// Runs the built `uplift` binary.
    static func runCLI(_ args: [String]) throws -> (status: Int32, text: String) {
        let p = Process()
        // The test bundle sits next to the products in .build/<config> (`swift test` builds the CLI too).
        var dir = Bundle(for: CreditLimitAdjustmentPortTests.self).bundleURL
        while dir.path != "/", !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("uplift").path)
                || dir.appendingPathComponent("uplift").hasDirectoryPath {
            dir.deleteLastPathComponent()
        }
        p.executableURL = dir.appendingPathComponent("uplift")
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Services build nested applicants in code as they read them from JSON.
    func testNestedApplicantsFromTheEmbeddingAPI() throws {
        let policy = try Policy.load(bundle: Self.bundle)
        let a = try policy.applicant(["account": .record([
            "customer_id": .string("CUST10025"), "current_credit_limit": .decimal("5000"),
            "payment_history": .record(["on_time_payment_percentage": .decimal("98"), "late_payments_last_12_months": .integer(0), "total_payments": .integer(24)]),
            "utilization": .record(["current_percentage": .decimal("25"), "average_last_6_months": .decimal("40"), "highest_balance": .decimal("2800")]),
            "financial_behavior": .record(["credit_inquiries_last_12_months": .integer(0), "years_with_institution": .decimal("4"),
                                           "income_verified": .bool(true), "has_other_products": .bool(true)]),
        ])])
        let d = try policy.evaluate(a)
        XCTAssertEqual(d.outcome, .approve)
        XCTAssertEqual(d.newLimit, FixedDecimal(raw: 6_500 * FixedDecimal.scale))
        // A nested field of the wrong type is named by its full path.
        XCTAssertThrowsError(try policy.applicant(["account": .record(["current_credit_limit": .string("lots")])])) { error in
            XCTAssertTrue("\(error)".contains("account."), "\(error)")
        }
    }
}
