import Foundation
import Uplift

/// Text, JSON and HTML forms of a diff.
public enum DiffRendering {
    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String { SummaryText.pad(s, w, right: right) }
    static let names = Outcome.allCases.map(\.rawValue)

    static func signed(_ raw: Int64) -> String { (raw > 0 ? "+" : "") + SummaryText.amount(raw) }

    public static func text(_ d: DiffSummary) -> String {
        var out = "base:        \(d.base.name) \(d.base.version) (sha256 \(d.base.hash.prefix(12)))\n"
        out += "candidate:   \(d.candidate.name) \(d.candidate.version) (sha256 \(d.candidate.hash.prefix(12)))\n"
        out += "rows:        \(SummaryText.count(d.rows)) read, \(SummaryText.count(d.decided)) decided by both, \(SummaryText.count(d.badRowCount)) bad\(d.stoppedEarly ? " (stopped early at --max-errors; \(SummaryText.count(d.unreadLines)) lines not read)" : "")\n"
        if d.changed == 0 { out += "no changes: every row gets the same outcome and uplift\n" }
        out += "outcomes (rows: base, columns: candidate):\n  \(pad("", 11))" + names.map { pad($0, 11, right: true) }.joined() + "\n"
        for (b, name) in names.enumerated() {
            out += "  \(pad(name, 11))" + (0..<4).map { pad(SummaryText.count(d.matrix[b][$0]), 11, right: true) }.joined() + "\n"
        }
        out += "swap-ins:    \(SummaryText.count(d.swapIns)) (the candidate approves, the base did not)\n"
        out += "swap-outs:   \(SummaryText.count(d.swapOuts)) (the base approved, the candidate does not)\n"
        out += "approved by both, uplift changed: \(SummaryText.count(d.upliftChanged))\n"
        out += "new credit:  base \(SummaryText.amount(d.baseCredit)), candidate \(SummaryText.amount(d.candidateCredit)), change \(signed(d.candidateCredit &- d.baseCredit))\n"
        out += "per segment (the base decision's):\n  \(pad("segment", 20)) \(pad("count", 9, right: true)) \(pad("approved", 17, right: true)) \(pad("uplift change", 16, right: true))\n"
        for (name, s) in d.segments.sorted(by: { $0.value.count > $1.value.count }) {
            out += "  \(pad(name, 20)) \(pad(SummaryText.count(s.count), 9, right: true)) \(pad("\(s.baseApproved) → \(s.candidateApproved)", 17, right: true)) \(pad(signed(s.candidateUplift &- s.baseUplift), 16, right: true))\n"
        }
        let codes = Set(d.baseReasons.keys).union(d.candidateReasons.keys).sorted()
        let moved = codes.filter { d.baseReasons[$0] != d.candidateReasons[$0] }
        if !moved.isEmpty {
            out += "reason codes that changed:\n"
            for c in moved {
                let b = d.baseReasons[c] ?? 0, n = d.candidateReasons[c] ?? 0
                let note = b == 0 ? " (appears)" : n == 0 ? " (vanishes)" : ""
                out += "  \(pad(c, 30)) \(pad(SummaryText.count(b), 10, right: true)) → \(pad(SummaryText.count(n), 10, right: true))\(note)\n"
            }
        }
        for (kind, xs) in d.examples.sorted(by: { $0.key < $1.key }) {
            out += "\nexamples: \(kind)\n"
            for x in xs {
                out += "  line \(x.line)\(x.key.map { " (key \($0))" } ?? ""):\n"
                out += sideBySide(x.base, x.candidate, width: 60)
            }
        }
        if d.badRowCount > 0 {
            out += "bad rows (\(SummaryText.count(d.badRowCount)); first \(d.badRows.count) shown):\n"
            for r in d.badRows { out += "  line \(r.line): \(r.path.isEmpty ? "" : r.path + ": ")\(r.message)\n" }
        }
        return out
    }

    /// Two texts in columns, base on the left.
    static func sideBySide(_ a: String, _ b: String, width: Int) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out = "    \(pad("base", width)) | candidate\n"
        for i in 0..<max(la.count, lb.count) {
            var l = i < la.count ? la[i] : ""
            if l.count > width { l = String(l.prefix(width - 1)) + "…" }
            out += "    \(pad(l, width)) | \(i < lb.count ? lb[i] : "")\n"
        }
        return out
    }

    public static func json(_ d: DiffSummary) -> String {
        let id = { (p: PolicyIdentity) in
            JSONWriter.object([("name", JSONWriter.quote(p.name)), ("version", JSONWriter.quote(p.version)), ("hash", JSONWriter.quote(p.hash))])
        }
        let matrix = JSONWriter.object(names.enumerated().map { (b, n) in
            (n, JSONWriter.object(names.enumerated().map { ($1, String(d.matrix[b][$0])) }))
        }, indent: 1)
        let segments = JSONWriter.object(d.segments.sorted { $0.key < $1.key }.map { (k, s) in
            (k, JSONWriter.object([("count", String(s.count)), ("base_approved", String(s.baseApproved)), ("candidate_approved", String(s.candidateApproved)),
                                   ("base_uplift", SummaryJSON.amount(s.baseUplift)), ("candidate_uplift", SummaryJSON.amount(s.candidateUplift)),
                                   ("uplift_change", SummaryJSON.amount(s.candidateUplift &- s.baseUplift))]))
        }, indent: 1)
        let codes = Set(d.baseReasons.keys).union(d.candidateReasons.keys).sorted()
        let reasons = JSONWriter.object(codes.map { c in
            (c, JSONWriter.object([("base", String(d.baseReasons[c] ?? 0)), ("candidate", String(d.candidateReasons[c] ?? 0))]))
        }, indent: 1)
        let examples = JSONWriter.object(d.examples.sorted { $0.key < $1.key }.map { (k, xs) in
            (k, JSONWriter.array(xs.map { x in
                JSONWriter.object([("line", String(x.line)), ("key", x.key.map(JSONWriter.quote) ?? "null"),
                                   ("base", JSONWriter.quote(x.base)), ("candidate", JSONWriter.quote(x.candidate))])
            }))
        }, indent: 1)
        return JSONWriter.object([
            ("kind", JSONWriter.quote("uplift-diff")), ("base", id(d.base)), ("candidate", id(d.candidate)),
            ("rows", String(d.rows)), ("decided", String(d.decided)), ("bad_rows", String(d.badRowCount)),
            ("stopped_early", d.stoppedEarly ? "true" : "false"), ("unread_lines", String(d.unreadLines)), ("changed", String(d.changed)),
            ("transitions", matrix), ("swap_ins", String(d.swapIns)), ("swap_outs", String(d.swapOuts)),
            ("uplift_changed", String(d.upliftChanged)),
            ("base_credit", SummaryJSON.amount(d.baseCredit)), ("candidate_credit", SummaryJSON.amount(d.candidateCredit)),
            ("segments", segments), ("reasons", reasons), ("examples", examples),
            ("bad_row_examples", JSONWriter.array(d.badRows.map { r in
                JSONWriter.object([("line", String(r.line)), ("path", JSONWriter.quote(r.path)), ("message", JSONWriter.quote(r.message))])
            }, indent: 1)),
        ], indent: 0)
    }

    /// The swap matrix as a heat map: darker cells hold more rows; the diagonal is unchanged.
    static func heatMap(_ d: DiffSummary) -> String {
        let cell = 120, left = 110, top = 40
        let most = max(1, d.matrix.flatMap { $0 }.max() ?? 1)
        var svg = "<svg width=\"\(left + 4 * cell + 10)\" height=\"\(top + 4 * cell + 30)\" role=\"img\" aria-label=\"swap matrix\">"
        svg += "<text x=\"\(left)\" y=\"14\">candidate →</text><text x=\"0\" y=\"\(top - 8)\">base ↓</text>"
        for (c, n) in names.enumerated() { svg += "<text x=\"\(left + c * cell + 8)\" y=\"\(top - 8)\">\(n)</text>" }
        for (b, n) in names.enumerated() {
            svg += "<text x=\"40\" y=\"\(top + b * cell + cell / 2)\">\(n)</text>"
            for c in 0..<4 {
                let v = d.matrix[b][c]
                // Log-ish shading so small swaps still show next to a large diagonal.
                let shade = v == 0 ? 0 : 15 + Int(85.0 * log(Double(v) + 1) / log(Double(most) + 1))
                let color = b == c ? "rgba(96,125,139,\(Double(shade) / 100))" : "rgba(211,47,47,\(Double(shade) / 100))"
                svg += "<rect x=\"\(left + c * cell)\" y=\"\(top + b * cell)\" width=\"\(cell - 4)\" height=\"\(cell - 4)\" fill=\"\(color)\" stroke=\"#ccc\"><title>\(n) → \(names[c]): \(v)</title></rect>"
                svg += "<text x=\"\(left + c * cell + 10)\" y=\"\(top + b * cell + cell / 2)\">\(v)</text>"
            }
        }
        return svg + "</svg>"
    }

    public static func html(_ d: DiffSummary) -> String {
        let esc = HTMLReport.esc
        var body = "<h1>Policy diff</h1><p class=\"meta\">base \(esc(d.base.name)) \(esc(d.base.version)) (sha256 \(esc(String(d.base.hash.prefix(12))))) · candidate \(esc(d.candidate.name)) \(esc(d.candidate.version)) (sha256 \(esc(String(d.candidate.hash.prefix(12))))) · \(d.rows) rows, \(d.badRowCount) bad</p>"
        body += "<p>Swap-ins <b>\(d.swapIns)</b> · swap-outs <b>\(d.swapOuts)</b> · uplift changed <b>\(d.upliftChanged)</b> · new credit \(SummaryText.amount(d.baseCredit)) → \(SummaryText.amount(d.candidateCredit)) (\(esc(signed(d.candidateCredit &- d.baseCredit))))</p>"
        body += "<h2>Swap matrix</h2>" + heatMap(d)
        body += "<h2>Per segment (base decision)</h2><table><tr><th>segment</th><th>count</th><th>approved (base → candidate)</th><th>uplift change</th></tr>"
        for (k, s) in d.segments.sorted(by: { $0.value.count > $1.value.count }) {
            body += "<tr><td>\(esc(k))</td><td>\(s.count)</td><td>\(s.baseApproved) → \(s.candidateApproved)</td><td>\(esc(signed(s.candidateUplift &- s.baseUplift)))</td></tr>"
        }
        body += "</table><h2>Reason codes</h2><table><tr><th>code</th><th>base</th><th>candidate</th></tr>"
        for c in Set(d.baseReasons.keys).union(d.candidateReasons.keys).sorted() {
            body += "<tr><td>\(esc(c))</td><td>\(d.baseReasons[c] ?? 0)</td><td>\(d.candidateReasons[c] ?? 0)</td></tr>"
        }
        body += "</table>"
        for (kind, xs) in d.examples.sorted(by: { $0.key < $1.key }) {
            body += "<h2>Examples: \(esc(kind))</h2>"
            for x in xs {
                body += "<p>line \(x.line)\(x.key.map { " (key \(esc($0)))" } ?? "")</p><table style=\"width:100%\"><tr><th>base</th><th>candidate</th></tr><tr><td style=\"text-align:left;vertical-align:top\"><pre>\(esc(x.base))</pre></td><td style=\"text-align:left;vertical-align:top\"><pre>\(esc(x.candidate))</pre></td></tr></table>"
            }
        }
        return HTMLReport.page("Uplift diff: \(d.base.name)", body)
    }
}
