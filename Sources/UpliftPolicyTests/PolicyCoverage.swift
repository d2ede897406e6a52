import Uplift

/// What a bundle's tests exercised: every gate, referral and no-change rule both firing and
/// passing, every segment matching (and each `when` seen false), every band, every cap binding
/// and not (and applying and not, when it has a `when`), every reason code given, every row
/// of every decision table matched (its `default` row too, but for `collect` tables).
package struct PolicyCoverage: Sendable {
    package struct Point: Sendable, Equatable {
        /// `gate`, `referral`, `no_change`, `segment`, `band`, `cap`, `floor`, `reason` or
        /// `decision_table` (a row of a decision table: `name` is the table and the row label).
        package var kind: String
        package var name: String
        /// `fired`, `passed`, `matched`, `seen false`, `binds`, `does not bind`, `applies`,
        /// `does not apply`, `given`.
        package var aspect: String
        package var location: String
        package var covered = false
    }

    package private(set) var points: [Point]
    private var index: [String: Int] = [:]
    /// Indexes into `Policy.tables` of the decision tables, whose rows are points.
    private var decisionTables: [Int] = []
    static let decisionTable = "decision_table"
    /// Whether the policy has decision tables (their rows are then points).
    package var hasDecisionTables: Bool { !decisionTables.isEmpty }

    package init(policy: Policy) {
        let outline = policy.outline
        var points: [Point] = []
        for r in outline.rules {
            points.append(Point(kind: r.kind.rawValue, name: r.code, aspect: "fired", location: r.location))
            points.append(Point(kind: r.kind.rawValue, name: r.code, aspect: "passed", location: r.location))
        }
        // Decision tables are counted row by row below.
        for t in policy.tables where t.kind == "segments" {
            for name in t.rows {
                let at = "\(t.name) table"
                points.append(Point(kind: "segment", name: name, aspect: "matched", location: at))
                // A `when: true` catch-all cannot be false.
                if outline.catchAllSegments[t.name]?.contains(name) == true { continue }
                points.append(Point(kind: "segment", name: name, aspect: "seen false", location: at))
            }
        }
        for t in policy.tables where t.kind == "bands" {
            for label in t.rows { points.append(Point(kind: "band", name: "\(t.name) \(label)", aspect: "matched", location: "\(t.name) table")) }
        }
        for c in outline.caps {
            let kind = c.isFloor ? "floor" : "cap"
            if c.isConditional {
                points.append(Point(kind: kind, name: c.code, aspect: "applies", location: c.location))
                points.append(Point(kind: kind, name: c.code, aspect: "does not apply", location: c.location))
            }
            points.append(Point(kind: kind, name: c.code, aspect: "binds", location: c.location))
            points.append(Point(kind: kind, name: c.code, aspect: "does not bind", location: c.location))
        }
        for r in outline.reasons { points.append(Point(kind: "reason", name: r.code, aspect: "given", location: r.location)) }
        // Decision tables through the public table list, so every hit policy counts alike: a
        // row is covered when some case matched it (for `collect`, among others).
        var decisionTables: [Int] = []
        for (i, t) in policy.tables.enumerated() where t.kind == Self.decisionTable {
            decisionTables.append(i)
            // A `collect` table folds matched rows only: its `default` row is never one.
            for row in t.rows where !(t.selectsMany && row == "default") { points.append(Point(kind: Self.decisionTable, name: "\(t.name) \(row)", aspect: "matched", location: "\(t.name) table")) }
        }
        self.points = points
        self.decisionTables = decisionTables
        for (i, pt) in points.enumerated() { index["\(pt.kind)|\(pt.name)|\(pt.aspect)"] = i }
    }

    mutating func mark(_ kind: String, _ name: String, _ aspect: String) {
        if let i = index["\(kind)|\(name)|\(aspect)"] { points[i].covered = true }
    }

    /// Records what one decision exercised.
    package mutating func record(_ d: Decision, _ e: Explanation) {
        for (kind, results) in [("gate", e.gates), ("referral", e.referrals), ("no_change", e.holds)] {
            for r in results { mark(kind, r.code, r.fired ? "fired" : "passed") }
        }
        for s in e.segments where s.kind == "segments" {
            for t in s.tested { mark("segment", t.name, t.matched ? "matched" : "seen false") }
        }
        for b in e.bands { mark("band", "\(b.table) \(b.band)", "matched") }
        for c in e.caps {
            let kind = c.isFloor ? "floor" : "cap"
            mark(kind, c.code, c.value == nil ? "does not apply" : "applies")
            if c.value != nil { mark(kind, c.code, c.binds ? "binds" : "does not bind") }
        }
        for r in d.reasons { mark("reason", r.code, "given") }
        if !decisionTables.isEmpty {
            for m in d.tables where m.kind == Self.decisionTable {
                for label in m.labels { mark(Self.decisionTable, "\(m.table) \(label)", "matched") }
            }
        }
    }

    package var covered: Int { points.filter(\.covered).count }
    package var missing: [Point] { points.filter { !$0.covered } }

    /// Covered share in tenths of a percent, computed in integers.
    package var percentText: String {
        guard !points.isEmpty else { return "100.0%" }
        let tenths = covered * 1_000 / points.count
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
