import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Random byte edits of the real policy files and applicants: nothing crashes, every rejected
/// bundle gets at least one error with a location in a file, and every rejected applicant an
/// error message. Bounded by count (and `UPLIFT_LONG_TESTS=1` for more).
final class MutationFuzzTests: XCTestCase {
    static let bundle = ReferencePolicyTests.bundle
    static var rounds: Int { ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" ? 5_000 : 300 }

    /// Deletes, duplicates, replaces or inserts a few bytes, favouring the characters that matter.
    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array("(){}[]:,.=<>\"'#-_ \n\tabz019é".utf8)
        for _ in 0..<Int(rng.int(1...4)) {
            guard !bytes.isEmpty else { bytes = [alphabet[0]]; continue }
            let i = Int(rng.int(0...Int64(bytes.count - 1)))
            switch rng.int(0...4) {
            case 0: bytes.remove(at: i)
            case 1: bytes.insert(alphabet[Int(rng.int(0...Int64(alphabet.count - 1)))], at: i)
            case 2: bytes[i] = alphabet[Int(rng.int(0...Int64(alphabet.count - 1)))]
            case 3:
                let j = min(bytes.count, i + Int(rng.int(1...40)))
                bytes.insert(contentsOf: bytes[i..<j], at: i)
            default: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testMutatedBundlesAreRejectedWithLocatedErrors() throws {
        let files = ["policy.uplift", "schema.uplift", "bundle.yaml", "tables/certificates.yaml", "tables/amount-bands.yaml", "tables/segments.yaml"]
        var rng = SplitMix64(seed: 7)
        var rejected = 0
        for round in 0..<Self.rounds {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-fuzz-\(UUID().uuidString)")
            try FileManager.default.copyItem(atPath: Self.bundle, toPath: dir.path)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = files[round % files.count]
            let url = dir.appendingPathComponent(file)
            let original = try String(contentsOf: url, encoding: .utf8)
            let mutated = Self.mutate(original, &rng)
            try mutated.write(to: url, atomically: true, encoding: .utf8)
            do {
                _ = try Policy.load(bundle: dir.path)
            } catch {
                rejected += 1
                let errors = error.diagnostics.filter { $0.severity == .error }
                XCTAssertFalse(errors.isEmpty, "round \(round): rejected without an error")
                XCTAssertTrue(errors.contains { error.sources.file($0.span) != nil },
                              "round \(round) (\(file)): no error has a location\n\(error.description)\n--- mutated:\n\(mutated)")
                _ = error.description // rendering must not crash either
            }
        }
        XCTAssertGreaterThan(rejected, Self.rounds / 3)
    }

    func testMutatedApplicantsAreDecidedOrRejectedWithAMessage() throws {
        let policy = ReferencePolicyTests.policy
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.bundle + "/examples").filter { $0.hasSuffix(".json") }.sorted()
        let texts = try examples.map { try String(contentsOfFile: Self.bundle + "/examples/" + $0, encoding: .utf8) }
        var rng = SplitMix64(seed: 11)
        var decided = 0, rejected = 0
        for round in 0..<(Self.rounds * 10) {
            let text = Self.mutate(texts[round % texts.count], &rng)
            do {
                let d = try policy.evaluate(json: text)
                _ = DecisionRenderer.json(d, policy.explain(d))
                decided += 1
            } catch {
                rejected += 1
                XCTAssertFalse(error.description.isEmpty)
            }
        }
        XCTAssertGreaterThan(decided, 0)
        XCTAssertGreaterThan(rejected, 0)
    }
}
