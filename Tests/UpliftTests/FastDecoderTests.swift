import Foundation
import XCTest
@testable import UpliftRuntime
import Uplift

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
    func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (fast: Bool, full: Result<Applicant, ApplicantError>) {
        let decoder = Self.policy.evaluator.decoder
        let full = Result { () throws(ApplicantError) in try decoder.decode(json: text) }
        var bytes = Array(text.utf8)
        let fast = bytes.withUnsafeMutableBufferPointer { decoder.fastDecode(utf8: UnsafeBufferPointer($0)) }
        let viaBytes = bytes.withUnsafeMutableBufferPointer { b in Result { () throws(ApplicantError) in try decoder.decode(utf8: UnsafeBufferPointer(b)) } }
        if let fast {
            guard case .success(let a) = full else { XCTFail("fast reader accepted what the full decoder rejects: \(text)", file: file, line: line); return (true, full) }
            XCTAssertEqual(canonical(fast), canonical(a), text, file: file, line: line)
        }
        switch (viaBytes, full) {
        case (.success(let x), .success(let y)): XCTAssertEqual(canonical(x), canonical(y), text, file: file, line: line)
        case (.failure(let x), .failure(let y)): XCTAssertEqual(x, y, text, file: file, line: line)
        default: XCTFail("decode(utf8:) and decode(json:) disagree on \(text)", file: file, line: line)
        }
        return (fast != nil, full)
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
        let base = #""as_of": "2025-06-30", "age": 27, "gender": "male", "occupation": "employee", "job_tenure_months": 18, "account_age_months": 24, "current_limit": 8000, "max_overdue_days_12m": 0, "fraud_flag": false"#
        let cert = #"{"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false}"#
        let cases = [
            #"{"id": "a", \#(base), "certificates": [\#(cert)]}"#,                                   // plain
            #"{"id": "a\u0041", \#(base), "certificates": []}"#,                                     // escape: full decoder
            #"{"id": "张三", \#(base), "certificates": [], "extra": {"deep": [1, 2.5e3, null, true]}}"#, // unknown field skipped
            #"{"id": "a", \#(base), "certificates": [], "age": 30}"#,                                // duplicate key: last wins
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
}
