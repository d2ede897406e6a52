import Uplift

/// The machine-readable summary (`--summary FILE.json`): every count and sum, and the uplift
/// histograms, so that `uplift summary merge` can add partial runs exactly. Amounts are exact
/// decimal numbers.
package enum SummaryJSON {
    static func amount(_ raw: Int64) -> String { FixedDecimal(raw: raw).formatted() }
    static func amount(_ total: MoneyTotal) -> String { total.formatted() }

    static func counts(_ d: [String: Int]) -> String {
        JSONWriter.object(d.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })
    }

    static func histogram(_ h: UpliftHistogram) -> String {
        JSONWriter.object(h.counts.sorted { $0.key < $1.key }.map { (amount($0.key), String($0.value)) })
    }

    package static func render(_ s: SimulationSummary) -> String {
        let segments = s.segments.sorted { $0.key < $1.key }.map { (name, st) -> (String, String) in
            let mean = MoneyTotal.meanCents(st.upliftTotal, st.approved).map(amount) ?? "null"
            return (name, JSONWriter.object([
                ("count", String(st.count)), ("outcomes", counts(st.outcomes)),
                ("approval_rate", rate(st.approved, st.count)),
                ("uplift_total", amount(st.upliftTotal)), ("uplift_mean", mean),
                ("uplift_median", st.uplifts.quantile(percent: 50).map(amount) ?? "null"),
                ("uplift_p90", st.uplifts.quantile(percent: 90).map(amount) ?? "null"),
                ("uplift_exact", st.uplifts.exact ? "true" : "false"),
                ("uplift_histogram", histogram(st.uplifts)),
            ] + (st.whatIf.map { [("whatif", whatIf($0))] } ?? []), indent: 2))
        }
        let bad = s.badRows.map { r in
            JSONWriter.object([("line", String(r.line)), ("path", JSONWriter.quote(r.path)), ("message", JSONWriter.quote(r.message))])
        }
        return JSONWriter.object([
            ("kind", JSONWriter.quote("uplift-simulation-summary")),
            ("policy", JSONWriter.object([("name", JSONWriter.quote(s.policy.name)), ("version", JSONWriter.quote(s.policy.version)),
                                          ("hash", JSONWriter.quote(s.policy.hash))])),
            ("rows", String(s.rows)), ("decided", String(s.decided)), ("bad_rows", String(s.badRowCount)),
            ("stopped_early", s.stoppedEarly ? "true" : "false"), ("unread_lines", String(s.unreadLines)),
            ("outcomes", counts(s.outcomes)),
            ("outcome_rates", JSONWriter.object(Outcome.allCases.map { ($0.rawValue, rate(s.outcomes[$0.rawValue] ?? 0, s.decided)) })),
            ("new_credit", amount(s.newCredit)), ("referred_uplift", amount(s.referredUplift)), ("credit_removed", amount(s.creditRemoved)),
            ("segments", JSONWriter.object(segments, indent: 1)),
            ("reasons", counts(s.reasons)), ("bands", counts(s.bands)), ("binding_caps", counts(s.bindingCaps)),
            ("tables", JSONWriter.object(s.tables.sorted { $0.key < $1.key }.map { (name, t) in
                (name, JSONWriter.object([("kind", JSONWriter.quote(t.kind)), ("selects_many", t.selectsMany ? "true" : "false"),
                                          ("rows", counts(t.rows))]))
            }, indent: 1)),
            ("unknown_fields", counts(s.unknownFields)),
            ("unknown_field_suggestions", JSONWriter.object(s.unknownFieldSuggestions.sorted { $0.key < $1.key }.map { ($0.key, JSONWriter.quote($0.value)) })),
            ("bad_row_examples", JSONWriter.array(bad, indent: 1)),
        ], indent: 0)
    }

    /// A segment's what-if counts (`simulate --whatif`).
    static func whatIf(_ w: WhatIfStats) -> String {
        JSONWriter.object([
            ("tried", String(w.tried)), ("improvable", String(w.improvable)), ("failed", String(w.failed)),
            ("improvable_rate", rate(w.improvable, w.tried)),
            ("gain_total", amount(w.gainTotal)),
            ("gain_median", w.gains.quantile(percent: 50).map(amount) ?? "null"),
            ("gain_p90", w.gains.quantile(percent: 90).map(amount) ?? "null"),
            ("gain_exact", w.gains.exact ? "true" : "false"),
            ("gain_histogram", histogram(w.gains)),
            ("actions", counts(w.actions)),
        ])
    }

    /// A rate with four decimals, computed in integers (no binary floating point in outputs).
    static func rate(_ n: Int, _ of: Int) -> String {
        guard of > 0 else { return "null" }
        let tenThousandths = (Int128(n) * 10_000 + Int128(of / 2)) / Int128(of)
        return MoneyTotal(raw: tenThousandths * 100).formatted()
    }

    /// The error `parse` throws (kept under its old name for callers).
    package typealias ReadError = SummaryError

    /// Reads a summary written by `render`, and refuses one whose counts contradict each other
    /// (`rows` 1 with `decided` 3000): adding such a part would make every merged figure wrong.
    /// Errors name the field; the caller adds the file's name.
    package static func parse(_ text: String) throws(SummaryError) -> SimulationSummary {
        let v: JSONValue
        do { v = try JSONParser.parse(text) } catch { throw SummaryError(.malformed, field: "", "not JSON: \(error)") }
        guard v["kind"] == .string("uplift-simulation-summary") else {
            throw SummaryError(.malformed, field: "kind", "is not \"uplift-simulation-summary\": this is not an uplift simulation summary")
        }
        func str(_ x: JSONValue?, _ what: String) throws(SummaryError) -> String {
            guard case .string(let s)? = x else { throw SummaryError(.malformed, field: what, "must be a string") }
            return s
        }
        func int(_ x: JSONValue?, _ what: String) throws(SummaryError) -> Int {
            guard case .number(let n)? = x, let i = Int(n), i >= 0 else {
                throw SummaryError(.malformed, field: what, "must be a whole number from 0 to \(Int.max)")
            }
            return i
        }
        func total(_ x: JSONValue?, _ what: String) throws(SummaryError) -> MoneyTotal {
            guard case .number(let n)? = x, let d = MoneyTotal(parsing: Substring(n)) else {
                throw SummaryError(.malformed, field: what, "must be an exact decimal amount (at most six decimals)")
            }
            return d
        }
        func counts(_ x: JSONValue?, _ what: String) throws(SummaryError) -> [String: Int] {
            guard case .object(let fs)? = x else { throw SummaryError(.malformed, field: what, "must be an object") }
            var out: [String: Int] = [:]
            for (k, n) in fs { out[k] = try int(n, "\(what).\(k)") }
            return out
        }
        /// A histogram's counts by amount.
        func amounts(_ x: JSONValue?, _ what: String) throws(SummaryError) -> [Int64: Int] {
            guard case .object(let h)? = x else { throw SummaryError(.malformed, field: what, "must be an object") }
            var out: [Int64: Int] = [:]
            for (k, n) in h {
                guard let d = FixedDecimal(parsing: Substring(k)) else { throw SummaryError(.malformed, field: what, "has a bad amount \(JSONWriter.quote(k))") }
                out[d.raw] = try SummaryError.add(out[d.raw] ?? 0, try int(n, "\(what).\(k)"), what)
            }
            return out
        }
        let p = v["policy"]
        var s = SimulationSummary(policy: PolicyIdentity(name: try str(p?["name"], "policy.name"), version: try str(p?["version"], "policy.version"),
                                                         hash: try str(p?["hash"], "policy.hash")))
        s.rows = try int(v["rows"], "rows")
        s.decided = try int(v["decided"], "decided")
        s.badRowCount = try int(v["bad_rows"], "bad_rows")
        s.stoppedEarly = v["stopped_early"] == .bool(true)
        // Absent in summaries written before it existed: nothing was left unread then.
        s.unreadLines = v["unread_lines"] == nil ? 0 : try int(v["unread_lines"], "unread_lines")
        s.outcomes = try counts(v["outcomes"], "outcomes")
        s.newCredit = try total(v["new_credit"], "new_credit")
        s.referredUplift = try total(v["referred_uplift"], "referred_uplift")
        // Absent in summaries written before decreases existed: nothing was removed then.
        if v["credit_removed"] != nil { s.creditRemoved = try total(v["credit_removed"], "credit_removed") }
        s.reasons = try counts(v["reasons"], "reasons")
        s.bands = try counts(v["bands"], "bands")
        s.bindingCaps = try counts(v["binding_caps"], "binding_caps")
        // Absent in summaries written before they existed.
        if v["unknown_fields"] != nil { s.unknownFields = try counts(v["unknown_fields"], "unknown_fields") }
        if case .object(let fs)? = v["unknown_field_suggestions"] {
            for (k, x) in fs { s.unknownFieldSuggestions[k] = try str(x, "unknown_field_suggestions.\(k)") }
        }
        // Absent in summaries written before every table was counted.
        if case .object(let ts)? = v["tables"] {
            for (name, tv) in ts {
                var t = TableCounts(kind: try str(tv["kind"], "tables.\(name).kind"), selectsMany: tv["selects_many"] == .bool(true))
                t.rows = try counts(tv["rows"], "tables.\(name).rows")
                s.tables[name] = t
            }
        } else if v["tables"] != nil {
            throw SummaryError(.malformed, field: "tables", "must be an object")
        }
        guard case .object(let segs)? = v["segments"] else { throw SummaryError(.malformed, field: "segments", "must be an object") }
        for (name, sv) in segs {
            let f = "segments.\(name)"
            var st = SimulationSummary.SegmentStats()
            st.count = try int(sv["count"], "\(f).count")
            st.outcomes = try counts(sv["outcomes"], "\(f).outcomes")
            st.upliftTotal = try total(sv["uplift_total"], "\(f).uplift_total")
            guard case .object(let h)? = sv["uplift_histogram"] else { throw SummaryError(.malformed, field: "\(f).uplift_histogram", "must be an object") }
            var hc: [Int64: Int] = [:]
            for (k, n) in h {
                guard let d = FixedDecimal(parsing: Substring(k)) else {
                    throw SummaryError(.malformed, field: "\(f).uplift_histogram", "has a bad amount \(JSONWriter.quote(k))")
                }
                hc[d.raw] = try SummaryError.add(hc[d.raw] ?? 0, try int(n, "\(f).uplift_histogram.\(k)"), "\(f).uplift_histogram")
            }
            st.uplifts = try UpliftHistogram(counts: hc, exact: sv["uplift_exact"] != .bool(false), field: "\(f).uplift_histogram")
            if let wv = sv["whatif"] {
                let g = "\(f).whatif"
                var w = WhatIfStats()
                w.tried = try int(wv["tried"], "\(g).tried")
                w.improvable = try int(wv["improvable"], "\(g).improvable")
                w.failed = try int(wv["failed"], "\(g).failed")
                w.gainTotal = try total(wv["gain_total"], "\(g).gain_total")
                w.gains = try UpliftHistogram(counts: try amounts(wv["gain_histogram"], "\(g).gain_histogram"), exact: wv["gain_exact"] != .bool(false),
                                              field: "\(g).gain_histogram")
                w.actions = try counts(wv["actions"], "\(g).actions")
                st.whatIf = w
            }
            s.segments[name] = st
        }
        if case .array(let rows)? = v["bad_row_examples"] {
            for r in rows {
                s.badRows.append(SimulationSummary.BadRow(line: try int(r["line"], "bad_row_examples.line"), path: try str(r["path"], "bad_row_examples.path"),
                                                          message: try str(r["message"], "bad_row_examples.message")))
            }
        }
        try SummaryConsistency.check(s)
        return s
    }
}
