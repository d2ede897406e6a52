import Foundation
import XCTest
@testable import Uplift
import UpliftRuntime

/// `whatif --depth 2` against a brute force over every pair of declared actions, on grids that
/// hold the reference policy's thresholds, through the reference interpreter.
final class WhatIfPairTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let policy: Policy? = try? Policy.load(bundle: root.appendingPathComponent("policies/certificate-uplift").path)
    static let types = ["teacher_qualification", "junior_accountant", "intermediate_accountant", "cpa", "legal_professional", "nurse_license",
                        "electrician_license", "forklift_license", "chef_certificate", "ielts", "toefl", "cet6", "cet4", "jlpt_n1",
                        "national_scholarship", "provincial_scholarship", "university_scholarship", "outstanding_graduate"]
    static let waited = ["account_age_months", "job_tenure_months", "months_since_last_uplift"]

    /// The credit a decision realises: an approval's uplift (docs/language.md, "Actions").
    func credit(_ d: Decision) -> Int64 { d.outcome == .approve ? d.uplift.raw : 0 }
    func same(_ a: Decision, _ b: Decision) -> Bool { a.outcome == b.outcome && a.uplift == b.uplift && a.reasons.map(\.code) == b.reasons.map(\.code) }

    func object(_ v: JSONValue) -> [(String, JSONValue)] { JSONEdit.members(v) }
    func with(_ v: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue { JSONEdit.with(v, key, value) }
    func certificates(_ v: JSONValue) -> [JSONValue] { JSONEdit.list(v, "certificates") }
    func number(_ v: JSONValue?) -> Double? { JSONEdit.number(v) }
    func decide(_ policy: Policy, _ json: JSONValue) -> Decision? {
        guard let a = try? policy.applicant(json) else { return nil }
        return try? policy.evaluate(a, engine: .reference)
    }
    func certificate(_ type: String, _ confidence: Double) -> JSONValue {
        .object([("type", .string(type)), ("verified", .bool(true)), ("confidence", .number(String(format: "%.2f", confidence))),
                 ("forgery_suspected", .bool(false)), ("expires", .null)])
    }

    /// One concrete change of one action, as the brute force makes it: its name and how it
    /// changes a record (built from the JSON alone, without the engine's helpers).
    typealias Change = (action: String, apply: (JSONValue) -> JSONValue)

    /// Every action's changes on a grid holding the policy's thresholds and a spread between.
    func changes(_ a: JSONValue) -> [Change] {
        var out: [Change] = []
        let confidences = [0.7, 0.85, 0.9, 0.92, 1.0]
        for t in Self.types {
            for c in confidences {
                out.append(("add_certificate", { j in self.with(j, "certificates", .array(self.certificates(j) + [self.certificate(t, c)])) }))
            }
        }
        for i in certificates(a).indices {
            let now = number(certificates(a)[i]["confidence"]) ?? 1
            for c in confidences where c > now {
                out.append(("read_again", { j in
                    var xs = self.certificates(j)
                    xs[i] = self.with(xs[i], "confidence", .number(String(format: "%.2f", c)))
                    return self.with(j, "certificates", .array(xs))
                }))
            }
        }
        for m in 1...24 {
            out.append(("wait", { j in
                var json = j
                for f in Self.waited { if let v = self.number(j[f]) { json = self.with(json, f, .number(String(Int(v) + m))) } }
                return json
            }))
        }
        if let cap = number(a["self_set_cap"]) {
            for step in stride(from: 100.0, through: 3_000, by: 100) {
                out.append(("own_ceiling", { j in self.with(j, "self_set_cap", .number(String(format: "%.2f", cap + step))) }))
            }
        }
        return out
    }

    func testEveryPairIsSoundMinimalAndNoneIsMissed() throws {
        let policy = try XCTUnwrap(Self.policy)
        let long = ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1"
        let population = policy.syntheticPopulation(count: long ? 400 : 10, seed: 7)
        var pairsSeen: [String: Int] = [:], bruteOnlyInPairs = 0
        for a in population {
            let report = try policy.whatIf(a, options: WhatIfOptions(top: 100_000, depth: 2))
            let base = report.baseline
            // The best each action reaches alone and each pair of actions together, by brute force.
            let all = changes(a)
            var alone: [String: Int64] = [:], together: [String: Int64] = [:]
            for c in all { if let d = decide(policy, c.apply(a)) { alone[c.action] = max(alone[c.action] ?? 0, credit(d)) } }
            for i in all.indices {
                for j in all.indices where j > i {
                    let (x, y) = (all[i], all[j])
                    guard let d = decide(policy, y.apply(x.apply(a))) else { continue }
                    let key = [x.action, y.action].sorted().joined(separator: "+")
                    together[key] = max(together[key] ?? 0, credit(d))
                }
            }
            // Sound: each pair's applicant gets the promised decision on the reference engine,
            // and gives more credit than the baseline.
            for s in report.suggestions where s.action.contains("+") {
                pairsSeen[s.action, default: 0] += 1
                let again = try policy.evaluate(policy.applicant(s.applicant), engine: .reference)
                XCTAssertEqual(DecisionRenderer.json(again), DecisionRenderer.json(s.decision), s.says)
                XCTAssertGreaterThan(credit(s.decision), credit(base), s.says)
                // Minimal: a month less of the wait, or a fen less of the ceiling, does not reach
                // the same decision with the other action kept.
                for lower in lowered(s, from: a) {
                    if let d = decide(policy, lower) { XCTAssertFalse(same(d, s.decision), "less than \(s.says) reaches the same for \(a.jsonText)") }
                }
            }
            // Complete: for every pair of actions, whatif's best over those actions (alone or
            // together) is at least what the brute force finds for the two together.
            for (key, best) in together where best > credit(base) {
                let names = Set(key.split(separator: "+").map(String.init))
                let mine = report.suggestions.filter { Set($0.action.split(separator: "+").map(String.init)).isSubset(of: names) }.map { credit($0.decision) }.max() ?? credit(base)
                XCTAssertGreaterThanOrEqual(mine, best, "the brute force found \(best) for \(key), whatif \(mine): \(a.jsonText)")
                if names.allSatisfy({ (alone[$0] ?? 0) < best }) { bruteOnlyInPairs += 1 }
            }
        }
        // The population has pairs that give more than either action alone, and whatif found them.
        XCTAssertGreaterThan(bruteOnlyInPairs, 0)
        XCTAssertFalse(pairsSeen.isEmpty, "\(pairsSeen)")
    }

    /// The pair's applicant with a month less of its wait or a fen less of its ceiling (when it
    /// has one), the other change kept.
    func lowered(_ s: WhatIfSuggestion, from a: JSONValue) -> [JSONValue] {
        var out: [JSONValue] = []
        let names = s.action.split(separator: "+").map(String.init)
        if names.contains("wait"), let before = number(a["account_age_months"]), let after = number(s.applicant["account_age_months"]), after - before >= 2 {
            var json = s.applicant
            for f in Self.waited { if let v = number(s.applicant[f]) { json = with(json, f, .number(String(Int(v) - 1))) } }
            out.append(json)
        }
        if names.contains("own_ceiling"), let cap = number(s.applicant["self_set_cap"]), let was = number(a["self_set_cap"]), cap - 0.01 > was {
            out.append(with(s.applicant, "self_set_cap", .number(String(format: "%.2f", cap - 0.01))))
        }
        return out
    }

    /// A certificate worth a large uplift is referred on a young account, and waiting alone
    /// changes nothing; together, once the account is a year old, the large uplift is approved:
    /// more than any single action gives. The pair says the months, not the confidence.
    func testACertificateAndAWaitTogetherGiveMoreThanEitherAlone() throws {
        let policy = try XCTUnwrap(Self.policy)
        let json = try JSONParser.parse("""
        {"id":"p-1","as_of":"2024-12-23","age":25,"gender":"female","occupation":"employee","job_tenure_months":12,"account_age_months":9,
         "current_limit":10000,"self_set_cap":null,"monthly_income":null,"max_overdue_days_12m":0,"fraud_flag":false,"months_since_last_uplift":null,
         "certificates":[{"type":"national_scholarship","verified":true,"confidence":0.99,"forgery_suspected":false}]}
        """)
        let single = try policy.whatIf(json, options: WhatIfOptions(top: 100))
        let bestAlone = single.suggestions.map { credit($0.decision) }.max() ?? 0
        let withCPA = with(json, "certificates", .array(certificates(json) + [certificate("cpa", 1.0)]))
        XCTAssertEqual(try policy.evaluate(policy.applicant(withCPA)).outcome, .refer, "a large certificate alone is referred")
        let report = try policy.whatIf(json, options: WhatIfOptions(top: 100, depth: 2))
        let pair = try XCTUnwrap(report.suggestions.first { $0.action == "add_certificate+wait" }, "\(report.suggestions.map(\.says))")
        XCTAssertEqual(pair.decision.outcome, .approve)
        XCTAssertEqual(pair.decision.uplift, FixedDecimal(parsing: "3000"), "the segment maximum, once the account is a year old")
        XCTAssertGreaterThan(credit(pair.decision), bestAlone)
        XCTAssertEqual(report.suggestions.first?.action, "add_certificate+wait", "the pair ranks first: it gives the most")
        XCTAssertTrue(pair.says.hasSuffix("and in 3 months"), pair.says)
        XCTAssertFalse(pair.says.contains("0.9"), "the confidence stays out of the text: \(pair.says)")
        XCTAssertEqual(number(pair.applicant["account_age_months"]), 12)
        XCTAssertEqual(DecisionRenderer.json(try policy.evaluate(policy.applicant(pair.applicant))), DecisionRenderer.json(pair.decision))
    }
}

/// A pair whose result hangs on a line through both values, where rectangles are easy to get
/// wrong: `3 * a - b == 4` holds at (2, 2), (3, 5) and (4, 8), and from (0, 0) neither value
/// alone reaches it. At a = 1 the line meets no b of 1…10, and from (1, 1) and (1, 10) no whole
/// a: a rectangle kept merely off the line would span all of 1…10 × 1…10 and miss it.
final class WhatIfPairGeometryTests: XCTestCase {
    func bundle(_ rule: String) throws -> (Policy, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-pairs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = [
            "bundle.yaml": "name: lines\nversion: 1.0.0\nschema: schema.uplift\nrules:\n  - policy.uplift\nactions: actions.yaml\n",
            "schema.uplift": "facts Applicant {\n  a: integer between 0 and 10\n  b: integer between 0 and 10\n  base: money between 0 and 1000\n}\n",
            "policy.uplift": "reason OFF_THE_LINE \"Not on the line.\"\n\nno_change OFF_THE_LINE when \(rule)\n\namount = base\n",
            "actions.yaml": "actions:\n  - name: raise_a\n    raise: a\n    says: \"if a were {value}\"\n  - name: raise_b\n    raise: b\n    says: \"if b were {value}\"\n",
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return (try Policy.load(bundle: dir.path), dir)
    }

    func testAPairOnALineThroughBothValuesIsFoundAtItsLowestPoint() throws {
        for rule in ["3 * a - b != 4", "not (3 * a - b == 4)"] {
            let (policy, dir) = try bundle(rule)
            defer { try? FileManager.default.removeItem(at: dir) }
            let report = try policy.whatIf(try JSONParser.parse(#"{"a": 0, "b": 0, "base": 100}"#), options: WhatIfOptions(top: 100, depth: 2))
            XCTAssertTrue(report.suggestions.filter { !$0.action.contains("+") }.isEmpty, "neither alone reaches the line: \(report.suggestions.map(\.says))")
            let pair = try XCTUnwrap(report.suggestions.first { $0.action == "raise_a+raise_b" }, rule)
            XCTAssertEqual(pair.decision.outcome, .approve)
            XCTAssertEqual(pair.says, "if a were 2, and if b were 2", rule)
            XCTAssertEqual(DecisionRenderer.json(try policy.evaluate(policy.applicant(pair.applicant))), DecisionRenderer.json(pair.decision))
        }
    }
}
