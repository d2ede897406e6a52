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

    func object(_ v: JSONValue) -> [(String, JSONValue)] { JSONEdit.members(v) }
    func with(_ v: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue { JSONEdit.with(v, key, value) }
    func certificates(_ v: JSONValue) -> [JSONValue] { JSONEdit.list(v, "certificates") }
    func decide(_ policy: Policy, _ json: JSONValue) -> Decision? {
        guard let a = try? policy.applicant(json) else { return nil }
        return try? policy.evaluate(a, engine: .reference)
    }

    /// The best standing each declared action reaches at any grid point, by brute force.
    func bruteBest(_ policy: Policy, _ a: JSONValue) -> [String: (Int64, Int)] {
        var bests: [String: (Int64, Int)] = [:]
        var action = ""
        func consider(_ json: JSONValue) {
            if let d = decide(policy, json) { let s = standing(d); if better(s, bests[action] ?? (Int64.min, -1)) { bests[action] = s } }
        }
        action = "add_certificate"
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
        action = "read_again"
        for i in certs.indices {
            for c in stride(from: 0, through: 100, by: 1) {
                var xs = certs
                xs[i] = with(xs[i], "confidence", .number(String(format: "%.2f", Double(c) / 100)))
                if case .number(let now)? = certs[i]["confidence"], let n = Double(now), Double(c) / 100 <= n { continue }
                consider(with(a, "certificates", .array(xs)))
            }
        }
        action = "wait"
        for m in 1...24 {
            var json = a
            for f in ["account_age_months", "job_tenure_months", "months_since_last_uplift"] {
                if case .number(let n)? = a[f], let v = Int(n) { json = with(json, f, .number(String(v + m))) }
            }
            consider(json)
        }
        action = "own_ceiling"
        if let cap = amount(a["self_set_cap"]) {
            for step in stride(from: 100.0, through: 60_000, by: 100) { consider(with(a, "self_set_cap", .number(String(format: "%.2f", cap + step)))) }
        }
        return bests
    }

    /// The suggestion's changed applicant with its searched value one unit lower, built from the
    /// original applicant without the engine's helpers; nil when there is no lower value.
    func oneUnitLess(_ s: WhatIfSuggestion, from a: JSONValue) -> JSONValue? {
        func lowered(_ v: JSONValue?, by unit: Double) -> JSONValue? {
            guard let x = amount(v), x - unit >= 0 else { return nil }
            return .number(String(format: unit < 0.001 ? "%.6f" : "%.2f", x - unit))
        }
        switch s.action {
        case "own_ceiling":
            return lowered(s.applicant["self_set_cap"], by: 0.01).map { with(s.applicant, "self_set_cap", $0) }
        case "add_certificate", "read_again":
            var xs = certificates(s.applicant)
            let before = certificates(a)
            // The added certificate is the last; a read-again one is the one whose confidence moved.
            guard let i = s.action == "add_certificate" ? xs.indices.last : xs.indices.first(where: { i in i < before.count && xs[i]["confidence"] != before[i]["confidence"] }),
                  let c = lowered(xs[i]["confidence"], by: 0.000001) else { return nil }
            xs[i] = with(xs[i], "confidence", c)
            return with(s.applicant, "certificates", .array(xs))
        case "wait":
            guard let m = Int(s.value ?? ""), m >= 1 else { return nil }
            var json = a
            for f in ["account_age_months", "job_tenure_months", "months_since_last_uplift"] {
                if case .number(let n)? = a[f], let v = Int(n) { json = with(json, f, .number(String(v + m - 1))) }
            }
            return json
        default:
            return nil
        }
    }

    /// A money value as the decoder takes it: a number or a string.
    func amount(_ v: JSONValue?) -> Double? {
        switch v { case .number(let n)?: Double(n); case .string(let s)?: Double(s); default: nil }
    }

    func testEverySuggestionIsSoundMinimalAndNoneIsMissed() throws {
        let policy = try reference()
        let population = policy.syntheticPopulation(count: ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" ? 2_000 : 40, seed: 41)
        var helped = 0, checkedMinimal: [String: Int] = [:]
        for a in population {
            let report = try policy.whatIf(a, options: WhatIfOptions(top: 1000))
            let base = try policy.evaluate(policy.applicant(a))
            XCTAssertEqual(DecisionRenderer.json(report.baseline), DecisionRenderer.json(base))
            for s in report.suggestions {
                // Sound: the changed applicant gets exactly the promised decision, on both engines.
                let again = try policy.evaluate(policy.applicant(s.applicant), engine: .reference)
                XCTAssertEqual(DecisionRenderer.json(again), DecisionRenderer.json(s.decision), s.says)
                XCTAssertTrue(better(standing(s.decision), standing(base)), "a suggestion helps: \(s.says)")
                // Minimal: one unit less of the searched value (a fen of ceiling, 10^-6 of
                // confidence, a month) does not reach the same result (outcome, uplift, reasons).
                if let lower = oneUnitLess(s, from: a), let d = decide(policy, lower) {
                    let same = d.outcome == s.decision.outcome && d.uplift == s.decision.uplift && d.reasons.map(\.code) == s.decision.reasons.map(\.code)
                    XCTAssertFalse(same, "one unit below \(s.value ?? "?") reaches the same: \(s.says) for \(a.jsonText)")
                    checkedMinimal[s.action, default: 0] += 1
                }
            }
            // Complete, action by action: no grid point of an action does better than that
            // action's best suggestion, and an action the grid finds no help in suggests nothing.
            let brute = bruteBest(policy, a)
            if brute.values.contains(where: { better($0, standing(base)) }) { helped += 1 } else {
                XCTAssertTrue(report.nothingHelps, "whatif promises what the brute force cannot reach: \(a.jsonText)")
            }
            for (action, best) in brute where better(best, standing(base)) {
                let mine = report.suggestions.filter { $0.action == action }.map { standing($0.decision) }.max { $0.0 < $1.0 }
                XCTAssertNotNil(mine, "\(action) helps (by brute force) but whatif suggests nothing: \(a.jsonText)")
                if let mine { XCTAssertFalse(better(best, mine), "the brute force found better than whatif's \(action) for \(a.jsonText)") }
            }
        }
        XCTAssertGreaterThan(helped, population.count / 4)
        // Every kind of action had its minimality checked.
        // (Few generated applicants chose a ceiling that binds: the examples test checks that one.)
        XCTAssertTrue(Set(checkedMinimal.keys).isSuperset(of: ["add_certificate", "read_again", "wait"]), "\(checkedMinimal)")
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
        // The applicant's own ceiling (given as a string, "6050.00"): raising it to 6,100 is the
        // lowest that gives an uplift (round down to 100), and the sentence says so.
        let capped = try report("no-change-self-cap")
        let own = try XCTUnwrap(capped.suggestions.first { $0.action == "own_ceiling" })
        XCTAssertEqual(own.value, "6100.00")
        XCTAssertEqual(own.decision.outcome, .approve)
        XCTAssertEqual(own.says, "if you raise your own ceiling to 6100.00")
        // Not monotone: on a young account a ceiling above 12,500 makes the uplift large enough
        // to be referred; the highest that still approves (12,400) is found, not lost.
        let young = try policy.whatIf(with(try JSONParser.parse(String(decoding: Data(contentsOf: Self.root.appendingPathComponent("policies/certificate-uplift/examples/refer-large-uplift.json")), as: UTF8.self)),
                                           "self_set_cap", .number("12000")))
        XCTAssertEqual(young.baseline.outcome, .approve)
        let ceiling = try XCTUnwrap(young.suggestions.first)
        XCTAssertEqual(ceiling.action, "own_ceiling")
        XCTAssertEqual(ceiling.value, "12400.00")
        XCTAssertEqual(ceiling.gain, FixedDecimal(parsing: "400"))
        XCTAssertEqual(ceiling.binding.map(\.code), ["CAPPED_BY_SELF_LIMIT"], "the tightest cap is the one that applies")
        // One fen less of ceiling does not give the same uplift.
        let below = try XCTUnwrap(oneUnitLess(ceiling, from: young.suggestions[0].applicant))
        XCTAssertNotEqual(try policy.evaluate(policy.applicant(below)).uplift, ceiling.decision.uplift)
        // Pairs: two added certificates are two elements, and a pair that gives no more than the
        // best single one ranks after it.
        let paired = try policy.whatIf(utf8: Data(contentsOf: Self.root.appendingPathComponent("policies/certificate-uplift/examples/no-change-no-certificate.json")), options: WhatIfOptions(top: 100, depth: 2))
        let pair = try XCTUnwrap(paired.suggestions.first { $0.action == "add_certificate+add_certificate" })
        XCTAssertEqual(certificates(pair.applicant).count, 3, "the applicant's one certificate and two added")
        XCTAssertFalse(paired.suggestions.first?.action.contains("+") ?? true, "a single action first when it gives as much")
                // JSON carries each changed applicant; eval on it gives the promised decision.
        let json = try JSONParser.parse(WhatIfRenderer.json(none))
        guard case .array(let items)? = json["suggestions"], let first = items.first, let changed = first["applicant"] else { return XCTFail("no suggestions in JSON") }
        let d = try policy.evaluate(policy.applicant(changed))
        XCTAssertEqual(DecisionRenderer.json(d, pretty: false), first["decision"].map { $0.jsonText })
    }

    /// A copy of the reference bundle in a temporary folder, to be edited by a test.
    func copyOfReference() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-whatif-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("policies/certificate-uplift"), to: dir)
        return dir
    }

    /// A range bound finer than the field's unit (a money range from 0.001) is rounded inwards;
    /// the search ends, and every value it writes is one the decoder accepts.
    func testARangeFinerThanItsUnitIsSearchedInWholeUnits() throws {
        let dir = try copyOfReference()
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = dir.appendingPathComponent("schema.uplift")
        let text = try String(contentsOf: schema, encoding: .utf8)
        XCTAssertTrue(text.contains("self_set_cap: money optional between 0 and 1000000000"))
        try text.replacingOccurrences(of: "self_set_cap: money optional between 0 and 1000000000", with: "self_set_cap: money optional between 0.001 and 999999999.999")
            .write(to: schema, atomically: true, encoding: .utf8)
        let policy = try Policy.load(bundle: dir.path)
        let a = with(try JSONParser.parse(String(decoding: Data(contentsOf: dir.appendingPathComponent("examples/no-change-self-cap.json")), as: UTF8.self)), "self_set_cap", .number("6050.00"))
        let report = try policy.whatIf(a)
        XCTAssertEqual(report.suggestions.first { $0.action == "own_ceiling" }?.value, "6100.00")
    }

    /// A sentence is filled byte for byte: text in any script kept as written around each
    /// placeholder, a placeholder used twice filled twice, and a `{` never closed left as is.
    func testSentencesKeepTheirTextAroundEachPlaceholder() throws {
        let dir = try copyOfReference()
        defer { try? FileManager.default.removeItem(at: dir) }
        let actions = dir.appendingPathComponent("actions.yaml")
        let text = try String(contentsOf: actions, encoding: .utf8)
        XCTAssertTrue(text.contains(#"says: "if you raise your own ceiling to {value}""#))
        try text.replacingOccurrences(of: #"says: "if you raise your own ceiling to {value}""#, with: #"says: "若上限为 {value} 元（{value}）{ 再评估""#)
            .replacingOccurrences(of: #"says: "if you hold a certificate of type {type}""#, with: #"says: "持有 {type} 证书""#)
            .write(to: actions, atomically: true, encoding: .utf8)
        let policy = try Policy.load(bundle: dir.path)
        let a = with(try JSONParser.parse(String(decoding: Data(contentsOf: dir.appendingPathComponent("examples/no-change-self-cap.json")), as: UTF8.self)), "self_set_cap", .number("6050.00"))
        let report = try policy.whatIf(a, options: WhatIfOptions(top: 100))
        XCTAssertEqual(report.suggestions.first { $0.action == "own_ceiling" }?.says, "若上限为 6100.00 元（6100.00）{ 再评估")
        // Certificate types: each helpful one worded alone, the idle ones joined in one sentence.
        let none = try policy.whatIf(JSONParser.parse(String(decoding: Data(contentsOf: dir.appendingPathComponent("examples/no-change-no-certificate.json")), as: UTF8.self)), options: WhatIfOptions(top: 100))
        let held = none.suggestions.filter { $0.action == "add_certificate" }.map(\.says)
        XCTAssertFalse(held.isEmpty)
        XCTAssertTrue(held.contains("持有 cpa 证书"), "\(held)")
        for says in held + none.noEffect where says.hasPrefix("持有") { XCTAssertTrue(says.hasSuffix(" 证书") && !says.contains("{"), says) }
        // The self-capped applicant gains nothing from any certificate: one sentence for all.
        let idle = try XCTUnwrap(report.noEffect.first { $0.hasPrefix("持有") }, "\(report.noEffect)")
        XCTAssertTrue(idle.hasPrefix("持有 teacher_qualification, junior_accountant, intermediate_accountant, "), idle)
        XCTAssertTrue(idle.hasSuffix(", university_scholarship or outstanding_graduate 证书"), idle)
        XCTAssertEqual(idle.components(separatedBy: ", ").count, 17, idle)
    }

    /// `top` cuts the ranked list and counts the rest; what is shown is the list's head, each
    /// with the ceiling that then binds, whatever `top` is.
    func testTopCutsTheListAndCountsTheRest() throws {
        let policy = try reference()
        let a = try JSONParser.parse(String(decoding: Data(contentsOf: Self.root.appendingPathComponent("policies/certificate-uplift/examples/no-change-no-certificate.json")), as: UTF8.self))
        let all = try policy.whatIf(a, options: WhatIfOptions(top: 100))
        XCTAssertGreaterThan(all.suggestions.count, 2)
        XCTAssertEqual(all.notShown, 0)
        let two = try policy.whatIf(a, options: WhatIfOptions(top: 2))
        XCTAssertEqual(two.suggestions.map(\.says), all.suggestions.prefix(2).map(\.says))
        XCTAssertEqual(two.suggestions.map { $0.binding.map { $0.code } }, all.suggestions.prefix(2).map { $0.binding.map { $0.code } })
        XCTAssertEqual(two.notShown, all.suggestions.count - 2)
        let none = try policy.whatIf(a, options: WhatIfOptions(top: 0))
        XCTAssertTrue(none.suggestions.isEmpty)
        XCTAssertEqual(none.notShown, all.suggestions.count)
    }
}
