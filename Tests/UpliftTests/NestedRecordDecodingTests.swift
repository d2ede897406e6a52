import Foundation
import XCTest
@testable import UpliftRuntime
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// Applicants with nested records: rules read them by path, both readers (the byte-level one
/// and the full decoder) read them alike, and every error names the field's full path.
final class NestedRecordDecodingTests: XCTestCase {
    static let schema = """
    record PaymentHistory {
      on_time_payment_percentage: decimal between 0 and 100
      late_payments: integer optional
    }
    record Employer {
      name: string
      years: integer sample between 0 and 40
    }
    record Account {
      current_limit: money between 0 and 1000000
      holder: string pii
      payment_history: PaymentHistory
      employer: Employer optional sample absent 30 percent
    }
    record Issuer {
      country: enum(cn, us, uk)
      name: string optional
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
      certificates: list of Certificate
    }
    """
    static let rules = """
    reason LATE "late"
    reason NOEMP "no employer"
    reason CAP "capped"
    decline LATE when account.payment_history.on_time_payment_percentage < 90
    refer NOEMP when account.employer is missing
    let us_certs = count(c for c in certificates where c.issuer.country == us)
    let cn_backups = count(c for c in certificates where c.backup is present and c.backup.country == cn)
    let employer_years = if account.employer is present then account.employer.years else 0
    report us_certs, cn_backups, employer_years
    amount = account.current_limit * us_certs * 0.05
    cap CAP = account.current_limit
    """

    static func load(schema: String, rules: String) throws -> Policy {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-nested-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["bundle.yaml": "name: nested\nversion: 1.0.0\nschema: schema.uplift\nrules: [policy.uplift]\n",
                     "schema.uplift": schema, "policy.uplift": rules]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try Policy.load(bundle: dir.path)
    }

    static let policy: Policy = {
        do { return try load(schema: schema, rules: rules) } catch { fatalError("the nested bundle does not load: \(error)") }
    }()

    static let good = """
    {"id": "A1", "age": 30,
     "account": {"current_limit": 5000, "holder": "Li", "payment_history": {"on_time_payment_percentage": 98, "late_payments": 1}, "employer": {"name": "Acme", "years": 7}},
     "certificates": [{"type": "cpa", "issuer": {"country": "us"}},
                      {"type": "ielts", "issuer": {"country": "uk", "name": "BC"}, "backup": {"country": "cn"}}]}
    """

    func replacing(_ old: String, _ new: String, in text: String = good) -> String {
        XCTAssertTrue(text.contains(old), old)
        return text.replacingOccurrences(of: old, with: new)
    }

    func testRulesReadNestedPaths() throws {
        let d = try Self.policy.evaluate(json: Self.good)
        XCTAssertEqual(d.outcome, .approve)
        XCTAssertEqual(d.uplift.formatted(), "250")
        XCTAssertEqual(d.reported.map(\.text), ["1", "1", "7"])
        let text = DecisionRenderer.text(d, Self.policy.explain(d))
        XCTAssertTrue(text.contains("account.payment_history.on_time_payment_percentage = 98"), text)
        XCTAssertFalse(text.contains("Li"), "pii stays out of explanations")
        let late = try Self.policy.evaluate(json: replacing("\"on_time_payment_percentage\": 98", "\"on_time_payment_percentage\": 89.5"))
        XCTAssertEqual(late.outcome, .decline)
    }

    /// The VM and the reference interpreter decide and explain nested records alike.
    func testEnginesAgreeOnNestedRecords() throws {
        var outcomes = Set<String>()
        for a in SyntheticApplicants(policy: Self.policy.checked).population(count: 300, seed: 9) {
            guard let applicant = try? Self.policy.applicant(a) else { continue }
            let vm = try Self.policy.evaluator.evaluate(applicant, engine: .vm), ref = try Self.policy.evaluator.evaluate(applicant, engine: .reference)
            XCTAssertEqual(DecisionRenderer.text(vm, Self.policy.explain(vm)), DecisionRenderer.text(ref, Self.policy.explain(ref)))
            outcomes.insert(vm.outcome.rawValue)
        }
        XCTAssertEqual(outcomes, ["approve", "decline", "refer", "no_change"])
    }

    func testAnAbsentOptionalRecordReadsAsMissing() throws {
        let employer = ", \"employer\": {\"name\": \"Acme\", \"years\": 7}"
        for text in [replacing(employer, ""), replacing(employer, ", \"employer\": null")] {
            let d = try Self.policy.evaluate(json: text)
            XCTAssertEqual(d.outcome, .refer, text)
            XCTAssertEqual(d.reported.map(\.text), ["1", "1", "0"])
            let a = try Self.policy.applicant(json: text)
            let schema = Self.policy.checked.schema
            for name in ["account.employer", "account.employer.name", "account.employer.years"] {
                XCTAssertEqual(a.facts[try XCTUnwrap(schema.facts.field(named: name))], Program.missing, name)
            }
        }
    }

    /// Both readers, lenient and strict, on `text`: the same registers or the same error.
    func decodeBoth(_ text: String, strict: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> Result<Applicant, ApplicantError> {
        let decoder = Self.policy.evaluator.decoder
        let bytes = Array(text.utf8)
        var u1: [UnknownField] = [], u2: [UnknownField] = []
        let options = strict ? ApplicantOptions.strict : .lenient
        let full = bytes.withUnsafeBufferPointer { b in Result { () throws(ApplicantError) in try decoder.decode(utf8: b, options: options, unknown: &u1, reader: .full) } }
        let auto = bytes.withUnsafeBufferPointer { b in Result { () throws(ApplicantError) in try decoder.decode(utf8: b, options: options, unknown: &u2, reader: .automatic) } }
        switch (full, auto) {
        case (.success(let x), .success(let y)):
            XCTAssertEqual(canonical(x), canonical(y), text, file: file, line: line)
            XCTAssertEqual(u1.map(\.path), u2.map(\.path), text, file: file, line: line)
        case (.failure(let x), .failure(let y)): XCTAssertEqual(x, y, text, file: file, line: line)
        default: XCTFail("the readers disagree on \(text): \(full) vs \(auto)", file: file, line: line)
        }
        if let fast = bytes.withUnsafeBufferPointer({ decoder.fastDecode(utf8: $0, strict: strict) }) {
            guard case .success(let a) = full else { XCTFail("fast accepted what full refuses: \(text)", file: file, line: line); return full }
            XCTAssertEqual(canonical(fast), canonical(a), text, file: file, line: line)
        }
        return full
    }

    /// Registers as text, so unknown strings compare by content.
    func canonical(_ a: Applicant) -> [String] {
        let schema = Self.policy.checked.schema, strings = Self.policy.checked.strings
        func show(_ raw: Int64, _ f: FieldInfo) -> String { f.type == .string && raw != Program.missing ? "s:" + a.string(raw, in: strings) : String(raw) }
        var out: [String] = []
        for (i, f) in schema.facts.fields.enumerated() {
            if case .list(let r) = f.type {
                let d = a.facts[i], first = Int(d >> 32), count = Int(d & 0xFFFF_FFFF), fields = schema.records[r].fields
                for k in 0..<count { for (j, ef) in fields.enumerated() { out.append(show(a.elements[first + k * fields.count + j], ef)) } }
                out.append("n=\(count)")
            } else {
                out.append(show(a.facts[i], f))
            }
        }
        return out
    }

    func testErrorsNameTheFullPath() throws {
        let cases: [(String, String)] = [
            (replacing("\"on_time_payment_percentage\": 98", "\"on_time_payment_percentage\": \"high\""),
             "account.payment_history.on_time_payment_percentage: expected a number, found the string \"high\""),
            (replacing("\"on_time_payment_percentage\": 98, ", ""),
             "account.payment_history.on_time_payment_percentage: missing required field (decimal)"),
            (replacing("\"on_time_payment_percentage\": 98", "\"on_time_payment_percentage\": 101"),
             "account.payment_history.on_time_payment_percentage: 101 is outside the allowed range 0 to 100"),
            (replacing("\"payment_history\": {\"on_time_payment_percentage\": 98, \"late_payments\": 1},", ""),
             "account.payment_history: missing required record (PaymentHistory)"),
            (replacing("\"payment_history\": {\"on_time_payment_percentage\": 98, \"late_payments\": 1}", "\"payment_history\": [98]"),
             "account.payment_history: expected an object (PaymentHistory), found a list"),
            (replacing("{\"name\": \"Acme\", \"years\": 7}", "{\"years\": 7}"),
             "account.employer.name: missing required field (string)"),
            (replacing("\"late_payments\": 1", "\"late_payments\": 1.5"),
             "account.payment_history.late_payments: expected a whole number, found 1.5"),
            (replacing("{\"country\": \"uk\", \"name\": \"BC\"}", "{\"country\": \"fr\", \"name\": \"BC\"}"),
             "certificates[1].issuer.country: expected one of cn, us, uk, found the string \"fr\""),
            (replacing("\"backup\": {\"country\": \"cn\"}", "\"backup\": {}"),
             "certificates[1].backup.country: missing required field (enum country)"),
            (replacing("{\"type\": \"cpa\", \"issuer\": {\"country\": \"us\"}}", "{\"type\": \"cpa\"}"),
             "certificates[0].issuer: missing required record (Issuer)"),
            ("{\"id\": \"A1\", \"age\": 30, \"certificates\": []}", "account: missing required record (Account)"),
        ]
        for (text, message) in cases {
            guard case .failure(let e) = decodeBoth(text) else { XCTFail("accepted: \(text)"); continue }
            XCTAssertEqual(e.description, message)
        }
        // A key given twice inside a nested record, in text: the parser names it.
        guard case .failure(let dup) = decodeBoth(replacing("\"late_payments\": 1", "\"late_payments\": 1, \"late_payments\": 2")) else { return XCTFail() }
        XCTAssertEqual(dup.path, "account.payment_history.late_payments")
        // Built in code, the decoder itself refuses it.
        XCTAssertThrowsError(try Self.policy.applicant(.object([("id", .string("x")), ("age", .number("1")), ("certificates", .array([])),
            ("account", .object([("current_limit", .number("1")), ("current_limit", .number("2"))]))]))) { e in
            XCTAssertEqual((e as? ApplicantError)?.description, "account.current_limit: duplicate key")
        }
    }

    func testUnknownNestedFieldsAreReportedWithTheirPath() throws {
        let text = replacing("\"late_payments\": 1", "\"Late_payments\": 1").replacingOccurrences(of: "{\"country\": \"us\"}", with: "{\"country\": \"us\", \"contry\": \"x\"}")
        guard case .failure(let e) = decodeBoth(text, strict: true) else { return XCTFail("strict accepted \(text)") }
        XCTAssertEqual(e.description, "account.payment_history.Late_payments: unknown field (did you mean `account.payment_history.late_payments`?)")
        var unknown: [UnknownField] = []
        _ = try Self.policy.applicant(json: text, options: .lenient, unknown: &unknown)
        XCTAssertEqual(unknown.map(\.path), ["account.payment_history.Late_payments", "certificates[0].issuer.contry"])
        XCTAssertEqual(unknown.map(\.name), ["account.payment_history.Late_payments", "certificates.issuer.contry"])
        XCTAssertEqual(unknown.map(\.suggestion), ["account.payment_history.late_payments", "certificates.issuer.country"])
        // The byte-level reader finds the same ones, in the same order.
        let fast = Array(text.utf8).withUnsafeBufferPointer { Self.policy.evaluator.decoder.fastDecodeReporting(utf8: $0) }
        XCTAssertEqual(fast?.1.map(\.path), unknown.map(\.path))
        // A dotted key at the top is not the nested field.
        let dotted = replacing("\"age\": 30,", "\"age\": 30, \"account.current_limit\": 7,")
        guard case .failure(let d) = decodeBoth(dotted, strict: true) else { return XCTFail() }
        XCTAssertEqual(d.description, "account.current_limit: unknown field (not in the schema)")
        // CSV columns are checked by dotted name.
        XCTAssertNil(Self.policy.unknownField(named: "account.payment_history.on_time_payment_percentage"))
        XCTAssertEqual(Self.policy.unknownField(named: "account.payment_history.on_time")?.suggestion, nil)
        XCTAssertEqual(Self.policy.unknownField(named: "account.payment_histroy")?.suggestion, "account.payment_history")
        XCTAssertEqual(Self.policy.unknownField(named: "account.employer.Name")?.suggestion, "account.employer.name")
    }

    func testTheByteReaderReadsNestedRecordsItself() throws {
        // Well-formed nested records do not send the fast reader to the full decoder.
        let records = SyntheticApplicants(policy: Self.policy.checked).population(count: 200, seed: 3).map(JSONWriter.encode)
        var fast = 0
        for r in records {
            guard case .success = decodeBoth(r) else { XCTFail("a synthetic record is refused: \(r)"); continue }
            if Array(r.utf8).withUnsafeBufferPointer({ Self.policy.evaluator.decoder.fastDecode(utf8: $0) }) != nil { fast += 1 }
        }
        XCTAssertEqual(fast, records.count)
    }

    /// Random records and random damage to them (keys dropped, values swapped for other
    /// values, nulls, stray keys, nested objects where values are): both readers agree on every one.
    func testReadersAgreeOnRandomNestedRecords() throws {
        var rng = SplitMix64(seed: 11)
        let synthetic = SyntheticApplicants(policy: Self.policy.checked)
        let junk: [JSONValue] = [.null, .bool(true), .number("7"), .number("98.5"), .string("us"), .string("x"), .object([]), .array([]),
                                 .object([("country", .string("cn"))]), .object([("on_time_payment_percentage", .number("50"))])]
        func damage(_ v: JSONValue, _ rng: inout SplitMix64) -> JSONValue {
            switch v {
            case .object(let members):
                var out: [(String, JSONValue)] = []
                for (k, x) in members {
                    switch rng.int(0...19) {
                    case 0: continue // dropped
                    case 1: out.append((k, rng.pick(junk) ?? .null))
                    case 2: out.append((k, x)); out.append((k.uppercased(), rng.pick(junk) ?? .null))
                    default: out.append((k, damage(x, &rng)))
                    }
                }
                return .object(out)
            case .array(let items): return .array(items.map { damage($0, &rng) })
            default: return v
            }
        }
        var accepted = 0
        for _ in 0..<600 {
            let a = synthetic.applicant(&rng, index: 1)
            let text = JSONWriter.encode(rng.chance(30) ? a : damage(a, &rng))
            for strict in [false, true] { if case .success = decodeBoth(text, strict: strict), !strict { accepted += 1 } }
        }
        XCTAssertGreaterThan(accepted, 200)
        XCTAssertLessThan(accepted, 600)
    }

    /// 100,000 nested fields in one record: loaded, checked, compiled and decoded in time linear in
    /// the size (a quadratic pass, 10^10 steps, could not finish).
    func testAWideNestedRecordDecodesInLinearTime() throws {
        let records = 1_000, fields = 100
        var schema = ""
        for r in 0..<records { schema += "record R\(r) {\n" + (0..<fields).map { "  f\($0): integer\n" }.joined() + "}\n" }
        schema += "facts Applicant {\n" + (0..<records).map { "  r\($0): R\($0)\n" }.joined() + "}\n"
        let rules = "reason X \"x\"\n" + (0..<records).map { "decline X when r\($0).f\($0 % fields) > 5\n" }.joined()
        let policy = try Self.load(schema: schema, rules: rules)
        var text = "{"
        for r in 0..<records {
            text += (r == 0 ? "" : ",") + "\"r\(r)\":{" + (0..<fields).map { "\"f\($0)\":\($0 == r % fields && r == 999 ? 6 : 1)" }.joined(separator: ",") + "}"
        }
        text += "}"
        let d = try policy.evaluate(utf8: Array(text.utf8))
        XCTAssertEqual(d.outcome, .decline)
        XCTAssertEqual(try policy.evaluate(json: text.replacingOccurrences(of: ":6", with: ":1")).outcome, .noChange)
    }
}
