import Uplift

/// One decision as a line of JSON, written as bytes: the simulator writes millions.
///
/// `{"line":12,"key":"A1","outcome":"approve","uplift":2100,"new_limit":10100,"reasons":[…],
/// "segment":"rider","band":"60–89","reported":{"score":70},"policy":{…}}` — the applicant's key
/// and nothing else personal; `--explain` adds the explanation (personal fields masked).
struct DecisionLine {
    let policy: Policy
    let keyIsString: Bool
    /// `,"policy":{…}}` — the same for every line.
    let policyTail: [UInt8]
    /// Quoted JSON of each reason code, segment name and band label, by index.
    let reasonJSON: [[UInt8]]
    let segmentJSON: [[UInt8]]
    let bandJSON: [[UInt8]]
    /// `"tables":{…}` is written when `segment` and `band` cannot say it all (a decision table,
    /// or several segment or band tables): each table's `"name":` and its rows' quoted names.
    let tableNames: [[UInt8]]
    let tableRows: [[[UInt8]]]
    let tableMany: [Bool]
    /// `"name":` of each reported value, and how its raw value is written.
    let reportedNames: [[UInt8]]
    let reportedKinds: [ReportedValueInfo.Kind]

    /// Reads everything from the policy's public outline (`Policy.reasonCodes`, `tables`,
    /// `reportedValues`, `key(of:)`), once per batch.
    init(policy: Policy) {
        self.policy = policy
        keyIsString = policy.keyIsString
        let id = policy.identity
        let reported = policy.reportedValues
        reportedNames = reported.map { Array((JSONWriter.quote($0.name) + ":").utf8) }
        reportedKinds = reported.map(\.kind)
        reasonJSON = policy.reasonCodes.map { Array(JSONWriter.quote($0.code).utf8) }
        let tables = policy.tables
        segmentJSON = (tables.first { $0.kind == "segments" }?.rows ?? []).map { Array(JSONWriter.quote($0).utf8) }
        bandJSON = (tables.first { $0.kind == "bands" }?.rows ?? []).map { Array(JSONWriter.quote($0).utf8) }
        // `"band"` shows the first band table only, so several band tables need the member too.
        let showTables = TableCounts.shownOnTheirOwn(tables.map(\.kind)).contains(true) || tables.filter { $0.kind == "bands" }.count > 1
        tableNames = showTables ? tables.map { Array((JSONWriter.quote($0.name) + ":").utf8) } : []
        tableRows = showTables ? tables.map { $0.rows.map { Array(JSONWriter.quote($0).utf8) } } : []
        tableMany = showTables ? tables.map(\.selectsMany) : []
        policyTail = Array(#","policy":{"name":\#(JSONWriter.quote(id.name)),"version":\#(JSONWriter.quote(id.version)),"hash":\#(JSONWriter.quote(id.hash))}"#.utf8)
    }

    /// The key as text, for reports.
    func plainKey(of a: Applicant) -> String? { policy.key(of: a) }

    static func append(_ s: String, to out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    /// A JSON string; plain text (the usual key) is copied as it is.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            append(JSONWriter.quote(s), to: &out)
        }
    }

    /// Writes `raw` as exact decimal text without making a String.
    static func appendAmount(_ raw: Int64, to out: inout [UInt8]) {
        let m = raw.magnitude
        if raw < 0 { out.append(UInt8(ascii: "-")) }
        let whole = m / 1_000_000
        var frac = m % 1_000_000
        appendDigits(whole, to: &out)
        if frac != 0 {
            out.append(UInt8(ascii: "."))
            // Six places, trailing zeros dropped: 0.5 → "5", 1100.10 → "1".
            var divisor: UInt64 = 100_000
            while frac > 0 {
                out.append(UInt8(48 + frac / divisor))
                frac %= divisor
                divisor /= 10
            }
        }
    }

    static func appendDigits(_ v: UInt64, to out: inout [UInt8]) {
        if v < 10 { out.append(UInt8(48 + v)); return }
        appendDigits(v / 10, to: &out)
        out.append(UInt8(48 + v % 10))
    }

    func write(_ d: Decision, _ a: Applicant, line: Int, explanation: Explanation?, to out: inout [UInt8]) {
        Self.append(#"{"line":"#, to: &out)
        Self.appendDigits(UInt64(max(0, line)), to: &out)
        if let key = policy.key(of: a) {
            Self.append(#","key":"#, to: &out)
            if keyIsString { Self.appendQuoted(key, to: &out) } else { Self.append(key, to: &out) }
        }
        Self.append(#","outcome":""#, to: &out)
        Self.append(d.outcome.rawValue, to: &out)
        Self.append(#"","uplift":"#, to: &out)
        Self.appendAmount(d.uplift.raw, to: &out)
        Self.append(#","new_limit":"#, to: &out)
        if let n = d.newLimit { Self.appendAmount(n.raw, to: &out) } else { Self.append("null", to: &out) }
        Self.append(#","reasons":["#, to: &out)
        var first = true
        d.forEachReason { r, _ in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: reasonJSON[r])
        }
        Self.append(#"],"segment":"#, to: &out)
        if let k = d.segmentIndex(), segmentJSON.indices.contains(k) { out.append(contentsOf: segmentJSON[k]) } else { Self.append("null", to: &out) }
        Self.append(#","band":"#, to: &out)
        if let k = d.bandIndex(), bandJSON.indices.contains(k) { out.append(contentsOf: bandJSON[k]) } else { Self.append("null", to: &out) }
        if !tableNames.isEmpty { appendTables(d, to: &out) }
        Self.append(#","reported":{"#, to: &out)
        var formatted: [ReportedValue]?
        d.forEachReportedRaw { i, raw in
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: reportedNames[i])
            if raw == Decision.missingRaw { Self.append("null", to: &out); return }
            switch reportedKinds[i] {
            case .integer:
                if raw < 0 { out.append(UInt8(ascii: "-")) }
                Self.appendDigits(raw.magnitude, to: &out)
            case .amount: Self.appendAmount(raw, to: &out)
            case .bool: Self.append(raw != 0 ? "true" : "false", to: &out)
            case .other:
                if formatted == nil { formatted = d.reported }
                Self.append(formatted?[i].json ?? "null", to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: policyTail)
        if let e = explanation {
            Self.append(#","explanation":"#, to: &out)
            Self.append(DecisionRenderer.json(e), to: &out)
        }
        Self.append("}\n", to: &out)
    }

    /// `,"tables":{"payment":"top","bonus":["row 1","row 3"],"other":null}`.
    func appendTables(_ d: Decision, to out: inout [UInt8]) {
        Self.append(#","tables":{"#, to: &out)
        var current = -1, count = 0
        func close() {
            guard current >= 0 else { return }
            if tableMany[current] { out.append(UInt8(ascii: "]")) } else if count == 0 { Self.append("null", to: &out) }
        }
        d.forEachTableRow { t, row in
            guard tableNames.indices.contains(t) else { return }
            if t != current {
                close()
                if current >= 0 { out.append(UInt8(ascii: ",")) }
                current = t; count = 0
                out.append(contentsOf: tableNames[t])
                if tableMany[t] { out.append(UInt8(ascii: "[")) }
            }
            guard row >= 0, tableRows[t].indices.contains(row) else { return }
            if count > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: tableRows[t][row])
            count += 1
        }
        close()
        out.append(UInt8(ascii: "}"))
    }

    func writeBad(_ row: SimulationSummary.BadRow, to out: inout [UInt8]) {
        Self.append(#"{"line":"#, to: &out)
        Self.appendDigits(UInt64(max(0, row.line)), to: &out)
        Self.append(#","error":{"path":"#, to: &out)
        Self.append(JSONWriter.quote(row.path), to: &out)
        Self.append(#","message":"#, to: &out)
        Self.append(JSONWriter.quote(row.message), to: &out)
        Self.append("}}\n", to: &out)
    }
}
