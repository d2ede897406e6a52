import Uplift

/// The machine-readable summary (`--summary FILE.json`): every count and sum, and the uplift
/// histograms, so that `uplift summary merge` can add partial runs exactly. Amounts are exact
/// decimal numbers.
public enum SummaryJSON {
    static func amount(_ raw: Int64) -> String { FixedDecimal(raw: raw).formatted() }

    static func counts(_ d: [String: Int]) -> String {
        JSONWriter.object(d.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })
    }

    static func histogram(_ h: UpliftHistogram) -> String {
        JSONWriter.object(h.counts.sorted { $0.key < $1.key }.map { (amount($0.key), String($0.value)) })
    }

    public static func render(_ s: SimulationSummary) -> String {
        let segments = s.segments.sorted { $0.key < $1.key }.map { (name, st) -> (String, String) in
            let mean = UpliftHistogram.meanCents(st.upliftTotal, st.approved).map(amount) ?? "null"
            return (name, JSONWriter.object([
                ("count", String(st.count)), ("outcomes", counts(st.outcomes)),
                ("approval_rate", rate(st.approved, st.count)),
                ("uplift_total", amount(st.upliftTotal)), ("uplift_mean", mean),
                ("uplift_median", st.uplifts.quantile(0.5).map(amount) ?? "null"),
                ("uplift_p90", st.uplifts.quantile(0.9).map(amount) ?? "null"),
                ("uplift_exact", st.uplifts.exact ? "true" : "false"),
                ("uplift_histogram", histogram(st.uplifts)),
            ], indent: 2))
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
            ("new_credit", amount(s.newCredit)), ("referred_uplift", amount(s.referredUplift)),
            ("segments", JSONWriter.object(segments, indent: 1)),
            ("reasons", counts(s.reasons)), ("bands", counts(s.bands)), ("binding_caps", counts(s.bindingCaps)),
            ("bad_row_examples", JSONWriter.array(bad, indent: 1)),
        ], indent: 0)
    }

    /// A rate with four decimals, computed in integers (no binary floating point in outputs).
    static func rate(_ n: Int, _ of: Int) -> String {
        guard of > 0 else { return "null" }
        let tenThousandths = SummaryText.scaledRatio(n, of, 10_000)
        return FixedDecimal(raw: Int64(clamping: tenThousandths).multipliedReportingOverflow(by: 100).partialValue).formatted()
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads a summary written by `render`.
    public static func parse(_ text: String) throws -> SimulationSummary {
        let v: JSONValue
        do { v = try JSONParser.parse(text) } catch { throw ReadError(message: "not JSON: \(error)") }
        guard v["kind"] == .string("uplift-simulation-summary") else { throw ReadError(message: "not an uplift simulation summary (no \"kind\": \"uplift-simulation-summary\")") }
        func str(_ x: JSONValue?, _ what: String) throws -> String {
            guard case .string(let s)? = x else { throw ReadError(message: "\(what) must be a string") }
            return s
        }
        // Counts are bounded so that adding thousands of parts can never overflow.
        func int(_ x: JSONValue?, _ what: String) throws -> Int {
            guard case .number(let n)? = x, let i = Int(n), i >= 0, i <= 1_000_000_000_000 else {
                throw ReadError(message: "\(what) must be a whole number from 0 to 10^12")
            }
            return i
        }
        func raw(_ x: JSONValue?, _ what: String) throws -> Int64 {
            guard case .number(let n)? = x, let d = FixedDecimal(parsing: Substring(n)) else { throw ReadError(message: "\(what) must be an amount") }
            return d.raw
        }
        func counts(_ x: JSONValue?, _ what: String) throws -> [String: Int] {
            guard case .object(let fs)? = x else { throw ReadError(message: "\(what) must be an object") }
            var out: [String: Int] = [:]
            for (k, n) in fs { out[k] = try int(n, "\(what).\(k)") }
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
        s.newCredit = try raw(v["new_credit"], "new_credit")
        s.referredUplift = try raw(v["referred_uplift"], "referred_uplift")
        s.reasons = try counts(v["reasons"], "reasons")
        s.bands = try counts(v["bands"], "bands")
        s.bindingCaps = try counts(v["binding_caps"], "binding_caps")
        guard case .object(let segs)? = v["segments"] else { throw ReadError(message: "segments must be an object") }
        for (name, sv) in segs {
            var st = SimulationSummary.SegmentStats()
            st.count = try int(sv["count"], "segments.\(name).count")
            st.outcomes = try counts(sv["outcomes"], "segments.\(name).outcomes")
            st.upliftTotal = try raw(sv["uplift_total"], "segments.\(name).uplift_total")
            guard case .object(let h)? = sv["uplift_histogram"] else { throw ReadError(message: "segments.\(name).uplift_histogram must be an object") }
            var hc: [Int64: Int] = [:]
            for (k, n) in h {
                guard let d = FixedDecimal(parsing: Substring(k)) else { throw ReadError(message: "segments.\(name).uplift_histogram has a bad amount \(k)") }
                hc[d.raw, default: 0] += try int(n, "segments.\(name).uplift_histogram")
            }
            st.uplifts = UpliftHistogram(counts: hc, exact: sv["uplift_exact"] != .bool(false))
            s.segments[name] = st
        }
        if case .array(let rows)? = v["bad_row_examples"] {
            s.badRows = try rows.map { r in
                SimulationSummary.BadRow(line: try int(r["line"], "bad_row_examples.line"), path: try str(r["path"], "bad_row_examples.path"),
                                         message: try str(r["message"], "bad_row_examples.message"))
            }
        }
        return s
    }
}
