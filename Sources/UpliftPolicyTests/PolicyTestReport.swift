import Uplift

/// How test results read: a line per failing case with what differs and the explanation of what
/// the policy actually decided; JUnit XML for CI systems; coverage in text and JSON.
package enum PolicyTestReport {
    package static func text(_ results: [PolicyTestResult], files: Int) -> String {
        var out = ""
        for r in results where !r.passed {
            out += "FAIL \(r.test.location)  \(r.test.name)\n"
            if let e = r.error { out += "  error: \(e)\n" }
            let width = max(8, (r.mismatches.map(\.what.count).max() ?? 0) + 1)
            for m in r.mismatches {
                out += "  \(m.what + ":" + String(repeating: " ", count: max(1, width - m.what.count)))expected \(m.expected), got \(m.actual)\n"
            }
            if let d = r.decision, let e = r.explanation {
                for line in DecisionRenderer.text(d, e).split(separator: "\n") { out += "    \(line)\n" }
            }
        }
        let failed = results.filter { !$0.passed }.count
        out += "\(results.count - failed) passed, \(failed) failed (\(results.count) cases in \(files) file\(files == 1 ? "" : "s"))\n"
        return out
    }

    static func xml(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // XML 1.0 cannot carry most control characters.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" && ch != "\r" { out += "?" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// JUnit XML, one test suite per test file.
    package static func junit(_ results: [PolicyTestResult], policy: PolicyIdentity) -> String {
        var byFile: [(String, [PolicyTestResult])] = []
        for r in results {
            let file = String(r.test.location.split(separator: ":").first ?? "")
            if let i = byFile.firstIndex(where: { $0.0 == file }) { byFile[i].1.append(r) } else { byFile.append((file, [r])) }
        }
        let failures = results.filter { !$0.passed }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(xml(policy.name)) \(xml(policy.version))\" tests=\"\(results.count)\" failures=\"\(failures)\">\n"
        for (file, rs) in byFile {
            out += "  <testsuite name=\"\(xml(file))\" tests=\"\(rs.count)\" failures=\"\(rs.filter { !$0.passed }.count)\">\n"
            for r in rs {
                out += "    <testcase classname=\"\(xml(file))\" name=\"\(xml(r.test.name))\" file=\"\(xml(file))\""
                if r.passed { out += "/>\n"; continue }
                out += ">\n"
                let message = r.error ?? r.mismatches.map { "\($0.what): expected \($0.expected), got \($0.actual)" }.joined(separator: "; ")
                var detail = message
                if let d = r.decision, let e = r.explanation { detail += "\n\n" + DecisionRenderer.text(d, e) }
                out += "      <failure message=\"\(xml(message))\">\(xml(detail))</failure>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    package static func coverageText(_ c: PolicyCoverage) -> String {
        let parts = "gates, referrals, no-change rules, segments, bands, caps, reason codes" + (c.hasDecisionTables ? ", decision-table rows" : "")
        var out = "coverage: \(c.percentText) (\(c.covered) of \(c.points.count) points: \(parts))\n"
        if !c.missing.isEmpty {
            out += "not exercised:\n"
            for p in c.missing { out += "  \(p.kind) \(p.name): \(p.aspect)  (\(p.location))\n" }
        }
        return out
    }

    package static func coverageJSON(_ c: PolicyCoverage) -> String {
        JSONWriter.object([
            ("percent", c.percentText.dropLast().description), ("covered", String(c.covered)), ("points", String(c.points.count)),
            ("items", JSONWriter.array(c.points.map { p in
                JSONWriter.object([("kind", JSONWriter.quote(p.kind)), ("name", JSONWriter.quote(p.name)), ("aspect", JSONWriter.quote(p.aspect)),
                                   ("location", JSONWriter.quote(p.location)), ("covered", p.covered ? "true" : "false")])
            }, indent: 1)),
        ], indent: 0)
    }

    package static func json(_ results: [PolicyTestResult], coverage: PolicyCoverage?) -> String {
        let failed = results.filter { !$0.passed }.count
        var members: [(String, String)] = [
            ("passed", String(results.count - failed)), ("failed", String(failed)),
            ("cases", JSONWriter.array(results.map { r in
                JSONWriter.object([
                    ("name", JSONWriter.quote(r.test.name)), ("at", JSONWriter.quote(r.test.location)), ("passed", r.passed ? "true" : "false"),
                    ("error", r.error.map(JSONWriter.quote) ?? "null"),
                    ("mismatches", JSONWriter.array(r.mismatches.map { m in
                        JSONWriter.object([("what", JSONWriter.quote(m.what)), ("expected", JSONWriter.quote(m.expected)), ("actual", JSONWriter.quote(m.actual))])
                    })),
                ])
            }, indent: 1)),
        ]
        if let coverage { members.append(("coverage", coverageJSON(coverage))) }
        return JSONWriter.object(members, indent: 0)
    }
}
