import Uplift

/// The summary a risk officer reads on the terminal.
package enum SummaryText {
    static func amount(_ raw: Int64) -> String { grouped(FixedDecimal(raw: raw).formatted(minFractionDigits: 2)) }
    static func amount(_ total: MoneyTotal) -> String { total.grouped }

    /// 1234567.5 → 1,234,567.50 (digits grouped in thousands, for reading).
    static func grouped(_ s: String) -> String {
        let negative = s.hasPrefix("-")
        let body = negative ? String(s.dropFirst()) : s
        let parts = body.split(separator: ".", maxSplits: 1)
        var whole = String(parts.first ?? "")
        var out = ""
        while whole.count > 3 { out = "," + whole.suffix(3) + out; whole = String(whole.dropLast(3)) }
        out = whole + out
        return (negative ? "-" : "") + out + (parts.count > 1 ? "." + parts[1] : "")
    }

    static func count(_ n: Int) -> String { grouped(String(n)) }

    static func percent(_ n: Int, _ of: Int) -> String {
        guard of > 0 else { return "–" }
        let tenths = scaledRatio(n, of, 1_000)
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// `n × scale ÷ of`, rounded, in integers wide enough that no count (a merged summary's
    /// included) can overflow; clamped to `Int`.
    static func scaledRatio(_ n: Int, _ of: Int, _ scale: Int) -> Int {
        let r = (Int128(n) * Int128(scale) + Int128(of / 2)) / Int128(max(1, of))
        return r > Int128(Int.max) ? Int.max : r < Int128(Int.min) ? Int.min : Int(r)
    }

    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        let n = s.count
        guard n < w else { return s }
        return right ? String(repeating: " ", count: w - n) + s : s + String(repeating: " ", count: w - n)
    }

    package static func render(_ s: SimulationSummary) -> String {
        var out = "policy:      \(s.policy.name) \(s.policy.version) (sha256 \(s.policy.hash.prefix(12)))\n"
        out += "rows:        \(count(s.rows)) read, \(count(s.decided)) decided, \(count(s.badRowCount)) bad\(s.stoppedEarly ? " (stopped early at --max-errors; \(count(s.unreadLines)) lines not read)" : "")\n"
        out += "outcomes:\n"
        for o in Outcome.allCases where o.isShown(in: s) {
            let n = s.outcomes[o.rawValue] ?? 0
            out += "  \(pad(o.rawValue, 10)) \(pad(count(n), 12, right: true))  \(pad(percent(n, s.decided), 6, right: true))\n"
        }
        out += "new credit:  \(amount(s.newCredit)) (approved); \(amount(s.referredUplift)) proposed in referrals\n"
        if Outcome.decrease.isShown(in: s) {
            out += "credit removed: \(amount(s.creditRemoved)) (\(count(s.outcomes[Outcome.decrease.rawValue] ?? 0)) decreases)\n"
        }
        if s.hasSegmentTable {
            out += "segments (uplift over approvals):\n"
            out += "  \(pad("segment", 20)) \(pad("count", 10, right: true)) \(pad("approve", 8, right: true)) \(pad("total", 16, right: true)) \(pad("mean", 10, right: true)) \(pad("median", 10, right: true)) \(pad("p90", 10, right: true))\n"
            for (name, st) in s.segments.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
                let mean = MoneyTotal.meanCents(st.upliftTotal, st.approved).map(amount) ?? "–"
                let median = st.uplifts.quantile(percent: 50).map(amount) ?? "–", p90 = st.uplifts.quantile(percent: 90).map(amount) ?? "–"
                out += "  \(pad(name, 20)) \(pad(count(st.count), 10, right: true)) \(pad(percent(st.approved, st.count), 8, right: true)) \(pad(amount(st.upliftTotal), 16, right: true)) \(pad(mean, 10, right: true)) \(pad(median, 10, right: true)) \(pad(p90, 10, right: true))\n"
            }
            if s.segments.values.contains(where: { !$0.uplifts.exact }) { out += "  (medians and p90 within 1% below: more than \(UpliftHistogram.exactLimit) distinct amounts)\n" }
        }
        func table(_ title: String, _ d: [String: Int]) {
            guard !d.isEmpty else { return }
            out += "\(title):\n"
            for (k, n) in d.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                out += "  \(pad(k, 30)) \(pad(count(n), 12, right: true))\n"
            }
        }
        for (name, t) in s.tablesBeyondSegmentsAndBands {
            out += "table \(name) (\(t.kind.replacingOccurrences(of: "_", with: " "))\(t.selectsMany ? ", rows of every match" : "")):\n"
            for (k, n) in t.rows.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                out += "  \(pad(k, 30)) \(pad(count(n), 12, right: true))  \(pad(percent(n, s.decided), 6, right: true))\n"
            }
        }
        if let all = s.whatIfTotal {
            out += "what-if (an action that gives more credit; gain of the best one):\n"
            out += "  \(pad("segment", 20)) \(pad("tried", 10, right: true)) \(pad("improvable", 11, right: true)) \(pad("gain total", 16, right: true)) \(pad("median", 10, right: true)) \(pad("p90", 10, right: true))\n"
            for (name, w) in s.whatIfSegments + [("all", all)] {
                out += "  \(pad(name, 20)) \(pad(count(w.tried), 10, right: true)) \(pad(percent(w.improvable, w.tried), 11, right: true)) \(pad(amount(w.gainTotal), 16, right: true)) \(pad(w.gains.quantile(percent: 50).map(amount) ?? "–", 10, right: true)) \(pad(w.gains.quantile(percent: 90).map(amount) ?? "–", 10, right: true))\n"
            }
            if all.failed > 0 { out += "  (\(count(all.failed)) applicants' what-ifs could not run)\n" }
            table("actions that help (applicants)", all.actions)
        }
        table("reason codes", s.reasons)
        table("bands", s.bands)
        table("binding caps", s.bindingCaps)
        if !s.unknownFields.isEmpty {
            out += "unknown fields (not in the schema; ignored, or bad rows with --strict):\n"
            for (k, n) in s.unknownFields.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                let hint = s.unknownFieldSuggestions[k].map { "   did you mean `\($0)`?" } ?? ""
                out += "  \(pad(k, 30)) \(pad(count(n), 12, right: true)) rows\(hint)\n"
            }
        }
        if s.badRowCount > 0 {
            out += "bad rows (\(count(s.badRowCount)); first \(s.badRows.count) shown):\n"
            for r in s.badRows { out += "  line \(r.line): \(r.path.isEmpty ? "" : r.path + ": ")\(r.message)\n" }
        }
        return out
    }
}
