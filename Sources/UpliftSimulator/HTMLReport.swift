import Uplift

/// One self-contained HTML file per run: inline CSS and SVG, no scripts, nothing fetched, so it
/// opens offline and can be attached to a change request.
public enum HTMLReport {
    static let colors: [String: String] = ["approve": "#2e7d32", "refer": "#f9a825", "no_change": "#90a4ae", "decline": "#c62828"]

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

    static func legend() -> String {
        "<p class=\"legend\">" + Outcome.allCases.map { "<span><i class=\"swatch\" style=\"background:\(colors[$0.rawValue] ?? "#999")\"></i>\($0.rawValue)</span>" }.joined() + "</p>"
    }

    /// Stacked horizontal bars: the outcome mix of each segment, as shares of the segment.
    static func outcomeMix(_ s: SimulationSummary) -> String {
        let rows = s.segments.sorted { $0.value.count > $1.value.count }
        let width = 1000, label = 180, bar = width - label - 80, h = 26
        var svg = "<svg width=\"\(width)\" height=\"\(rows.count * h + 10)\" role=\"img\" aria-label=\"outcome mix per segment\">"
        for (i, (name, st)) in rows.enumerated() {
            let y = i * h + 4
            svg += "<text x=\"0\" y=\"\(y + 16)\">\(esc(name))</text>"
            var x = label
            for o in Outcome.allCases {
                let n = st.outcomes[o.rawValue] ?? 0
                // Shares of the bar, clamped: a merged summary's counts need not add up.
                let w = st.count > 0 ? min(bar, max(0, SummaryText.scaledRatio(n, st.count, bar))) : 0
                if w > 0 { svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"20\" fill=\"\(colors[o.rawValue] ?? "#999")\"><title>\(esc(name)) \(o.rawValue): \(n)</title></rect>" }
                x += w
            }
            svg += "<text x=\"\(label + bar + 8)\" y=\"\(y + 16)\">\(st.count)</text>"
        }
        return svg + "</svg>"
    }

    /// Vertical bars: how many approvals got each uplift amount (all segments).
    static func upliftDistribution(_ s: SimulationSummary) -> String {
        var all = UpliftHistogram()
        for st in s.segments.values { all.merge(st.uplifts) }
        var bins = all.counts.sorted { $0.key < $1.key }
        // Many distinct amounts: group into 40 equal ranges.
        if bins.count > 40, let lo = bins.first?.key, let hi = bins.last?.key, hi > lo, case (let span, false) = hi.subtractingReportingOverflow(lo) {
            let step = span / 40 + 1
            var grouped: [Int64: Int] = [:]
            for (k, n) in bins { grouped[lo + (k - lo) / step * step, default: 0] += n }
            bins = grouped.sorted { $0.key < $1.key }
        }
        guard let top = bins.map(\.value).max(), top > 0 else { return "<p>No approvals.</p>" }
        let width = 1000, height = 220, base = 190
        let w = max(4, (width - 60) / max(1, bins.count))
        var svg = "<svg width=\"\(width)\" height=\"\(height + 20)\" role=\"img\" aria-label=\"uplift distribution\">"
        for (i, (k, n)) in bins.enumerated() {
            let bh = min(base - 10, max(0, SummaryText.scaledRatio(n, top, base - 10)))
            let x = 50 + i * w
            svg += "<rect x=\"\(x)\" y=\"\(base - bh)\" width=\"\(w - 2)\" height=\"\(bh)\" fill=\"#1565c0\"><title>\(FixedDecimal(raw: k).formatted(minFractionDigits: 2)): \(n)</title></rect>"
            if bins.count <= 12 || i % max(1, bins.count / 8) == 0 {
                svg += "<text x=\"\(x)\" y=\"\(base + 16)\">\(FixedDecimal(raw: k).formatted())</text>"
            }
        }
        svg += "<text x=\"0\" y=\"14\">\(top)</text><line x1=\"48\" y1=\"\(base)\" x2=\"\(width)\" y2=\"\(base)\" stroke=\"#999\"/>"
        return svg + "</svg>"
    }

    /// Horizontal bars: the most frequent reason codes.
    static func reasonBars(_ counts: [String: Int], limit: Int = 15) -> String {
        let rows = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)
        guard let top = rows.first?.value, top > 0 else { return "<p>None.</p>" }
        let width = 1000, label = 300, bar = width - label - 90, h = 24
        var svg = "<svg width=\"\(width)\" height=\"\(rows.count * h + 6)\" role=\"img\" aria-label=\"reason codes\">"
        for (i, (code, n)) in rows.enumerated() {
            let y = i * h + 2
            let w = min(bar, max(1, SummaryText.scaledRatio(n, top, bar)))
            svg += "<text x=\"0\" y=\"\(y + 15)\">\(esc(code))</text><rect x=\"\(label)\" y=\"\(y)\" width=\"\(w)\" height=\"18\" fill=\"#6a1b9a\"/>"
            svg += "<text x=\"\(label + w + 6)\" y=\"\(y + 15)\">\(n)</text>"
        }
        return svg + "</svg>"
    }

    static func header(_ s: SimulationSummary, _ what: String) -> String {
        "<h1>\(esc(what)): \(esc(s.policy.name)) \(esc(s.policy.version))</h1><p class=\"meta\">sha256 \(esc(s.policy.hash)) · \(s.rows) rows, \(s.decided) decided, \(s.badRowCount) bad</p>"
    }

    public static func simulation(_ s: SimulationSummary) -> String {
        var body = header(s, "Simulation")
        body += "<h2>Outcomes</h2><table><tr><th>outcome</th><th>count</th><th>share</th></tr>"
        for o in Outcome.allCases {
            let n = s.outcomes[o.rawValue] ?? 0
            body += "<tr><td>\(o.rawValue)</td><td>\(n)</td><td>\(SummaryText.percent(n, s.decided))</td></tr>"
        }
        body += "</table><p>New credit granted: <b>\(SummaryText.amount(s.newCredit))</b></p>"
        body += "<h2>Outcome mix per segment</h2>" + legend() + outcomeMix(s)
        body += "<h2>Segments (uplift over approvals)</h2><table><tr><th>segment</th><th>count</th><th>approval rate</th><th>total</th><th>mean</th><th>median</th><th>p90</th></tr>"
        for (name, st) in s.segments.sorted(by: { $0.value.count > $1.value.count }) {
            let mean = UpliftHistogram.meanCents(st.upliftTotal, st.approved).map(SummaryText.amount) ?? "–"
            body += "<tr><td>\(esc(name))</td><td>\(st.count)</td><td>\(SummaryText.percent(st.approved, st.count))</td><td>\(SummaryText.amount(st.upliftTotal))</td><td>\(mean)</td><td>\(st.uplifts.quantile(0.5).map(SummaryText.amount) ?? "–")</td><td>\(st.uplifts.quantile(0.9).map(SummaryText.amount) ?? "–")</td></tr>"
        }
        body += "</table><h2>Uplift distribution (approvals)</h2>" + upliftDistribution(s)
        body += "<h2>Top reason codes</h2>" + reasonBars(s.reasons)
        if s.badRowCount > 0 {
            body += "<h2>Bad rows (\(s.badRowCount))</h2><table><tr><th>line</th><th>field</th><th>message</th></tr>"
            for r in s.badRows { body += "<tr><td>\(r.line)</td><td>\(esc(r.path))</td><td style=\"text-align:left\">\(esc(r.message))</td></tr>" }
            body += "</table>"
        }
        return page("Uplift simulation: \(s.policy.name)", body)
    }
}
