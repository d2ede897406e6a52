import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Random well-typed bundles × random applicants: the VM and the reference interpreter give the
/// same decision (or the same evaluation error) and the same explanation. A failure prints a
/// minimised reproducer. `UPLIFT_LONG_TESTS=1` runs 20× more.
final class DifferentialRandomPolicyTests: XCTestCase {
    func write(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    /// What an engine made of an applicant: the full decision and explanation, or the error.
    func outcome(_ policy: Policy, _ applicant: Applicant, _ engine: Engine) -> String {
        do {
            let d = try policy.evaluate(applicant, engine: engine)
            return DecisionRenderer.json(d, policy.explain(d), pretty: false)
        } catch {
            return "error: \(error)"
        }
    }

    /// The first applicant on which the engines disagree, if any.
    func disagreement(_ files: [String: String], _ applicants: [JSONValue]) throws -> (JSONValue, String, String)? {
        let dir = try write(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let policy = try? Policy.load(bundle: dir.path) else { return nil }
        for a in applicants {
            guard let applicant = try? policy.applicant(a) else { continue }
            let vm = outcome(policy, applicant, .vm), ref = outcome(policy, applicant, .reference)
            if vm != ref { return (a, vm, ref) }
        }
        return nil
    }

    /// Drops rule-file lines one at a time while the disagreement remains.
    func minimise(_ files: [String: String], _ applicant: JSONValue) throws -> [String: String] {
        var best = files
        var lines = (files["policy.uplift"] ?? "").split(separator: "\n").map(String.init)
        var i = 0
        while i < lines.count {
            var candidate = best
            var fewer = lines
            fewer.remove(at: i)
            candidate["policy.uplift"] = fewer.joined(separator: "\n") + "\n"
            if try disagreement(candidate, [applicant]) != nil { best = candidate; lines = fewer } else { i += 1 }
        }
        return best
    }

    func testEnginesAgreeOnRandomPolicies() throws {
        let long = ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1"
        let bundles = long ? 6_000 : 300, perBundle = 12
        var checked = 0, pairs = 0, faults = 0, memoised = 0, uniqueFaults = 0
        var hitPolicies: [String: Int] = [:], matchedRows = 0
        var decreases = 0, floorsBound = 0, limitFloors = 0, decreasePolicies = 0, floorPolicies = 0
        var modes: Set<String> = []
        var nestedPolicies = 0, historyAbsent = 0, historyPresent = 0
        for seed in 0..<UInt64(bundles) {
            var gen = RandomPolicies(seed: seed)
            let files = gen.bundle()
            let dir = try write(files)
            defer { try? FileManager.default.removeItem(at: dir) }
            let policy: Policy
            do { policy = try Policy.load(bundle: dir.path) } catch {
                return XCTFail("generated bundle \(seed) does not check:\n\(error)\n\(files["policy.uplift"] ?? "")")
            }
            checked += 1
            if policy.program.memoizedFilters > 0 { memoised += 1 }
            if let dt = policy.tables.first(where: { $0.name == "dt" }) { hitPolicies[dt.hitPolicy, default: 0] += 1 }
            if gen.allowsDecrease { decreasePolicies += 1 }
            if gen.floors > 0 { floorPolicies += 1 }
            modes.formUnion(gen.modes)
            // Rules (not only the decision table's `account.score` input) read a nested record.
            if let rules = files["policy.uplift"], rules.contains("account.") || rules.contains(".issuer") { nestedPolicies += 1 }
            let applicants = SyntheticApplicants(policy: policy.checked).population(count: perBundle, seed: seed)
            for a in applicants {
                let applicant = try policy.applicant(a)
                let vm = outcome(policy, applicant, .vm), ref = outcome(policy, applicant, .reference)
                pairs += 1
                if case .object? = a["account"]?["history"] { historyPresent += 1 } else { historyAbsent += 1 }
                if vm.hasPrefix("error") { faults += 1 }
                if vm.contains("two rows of a `unique` decision table") { uniqueFaults += 1 }
                if let d = try? policy.evaluate(applicant), d.tables.contains(where: { $0.table == "dt" && !$0.rows.isEmpty }) { matchedRows += 1 }
                func has(_ key: String, _ value: String) -> Bool { vm.contains("\"\(key)\":\(value)") || vm.contains("\"\(key)\": \(value)") }
                if has("outcome", "\"decrease\"") { decreases += 1 }
                if has("limit_floor_binds", "true") { limitFloors += 1 }
                if has("code", "\"F") { floorsBound += 1 }
                if vm != ref {
                    let small = try minimise(files, a)
                    return XCTFail("""
                    engines disagree (bundle seed \(seed)); minimised reproducer:
                    --- policy.uplift
                    \(small["policy.uplift"] ?? "")--- bands.yaml
                    \(small["bands.yaml"] ?? "")
                    --- segments.yaml
                    \(small["segments.yaml"] ?? "")
                    --- applicant
                    \(DecisionRendererJSON.encode(a))
                    --- vm
                    \(vm)
                    --- reference
                    \(ref)
                    """)
                }
            }
        }
        XCTAssertEqual(checked, bundles)
        XCTAssertEqual(pairs, bundles * perBundle)
        // Both paths are exercised: decisions and evaluation errors (overflow, division by zero).
        XCTAssertGreaterThan(faults, 0)
        XCTAssertLessThan(faults, pairs / 2)
        // Every hit policy is generated; rows match, and `unique` tables over what the checker
        // cannot see fault in both engines alike.
        XCTAssertEqual(Set(hitPolicies.keys), ["first", "unique", "collect sum", "collect min", "collect max", "collect count", "collect list"])
        XCTAssertGreaterThan(uniqueFaults, 0)
        XCTAssertGreaterThan(matchedRows, pairs / 4)
        // Decreases, binding floors, the limit's own floor and every rounding mode are exercised.
        XCTAssertGreaterThan(decreasePolicies, bundles / 5)
        XCTAssertGreaterThan(floorPolicies, bundles / 10)
        XCTAssertGreaterThan(decreases, pairs / 50, "decisions that decrease")
        XCTAssertGreaterThan(floorsBound, 0, "decisions where a floor binds")
        XCTAssertGreaterThan(limitFloors, 0, "decisions bounded by the current limit")
        XCTAssertEqual(modes, Set(RoundingMode.allCases.map(\.rawValue)))
        // Nested records are read by path and by presence, with the optional one both absent and given.
        XCTAssertGreaterThan(nestedPolicies, bundles / 4, "bundles whose rules read a nested record")
        XCTAssertGreaterThan(historyAbsent, pairs / 10)
        XCTAssertGreaterThan(historyPresent, pairs / 2)
        // Named lists read by several aggregates take the VM's memoised-filter path.
        XCTAssertGreaterThan(memoised, bundles / 20, "bundles with memoised filters")
    }
}

/// JSON text of a JSONValue, for printing reproducers.
enum DecisionRendererJSON {
    static func encode(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n
        case .string(let s): JSONWriter.quote(s)
        case .array(let xs): "[" + xs.map(encode).joined(separator: ", ") + "]"
        case .object(let fs): "{" + fs.map { "\(JSONWriter.quote($0.0)): \(encode($0.1))" }.joined(separator: ", ") + "}"
        }
    }
}
