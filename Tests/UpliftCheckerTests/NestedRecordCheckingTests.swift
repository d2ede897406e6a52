import Foundation
import XCTest
import UpliftBundle
@testable import UpliftChecker
import UpliftSyntax

/// Fields holding records: the schema flattens them into dotted fields, rules read them by
/// path, and every mistake (an unknown part, a record holding itself, nesting too deep or too
/// wide, a list inside a record) is a located error, never a hang or a stack overflow.
final class NestedRecordCheckingTests: XCTestCase {
    static let schema = """
    record PaymentHistory {
      on_time_payment_percentage: decimal between 0 and 100
      late_payments: integer optional
    }
    record Employer {
      name: string
      years: integer
      salary: money protected
    }
    record Account {
      current_limit: money between 0 and 1000000
      holder: string pii
      payment_history: PaymentHistory
      employer: Employer optional
    }
    record Issuer {
      country: enum(cn, us, uk)
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
    decline LATE when account.payment_history.on_time_payment_percentage < 90
    refer NOEMP when account.employer is missing
    let us_certs = count(c for c in certificates where c.issuer.country == us)
    let employer_years = if account.employer is present then account.employer.years else 0
    report us_certs, employer_years
    """

    func check(schema: String = schema, rules: String = rules) throws -> (CheckedPolicy?, [Diagnostic], SourceMap) {
        try TestBundle.check(schema: schema, rules: rules, tables: [:])
    }

    func errors(_ d: [Diagnostic]) -> [Diagnostic] { d.filter { $0.severity == .error } }

    func testSchemaFlattensNestedRecordsIntoDottedFields() throws {
        let (policy, diags, _) = try check()
        XCTAssertEqual(errors(diags).map(\.code), [])
        let schema = try XCTUnwrap(policy).schema
        let names = schema.facts.fields.map(\.name)
        XCTAssertEqual(names, ["id", "age", "account", "account.current_limit", "account.holder", "account.payment_history",
                               "account.payment_history.on_time_payment_percentage", "account.payment_history.late_payments",
                               "account.employer", "account.employer.name", "account.employer.years", "account.employer.salary",
                               "certificates"])
        let f = { (n: String) in schema.facts.fields[schema.facts.field(named: n) ?? 0] }
        XCTAssertEqual(f("account").record, schema.records.firstIndex { $0.name == "Account" })
        XCTAssertEqual(f("account.payment_history.on_time_payment_percentage").parent, schema.facts.field(named: "account.payment_history"))
        // A required field of an optional record can be missing (its record absent)...
        XCTAssertTrue(f("account.employer.name").optional)
        XCTAssertFalse(f("account.employer.name").declaredOptional)
        // ...and pii/protected/ranges stay on the nested fields.
        XCTAssertTrue(f("account.holder").pii)
        XCTAssertTrue(f("account.employer.salary").protected)
        XCTAssertNotNil(f("account.current_limit").range)
        XCTAssertNil(schema.keyField.map { schema.facts.fields[$0].name }.flatMap { $0 == "id" ? nil : $0 })
        // The element record is flattened the same way.
        let cert = try XCTUnwrap(schema.records.first { $0.name == "Certificate" })
        XCTAssertEqual(cert.fields.map(\.name), ["type", "issuer", "issuer.country", "backup", "backup.country"])
        XCTAssertTrue(cert.fields[4].optional)
    }

    func testOptionalRecordFieldsNeedTheRecordProvenPresent() throws {
        let (_, diags, sources) = try check(rules: Self.rules + "\nreason OLD \"old\"\ndecline OLD when account.employer.years > 30\n")
        let e = try XCTUnwrap(errors(diags).first)
        XCTAssertEqual(e.code, "E252", e.message)
        XCTAssertEqual(sources.text(e.span), "account.employer.years")
        // Proving the record present is enough for its required fields, not for its optional ones.
        let (_, ok, _) = try check(rules: Self.rules + "\nreason OLD \"old\"\ndecline OLD when account.employer is present and account.employer.years > 30\n")
        XCTAssertEqual(errors(ok).map(\.code), [])
        let (_, still, _) = try check(rules: Self.rules + "\nreason L2 \"l\"\ndecline L2 when account.payment_history.late_payments > 3\n")
        XCTAssertEqual(errors(still).map(\.code), ["E252"])
        let (_, elements, _) = try check(rules: Self.rules + "\nlet cn_backups = count(c for c in certificates where c.backup.country == cn)\nreport cn_backups\n")
        XCTAssertEqual(errors(elements).map(\.code), ["E252"])
        let (_, proven, _) = try check(rules: Self.rules + "\nlet cn_backups = count(c for c in certificates where c.backup is present and c.backup.country == cn)\nreport cn_backups\n")
        XCTAssertEqual(errors(proven).map(\.code), [])
    }

    func testUnknownPathPartsAreLocatedWithSuggestions() throws {
        let cases: [(String, String, String, String)] = [
            ("account.payment_histroy.on_time_payment_percentage < 1", "E262", "payment_histroy", "did you mean `payment_history`?"),
            ("account.payment_history.on_time_payment_percentag < 1", "E262", "on_time_payment_percentag", "did you mean `on_time_payment_percentage`?"),
            ("account.current_limit.cents > 1", "E261", "cents", "only records have fields; `account.current_limit` is a value"),
            ("count(c for c in certificates where c.issuer.contry == us) > 0", "E262", "contry", "did you mean `country`?"),
            ("count(c for c in certificates where c.isuer.country == us) > 0", "E262", "isuer", "did you mean `issuer`?"),
        ]
        for (condition, code, at, help) in cases {
            let (_, diags, sources) = try check(rules: Self.rules + "\nreason X \"x\"\ndecline X when \(condition)\n")
            let e = try XCTUnwrap(errors(diags).first, condition)
            XCTAssertEqual(e.code, code, "\(condition): \(e.message)")
            XCTAssertEqual(sources.text(e.span), at, condition)
            XCTAssertTrue(sources.describe(e.span).contains("policy.uplift:9:"), sources.describe(e.span))
            XCTAssertEqual(e.help, help, condition)
        }
    }

    func testRecordsAreReadThroughTheirFields() throws {
        // A record compared as a value, or read from a named value, is an error; its presence is not.
        let (_, compared, _) = try check(rules: Self.rules + "\nreason X \"x\"\ndecline X when account == account\n")
        XCTAssertEqual(errors(compared).map(\.code), ["E272"])
        let (_, held, _) = try check(rules: Self.rules + "\nlet e = account.employer\nreason X \"x\"\ndecline X when e.years > 3\n")
        XCTAssertEqual(errors(held).map(\.code), ["E261"])
        let (_, always, _) = try check(rules: Self.rules + "\nreason X \"x\"\ndecline X when account is missing\n")
        XCTAssertEqual(always.filter { $0.code == "W250" }.count, 1, "a required record is never missing")
    }

    func testProtectedAndPersonalNestedFields() throws {
        let (_, diags, sources) = try check(rules: Self.rules + "\nreason RICH \"rich\"\ndecline RICH when account.employer is present and account.employer.salary > 100000\n")
        let e = try XCTUnwrap(errors(diags).first { $0.code == "E298" })
        XCTAssertTrue(e.message.contains("account.employer.salary"), e.message)
        XCTAssertEqual(sources.text(e.span), "account.employer.salary")
        // A protected record protects all of its fields, and its presence.
        let schema = Self.schema.replacingOccurrences(of: "employer: Employer optional", with: "employer: Employer optional protected")
        let (_, viaRecord, _) = try check(schema: schema)
        // The referral reads its presence; `employer_years` its presence and `years`.
        XCTAssertEqual(errors(viaRecord).map(\.code), ["E298", "E298", "E298"], errors(viaRecord).map(\.message).joined(separator: "\n"))
        let (_, pii, _) = try check(rules: Self.rules + "\nreason H \"h\"\ndecline H when account.holder == \"x\"\n")
        XCTAssertTrue(pii.contains { $0.code == "W252" && $0.message.contains("account.holder") })
    }

    func testRecordFieldsRefuseWhatBelongsToTheirFields() throws {
        let cases: [(String, String, String)] = [
            ("account: Account between 1 and 2", "E205", "1 and 2"),
            ("account: Account key", "E213", "account: Account key"),
            ("account: Account sample between 1 and 2", "E215", "sample between 1 and 2"),
            ("account: Account sample absent 10 percent", "E215", "10"),
            ("account: Accont", "E209", "Accont"),
        ]
        for (field, code, at) in cases {
            let (_, diags, sources) = try check(schema: Self.schema.replacingOccurrences(of: "  account: Account\n", with: "  \(field)\n"))
            let e = try XCTUnwrap(errors(diags).first, field)
            XCTAssertEqual(e.code, code, "\(field): \(e.message)")
            XCTAssertTrue(sources.text(e.span).contains(at), "\(field): \(sources.text(e.span))")
        }
        let (_, typo, _) = try check(schema: Self.schema.replacingOccurrences(of: "  account: Account\n", with: "  account: Accont\n"))
        XCTAssertEqual(errors(typo).first?.help, "did you mean `Account`?")
        // `key` stays on the applicant's own fields.
        let (_, key, _) = try check(schema: Self.schema.replacingOccurrences(of: "  holder: string pii\n", with: "  holder: string pii key\n"))
        XCTAssertEqual(errors(key).map(\.code), ["E213"])
        // An optional record may say how often synth leaves it out.
        let (_, absent, _) = try check(schema: Self.schema.replacingOccurrences(of: "employer: Employer optional", with: "employer: Employer optional sample absent 30 percent"))
        XCTAssertEqual(errors(absent).map(\.code), [])
    }

    func testAListInsideARecordIsRefused() throws {
        let schema = Self.schema.replacingOccurrences(of: "  country: enum(cn, us, uk)\n", with: "  country: enum(cn, us, uk)\n  stamps: list of Employer\n")
        let (_, diags, sources) = try check(schema: schema)
        let e = try XCTUnwrap(errors(diags).first)
        XCTAssertEqual(e.code, "E208")
        XCTAssertEqual(sources.text(e.span), "stamps: list of Employer")
    }

    func testRecursiveRecordsAreLocatedErrors() throws {
        let selfHolding = "record A {\n  x: integer\n  again: A optional\n}\nfacts Applicant {\n  a: A\n}\n"
        let (_, d1, s1) = try check(schema: selfHolding, rules: "")
        let e1 = try XCTUnwrap(errors(d1).first)
        XCTAssertEqual(e1.code, "E216")
        XCTAssertEqual(s1.text(e1.span), "again")
        XCTAssertTrue(e1.message.contains("A → A"), e1.message)
        XCTAssertTrue(s1.describe(e1.span).hasSuffix("schema.uplift:3:3"), s1.describe(e1.span))
        let twoStep = "record A {\n  b: B\n}\nrecord B {\n  a: A optional\n}\nfacts Applicant {\n  a: A\n  items: list of B\n}\n"
        let (_, d2, s2) = try check(schema: twoStep, rules: "")
        XCTAssertEqual(errors(d2).map(\.code), ["E216"])
        XCTAssertTrue(errors(d2)[0].message.contains("A → B → A"), errors(d2)[0].message)
        XCTAssertEqual(s2.text(errors(d2)[0].span), "a")
    }

    /// A cycle 20,000 records long and a chain 20,000 deep: refused (E216, E217) by iterative
    /// passes; a recursive walk per level would overflow the stack.
    func testLongCyclesAndDeepChainsDoNotExhaustTheStack() throws {
        let n = 20_000
        var cycle = (0..<n).map { "record R\($0) {\n  next: R\(($0 + 1) % n)\n}\n" }.joined()
        cycle += "facts Applicant {\n  r: R0\n}\n"
        let (_, d1, _) = try check(schema: cycle, rules: "")
        // The cycle is cut where it closes, which leaves a chain 20,000 deep: too deep too.
        XCTAssertEqual(errors(d1).map(\.code), ["E216", "E217"])
        XCTAssertTrue(errors(d1)[0].message.contains("more"), "the chain is shortened: \(errors(d1)[0].message.prefix(300))")
        var chain = (0..<n).map { "record R\($0) {\n  x: integer\n  next: R\($0 + 1)\n}\n" }.joined()
        chain += "record R\(n) {\n  x: integer\n}\nfacts Applicant {\n  r: R0\n}\n"
        let (_, d2, s2) = try check(schema: chain, rules: "")
        XCTAssertEqual(errors(d2).map(\.code), ["E217"])
        XCTAssertEqual(s2.text(errors(d2)[0].span), "r")
        // 32 levels are allowed.
        var ok = (0..<31).map { "record R\($0) {\n  x: integer\n  next: R\($0 + 1)\n}\n" }.joined()
        ok += "record R31 {\n  x: integer\n}\nfacts Applicant {\n  r: R0\n}\n"
        let (policy, d3, _) = try check(schema: ok, rules: "")
        XCTAssertEqual(errors(d3).map(\.code), [])
        XCTAssertEqual(policy?.schema.facts.fields.last?.name, "r" + String(repeating: ".next", count: 31) + ".x")
    }

    /// Records holding the next one twice, 40 levels: 2^40 fields if expanded. Counted first and
    /// refused (E218) before anything is built.
    func testExponentialExpansionIsRefusedBeforeItIsBuilt() throws {
        var schema = (0..<30).map { "record R\($0) {\n  left: R\($0 + 1)\n  right: R\($0 + 1)\n}\n" }.joined()
        schema += "record R30 {\n  x: integer\n}\nfacts Applicant {\n  r: R0\n  items: list of R1\n}\n"
        let (_, diags, _) = try check(schema: schema, rules: "")
        XCTAssertEqual(errors(diags).map(\.code), ["E218", "E218"], errors(diags).map(\.message).joined(separator: "\n"))
    }

    /// 100,000 nested fields (1,000 records of 100 fields, one per applicant field): checked in
    /// time linear in the schema; a quadratic pass over fields (10^10 steps) could not finish.
    func testAWideNestedSchemaChecksInLinearTime() throws {
        let (policy, diags, _) = try check(schema: Self.wideSchema(records: 1_000, fields: 100), rules: Self.wideRules(records: 1_000))
        XCTAssertEqual(errors(diags).map(\.code), [])
        XCTAssertEqual(policy?.schema.facts.fields.count, 1_000 * 101)
    }

    /// The schema examples in docs/diagnostics.md (E208, E216) give their code, and the nested
    /// records example of docs/language.md checks clean with its rules.
    func testDocumentedExamplesCheck() throws {
        let root = DiagnosticsDocTests.root
        let diagnostics = try DiagnosticsDocTests.doc()
        for (code, body) in DiagnosticsDocTests.sections(diagnostics) where ["E208", "E216"].contains(code) {
            let schema = try XCTUnwrap(body.components(separatedBy: "```uplift\n").dropFirst().first?.components(separatedBy: "```").first, code)
            let (_, diags, _) = try check(schema: schema, rules: "")
            XCTAssertEqual(errors(diags).map(\.code), [code], "\(code): \(schema)")
        }
        let language = try String(contentsOf: root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let section = try XCTUnwrap(language.components(separatedBy: "### Nested records").dropFirst().first)
        let blocks = section.components(separatedBy: "```uplift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertGreaterThanOrEqual(blocks.count, 2)
        let (_, diags, _) = try check(schema: blocks[0], rules: "reason NO_EMPLOYER \"no employer\"\n" + blocks[1] + "report tenure\n")
        XCTAssertEqual(errors(diags).map(\.code), [], errors(diags).map(\.message).joined(separator: "\n"))
    }

    static func wideSchema(records: Int, fields: Int) -> String {
        var s = ""
        for r in 0..<records {
            s += "record R\(r) {\n" + (0..<fields).map { "  f\($0): integer\n" }.joined() + "}\n"
        }
        return s + "facts Applicant {\n" + (0..<records).map { "  r\($0): R\($0)\n" }.joined() + "}\n"
    }

    static func wideRules(records: Int) -> String {
        "reason X \"x\"\n" + (0..<records).map { "decline X when r\($0).f\($0 % 100) > 5\n" }.joined()
    }
}
