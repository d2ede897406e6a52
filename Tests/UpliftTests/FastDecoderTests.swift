import Foundation
import XCTest
@testable import UpliftRuntime
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// The byte-level reader the simulator uses must accept exactly what the full decoder accepts,
/// with the same meaning; when it steps aside, the full decoder gives the answer and the error.
final class FastDecoderTests: XCTestCase {
    static var policy: Policy { ReferencePolicyTests.policy }

    /// Field values as text, so unknown strings compare by content (their ids depend on the order
    /// in which each reader meets them).
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

    /// Both readers on the same text: same applicant, or fast steps aside.
    @discardableResult
    func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (fast: Bool, full: Result<Applicant, ApplicantError>) {
        check(bytes: Array(text.utf8), file: file, line: line)
    }

    /// Both readers on the same bytes, lenient and strict: the same applicant and the same
    /// unknown fields, or the same error; the fast reader alone accepts only what the full
    /// decoder accepts, with the same meaning and the same unknown fields.
    @discardableResult
    func check(bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> (fast: Bool, full: Result<Applicant, ApplicantError>) {
        let decoder = Self.policy.evaluator.decoder
        let shown = String(decoding: bytes, as: UTF8.self)
        var lenient: (fast: Bool, full: Result<Applicant, ApplicantError>)?
        for options in [ApplicantOptions.lenient, .strict] {
            var fullUnknown: [UnknownField] = [], viaUnknown: [UnknownField] = []
            let full = bytes.withUnsafeBufferPointer { b in
                Result { () throws(ApplicantError) in try decoder.decode(utf8: b, options: options, unknown: &fullUnknown, reader: .full) }
            }
            let viaBytes = bytes.withUnsafeBufferPointer { b in
                Result { () throws(ApplicantError) in try decoder.decode(utf8: b, options: options, unknown: &viaUnknown, reader: .automatic) }
            }
            let fast = bytes.withUnsafeBufferPointer { decoder.fastDecode(utf8: $0, strict: options.strict) }
            if let fast {
                guard case .success(let a) = full else { XCTFail("fast reader accepted what the full decoder rejects: \(shown)", file: file, line: line); continue }
                XCTAssertEqual(canonical(fast), canonical(a), shown, file: file, line: line)
                if !options.strict, let (_, reported) = bytes.withUnsafeBufferPointer({ decoder.fastDecodeReporting(utf8: $0) }) {
                    XCTAssertEqual(reported.map(\.path), fullUnknown.map(\.path), shown, file: file, line: line)
                }
            }
            switch (viaBytes, full) {
            case (.success(let x), .success(let y)): XCTAssertEqual(canonical(x), canonical(y), shown, file: file, line: line)
            case (.failure(let x), .failure(let y)): XCTAssertEqual(x, y, shown, file: file, line: line)
            default: XCTFail("decode(utf8:) and the full decoder disagree on \(shown)", file: file, line: line)
            }
            XCTAssertEqual(viaUnknown.map(\.path), fullUnknown.map(\.path), shown, file: file, line: line)
            if options.strict, case .success = full { XCTAssertEqual(fullUnknown, [], "strict accepted a record with unknown fields: \(shown)", file: file, line: line) }
            if case .failure(let e) = full {
                XCTAssertFalse(e.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "control character in \(e)", file: file, line: line)
            }
            if !options.strict { lenient = (fast != nil, full) }
        }
        return lenient ?? (false, .failure(ApplicantError(path: "", message: "unreachable")))
    }

    func testSyntheticApplicantsTakeTheFastPath() throws {
        let population = SyntheticApplicants(policy: Self.policy.checked).population(count: 3_000, seed: 5)
        var fast = 0
        for a in population where check(DecisionRendererJSON.encode(a)).fast { fast += 1 }
        // Synthetic records are well formed: all of them are read by the fast path.
        XCTAssertEqual(fast, population.count)
    }

    func testMutatedRecordsAgree() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: "\(ReferencePolicyTests.bundle)/examples").sorted()
        let texts = try examples.map { try String(contentsOfFile: "\(ReferencePolicyTests.bundle)/examples/\($0)", encoding: .utf8) }
        var rng = SplitMix64(seed: 99)
        var fast = 0, rejected = 0
        let rounds = ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" ? 100_000 : 5_000
        for r in 0..<rounds {
            let result = check(MutationFuzzTests.mutate(texts[r % texts.count], &rng))
            if result.fast { fast += 1 }
            if case .failure = result.full { rejected += 1 }
        }
        // Both kinds occur: mutations that still decode (mostly on the fast path) and rejections.
        XCTAssertGreaterThan(fast, rounds / 50)
        XCTAssertGreaterThan(rejected, rounds / 10)
    }

    func testUnusualButValidRecordsStepAsideAndAgree() {
        let base = Self.base, cert = Self.cert
        let cases = [
            #"{"id": "a", \#(base), "certificates": [\#(cert)]}"#,                                   // plain
            #"{"id": "a\u0041", \#(base), "certificates": []}"#,                                     // escape: full decoder
            #"{"id": "张三", \#(base), "certificates": [], "extra": {"deep": [1, 2.5e3, null, true]}}"#, // unknown field skipped
            #"{"id": "a", \#(base), "certificates": [], "age": 30}"#,                                // duplicate key: refused
            #"{"id": "a", \#(base), "certificates": [], "monthly_income": "1200.50"}"#,              // money as a string
            #"{"id": "a", \#(base), "certificates": [], "monthly_income": 1.2e3}"#,                  // exponent: rejected
            #"{"id": "a", \#(base), "certificates": [], "self_set_cap": null}"#,                     // null optional
            #"{"id": "a", \#(base)}"#,                                                               // missing list
            #"{"id": "a", \#(base), "certificates": [{"type": "cpa"}]}"#,                            // element missing fields
            #"{"id": "a", \#(base), "certificates": [], "current_limit": 1.005}"#,                   // money, 3 places
            #"{"id": "a", \#(base), "certificates": [\#(cert)]} x"#,                                 // trailing text
            "\u{FEFF}{\"id\": \"a\", \(base), \"certificates\": []}",                                // byte-order mark
            #"{"id": "a", \#(base), "certificates": [], "age": 027}"#,                               // leading zero
            #"{"id": "a", \#(base), "certificates": [], "age": 27.0}"#,                              // integral decimal
        ]
        var stepped = 0
        for c in cases where !check(c).fast { stepped += 1 }
        XCTAssertGreaterThanOrEqual(stepped, 10)
    }

    static let base = #""as_of": "2025-06-30", "age": 27, "gender": "male", "occupation": "employee", "job_tenure_months": 18, "account_age_months": 24, "current_limit": 8000, "max_overdue_days_12m": 0, "fraud_flag": false"#
    static let cert = #"{"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false}"#

    /// The hostile input classes of issue 9, through both readers: duplicate keys (known,
    /// unknown, nested in an unknown value, inside a list element), invalid UTF-8 in values and
    /// keys, a byte-order mark, unknown fields at both levels, and a value out of range.
    func testDuplicatesUTF8AndUnknownFieldsAgree() {
        let base = Self.base, cert = Self.cert
        let texts = [
            #"{"id": "a", \#(base), "certificates": [], "note": 1, "note": 2}"#,                   // duplicate unknown key
            #"{"id": "a", \#(base), "certificates": [], "meta": {"a": 1, "a": 2}}"#,             // duplicate inside an unknown value
            #"{"id": "a", \#(base), "certificates": [], "meta": {"a": 1, "b": [{"c": 1}]}}"#,     // nested unknown value, fine
            #"{"id": "a", \#(base), "certificates": [{"type": "cpa", "type": "cet4", "verified": true, "confidence": 0.95, "forgery_suspected": false}]}"#,
            #"{"id": "a", \#(base), "certificates": [\#(cert)], "Monthly_Income": 2000}"#,        // near miss, top level
            #"{"id": "a", \#(base), "certificates": [\#(cert), {"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false, "Confidence": 0.1}]}"#,
            #"{"id": "a", \#(base), "certificates": [{"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false, "x": 1, "x": 2}]}"#,
            #"{"zz": 0, "id": "a", \#(base), "certificates": [{"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false, "zz": 1}], "zy": 2}"#,
            #"{"id": "a", \#(base), "certificates": [], "current_limit2": -1}"#,
            #"{"id": "a", \#(base), "certificates": [], "self_set_cap": -1}"#,                      // out of range
            "\u{FEFF}{\"id\": \"a\", \(base), \"certificates\": [], \"extra\": true}",          // BOM and an unknown field
            "{\"id\": \"a\u{0}b\", \(base), \"certificates\": []}",                               // raw NUL: a syntax error
            #"{"id": "a", \#(base), "certificates": [], "k\u0000": 1}"#,                              // escaped NUL in an unknown key
        ]
        for t in texts { check(t) }
        let valid = Array(#"{"id": "X", \#(base), "certificates": [], "nick": "Y"}"#.utf8)
        func replacing(_ marker: UInt8, with bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var done = false
            for b in valid { if b == marker && !done { out += bytes; done = true } else { out.append(b) } }
            return out
        }
        // Invalid UTF-8 in a known string, in an unknown field's value and in a key; overlong,
        // surrogate and truncated forms; then valid multi-byte text that must still pass fast.
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE4, 0xB8], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
            let r1 = check(bytes: replacing(UInt8(ascii: "X"), with: bad))
            XCTAssertEqual(r1.full.error?.path, "id")
            XCTAssertTrue(r1.full.error?.message.hasPrefix("not valid UTF-8") ?? false, "\(r1.full)")
            XCTAssertEqual(check(bytes: replacing(UInt8(ascii: "Y"), with: bad)).full.error?.path, "nick")
            XCTAssertTrue(check(bytes: Array(#"{"a"#.utf8) + bad + Array(#"": 1, "id": "a", \#(base), "certificates": []}"#.utf8)).full.error?.message
                .hasPrefix("a field name is not valid UTF-8") ?? false)
        }
        let chinese = check(bytes: replacing(UInt8(ascii: "X"), with: Array("张三🙂".utf8)))
        XCTAssertTrue(chinese.fast)
    }

    /// Random byte edits that aim at the new classes (bytes above 0x7F, a copied key, a changed
    /// letter case, a byte-order mark): both readers agree on every one, in both modes.
    func testByteMutationsAgree() throws {
        let texts = try FileManager.default.contentsOfDirectory(atPath: "\(ReferencePolicyTests.bundle)/examples").sorted().map {
            Array(try String(contentsOfFile: "\(ReferencePolicyTests.bundle)/examples/\($0)", encoding: .utf8).utf8)
        }
        var rng = SplitMix64(seed: 2024)
        var accepted = 0, unknown = 0
        let rounds = ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" ? 50_000 : 2_000
        for r in 0..<rounds {
            var b = texts[r % texts.count]
            for _ in 0..<Int(rng.int(1...3)) {
                let i = Int(rng.int(0...Int64(b.count - 1)))
                switch rng.int(0...5) {
                case 0: b.insert(UInt8(truncatingIfNeeded: 0x80 | rng.next()), at: i)
                case 1: b.insert(contentsOf: Array("é".utf8), at: i)
                case 2: if (97...122).contains(b[i]) { b[i] -= 32 }           // a letter's case: a near miss
                case 3:                                                     // copy a `"key": value,` forward
                    if let q = b[i...].firstIndex(of: UInt8(ascii: "\"")), let c = b[q...].firstIndex(of: UInt8(ascii: ",")) {
                        b.insert(contentsOf: b[q...c], at: c + 1)
                    }
                case 4: b.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: rng.chance(50) ? 0 : i)
                default: b.insert(contentsOf: Array(#""Extra_\#(rng.int(0...3))": 1, "#.utf8), at: min(b.count, (b.firstIndex(of: UInt8(ascii: "{")) ?? 0) + 1))
                }
            }
            let result = check(bytes: b)
            if case .success = result.full { accepted += 1 }
            var found: [UnknownField] = []
            _ = try? b.withUnsafeBufferPointer { p throws(ApplicantError) in try Self.policy.evaluator.decoder.decode(utf8: p, options: .lenient, unknown: &found) }
            if !found.isEmpty { unknown += 1 }
        }
        // Both kinds occur, and records with unknown fields are among them.
        XCTAssertGreaterThan(accepted, rounds / 20)
        XCTAssertGreaterThan(rounds - accepted, rounds / 10)
        XCTAssertGreaterThan(unknown, rounds / 20)
    }
}

extension Result {
    /// The error, for assertions.
    var error: Failure? { if case .failure(let e) = self { e } else { nil } }
}
