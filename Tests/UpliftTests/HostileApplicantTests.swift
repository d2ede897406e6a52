import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Applicant records as an attacker or a careless producer writes them (issue 9, "Reading
/// input"): each class is refused or reported with the field's path, through the public API,
/// and every message is safe to print.
final class HostileApplicantTests: XCTestCase {
    static var policy: Policy { ReferencePolicyTests.policy }
    static let good = #"{"id":"u-1","as_of":"2024-12-23","age":27,"gender":"female","occupation":"employee","job_tenure_months":18,"account_age_months":24,"current_limit":8000,"monthly_income":12000,"max_overdue_days_12m":0,"fraud_flag":false,"certificates":[{"type":"cpa","verified":true,"confidence":0.95,"forgery_suspected":false}]}"#

    /// The record's error through both public byte readers (they must agree), or nil.
    func error(_ bytes: [UInt8], options: ApplicantOptions = .lenient, file: StaticString = #filePath, line: UInt = #line) -> ApplicantError? {
        var viaPolicy: ApplicantError?, viaDecoder: ApplicantError?
        do { _ = try Self.policy.applicant(utf8: bytes, options: options) } catch { viaPolicy = error }
        do {
            _ = try bytes.withUnsafeBufferPointer { b throws(ApplicantError) in try Self.policy.evaluator.decoder.decode(utf8: b, options: options) }
        } catch { viaDecoder = error }
        XCTAssertEqual(viaPolicy, viaDecoder, file: file, line: line)
        return viaPolicy
    }

    func error(_ text: String, options: ApplicantOptions = .lenient, file: StaticString = #filePath, line: UInt = #line) -> ApplicantError? {
        let e = error(Array(text.utf8), options: options, file: file, line: line)
        var viaText: ApplicantError?
        do { _ = try Self.policy.applicant(json: text, options: options) } catch { viaText = error }
        XCTAssertEqual(e, viaText, "text and bytes disagree", file: file, line: line)
        return e
    }

    func edited(_ replace: String, _ with: String) -> String {
        let t = Self.good.replacingOccurrences(of: replace, with: with)
        XCTAssertNotEqual(t, Self.good, "the edit did not apply: \(replace)")
        return t
    }

    // MARK: duplicate keys

    func testDuplicateKeysAreErrorsWithTheFieldPath() {
        // Last-one-wins used to decide on age 61 here while another reader would see 27.
        let top = error(edited(#""age":27"#, #""age":27,"age":61"#))
        XCTAssertEqual(top?.path, "age")
        XCTAssertEqual(top?.message.hasPrefix("duplicate key (line 1, column "), true, "\(String(describing: top))")
        XCTAssertEqual(error(edited(#""type":"cpa""#, #""type":"cpa","type":"cet4""#))?.path, "certificates[0].type")
        XCTAssertEqual(error(edited(#""fraud_flag":false"#, #""fraud_flag":false,"note":1,"note":2"#))?.path, "note")
        XCTAssertEqual(error(edited(#""fraud_flag":false"#, #""fraud_flag":false,"meta":{"a":[{"b":1,"b":2}]}"#))?.path, "meta.a[0].b")
        XCTAssertEqual(error(edited(#""forgery_suspected":false"#, #""forgery_suspected":false,"x":1,"x":2"#))?.path, "certificates[0].x")
        // A value built in code can hold a key twice too.
        let value = JSONValue.object([("age", .number("27")), ("age", .number("61"))])
        XCTAssertThrowsError(try Self.policy.applicant(value)) { XCTAssertEqual(($0 as? ApplicantError)?.description, "age: duplicate key") }
        // Large objects stay linear: 50,000 distinct unknown keys (a pairwise check could not finish).
        var big = String(Self.good.dropLast())
        for k in 0..<50_000 { big += ",\"k\(k)\":0" }
        big += "}"
        XCTAssertNil(error(String(big)))
        XCTAssertEqual(error(String(big.dropLast()) + ",\"k49999\":1}")?.path, "k49999")
    }

    // MARK: UTF-8

    func testInvalidUTF8IsAnErrorNotAReplacementCharacter() throws {
        func replacingID(with bytes: [UInt8]) -> [UInt8] {
            let parts = Self.good.components(separatedBy: "u-1")
            return Array(parts[0].utf8) + bytes + Array(parts[1].utf8)
        }
        for bad: [UInt8] in [[0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xB0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x75, 0xE2, 0x82]] {
            let e = error(replacingID(with: bad))
            XCTAssertEqual(e?.path, "id", "\(bad)")
            XCTAssertEqual(e?.message.hasPrefix("not valid UTF-8 (line 1, column "), true, "\(String(describing: e))")
        }
        XCTAssertNil(error(replacingID(with: Array("张三".utf8))))
        let inCertificate = Array(Self.good.replacingOccurrences(of: "cpa", with: "c\u{1}a").utf8).map { $0 == 1 ? 0xFE : $0 }
        XCTAssertEqual(error(inCertificate)?.path, "certificates[0].type")
        let key = Array(#"{"a"#.utf8) + [0xFF] + Array(Self.good.dropFirst().replacingOccurrences(of: #""id""#, with: #"": 1, "id""#).utf8)
        XCTAssertEqual(error(key)?.message.hasPrefix("a field name is not valid UTF-8"), true)
        // evaluate(utf8:) reports it as a bad applicant, not an evaluation failure.
        XCTAssertThrowsError(try Self.policy.evaluate(utf8: replacingID(with: [0xFF]))) { e in
            guard case .applicant(let a) = e as? UpliftError else { return XCTFail("\(e)") }
            XCTAssertEqual(a.path, "id")
        }
        // Data works as well as [UInt8].
        XCTAssertEqual(try Self.policy.evaluate(utf8: Data(Self.good.utf8)).outcome, try Self.policy.evaluate(json: Self.good).outcome)
    }

    func testAByteOrderMarkIsAccepted() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let plain = try Self.policy.evaluate(utf8: Array(Self.good.utf8))
        let marked = try Self.policy.evaluate(utf8: bom + Array(Self.good.utf8))
        XCTAssertEqual(DecisionRenderer.json(marked), DecisionRenderer.json(plain))
        XCTAssertNotNil(error(bom + bom + Array(Self.good.utf8)), "only one mark, at the start")
    }

    // MARK: unknown fields

    func testUnknownFieldsAreReportedWithNearMisses() throws {
        // The income field misspelt: the income cap is skipped (it is optional), so the record is
        // still decided, but the caller learns about it and what was probably meant.
        let text = edited(#""monthly_income":12000"#, #""Monthly_Income":2000"#)
            .replacingOccurrences(of: #""confidence":0.95"#, with: #""confidence":0.95,"Confidence":0.2,"issuer":"x""#)
        var unknown: [UnknownField] = []
        _ = try Self.policy.applicant(json: text, options: .lenient, unknown: &unknown)
        XCTAssertEqual(unknown.map(\.path), ["Monthly_Income", "certificates[0].Confidence", "certificates[0].issuer"])
        XCTAssertEqual(unknown.map(\.name), ["Monthly_Income", "certificates.Confidence", "certificates.issuer"])
        XCTAssertEqual(unknown.map(\.suggestion), ["monthly_income", "certificates.confidence", nil])
        XCTAssertEqual(unknown.first?.description, "unknown field `Monthly_Income` (did you mean `monthly_income`?)")
        // The same through bytes (the fast reader) and through evaluate(utf8:).
        var viaBytes: [UnknownField] = []
        _ = try Self.policy.evaluate(utf8: Array(text.utf8), options: .lenient, unknown: &viaBytes)
        XCTAssertEqual(viaBytes, unknown)
        // Edit-distance near misses; far-off names get no suggestion.
        for (name, meant) in [("montly_income", "monthly_income"), ("curent_limit", "current_limit"), ("AGE", "age"), ("shoe_size", nil)] as [(String, String?)] {
            var u: [UnknownField] = []
            _ = try Self.policy.applicant(json: edited(#""fraud_flag":false"#, #""fraud_flag":false,"\#(name)":1"#), options: .lenient, unknown: &u)
            XCTAssertEqual(u.map(\.suggestion), [meant], name)
        }
        // A CSV header (or any name) can be asked about without a record.
        XCTAssertNil(Self.policy.unknownField(named: "monthly_income"))
        XCTAssertEqual(Self.policy.unknownField(named: "Monthly_Income")?.suggestion, "monthly_income")
        // Nothing unknown, nothing reported; a record refused for a value still reports them.
        var none: [UnknownField] = []
        _ = try Self.policy.applicant(json: Self.good, options: .lenient, unknown: &none)
        XCTAssertEqual(none, [])
        var stray: [UnknownField] = []
        XCTAssertThrowsError(try Self.policy.applicant(json: edited(#""current_limit":8000"#, #""Current_Limit":8000"#), options: .lenient, unknown: &stray)) {
            XCTAssertEqual("\($0)", "current_limit: missing required field (money); the record has `Current_Limit`, did you mean `current_limit`?")
        }
        XCTAssertEqual(stray.map(\.path), ["Current_Limit"])
    }

    func testStrictModeRefusesUnknownFields() throws {
        XCTAssertEqual(error(edited(#""monthly_income":12000"#, #""Monthly_Income":12000"#), options: .strict)?.description,
                       "Monthly_Income: unknown field (did you mean `monthly_income`?)")
        XCTAssertEqual(error(edited(#""confidence":0.95"#, #""confidence":0.95,"issuer":"x""#), options: .strict)?.description,
                       "certificates[0].issuer: unknown field (not in the schema)")
        // The default stays lenient; strict accepts a record with only schema fields.
        XCTAssertNil(error(edited(#""monthly_income":12000"#, #""Monthly_Income":12000"#)))
        XCTAssertNil(error(Self.good, options: ApplicantOptions(strict: true)))
        XCTAssertEqual(try Self.policy.evaluate(utf8: Array(Self.good.utf8), options: .strict).outcome, try Self.policy.evaluate(json: Self.good).outcome)
    }

    /// A field name is matched byte for byte: a canonically equivalent spelling (KELVIN SIGN for
    /// `K`) is another field, as the byte-level reader has always seen it.
    func testFieldNamesMatchByteForByte() throws {
        let p = try Policy.load(bundle: bundle(schema: "facts Applicant {\n  K_age: integer\n  current_limit: money between 0 and 100.50\n}\n",
                                               policy: "amount = band.base\n", bandInput: "K_age"))
        XCTAssertNoThrow(try p.applicant(json: #"{"K_age": 30, "current_limit": 1}"#))
        var unknown: [UnknownField] = []
        XCTAssertThrowsError(try p.applicant(json: "{\"\u{212A}_age\": 30, \"current_limit\": 1}", options: .lenient, unknown: &unknown)) {
            XCTAssertEqual(($0 as? ApplicantError)?.path, "K_age")
        }
        XCTAssertEqual(unknown.map(\.path), ["\u{212A}_age"])
    }

    // MARK: bounded values

    func testTheReferenceSchemaBoundsMoney() throws {
        // A negative limit used to be decided: new limit -5900.00.
        let negative = error(edited(#""current_limit":8000"#, #""current_limit":-8000"#))
        XCTAssertEqual(negative?.description, "current_limit: -8000 is outside the allowed range 0 to 1000000000")
        XCTAssertEqual(error(edited(#""monthly_income":12000"#, #""monthly_income":-1"#))?.path, "monthly_income")
        XCTAssertEqual(error(edited(#""monthly_income":12000"#, #""monthly_income":12000,"self_set_cap":-0.01"#))?.path, "self_set_cap")
        XCTAssertEqual(error(edited(#""age":27"#, #""age":-1"#))?.path, "age")
        XCTAssertEqual(error(edited(#""max_overdue_days_12m":0"#, #""max_overdue_days_12m":-3"#))?.path, "max_overdue_days_12m")
        // Zero and absent optional amounts are still fine.
        XCTAssertNil(error(edited(#""monthly_income":12000"#, #""monthly_income":0,"self_set_cap":null"#)))
        // Every synthetic applicant of the reference schema respects its bounds.
        for a in SyntheticApplicants(policy: Self.policy.checked).population(count: 2_000, seed: 3) {
            XCTAssertNoThrow(try Self.policy.applicant(a))
        }
    }

    func testASchemaBoundsMoneyAndItsSamples() throws {
        let p = try Policy.load(bundle: bundle(schema: "facts Applicant {\n  age: integer\n  current_limit: money between 0 and 100.50\n}\n", policy: "amount = band.base\n"))
        XCTAssertNoThrow(try p.applicant(json: #"{"age": 30, "current_limit": 100.50}"#))
        XCTAssertNoThrow(try p.applicant(json: #"{"age": 30, "current_limit": 0}"#))
        XCTAssertThrowsError(try p.applicant(json: #"{"age": 30, "current_limit": 100.51}"#)) {
            XCTAssertEqual("\($0)", "current_limit: 100.51 is outside the allowed range 0 to 100.5")
        }
        // Synthetic records of an unhinted bounded money field stay inside the range.
        for a in SyntheticApplicants(policy: p.checked).population(count: 500, seed: 1) { XCTAssertNoThrow(try p.applicant(a)) }
        // A sample outside the range would make `synth` write records the decoder refuses.
        XCTAssertThrowsError(try Policy.load(bundle: bundle(schema: "facts Applicant {\n  age: integer\n  current_limit: money between 0 and 100 sample between 50 and 200\n}\n",
                                                            policy: "amount = band.base\n"))) { e in
            let d = (e as? PolicyLoadError)?.diagnostics.first
            XCTAssertEqual(d?.code, "E215")
            XCTAssertEqual(d?.message, "the sample of `current_limit` goes outside its range 0 to 100")
        }
        XCTAssertThrowsError(try Policy.load(bundle: bundle(schema: "facts Applicant {\n  age: integer\n  current_limit: money between 0 and 100 sample [-5, 10]\n}\n",
                                                            policy: "amount = band.base\n")))
    }

    // MARK: control characters

    func testMessagesNeverCarryControlCharacters() throws {
        func assertClean(_ e: ApplicantError?, _ note: String, file: StaticString = #filePath, line: UInt = #line) {
            guard let e else { return XCTFail("accepted: \(note)", file: file, line: line) }
            XCTAssertFalse(e.description.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" },
                           "\(note): \(e.description.debugDescription)", file: file, line: line)
        }
        // An enum value and a date with an escaped NUL, ESC and a right-to-left override.
        let value = error(edited(#""occupation":"employee""#, #""occupation":"pilot\u0000\u001b[2J\u202E""#))
        assertClean(value, "enum value")
        XCTAssertEqual(value?.message.hasSuffix(#"found the string "pilot\u0000\u001b[2J\u202e""#), true, "\(String(describing: value))")
        assertClean(error(edited(#""as_of":"2024-12-23""#, #""as_of":"\u0007\u0000""#)), "date")
        // Unknown and duplicate keys with control characters, strict and lenient.
        let key = error(edited(#""fraud_flag":false"#, #""fraud_flag":false,"x\u0000y":1"#), options: .strict)
        assertClean(key, "strict unknown key")
        XCTAssertEqual(key?.path, #"x\u0000y"#)
        assertClean(error(edited(#""fraud_flag":false"#, #""fraud_flag":false,"\u0001":1,"\u0001":2"#)), "duplicate key")
        var unknown: [UnknownField] = []
        _ = try Self.policy.applicant(json: edited(#""fraud_flag":false"#, #""fraud_flag":false,"\u0085a":1"#), options: .lenient, unknown: &unknown)
        XCTAssertEqual(unknown.map(\.path), [#"\u0085a"#])
        // A raw control byte outside a string, and values built in code.
        let raw = error(Array("[\u{1}]".utf8))
        assertClean(raw, "raw byte")
        XCTAssertEqual(raw?.message.contains("unexpected character byte 0x1"), true, "\(String(describing: raw))")
        guard case .object(let fields) = try JSONParser.parse(Self.good) else { return XCTFail("not an object") }
        let built = JSONValue.object(fields.map { $0.0 == "age" ? ("age", .number("2\u{0}7")) : $0 })
        XCTAssertThrowsError(try Self.policy.applicant(built)) { assertClean($0 as? ApplicantError, "number text") }
        // A 200 kB value or key is not echoed whole.
        let long = String(repeating: "é", count: 100_000)
        XCTAssertLessThan(error(edited(#""occupation":"employee""#, #""occupation":"\#(long)""#))?.description.count ?? .max, 200)
        XCTAssertLessThan(error(edited(#""fraud_flag":false"#, #""fraud_flag":false,"\#(long)":1"#), options: .strict)?.description.count ?? .max, 200)
    }

    /// `Applicant.string(_:in:)` on a missing value (Int64.min) negated it and trapped.
    func testStringOfAMissingValueDoesNotTrap() throws {
        let a = try Self.policy.applicant(json: Self.good)
        XCTAssertEqual(a.string(Program.missing, in: Self.policy.checked.strings), "?")
        XCTAssertEqual(a.string(-1, in: []), "?")
    }

    // MARK: helpers

    func bundle(schema: String, policy: String, bandInput: String = "age") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "bundle.yaml": "name: hostile\nversion: 0.1.0\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [bands.yaml]\n",
            "schema.uplift": schema,
            "bands.yaml": "kind: bands\nname: band\ninput: \(bandInput)\ncolumns: { base: money }\nbands:\n  - { from: 18, to: 60, base: 100 }\n",
            "policy.uplift": policy,
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }
}
