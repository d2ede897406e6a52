import Foundation
import XCTest
@testable import Uplift
import UpliftRuntime

/// `whatif` against a brute force that knows nothing of its search: every declared action on
/// dense grids of values, through the reference interpreter, on generated applicants.
final class WhatIfTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let policy: Policy? = try? Policy.load(bundle: root.appendingPathComponent("policies/certificate-uplift").path)
    func reference() throws -> Policy { try XCTUnwrap(Self.policy) }

    /// The credit a decision realises (an approval's uplift), and how far its outcome got.
    func standing(_ d: Decision) -> (Int64, Int) {
        let rank = switch d.outcome { case .approve: 3; case .refer: 2; case .noChange, .decrease: 1; case .decline: 0 }
        return (d.outcome == .approve ? d.uplift.raw : 0, rank)
    }
    /// More credit is better; a further outcome with no more credit is not (docs/language.md, "Actions").
    func better(_ a: (Int64, Int), _ b: (Int64, Int)) -> Bool { a.0 > b.0 }

    func object(_ v: JSONValue) -> [(String, JSONValue)] { if case .object(let m) = v { m } else { [] } }
    func with(_ v: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue {
        var m = object(v)
        if let i = m.firstIndex(where: { $0.0 == key }) { m[i].1 = value } else { m.append((key, value)) }
        return .object(m)
    }
    func certificates(_ v: JSONValue) -> [JSONValue] { if case .array(let xs)? = v["certificates"] { xs } else { [] } }
    func decide(_ policy: Policy, _ json: JSONValue) -> Decision? {
        guard let a = try? policy.applicant(json) else { return nil }
        return try? policy.evaluate(a, engine: .reference)
    }

    /// The best standing any grid point of any declared action reaches, by brute force.
    func bruteBest(_ policy: Policy, _ a: JSONValue) -> (Int64, Int) {
        var best = (Int64.min, -1)
        func consider(_ json: JSONValue) { if let d = decide(policy, json) { let s = standing(d); if better(s, best) { best = s } } }
        let types = ["teacher_qualification", "junior_accountant", "intermediate_accountant", "cpa", "legal_professional", "nurse_license",
                     "electrician_license", "forklift_license", "chef_certificate", "ielts", "toefl", "cet6", "cet4", "jlpt_n1",
                     "national_scholarship", "provincial_scholarship", "university_scholarship", "outstanding_graduate"]
        for t in types {
            for c in stride(from: 0, through: 100, by: 1) {
                let cert: JSONValue = .object([("type", .string(t)), ("verified", .bool(true)), ("confidence", .number(String(format: "%.2f", Double(c) / 100))),
                                               ("forgery_suspected", .bool(false)), ("expires", .null)])
                consider(with(a, "certificates", .array(certificates(a) + [cert])))
            }
        }
        let certs = certificates(a)
        for i in certs.indices {
            for c in stride(from: 0, through: 100, by: 1) {
                var xs = certs
                xs[i] = with(xs[i], "confidence", .number(String(format: "%.2f", Double(c) / 100)))
                if case .number(let now)? = certs[i]["confidence"], let n = Double(now), Double(c) / 100 <= n { continue }
                consider(with(a, "certificates", .array(xs)))
            }
        }
        for m in 1...24 {
            var json = a
            for f in ["account_age_months", "job_tenure_months", "months_since_last_uplift"] {
                if case .number(let n)? = a[f], let v = Int(n) { json = with(json, f, .number(String(v + m))) }
            }
            consider(json)
        }
        if case .number(let cap)? = a["self_set_cap"], let c = Double(cap) {
            for step in stride(from: 100.0, through: 60_000, by: 300) { consider(with(a, "self_set_cap", .number(String(format: "%.2f", c + step)))) }
        }
        return best
    }

    func testEverySuggestionIsSoundMinimalAndNoneIsMissed() throws {
        let policy = try reference()
        let population = policy.syntheticPopulation(count: ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" ? 2_000 : 40, seed: 41)
        var helped = 0, checkedMinimal = 0
        for a in population {
            let report = try policy.whatIf(a, options: WhatIfOptions(top: 1000))
            let base = try policy.evaluate(policy.applicant(a))
            XCTAssertEqual(DecisionRenderer.json(report.baseline), DecisionRenderer.json(base))
            for s in report.suggestions {
                // Sound: the changed applicant gets exactly the promised decision, on both engines.
                let again = try policy.evaluate(policy.applicant(s.applicant), engine: .reference)
                XCTAssertEqual(DecisionRenderer.json(again), DecisionRenderer.json(s.decision), s.says)
                XCTAssertTrue(better(standing(s.decision), standing(base)), "a suggestion helps: \(s.says)")
                // Minimal: one unit below the reported value does not reach the same result.
                if let (path, value) = s.changedFields.last, s.action != "add_certificate" || path.hasSuffix("confidence"), case .number(let n) = value,
                   let v = FixedDecimal(parsing: n) {
                    let unit: Int64 = path.hasSuffix("self_set_cap") ? 10_000 : path.hasSuffix("confidence") ? 1 : 1_000_000
                    guard s.action != "wait" else { continue }
                    let below = FixedDecimal(raw: v.raw - unit).formatted()
                    var lower = s.applicant
                    if path == "self_set_cap" { lower = with(lower, "self_set_cap", .number(below)) } else if path.hasPrefix("certificates[") {
                        var xs = certificates(lower)
                        let i = Int(path.dropFirst("certificates[".count).prefix { $0.isNumber }) ?? 0
                        xs[i] = with(xs[i], "confidence", .number(below))
                        lower = with(lower, "certificates", .array(xs))
                    }
                    if let d = decide(policy, lower) {
                        XCTAssertNotEqual(DecisionRenderer.json(d), DecisionRenderer.json(s.decision), "one unit below \(n) reaches the same: \(s.says)")
                        checkedMinimal += 1
                    }
                }
            }
            // Complete: no grid point of any action does better than the best suggestion.
            let brute = bruteBest(policy, a)
            let mine = report.suggestions.first.map { standing($0.decision) } ?? standing(base)
            if better(brute, standing(base)) {
                helped += 1
                XCTAssertFalse(better(brute, mine), "the brute force found better than whatif for \(a.jsonText)")
            } else {
                XCTAssertTrue(report.nothingHelps, "whatif promises what the brute force cannot reach: \(a.jsonText)")
            }
        }
        XCTAssertGreaterThan(helped, population.count / 4)
        XCTAssertGreaterThan(checkedMinimal, 5)
    }

    func testSuggestionsTouchOnlyWhatTheActionsMayAndIgnoreGender() throws {
        let policy = try reference()
        let allowed = ["certificates", "account_age_months", "job_tenure_months", "months_since_last_uplift", "self_set_cap"]
        for a in policy.syntheticPopulation(count: 12, seed: 5) {
            let report = try policy.whatIf(a, options: WhatIfOptions(top: 1000, depth: 2))
            for s in report.suggestions {
                for (path, _) in s.changedFields {
                    XCTAssertTrue(allowed.contains { path == $0 || path.hasPrefix($0 + "[") || path.hasPrefix($0 + ".") }, "\(s.action) changed \(path)")
                }
            }
            // The protected attribute changes no suggestion; the same input gives the same report.
            for g in ["female", "male", "unspecified"] {
                let other = try policy.whatIf(with(a, "gender", .string(g)), options: WhatIfOptions(top: 1000, depth: 2))
                XCTAssertEqual(other.suggestions.map(\.says), report.suggestions.map(\.says))
                XCTAssertEqual(other.suggestions.map { DecisionRenderer.json($0.decision) }, report.suggestions.map { DecisionRenderer.json($0.decision) })
            }
            let again = try policy.whatIf(a, options: WhatIfOptions(top: 1000, depth: 2))
            XCTAssertEqual(WhatIfRenderer.json(again), WhatIfRenderer.json(report))
        }
    }

    /// What each example applicant is told, as a person would expect it.
    func testTheExamplesGetTheSuggestionsAPersonExpects() throws {
        let policy = try reference()
        func report(_ name: String) throws -> WhatIfReport {
            let data = try Data(contentsOf: Self.root.appendingPathComponent("policies/certificate-uplift/examples/\(name).json"))
            return try policy.whatIf(utf8: data)
        }
        // No certificate: adding one helps; the best gives the segment maximum.
        let none = try report("no-change-no-certificate")
        XCTAssertEqual(none.baseline.outcome, .noChange)
        XCTAssertEqual(none.suggestions.first?.decision.outcome, .approve)
        XCTAssertEqual(none.suggestions.first?.cleared, ["NO_QUALIFYING_CERTIFICATE"])
        // Read below the bar: having it read again clears the referral.
        let low = try report("refer-low-confidence")
        XCTAssertTrue(low.suggestions.contains { $0.action == "read_again" } || low.notShown > 0)
        let lowAll = try policy.whatIf(utf8: Data(contentsOf: Self.root.appendingPathComponent("policies/certificate-uplift/examples/refer-low-confidence.json")), options: WhatIfOptions(top: 100))
        let again = try XCTUnwrap(lowAll.suggestions.first { $0.action == "read_again" })
        XCTAssertEqual(again.decision.outcome, .approve)
        XCTAssertEqual(again.cleared, ["LOW_CONFIDENCE_MATERIAL"])
        XCTAssertFalse(WhatIfRenderer.text(lowAll).contains(again.value ?? "-"), "the text never shows the confidence the recogniser needs")
        XCTAssertTrue(WhatIfRenderer.text(lowAll, showValues: true).contains("[value \(again.value ?? "")]"), "staff may see it")
        // A large uplift on a young account: waiting until it is a year old approves it.
        let large = try report("refer-large-uplift")
        XCTAssertEqual(large.suggestions.first?.action, "wait")
        XCTAssertEqual(large.suggestions.first?.decision.outcome, .approve)
        XCTAssertEqual(large.suggestions.first?.cleared, ["REVIEW_LARGE_UPLIFT"])
        // Declined on gates a person cannot change: nothing helps, and the text says a person can review it.
        let declined = try report("decline-gates")
        XCTAssertTrue(declined.nothingHelps)
        XCTAssertTrue(WhatIfRenderer.text(declined).contains("A person can review it"))
        // The applicant's own ceiling: raising it to exactly current limit + uplift lifts the cap.
        let capped = try report("no-change-self-cap")
        if let own = capped.suggestions.first(where: { $0.action == "own_ceiling" }) {
            XCTAssertEqual(own.cleared, ["CAPPED_BY_SELF_LIMIT"])
            XCTAssertTrue(own.says.contains(own.value ?? "?"), "the ceiling is said: \(own.says)")
        }
        // JSON carries each changed applicant; eval on it gives the promised decision.
        let json = try JSONParser.parse(WhatIfRenderer.json(none))
        guard case .array(let items)? = json["suggestions"], let first = items.first, let changed = first["applicant"] else { return XCTFail("no suggestions in JSON") }
        let d = try policy.evaluate(policy.applicant(changed))
        XCTAssertEqual(DecisionRenderer.json(d, pretty: false), first["decision"].map { $0.jsonText })
    }
}
