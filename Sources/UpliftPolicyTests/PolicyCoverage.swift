import Uplift

/// What a bundle's tests exercised: every gate, referral and no-change rule both firing and
/// passing, every segment matching (and each `when` seen false), every band, every cap binding
/// and not (and applying and not, when it has a `when`), every reason code given.
public struct PolicyCoverage: Sendable {
    public struct Point: Sendable, Equatable {
        /// `gate`, `referral`, `no_change`, `segment`, `band`, `cap`, `floor` or `reason`.
        public var kind: String
        public var name: String
        /// `fired`, `passed`, `matched`, `seen false`, `binds`, `does not bind`, `applies`,
        /// `does not apply`, `given`.
        public var aspect: String
        public var location: String
        public var covered = false
    }

    public private(set) var points: [Point]
    private var index: [String: Int] = [:]

    public init(policy: Policy) {
        let p = policy.checked, src = policy.sources
        var points: [Point] = []
        for r in p.rules {
            let kind = r.kind == .decline ? "gate" : r.kind == .refer ? "referral" : "no_change"
            let code = p.reasons[r.reason].code, at = src.describe(r.span)
            points.append(Point(kind: kind, name: code, aspect: "fired", location: at))
            points.append(Point(kind: kind, name: code, aspect: "passed", location: at))
        }
        for t in p.segments {
            for (j, name) in t.names.enumerated() {
                let at = "\(t.name) table"
                points.append(Point(kind: "segment", name: name, aspect: "matched", location: at))
                // A `when: true` catch-all cannot be false.
                if case .constant(let v)? = t.conditions.indices.contains(j) ? t.conditions[j] : nil, v != 0 { continue }
                points.append(Point(kind: "segment", name: name, aspect: "seen false", location: at))
            }
        }
        for t in p.bands {
            for label in t.labels { points.append(Point(kind: "band", name: "\(t.name) \(label)", aspect: "matched", location: "\(t.name) table")) }
        }
        for c in p.caps {
            let code = p.reasons[c.reason].code, at = src.describe(c.span), kind = c.isFloor ? "floor" : "cap"
            if c.condition != nil {
                points.append(Point(kind: kind, name: code, aspect: "applies", location: at))
                points.append(Point(kind: kind, name: code, aspect: "does not apply", location: at))
            }
            points.append(Point(kind: kind, name: code, aspect: "binds", location: at))
            points.append(Point(kind: kind, name: code, aspect: "does not bind", location: at))
        }
        for r in p.reasons { points.append(Point(kind: "reason", name: r.code, aspect: "given", location: src.describe(r.span))) }
        self.points = points
        for (i, pt) in points.enumerated() { index["\(pt.kind)|\(pt.name)|\(pt.aspect)"] = i }
    }

    mutating func mark(_ kind: String, _ name: String, _ aspect: String) {
        if let i = index["\(kind)|\(name)|\(aspect)"] { points[i].covered = true }
    }

    /// Records what one decision exercised.
    public mutating func record(_ d: Decision, _ e: Explanation) {
        for (kind, results) in [("gate", e.gates), ("referral", e.referrals), ("no_change", e.holds)] {
            for r in results { mark(kind, r.code, r.fired ? "fired" : "passed") }
        }
        for s in e.segments {
            for t in s.tested { mark("segment", t.name, t.matched ? "matched" : "seen false") }
        }
        for b in e.bands { mark("band", "\(b.table) \(b.band)", "matched") }
        for c in e.caps {
            let kind = c.isFloor ? "floor" : "cap"
            mark(kind, c.code, c.value == nil ? "does not apply" : "applies")
            if c.value != nil { mark(kind, c.code, c.binds ? "binds" : "does not bind") }
        }
        for r in d.reasons { mark("reason", r.code, "given") }
    }

    public var covered: Int { points.filter(\.covered).count }
    public var missing: [Point] { points.filter { !$0.covered } }

    /// Covered share in tenths of a percent, computed in integers.
    public var percentText: String {
        guard !points.isEmpty else { return "100.0%" }
        let tenths = covered * 1_000 / points.count
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
