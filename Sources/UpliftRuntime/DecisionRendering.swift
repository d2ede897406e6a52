import UpliftSyntax

/// Text and JSON forms of decisions and explanations, for the CLI and for services' logs.
/// Neither form contains schema-marked personal data: only values rules read are shown.
public enum DecisionRenderer {
    /// A decision as `uplift eval` prints it (outcome, uplift, new limit, reasons, segments,
    /// bands, tables, reported values, policy), followed by the explanation when given.
    public static func text(_ d: Decision, _ e: Explanation? = nil) -> String {
        var out = "outcome:   \(d.outcome.rawValue)\n"
        out += "uplift:    \(d.uplift.formatted(minFractionDigits: 2))\n"
        if let n = d.newLimit { out += "new limit: \(n.formatted(minFractionDigits: 2))\n" }
        out += d.reasons.isEmpty ? "reasons:   (none)\n" : "reasons:\n"
        for r in d.reasons { out += "  \(r.code): \(r.message)\n" }
        for s in d.segments { out += "segment:   \(s.segment)\(d.segments.count > 1 ? " (\(s.table))" : "")\n" }
        for b in d.bands { out += "band:      \(b.table) \(b.band)\n" }
        for t in d.tables where t.kind == "decision_table" {
            out += "table:     \(t.table) \(t.labels.isEmpty ? "(no row)" : t.labels.joined(separator: ", "))\n"
        }
        // With an explanation, a reported grouped total shows each group's part:
        // `score:     70 (professional 70 (cpa))`.
        let grouped = e?.groupedValues ?? []
        for v in d.reported {
            let shown = grouped.first { $0.name == v.name }?.value.shown ?? v.text
            out += "\(v.name):\(String(repeating: " ", count: max(1, 10 - v.name.count)))\(shown)\n"
        }
        out += "policy:    \(d.policy.name) \(d.policy.version) (sha256 \(d.policy.hash.prefix(12)))\n"
        if let e { out += "\n" + text(e) }
        return out
    }

    static func reads(_ vs: [Explanation.Value]) -> String {
        vs.isEmpty ? "" : " [" + vs.map { "\($0.name) = \($0.shown)" }.joined(separator: ", ") + "]"
    }

    /// An explanation as text: each gate, referral and no-change rule with the values it read,
    /// the lists' elements kept and left out, bands, segments and tables, the amount and the caps.
    public static func text(_ e: Explanation) -> String {
        var out = "explanation\n"
        func rules(_ title: String, _ rs: [Explanation.RuleResult], _ verb: String) {
            guard !rs.isEmpty else { return }
            out += "  \(title):\n"
            for r in rs {
                out += "    \(r.fired ? "✗" : "✓") \(r.code): \(r.condition)\(reads(r.reads)) → \(r.fired ? verb : "passes")\n"
            }
        }
        rules("gates (decline when true)", e.gates, "declines")
        for l in e.lists {
            out += "  \(l.name) (from \(l.source)):\n"
            if l.elements.isEmpty { out += "    (none)\n" }
            for el in l.elements {
                let summary = el.fields.map { "\($0.name) \($0.text)" }.joined(separator: ", ")
                out += "    [\(el.index)] \(summary)\n"
                out += "        → \(el.kept ? "kept" : "left out: \(el.because ?? "not \(el.failed ?? "?")")")\n"
            }
        }
        for b in e.bands {
            out += "  band \(b.table): \(b.input) = \(b.inputValue) → \(b.band)\(reads(b.columns))\n"
        }
        for s in e.segments {
            out += s.kind == "decision_table"
                ? "  decision table \(s.table) (hit \(s.hitPolicy)):\n" : "  segment \(s.table): first match in order\n"
            for t in s.tested { out += "    \(t.matched ? "✓" : "·") \(t.name): \(t.condition)\(reads(t.reads))\(t.matched ? " → matched" : "")\n" }
            out += "    → \(s.segment)\(reads(s.columns))\n"
        }
        if let a = e.amount { out += "  amount: \(a.name)\(reads(e.amountReads)) = \(a.text)\n" }
        func bounds(_ title: String, _ cs: [Explanation.CapResult]) {
            guard !cs.isEmpty else { return }
            out += "  \(title):\n"
            for c in cs {
                let v = c.value.map { "= \($0)" } ?? "does not apply"
                out += "    \(c.binds ? "✗" : "·") \(c.code): \(c.bound) \(v)\(reads(c.reads))\(c.binds ? " → binds" : "")\n"
            }
        }
        bounds("caps (bind when below the amount)", e.caps.filter { !$0.isFloor })
        bounds("floors (bind when above the amount)", e.caps.filter(\.isFloor))
        if e.limitFloorBinds { out += "  ✗ the limit may not go below 0 → the decrease is at most the current limit\n" }
        if let r = e.rounding { out += "  rounding: \(r)\n" }
        out += "  uplift after \(e.allowsDecrease ? "caps, floors" : "caps") and rounding: \(e.uplift)\n"
        rules("referrals (refer when true)", e.referrals, "refers")
        rules("no-change rules", e.holds, "no change")
        return out
    }

    /// A decision as one JSON object (`uplift eval --format json`), with `explanation` when given;
    /// `pretty: false` writes it on one line, as decision logs want.
    public static func json(_ d: Decision, _ e: Explanation? = nil, pretty: Bool = true) -> String {
        let i: Int? = pretty ? 0 : nil
        let ind = { (n: Int) -> Int? in pretty ? n : nil }
        var members: [(String, String)] = [
            ("outcome", JSONWriter.quote(d.outcome.rawValue)),
            ("uplift", d.uplift.formatted()),
            ("new_limit", d.newLimit.map { $0.formatted() } ?? "null"),
            ("reasons", JSONWriter.array(d.reasons.map { JSONWriter.object([("code", JSONWriter.quote($0.code)), ("message", JSONWriter.quote($0.message))]) }, indent: ind(1))),
            ("segment", d.segment.map(JSONWriter.quote) ?? "null"),
            ("band", d.bands.first.map { JSONWriter.quote($0.band) } ?? "null"),
            ("tables", JSONWriter.object(d.tables.map { t in
                // A `collect` table's rows are always a list, as in `simulate --decisions`.
                (t.table, t.selectsMany ? JSONWriter.array(t.labels.map(JSONWriter.quote)) : t.label.map(JSONWriter.quote) ?? "null")
            }, indent: ind(1))),
            ("reported", JSONWriter.object(d.reported.map { ($0.name, $0.json) }, indent: ind(1))),
            ("policy", JSONWriter.object([("name", JSONWriter.quote(d.policy.name)), ("version", JSONWriter.quote(d.policy.version)),
                                          ("hash", JSONWriter.quote(d.policy.hash))], indent: ind(1))),
        ]
        if let e { members.append(("explanation", json(e, indent: ind(1)))) }
        return JSONWriter.object(members, indent: i)
    }

    static func values(_ vs: [Explanation.Value]) -> String { JSONWriter.object(vs.map { ($0.name, $0.json) }) }

    /// An explanation as a JSON object; `indent` is the starting indentation, nil for one line.
    public static func json(_ e: Explanation, indent: Int? = nil) -> String {
        let ind = { (n: Int) -> Int? in indent.map { $0 + n } }
        func rules(_ rs: [Explanation.RuleResult]) -> String {
            JSONWriter.array(rs.map { r in
                JSONWriter.object([("code", JSONWriter.quote(r.code)), ("condition", JSONWriter.quote(r.condition)),
                                   ("fired", r.fired ? "true" : "false"), ("reads", values(r.reads)), ("at", JSONWriter.quote(r.location))])
            }, indent: ind(1))
        }
        let lists = JSONWriter.array(e.lists.map { l in
            JSONWriter.object([("name", JSONWriter.quote(l.name)), ("source", JSONWriter.quote(l.source)),
                               ("elements", JSONWriter.array(l.elements.map { el in
                                   JSONWriter.object([("index", String(el.index)), ("kept", el.kept ? "true" : "false"),
                                                      ("failed", el.failed.map(JSONWriter.quote) ?? "null"),
                                                      ("because", el.because.map(JSONWriter.quote) ?? "null"), ("fields", values(el.fields))])
                               }))])
        }, indent: ind(1))
        let bands = JSONWriter.array(e.bands.map { b in
            JSONWriter.object([("table", JSONWriter.quote(b.table)), ("input", JSONWriter.quote(b.input)), ("value", JSONWriter.quote(b.inputValue)),
                               ("band", JSONWriter.quote(b.band)), ("columns", values(b.columns))])
        }, indent: ind(1))
        let segments = JSONWriter.array(e.segments.map { s in
            JSONWriter.object([("table", JSONWriter.quote(s.table)), ("kind", JSONWriter.quote(s.kind)), ("hit", JSONWriter.quote(s.hitPolicy)),
                               ("segment", JSONWriter.quote(s.segment)), ("rows", JSONWriter.array(s.matchedRows.map(JSONWriter.quote))), ("columns", values(s.columns)),
                               ("tested", JSONWriter.array(s.tested.map { t in
                                   JSONWriter.object([("name", JSONWriter.quote(t.name)), ("when", JSONWriter.quote(t.condition)),
                                                      ("matched", t.matched ? "true" : "false"), ("reads", values(t.reads))])
                               }))])
        }, indent: ind(1))
        let caps = JSONWriter.array(e.caps.filter { !$0.isFloor }.map { c in
            JSONWriter.object([("code", JSONWriter.quote(c.code)), ("bound", JSONWriter.quote(c.bound)),
                               ("value", c.value.map { JSONWriter.quote($0) } ?? "null"), ("binds", c.binds ? "true" : "false"), ("reads", values(c.reads))])
        }, indent: ind(1))
        let grouped = JSONWriter.object(e.groupedValues.map { (name, v) in
            (name, JSONWriter.object([("value", v.json), ("contributions", JSONWriter.array((v.contributions ?? []).map { c in
                JSONWriter.object([("group", JSONWriter.quote(c.group)), ("value", c.json), ("from", c.from.map(JSONWriter.quote) ?? "null")])
            }))]))
        }, indent: ind(1))
        let floors = JSONWriter.array(e.caps.filter(\.isFloor).map { c in
            JSONWriter.object([("code", JSONWriter.quote(c.code)), ("bound", JSONWriter.quote(c.bound)),
                               ("value", c.value.map { JSONWriter.quote($0) } ?? "null"), ("binds", c.binds ? "true" : "false"), ("reads", values(c.reads))])
        }, indent: ind(1))
        // Floors and the limit's own floor only for a policy that allows decreases: others read as before.
        let decrease: [(String, String)] = e.allowsDecrease ? [("floors", floors), ("limit_floor_binds", e.limitFloorBinds ? "true" : "false")] : []
        return JSONWriter.object([
            ("grouped_values", grouped),
            ("gates", rules(e.gates)), ("referrals", rules(e.referrals)), ("no_change", rules(e.holds)), ("lists", lists),
            ("bands", bands), ("segments", segments),
            ("amount", e.amount.map { JSONWriter.object([("expression", JSONWriter.quote($0.name)), ("value", $0.json), ("reads", values(e.amountReads))]) } ?? "null"),
            ("caps", caps)] + decrease + [("rounding", e.rounding.map(JSONWriter.quote) ?? "null"), ("uplift", JSONWriter.quote(e.uplift)),
        ], indent: indent)
    }
}
