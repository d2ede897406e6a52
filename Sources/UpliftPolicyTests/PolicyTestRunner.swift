import Uplift

/// Runs a bundle's tests against its policy and compares each decision with what the test
/// expects.
package enum PolicyTestRunner {
    package static func run(_ cases: [PolicyTestCase], policy: Policy) -> [PolicyTestResult] {
        cases.map { run($0, policy: policy) }
    }

    package static func run(_ test: PolicyTestCase, policy: Policy) -> PolicyTestResult {
        let applicant: Applicant
        do { applicant = try policy.applicant(test.applicant) } catch {
            return PolicyTestResult(test: test, mismatches: [], error: "the applicant is not valid for this policy: \(error)")
        }
        let d: Decision
        do { d = try policy.evaluate(applicant) } catch {
            return PolicyTestResult(test: test, mismatches: [], error: "\(error)")
        }
        return PolicyTestResult(test: test, mismatches: compare(test.expect, d), error: nil, decision: d, explanation: policy.explain(d))
    }

    static func amount(_ raw: Int64) -> String { FixedDecimal(raw: raw).formatted(minFractionDigits: 2) }
    static func list(_ xs: [String]) -> String { "[" + xs.joined(separator: ", ") + "]" }
    /// Matched rows as a test writes them: `none`, `top`, `[row 1, row 3]`.
    static func rows(_ labels: [String]) -> String { labels.isEmpty ? "none" : labels.count == 1 ? labels[0] : list(labels) }

    static func compare(_ e: Expectation, _ d: Decision) -> [Mismatch] {
        var out: [Mismatch] = []
        if let o = e.outcome, o != d.outcome.rawValue { out.append(.init(what: "outcome", expected: o, actual: d.outcome.rawValue)) }
        if let u = e.uplift, u != d.uplift.raw { out.append(.init(what: "uplift", expected: amount(u), actual: amount(d.uplift.raw))) }
        if let n = e.newLimit, n != d.newLimit?.raw {
            out.append(.init(what: "new_limit", expected: amount(n), actual: d.newLimit.map { amount($0.raw) } ?? "none"))
        }
        let codes = d.reasons.map(\.code)
        switch e.reasons {
        case .exactly(let want)? where want != codes:
            out.append(.init(what: "reasons", expected: list(want), actual: list(codes)))
        case .includes(let want, let unwanted)?:
            let missing = want.filter { !codes.contains($0) }, present = unwanted.filter { codes.contains($0) }
            if !missing.isEmpty || !present.isEmpty {
                var expected: [String] = []
                if !want.isEmpty { expected.append("includes \(list(want))") }
                if !unwanted.isEmpty { expected.append("excludes \(list(unwanted))") }
                out.append(.init(what: "reasons", expected: expected.joined(separator: ", "), actual: list(codes)))
            }
        default: break
        }
        if let s = e.segment, s != d.segment { out.append(.init(what: "segment", expected: s, actual: d.segment ?? "none")) }
        if let b = e.band, b != d.bands.first?.band { out.append(.init(what: "band", expected: b, actual: d.bands.first?.band ?? "none")) }
        if !e.tables.isEmpty {
            let matches = d.tables
            for t in e.tables {
                guard let got = matches.first(where: { $0.table == t.table }) else {
                    out.append(.init(what: "table \(t.table)", expected: t.written, actual: "no such table in the policy"))
                    continue
                }
                // Rows compare as a set: `[row 3, row 1]` expects the same rows as `[row 1, row 3]`.
                if Set(got.labels) != Set(t.rows) { out.append(.init(what: "table \(t.table)", expected: t.written, actual: rows(got.labels))) }
            }
        }
        let reported = d.reported
        for (name, want) in e.reported {
            let got = reported.first { $0.name == name }?.json
            // Numbers compare by value: 70 and 70.0 are the same score.
            let same = got == want || (got.flatMap { FixedDecimal(parsing: Substring($0)) } != nil
                                       && got.flatMap { FixedDecimal(parsing: Substring($0)) } == FixedDecimal(parsing: Substring(want)))
            if !same { out.append(.init(what: "reported \(name)", expected: want, actual: got ?? "not reported")) }
        }
        return out
    }
}
