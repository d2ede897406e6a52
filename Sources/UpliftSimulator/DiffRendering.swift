import Foundation
import Uplift

/// Text, JSON and HTML forms of a diff.
package enum DiffRendering {
    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String { SummaryText.pad(s, w, right: right) }
    static let names = Outcome.allCases.map(\.rawValue)

    static func signed(_ t: MoneyTotal) -> String { (t.raw > 0 ? "+" : "") + t.grouped }

    package static func text(_ d: DiffSummary) -> String {
        var out = "base:        \(d.base.name) \(d.base.version) (sha256 \(d.base.hash.prefix(12)))\n"
        out += "candidate:   \(d.candidate.name) \(d.candidate.version) (sha256 \(d.candidate.hash.prefix(12)))\n"
        out += "rows:        \(SummaryText.count(d.rows)) read, \(SummaryText.count(d.decided)) decided by both, \(SummaryText.count(d.badRowCount)) bad\(d.stoppedEarly ? " (stopped early at --max-errors; \(SummaryText.count(d.unreadLines)) lines not read)" : "")\n"
        if d.changed == 0 { out += "no changes: every row gets the same outcome and uplift\n" }
        let shown = d.shownOutcomes
        out += "outcomes (rows: base, columns: candidate):\n  \(pad("", 11))" + shown.map { pad(names[$0], 11, right: true) }.joined() + "\n"
        for b in shown {
            out += "  \(pad(names[b], 11))" + shown.map { pad(SummaryText.count(d.cell(b, $0)), 11, right: true) }.joined() + "\n"
        }
        out += "swap-ins:    \(SummaryText.count(d.swapIns)) (the candidate approves, the base did not)\n"
        out += "swap-outs:   \(SummaryText.count(d.swapOuts)) (the base approved, the candidate does not)\n"
        out += "approved by both, uplift changed: \(SummaryText.count(d.upliftChanged))\n"
        out += "new credit:  base \(SummaryText.amount(d.baseCredit)), candidate \(SummaryText.amount(d.candidateCredit)), change \(signed(d.creditChange))\n"
        if shown.contains(Outcome.decrease.tallyIndex) {
            out += "credit removed by decreases: base \(SummaryText.amount(d.baseRemoved)), candidate \(SummaryText.amount(d.candidateRemoved))\n"
        }
        out += "per segment (the base decision's):\n  \(pad("segment", 20)) \(pad("count", 9, right: true)) \(pad("approved", 17, right: true)) \(pad("uplift change", 16, right: true))\n"
        for (name, s) in d.segments.sorted(by: { $0.value.count > $1.value.count }) {
            out += "  \(pad(name, 20)) \(pad(SummaryText.count(s.count), 9, right: true)) \(pad("\(SummaryText.count(s.baseApproved)) → \(SummaryText.count(s.candidateApproved))", 17, right: true)) \(pad(signed(s.upliftChange), 16, right: true))\n"
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
        for (title, b, c) in [("bands that changed", d.baseBands, d.candidateBands), ("table rows that changed", d.baseTableRows, d.candidateTableRows),
                              ("binding caps that changed", d.baseCaps, d.candidateCaps)] {
            let keys = Set(b.keys).union(c.keys).sorted().filter { b[$0] != c[$0] }
            guard !keys.isEmpty else { continue }
            out += "\(title):\n"
            for k in keys {
                out += "  \(pad(k, 30)) \(pad(SummaryText.count(b[k] ?? 0), 10, right: true)) → \(pad(SummaryText.count(c[k] ?? 0), 10, right: true))\n"
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

    package static func json(_ d: DiffSummary) -> String {
        let id = { (p: PolicyIdentity) in
            JSONWriter.object([("name", JSONWriter.quote(p.name)), ("version", JSONWriter.quote(p.version)), ("hash", JSONWriter.quote(p.hash))])
        }
        let matrix = JSONWriter.object(names.enumerated().map { (b, n) in
            (n, JSONWriter.object(names.enumerated().map { ($1, String(d.cell(b, $0))) }))
        }, indent: 1)
        let segments = JSONWriter.object(d.segments.sorted { $0.key < $1.key }.map { (k, s) in
            (k, JSONWriter.object([("count", String(s.count)), ("base_approved", String(s.baseApproved)), ("candidate_approved", String(s.candidateApproved)),
                                   ("base_uplift", SummaryJSON.amount(s.baseUplift)), ("candidate_uplift", SummaryJSON.amount(s.candidateUplift)),
                                   ("uplift_change", SummaryJSON.amount(s.upliftChange))]))
        }, indent: 1)
        let codes = Set(d.baseReasons.keys).union(d.candidateReasons.keys).sorted()
        let reasons = JSONWriter.object(codes.map { c in
            (c, JSONWriter.object([("base", String(d.baseReasons[c] ?? 0)), ("candidate", String(d.candidateReasons[c] ?? 0))]))
        }, indent: 1)
        let sides = { (b: [String: Int], c: [String: Int]) in
            JSONWriter.object(Set(b.keys).union(c.keys).sorted().map { k in
                (k, JSONWriter.object([("base", String(b[k] ?? 0)), ("candidate", String(c[k] ?? 0))]))
            }, indent: 1)
        }
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
            ("base_credit_removed", SummaryJSON.amount(d.baseRemoved)), ("candidate_credit_removed", SummaryJSON.amount(d.candidateRemoved)),
            ("segments", segments), ("reasons", reasons),
            ("bands", sides(d.baseBands, d.candidateBands)), ("table_rows", sides(d.baseTableRows, d.candidateTableRows)),
            ("binding_caps", sides(d.baseCaps, d.candidateCaps)),
            ("examples", examples),
            ("bad_row_examples", JSONWriter.array(d.badRows.map { r in
                JSONWriter.object([("line", String(r.line)), ("path", JSONWriter.quote(r.path)), ("message", JSONWriter.quote(r.message))])
            }, indent: 1)),
        ], indent: 0)
    }

    /// Shades for rows that changed outcome, lightest (fewest rows) to darkest.
    static let changeShades = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]

    /// Upper bounds of the shade classes for counts `least`...`most` (the smallest and largest
    /// changes): geometric steps over that range, so 443 and 786 rows are told apart as well as
    /// 3 and 3,000. Lower counts than `least` do not occur; the first class starts at 1.
    static func shadeBounds(least: Int, most: Int) -> [Int] {
        guard most > 1 else { return [max(1, most)] }
        let k = changeShades.count
        let lo = Double(max(1, min(least, most))), hi = Double(most)
        var bounds: [Int] = []
        for i in 1...k {
            let b = i == k ? most : Int((lo * Foundation.pow(hi / lo, Double(i) / Double(k))).rounded(.down))
            if b >= 1, b > (bounds.last ?? 0) { bounds.append(min(most, b)) }
        }
        return bounds
    }

    /// The swap matrix as a heat map. The diagonal (unchanged outcome) is grey; a cell off it is
    /// shaded by how many rows made that change, on the scale its legend shows.
    static func heatMap(_ d: DiffSummary) -> String {
        let cell = 120, left = 110, top = 40
        let shown = d.shownOutcomes, k = shown.count
        let off = shown.flatMap { b in shown.filter { $0 != b }.map { d.cell(b, $0) } }
        let most = off.max() ?? 0
        let bounds = shadeBounds(least: off.filter { $0 > 0 }.min() ?? 1, most: most)
        func shade(_ v: Int) -> (fill: String, ink: String) {
            guard v > 0 else { return ("#ffffff", "#333") }
            let i = bounds.firstIndex { v <= $0 } ?? (bounds.count - 1)
            // Spread the classes in use over the whole scale, darkest for the largest.
            let k = bounds.count == 1 ? changeShades.count - 1 : i * (changeShades.count - 1) / (bounds.count - 1)
            return (changeShades[k], k >= 3 ? "#fff" : "#333")
        }
        let legendY = top + k * cell + 20
        var svg = "<svg width=\"\(left + k * cell + 10)\" height=\"\(legendY + 60)\" role=\"img\" aria-label=\"swap matrix\">"
        svg += "<text x=\"\(left)\" y=\"14\">candidate →</text><text x=\"0\" y=\"\(top - 8)\">base ↓</text>"
        for (c, o) in shown.enumerated() { svg += "<text x=\"\(left + c * cell + 8)\" y=\"\(top - 8)\">\(names[o])</text>" }
        for (b, o) in shown.enumerated() {
            let n = names[o]
            svg += "<text x=\"40\" y=\"\(top + b * cell + cell / 2)\">\(n)</text>"
            for (c, oc) in shown.enumerated() {
                let v = d.cell(o, oc)
                let (fill, ink) = b == c ? ("#eceff1", "#333") : shade(v)
                svg += "<rect x=\"\(left + c * cell)\" y=\"\(top + b * cell)\" width=\"\(cell - 4)\" height=\"\(cell - 4)\" fill=\"\(fill)\" stroke=\"#ccc\"><title>\(n) → \(names[oc]): \(SummaryText.count(v))</title></rect>"
                svg += "<text x=\"\(left + c * cell + 10)\" y=\"\(top + b * cell + cell / 2)\" style=\"fill:\(ink)\">\(SummaryText.count(v))</text>"
            }
        }
        // Legend: one swatch per class with its range of rows, then the diagonal's grey.
        svg += "<g class=\"legend\"><text x=\"0\" y=\"\(legendY + 14)\">rows that changed:</text>"
        var x = left + 20, lower = 1
        for (i, upper) in bounds.enumerated() where most > 0 {
            let k = bounds.count == 1 ? changeShades.count - 1 : i * (changeShades.count - 1) / (bounds.count - 1)
            let range = lower == upper ? SummaryText.count(upper) : "\(SummaryText.count(lower))–\(SummaryText.count(upper))"
            svg += "<rect x=\"\(x)\" y=\"\(legendY)\" width=\"18\" height=\"18\" fill=\"\(changeShades[k])\" stroke=\"#ccc\"/><text x=\"\(x + 22)\" y=\"\(legendY + 14)\">\(range)</text>"
            x += 30 + 8 * range.count
            lower = upper + 1
        }
        if most == 0 { svg += "<text x=\"\(x)\" y=\"\(legendY + 14)\">none</text>" }
        svg += "<rect x=\"\(left + 20)\" y=\"\(legendY + 28)\" width=\"18\" height=\"18\" fill=\"#eceff1\" stroke=\"#ccc\"/><text x=\"\(left + 42)\" y=\"\(legendY + 42)\">same outcome (diagonal, not shaded by count)</text></g>"
        return svg + "</svg>"
    }

    /// Base and candidate counts side by side, the changed ones marked.
    static func sideTable(_ b: [String: Int], _ c: [String: Int], _ heading: String, ordered: (String, String) -> Bool = { $0 < $1 }) -> String {
        let keys = Set(b.keys).union(c.keys).sorted(by: ordered)
        guard !keys.isEmpty else { return "<p>None.</p>" }
        var out = "<table><tr><th>\(HTMLReport.esc(heading))</th><th>base</th><th>candidate</th><th>change</th></tr>"
        for k in keys {
            let x = b[k] ?? 0, y = c[k] ?? 0
            let change = Int128(y) - Int128(x)
            out += "<tr><td>\(HTMLReport.esc(k))</td><td>\(SummaryText.count(x))</td><td>\(SummaryText.count(y))</td><td>\(change > 0 ? "+" : "")\(SummaryText.grouped(String(change)))</td></tr>"
        }
        return out + "</table>"
    }

    package static func html(_ d: DiffSummary) -> String {
        let esc = HTMLReport.esc, count = SummaryText.count
        var body = "<h1>Policy diff</h1><p class=\"meta\">base \(esc(d.base.name)) \(esc(d.base.version)) (sha256 \(esc(String(d.base.hash.prefix(12))))) · candidate \(esc(d.candidate.name)) \(esc(d.candidate.version)) (sha256 \(esc(String(d.candidate.hash.prefix(12))))) · \(count(d.rows)) rows, \(count(d.decided)) decided by both, \(count(d.badRowCount)) bad\(d.stoppedEarly ? " (stopped early at --max-errors; \(count(d.unreadLines)) lines not read)" : "")</p>"
        body += "<p>Swap-ins <b>\(count(d.swapIns))</b> · swap-outs <b>\(count(d.swapOuts))</b> · uplift changed <b>\(count(d.upliftChanged))</b> · new credit \(SummaryText.amount(d.baseCredit)) → \(SummaryText.amount(d.candidateCredit)) (\(esc(signed(d.creditChange))))</p>"
        body += "<h2>Swap matrix</h2>" + heatMap(d)
        body += "<h2>Per segment (base decision)</h2><table><tr><th>segment</th><th>count</th><th>approved (base → candidate)</th><th>uplift change</th></tr>"
        for (k, s) in d.segments.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
            body += "<tr><td>\(esc(k))</td><td>\(count(s.count))</td><td>\(count(s.baseApproved)) → \(count(s.candidateApproved))</td><td>\(esc(signed(s.upliftChange)))</td></tr>"
        }
        body += "</table><h2>Bands</h2>" + sideTable(d.baseBands, d.candidateBands, "band", ordered: HTMLReport.bandOrder)
        if !d.baseTableRows.isEmpty || !d.candidateTableRows.isEmpty {
            body += "<h2>Decision table rows</h2>" + sideTable(d.baseTableRows, d.candidateTableRows, "table row")
        }
        body += "<h2>Binding caps</h2>" + sideTable(d.baseCaps, d.candidateCaps, "cap")
        body += "<h2>Reason codes</h2>" + sideTable(d.baseReasons, d.candidateReasons, "code")
        for (kind, xs) in d.examples.sorted(by: { $0.key < $1.key }) {
            body += "<h2>Examples: \(esc(kind))</h2>"
            for x in xs {
                body += "<p>line \(count(x.line))\(x.key.map { " (key \(esc($0)))" } ?? "")</p><table style=\"width:100%\"><tr><th>base</th><th>candidate</th></tr><tr><td style=\"text-align:left;vertical-align:top\"><pre>\(esc(x.base))</pre></td><td style=\"text-align:left;vertical-align:top\"><pre>\(esc(x.candidate))</pre></td></tr></table>"
            }
        }
        return HTMLReport.page("Uplift diff: \(d.base.name)", body)
    }
}
