import UpliftSyntax

/// What-if reports as `uplift whatif` prints them: text for the person (and staff), JSON for
/// systems, each suggestion carrying the changed applicant so `uplift eval` can confirm it.
public enum WhatIfRenderer {
    /// The baseline, then each suggestion: the sentence, the new decision (outcome, gain, new
    /// limit, reasons cleared and added) and the cap that would then bind; then the actions that
    /// change nothing. With `showValues` (for staff), each searched value too (a recogniser's
    /// confidence is otherwise never shown).
    public static func text(_ r: WhatIfReport, showValues: Bool = false) -> String {
        let b = r.baseline
        var out = "now:       \(b.outcome.rawValue), uplift \(b.uplift.formatted(minFractionDigits: 2))"
        if let n = b.newLimit { out += ", limit \(n.formatted(minFractionDigits: 2))" }
        if !b.reasons.isEmpty { out += " (\(b.reasons.map(\.code).joined(separator: ", ")))" }
        out += "\n"
        if r.nothingHelps {
            out += b.outcome == .decline
                ? "nothing you can provide changes this decision: it was declined (\(b.reasons.map(\.code).joined(separator: ", "))). A person can review it.\n"
                : "nothing you can provide would raise this limit further. A person can review the decision.\n"
        } else {
            out += "what would change it:\n"
            for (k, s) in r.suggestions.enumerated() {
                out += "  \(k + 1). \(s.says)\(showValues && s.value != nil && !s.valueIsShown ? " [value \(s.value ?? "")]" : "")\n"
                let d = s.decision
                var line = "     → \(d.outcome.rawValue)"
                if d.outcome == .approve || d.outcome == .refer || d.outcome == .decrease { line += " \(d.uplift.formatted(minFractionDigits: 2))" }
                if s.gainRaw != 0 { line += " (\(s.gainRaw > 0 ? "+" : "")\(s.gain.formatted(minFractionDigits: 2)))" }
                if let n = d.newLimit, d.outcome == .approve || d.outcome == .decrease { line += ", new limit \(n.formatted(minFractionDigits: 2))" }
                if !s.cleared.isEmpty { line += "; clears \(s.cleared.joined(separator: ", "))" }
                if !s.added.isEmpty { line += "; adds \(s.added.joined(separator: ", "))" }
                out += line + "\n"
                for (code, value) in s.binding { out += "       then \(code) applies: \(value)\n" }
            }
            if r.notShown > 0 { out += "  (\(r.notShown) more; --top shows them)\n" }
        }
        if !r.noEffect.isEmpty { out += "no effect: \(r.noEffect.joined(separator: "; "))\n" }
        return out
    }

    /// The report as one JSON object: `baseline` and each suggestion's `decision` as
    /// `DecisionRenderer.json` writes them, each suggestion's `changes` (path and value) and the
    /// whole changed `applicant` (which holds every changed value, so `uplift eval` can confirm
    /// it). `value` is null for a searched value the sentence does not show, unless `showValues`.
    public static func json(_ r: WhatIfReport, pretty: Bool = true, showValues: Bool = false) -> String {
        let suggestions = r.suggestions.map { s -> String in
            JSONWriter.object([
                ("action", JSONWriter.quote(s.action)),
                ("says", JSONWriter.quote(s.says)),
                ("value", (s.valueIsShown || showValues ? s.value : nil).map(JSONWriter.quote) ?? "null"),
                ("outcome", JSONWriter.quote(s.decision.outcome.rawValue)),
                ("uplift", s.decision.uplift.formatted()),
                ("gain", s.gain.formatted()),
                ("new_limit", s.decision.newLimit.map { $0.formatted() } ?? "null"),
                ("cleared", JSONWriter.array(s.cleared.map(JSONWriter.quote))),
                ("added", JSONWriter.array(s.added.map(JSONWriter.quote))),
                ("binding", JSONWriter.array(s.binding.map { JSONWriter.object([("code", JSONWriter.quote($0.code)), ("value", JSONWriter.quote($0.value))]) })),
                ("changes", JSONWriter.array(s.changedFields.map { JSONWriter.object([("path", JSONWriter.quote($0.path)), ("value", JSONWriter.encode($0.value))]) })),
                ("applicant", JSONWriter.encode(s.applicant)),
                ("decision", DecisionRenderer.json(s.decision, pretty: false)),
            ])
        }
        let body = JSONWriter.object([
            ("baseline", DecisionRenderer.json(r.baseline, pretty: false)),
            ("suggestions", JSONWriter.array(suggestions)),
            ("no_effect", JSONWriter.array(r.noEffect.map(JSONWriter.quote))),
            ("nothing_helps", r.nothingHelps ? "true" : "false"),
            ("not_shown", String(r.notShown)),
        ])
        guard pretty, let parsed = try? JSONParser.parse(body) else { return body }
        return PrettyJSON.write(parsed)
    }
}

/// Indented JSON for people reading a report.
enum PrettyJSON {
    static func write(_ v: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), end = String(repeating: "  ", count: indent)
        switch v {
        case .object(let m) where !m.isEmpty:
            return "{\n" + m.map { "\(pad)\(JSONWriter.quote($0.0)): \(write($0.1, indent: indent + 1))" }.joined(separator: ",\n") + "\n\(end)}"
        case .array(let xs) where !xs.isEmpty:
            return "[\n" + xs.map { pad + write($0, indent: indent + 1) }.joined(separator: ",\n") + "\n\(end)]"
        default:
            return JSONWriter.encode(v)
        }
    }
}
