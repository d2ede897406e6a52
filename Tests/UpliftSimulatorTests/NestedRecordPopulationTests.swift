import Foundation
import XCTest
@testable import Uplift
@testable import UpliftSimulator
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Populations of applicants with nested records: `synth` writes them, `simulate` reads them
/// back without a bad row, in JSON Lines and in CSV with dotted column names.
final class NestedRecordPopulationTests: XCTestCase {
    static let schema = """
    record PaymentHistory {
      on_time_payment_percentage: decimal between 0 and 100 sample between 80 and 100
      late_payments: integer optional
    }
    record Employer {
      name: string pii
      years: integer sample between 0 and 40
    }
    record Account {
      current_limit: money between 0 and 1000000
      payment_history: PaymentHistory
      employer: Employer optional sample absent 30 percent
    }
    record Issuer {
      country: enum(cn, us, uk) sample [us: 3, cn: 1]
    }
    record Certificate {
      type: string
      issuer: Issuer
      backup: Issuer optional
    }
    facts Applicant {
      id: string pii key
      age: integer
      account: Account
      certificates: list of Certificate sample length between 0 and 3
    }
    """
    static let rules = """
    reason LATE "late"
    reason NOEMP "no employer"
    reason CAP "capped"
    decline LATE when account.payment_history.on_time_payment_percentage < 90
    refer NOEMP when account.employer is missing
    let us_certs = count(c for c in certificates where c.issuer.country == us)
    amount = account.current_limit * us_certs * 0.05
    cap CAP = account.current_limit
    """

    static let policy: Policy = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-nested-sim-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let files = ["bundle.yaml": "name: nested\nversion: 1.0.0\nschema: schema.uplift\nrules: [policy.uplift]\n",
                         "schema.uplift": schema, "policy.uplift": rules]
            for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            return try Policy.load(bundle: dir.path)
        } catch { fatalError("the nested bundle does not load: \(error)") }
    }()

    func simulate(_ text: String, format: PopulationFormat) throws -> (SimulationSummary, [JSONValue]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-nested-\(UUID().uuidString).\(format.rawValue)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = SimulationOptions()
        options.format = format
        options.workers = 2
        options.batchSize = 41
        options.writeDecisions = true
        var out: [UInt8] = []
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let summary = try Simulator(policy: Self.policy, options: options).run(input: handle, decisions: { out += $0 })
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        return (summary, lines)
    }

    func testSynthRoundTripsThroughJSONLinesAndCSV() throws {
        let policy = Self.policy
        let population = policy.syntheticPopulation(count: 800, seed: 5)
        // Nested objects, and sample hints on nested fields followed.
        for a in population {
            guard case .string(let c)? = a["certificates"].flatMap({ if case .array(let xs) = $0 { xs.first } else { nil } })?["issuer"]?["country"] else { continue }
            XCTAssertTrue(c == "us" || c == "cn", c)
        }
        let percentages = population.compactMap { $0["account"]?["payment_history"]?["on_time_payment_percentage"] }
        XCTAssertEqual(percentages.count, population.count)
        let absent = population.filter { $0["account"]?["employer"] == .null }.count
        XCTAssertTrue((150...330).contains(absent), "about 30% without an employer: \(absent)")
        let jsonl = population.map(JSONWriter.encode).joined(separator: "\n") + "\n"
        let (fromJSON, jsonLines) = try simulate(jsonl, format: .jsonl)
        XCTAssertEqual(fromJSON.badRowCount, 0, "\(fromJSON.badRows)")
        XCTAssertEqual(fromJSON.rows, 800)
        let header = policy.csvColumns
        XCTAssertTrue(header.contains("account.payment_history.on_time_payment_percentage"), "\(header)")
        XCTAssertTrue(header.contains("account.employer"), "an optional record has its own column")
        XCTAssertFalse(header.contains("account"), "a required record does not")
        let csv = header.joined(separator: ",") + "\n" + population.map { CSVWriter.row($0, policy: policy) }.joined(separator: "\n") + "\n"
        let (fromCSV, csvLines) = try simulate(csv, format: .csv)
        XCTAssertEqual(fromCSV.badRowCount, 0, "\(fromCSV.badRows)")
        XCTAssertEqual(SummaryJSON.render(fromCSV), SummaryJSON.render(fromJSON))
        XCTAssertEqual(csvLines.map { $0["outcome"] }, jsonLines.map { $0["outcome"] })
        XCTAssertEqual(csvLines.map { $0["uplift"] }, jsonLines.map { $0["uplift"] })
    }

    /// A bad value in a nested personal field is reported without the value.
    func testNestedPersonalFieldsAreMaskedInBadRows() throws {
        let row = #"{"id": "A1", "age": 30, "account": {"current_limit": 5000, "payment_history": {"on_time_payment_percentage": 95}, "employer": {"name": 123456789, "years": 2}}, "certificates": []}"#
        let (summary, _) = try simulate(row + "\n", format: .jsonl)
        XCTAssertEqual(summary.badRows.map(\.path), ["account.employer.name"])
        XCTAssertEqual(summary.badRows.map(\.message), ["invalid value (personal data: not shown)"])
        XCTAssertFalse(SummaryJSON.render(summary).contains("123456789"))
    }

    func testCSVDottedColumns() throws {
        let header = "id,age,account.current_limit,account.payment_history.on_time_payment_percentage,account.payment_history.late_payments,account.employer.name,account.employer.years,certificates"
        let rows = [
            "A1,30,5000,95,,Acme,3,\"[{\"\"type\"\":\"\"cpa\"\",\"\"issuer\"\":{\"\"country\"\":\"\"us\"\"}}]\"", // approve 250
            "A2,30,5000,95,2,,,[]",              // employer absent: every cell empty
            "A3,30,5000,95,,Acme,,[]",            // employer given, years missing
            "A4,30,5000,high,,,,[]",              // wrong type deep inside
            "A5,30,5000,,,,,[]",                  // a required nested field missing
        ]
        let (summary, lines) = try simulate(header + "\n" + rows.joined(separator: "\n") + "\n", format: .csv)
        XCTAssertEqual(lines.map { $0["outcome"] }.compactMap { $0 }, [.string("approve"), .string("refer")])
        XCTAssertEqual(summary.badRowCount, 3)
        let messages = summary.badRows.map { "\($0.path): \($0.message)" }
        XCTAssertEqual(messages, ["account.employer.years: missing required field (integer)",
                                  "account.payment_history.on_time_payment_percentage: high is not a decimal number Uplift can represent exactly (at most 6 decimal places, no exponent, magnitude below 9 trillion)",
                                  "account.payment_history.on_time_payment_percentage: missing required field (decimal)"])
        // A misspelt dotted column is counted as unknown, with its suggestion.
        let typo = header.replacingOccurrences(of: "account.employer.years", with: "account.employer.yaers")
        let (withTypo, _) = try simulate(typo + "\n" + rows[1] + "\n", format: .csv)
        XCTAssertEqual(withTypo.badRowCount, 0)
        XCTAssertTrue(SummaryJSON.render(withTypo).contains("account.employer.yaers"), SummaryJSON.render(withTypo))
        XCTAssertTrue(SummaryJSON.render(withTypo).contains("account.employer.years"), "the suggestion")
        // A record's own cell says only whether it is given.
        let own = "id,age,account.current_limit,account.payment_history.on_time_payment_percentage,account.employer\nA6,30,5000,95,\"{\"\"name\"\":\"\"x\"\"}\"\n"
        let (bad, _) = try simulate(own, format: .csv)
        XCTAssertEqual(bad.badRows.map(\.path), ["account.employer"])
    }
}
