import Foundation
import Uplift

/// One self-contained HTML file per run: inline CSS and SVG, no scripts, nothing fetched, so it
/// opens offline and can be attached to a change request.
package enum HTMLReport {
    static let colors: [String: String] = ["approve": "#2e7d32", "refer": "#f9a825", "no_change": "#90a4ae", "decline": "#c62828", "decrease": "#6a1b9a"]

    static func esc(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func page(_ title: String, _ body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; max-width: 1200px; margin: 24px auto; padding: 0 24px; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        .meta { color: #666; } table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 4px 10px; text-align: right; border-bottom: 1px solid #eee; }
        th { background: #f5f5f5; } td:first-child, th:first-child { text-align: left; } .legend span { display: inline-block; margin-right: 14px; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }
        svg text { font: 12px system-ui, sans-serif; fill: #333; }
        </style></head><body>
        \(body)
        </body></html>

        """
    }

    /// The outcomes' colours; `decrease` is listed only for a summary that has decreases.
    static func legend(_ s: SimulationSummary? = nil) -> String {
        "<p class=\"legend\">" + Outcome.allCases.filter { o in s.map { o.isShown(in: $0) } ?? (o != .decrease) }.map { "<span><i class=\"swatch\" style=\"background:\(colors[$0.rawValue] ?? "#999")\"></i>\($0.rawValue)</span>" }.joined() + "</p>"
    }

    static func count(_ n: Int) -> String { SummaryText.count(n) }

    /// Stacked horizontal bars: the outcome mix of each segment, as shares of the segment.
    static func outcomeMix(_ s: SimulationSummary) -> String {
        let rows = s.segments.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
        let width = 1000, label = 180, bar = width - label - 110, h = 26
        var svg = "<svg width=\"\(width)\" height=\"\(rows.count * h + 10)\" role=\"img\" aria-label=\"outcome mix per segment\">"
        for (i, (name, st)) in rows.enumerated() {
            let y = i * h + 4
            svg += "<text x=\"0\" y=\"\(y + 16)\">\(esc(name))</text>"
            var x = label
            for o in Outcome.allCases {
                let n = st.outcomes[o.rawValue] ?? 0
                // Shares of the bar, clamped: a summary built in code need not add up.
                let w = st.count > 0 ? min(bar, max(0, SummaryText.scaledRatio(n, st.count, bar))) : 0
                if w > 0 { svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"20\" fill=\"\(colors[o.rawValue] ?? "#999")\"><title>\(esc(name)) \(o.rawValue): \(count(n)) (\(SummaryText.percent(n, st.count)))</title></rect>" }
                x += w
            }
            svg += "<text x=\"\(label + bar + 8)\" y=\"\(y + 16)\">\(count(st.count))</text>"
        }
        return svg + "</svg>"
    }

    /// `n` of `top` as a length in `0...length`, in integers (counts can exceed `Int`'s range
    /// only in a merged histogram; 128 bits hold any of them).
    static func scaled(_ n: Int128, _ top: Int128, _ length: Int) -> Int {
        guard top > 0 else { return 0 }
        let r = (n * Int128(length) + top / 2) / top
        return Int(max(0, min(Int128(length), r)))
    }

    static func count(_ n: Int128) -> String { SummaryText.grouped(String(n)) }

    /// Vertical bars: how many approvals got each uplift amount (all segments), with labelled
    /// axes: amounts along the bottom, approvals up the side (zero, half and the tallest bar).
    static func upliftDistribution(_ s: SimulationSummary) -> String {
        var all: [Int64: Int128] = [:]
        for st in s.segments.values { for (k, n) in st.uplifts.counts { all[k, default: 0] += Int128(n) } }
        return distribution(all, counted: "approvals", along: "uplift granted")
    }

    /// Vertical bars of how many had each amount, amounts along the bottom (grouped into 40
    /// equal ranges when there are more), `counted` up the side.
    static func distribution(_ all: [Int64: Int128], counted: String, along: String) -> String {
        var bins = all.sorted { $0.key < $1.key }.map { (lo: $0.key, hi: $0.key, n: $0.value) }
        // Many distinct amounts: group into 40 equal ranges, each labelled by its range.
        if bins.count > 40, let lo = bins.first?.lo, let hi = bins.last?.lo, hi > lo {
            let span = Int128(hi) - Int128(lo)
            let step = span / 40 + 1
            var grouped: [Int128: Int128] = [:]
            for b in bins { grouped[(Int128(b.lo) - Int128(lo)) / step, default: 0] += b.n }
            bins = grouped.sorted { $0.key < $1.key }.map { (k, n) in
                let from = Int128(lo) + k * step, to = min(Int128(hi), from + step - 1)
                return (lo: Int64(clamping: from), hi: Int64(clamping: to), n: n)
            }
        }
        guard let top = bins.map(\.n).max(), top > 0 else { return "<p>No \(esc(counted)).</p>" }
        let width = 1000, left = 90, base = 200, plot = 170
        let w = max(4, (width - left - 20) / max(1, bins.count))
        var svg = "<svg width=\"\(width)\" height=\"\(base + 56)\" role=\"img\" aria-label=\"\(esc(along)) distribution\">"
        // The approvals axis: ticks at zero, half and the tallest bar.
        svg += "<line x1=\"\(left - 2)\" y1=\"\(base - plot)\" x2=\"\(left - 2)\" y2=\"\(base)\" stroke=\"#999\"/>"
        for (tick, value) in [(0, Int128(0)), (plot / 2, top / 2), (plot, top)] {
            let y = base - tick
            svg += "<line x1=\"\(left - 6)\" y1=\"\(y)\" x2=\"\(left - 2)\" y2=\"\(y)\" stroke=\"#999\"/><text x=\"\(left - 8)\" y=\"\(y + 4)\" text-anchor=\"end\">\(count(value))</text>"
        }
        svg += "<text x=\"14\" y=\"\(base - plot / 2)\" transform=\"rotate(-90 14 \(base - plot / 2))\" text-anchor=\"middle\">\(esc(counted))</text>"
        for (i, b) in bins.enumerated() {
            let bh = scaled(b.n, top, plot)
            let x = left + i * w
            let range = b.lo == b.hi ? SummaryText.amount(b.lo) : "\(SummaryText.amount(b.lo)) – \(SummaryText.amount(b.hi))"
            svg += "<rect x=\"\(x)\" y=\"\(base - bh)\" width=\"\(max(1, w - 2))\" height=\"\(bh)\" fill=\"#1565c0\"><title>\(range): \(count(b.n)) \(esc(counted))</title></rect>"
            if bins.count <= 12 || i % max(1, bins.count / 8) == 0 {
                svg += "<text x=\"\(x)\" y=\"\(base + 16)\">\(SummaryText.grouped(FixedDecimal(raw: b.lo).formatted()))</text>"
            }
        }
        svg += "<line x1=\"\(left - 2)\" y1=\"\(base)\" x2=\"\(width)\" y2=\"\(base)\" stroke=\"#999\"/>"
        svg += "<text x=\"\(left + (width - left) / 2)\" y=\"\(base + 44)\" text-anchor=\"middle\">\(esc(along)) (yuan\(bins.contains { $0.lo != $0.hi } ? ", bars are equal ranges labelled by their lower end" : ""))</text>"
        return svg + "</svg>"
    }

    /// Band labels in the order of their ranges (`< 10`, `10–19`, …, `≥ 90`): by the first
    /// number in the label, an open lower band first; labels without a number by name.
    static func bandOrder(_ a: String, _ b: String) -> Bool {
        func key(_ s: String) -> (String, Double) {
            guard let start = s.firstIndex(where: \.isNumber) else { return (s, 0) }
            let digits = s[start...].prefix { $0.isNumber || $0 == "." }
            let open = s[..<start].contains { $0 == "<" || $0 == "≤" }
            let prefix = String(s[..<start]).replacingOccurrences(of: "<", with: "").replacingOccurrences(of: "≤", with: "")
                .replacingOccurrences(of: "≥", with: "").replacingOccurrences(of: ">", with: "").trimmingCharacters(in: .whitespaces)
            return (prefix, (Double(digits) ?? 0) - (open ? 0.5 : 0))
        }
        let ka = key(a), kb = key(b)
        return ka.0 != kb.0 ? ka.0 < kb.0 : ka.1 != kb.1 ? ka.1 < kb.1 : a < b
    }

    /// Horizontal bars: the most frequent codes (reason codes, binding caps), or every band in
    /// the order of its range (`ordered`).
    static func bars(_ counts: [String: Int], label what: String, color: String = "#6a1b9a", limit: Int = 15,
                     ordered: ((String, String) -> Bool)? = nil) -> String {
        let rows = (ordered.map { o in counts.sorted { o($0.key, $1.key) } }
            ?? counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map { $0 })
        // The longest bar is the largest count (with `ordered`, not necessarily the first row).
        guard let top = rows.map(\.value).max(), top > 0 else { return "<p>None.</p>" }
        let width = 1000, label = 300, bar = width - label - 120, h = 24
        var svg = "<svg width=\"\(width)\" height=\"\(rows.count * h + 6)\" role=\"img\" aria-label=\"\(esc(what))\">"
        for (i, (code, n)) in rows.enumerated() {
            let y = i * h + 2
            let w = min(bar, max(1, SummaryText.scaledRatio(n, top, bar)))
            svg += "<text x=\"0\" y=\"\(y + 15)\">\(esc(code))</text><rect x=\"\(label)\" y=\"\(y)\" width=\"\(w)\" height=\"18\" fill=\"\(color)\"><title>\(esc(code)): \(count(n))</title></rect>"
            svg += "<text x=\"\(label + w + 6)\" y=\"\(y + 15)\">\(count(n))</text>"
        }
        return svg + "</svg>"
    }

    /// A table of counts with each one's share of `of` (the decided rows), most frequent first.
    static func countTable(_ counts: [String: Int], _ heading: String, of total: Int, ordered: ((String, String) -> Bool)? = nil) -> String {
        guard !counts.isEmpty else { return "<p>None.</p>" }
        var out = "<table><tr><th>\(esc(heading))</th><th>count</th><th>share of decided</th></tr>"
        let rows = ordered.map { o in counts.sorted { o($0.key, $1.key) } } ?? counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (k, n) in rows {
            out += "<tr><td>\(esc(k))</td><td>\(count(n))</td><td>\(SummaryText.percent(n, total))</td></tr>"
        }
        return out + "</table>"
    }

    static func header(_ s: SimulationSummary, _ what: String) -> String {
        "<h1>\(esc(what)): \(esc(s.policy.name)) \(esc(s.policy.version))</h1><p class=\"meta\">sha256 \(esc(s.policy.hash)) · \(count(s.rows)) rows, \(count(s.decided)) decided, \(count(s.badRowCount)) bad\(s.stoppedEarly ? " (stopped early at --max-errors; \(count(s.unreadLines)) lines not read)" : "")</p>"
    }

    /// `simulate --whatif`: per segment, the share of applicants some action would give more
    /// credit and the best action's gain; then the actions that help most often.
    static func whatIfSection(_ s: SimulationSummary, _ all: WhatIfStats) -> String {
        var out = "<h2>What would raise the limit (what-if)</h2>"
        out += "<p class=\"meta\">Every declared action tried on every decided applicant; an applicant is improvable when one gives more credit. Gains are the best action's.</p>"
        out += "<table><tr><th>segment</th><th>tried</th><th>improvable</th><th>share</th><th>gain total</th><th>median gain</th><th>p90 gain</th></tr>"
        for (name, w) in s.whatIfSegments + [("all segments", all)] {
            out += "<tr><td>\(esc(name))</td><td>\(count(w.tried))</td><td>\(count(w.improvable))</td><td>\(SummaryText.percent(w.improvable, w.tried))</td><td>\(SummaryText.amount(w.gainTotal))</td><td>\(w.gains.quantile(percent: 50).map(SummaryText.amount) ?? "–")</td><td>\(w.gains.quantile(percent: 90).map(SummaryText.amount) ?? "–")</td></tr>"
        }
        out += "</table>"
        if all.failed > 0 { out += "<p>\(count(all.failed)) applicants' what-ifs could not run.</p>" }
        out += "<h3>Best gain per improvable applicant</h3>" + distribution(all.gains.counts.mapValues { Int128($0) }, counted: "applicants", along: "best gain")
        out += "<h3>Actions that help (applicants)</h3>" + bars(all.actions, label: "actions that help", color: "#2e7d32") + countTable(all.actions, "action", of: all.tried)
        return out
    }

    package static func simulation(_ s: SimulationSummary) -> String {
        var body = header(s, "Simulation")
        body += "<h2>Outcomes</h2><table><tr><th>outcome</th><th>count</th><th>share</th></tr>"
        for o in Outcome.allCases where o.isShown(in: s) {
            let n = s.outcomes[o.rawValue] ?? 0
            body += "<tr><td>\(o.rawValue)</td><td>\(count(n))</td><td>\(SummaryText.percent(n, s.decided))</td></tr>"
        }
        body += "</table><p>New credit granted: <b>\(SummaryText.amount(s.newCredit))</b> · proposed in referrals: \(SummaryText.amount(s.referredUplift))"
        if Outcome.decrease.isShown(in: s) { body += " · credit removed by decreases: <b>\(SummaryText.amount(s.creditRemoved))</b>" }
        body += "</p>"
        // A policy without a segment table has one "(none)" segment: the totals above say it all.
        if s.hasSegmentTable {
            body += "<h2>Outcome mix per segment</h2>" + legend(s) + outcomeMix(s)
            body += "<h2>Segments (uplift over approvals)</h2><table><tr><th>segment</th><th>count</th><th>approval rate</th><th>total</th><th>mean</th><th>median</th><th>p90</th></tr>"
            for (name, st) in s.segments.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
                let mean = MoneyTotal.meanCents(st.upliftTotal, st.approved).map(SummaryText.amount) ?? "–"
                body += "<tr><td>\(esc(name))</td><td>\(count(st.count))</td><td>\(SummaryText.percent(st.approved, st.count))</td><td>\(SummaryText.amount(st.upliftTotal))</td><td>\(mean)</td><td>\(st.uplifts.quantile(percent: 50).map(SummaryText.amount) ?? "–")</td><td>\(st.uplifts.quantile(percent: 90).map(SummaryText.amount) ?? "–")</td></tr>"
            }
            body += "</table>"
            if s.segments.values.contains(where: { !$0.uplifts.exact }) {
                body += "<p class=\"meta\">Medians and p90 are within 1% below: more than \(count(UpliftHistogram.exactLimit)) distinct amounts.</p>"
            }
        }
        body += "<h2>Uplift distribution (approvals)</h2>" + upliftDistribution(s)
        if !s.bands.isEmpty { body += "<h2>Bands</h2>" + bars(s.bands, label: "bands", color: "#00838f", ordered: bandOrder) + countTable(s.bands, "band", of: s.decided, ordered: bandOrder) }
        for (name, t) in s.tablesBeyondSegmentsAndBands {
            body += "<h2>Table \(esc(name)) (\(esc(t.kind.replacingOccurrences(of: "_", with: " ")))\(t.selectsMany ? ", every matching row" : ""))</h2>"
                + bars(t.rows, label: "rows of \(name)", color: "#2e7d32") + countTable(t.rows, "row", of: s.decided)
        }
        if let all = s.whatIfTotal { body += whatIfSection(s, all) }
        body += "<h2>Binding caps</h2>" + bars(s.bindingCaps, label: "binding caps", color: "#ef6c00") + countTable(s.bindingCaps, "cap", of: s.decided)
        body += "<h2>Top reason codes</h2>" + bars(s.reasons, label: "reason codes")
        if s.badRowCount > 0 {
            body += "<h2>Bad rows (\(count(s.badRowCount)))</h2><table><tr><th>line</th><th>field</th><th>message</th></tr>"
            for r in s.badRows { body += "<tr><td>\(count(r.line))</td><td>\(esc(r.path))</td><td style=\"text-align:left\">\(esc(r.message))</td></tr>" }
            body += "</table>"
        }
        if !s.unknownFields.isEmpty {
            // A near miss of a schema field silently skips the rules that read it: show it.
            body += "<h2>Fields not in the schema (ignored)</h2><table><tr><th>field</th><th>rows</th><th>did you mean</th></tr>"
            for (k, n) in s.unknownFields.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                body += "<tr><td style=\"text-align:left\">\(esc(k))</td><td>\(count(n))</td><td style=\"text-align:left\">\(esc(s.unknownFieldSuggestions[k] ?? ""))</td></tr>"
            }
            body += "</table>"
        }
        return page("Uplift simulation: \(s.policy.name)", body)
    }
}
