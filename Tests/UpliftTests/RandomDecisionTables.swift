import Foundation

/// Random decision tables for the differential tests: every hit policy, every cell form
/// (comparisons, intervals, ranges, membership, exact values, commas meaning *or*, `-`),
/// conditions over integers, money, bools, strings and a list count (which the checker cannot
/// reason about, so `unique` tables over it sometimes fault at evaluation, in both engines), and
/// a nested record's field.
extension RandomPolicies {
    /// The table file and how a rule reads it, with the read's type.
    mutating func decisionTable() -> (yaml: String, read: String, type: String) {
        let hits = ["first", "first", "unique", "collect sum", "collect min", "collect max", "collect count", "collect list"]
        let hit = pick(hits)
        var rows: [String] = []
        let rowCount = Int(rng.int(1...5))
        var cuts = (0..<(rowCount + 1)).map { _ in rng.int(-20...20) }.sorted()
        for k in 1..<cuts.count where cuts[k] <= cuts[k - 1] { cuts[k] = cuts[k - 1] + 1 }
        let overList = hit == "unique" && chance(30)
        // `collect sum|min|max` combine numbers only.
        let collect = hit.hasPrefix("collect")
        for k in 0..<rowCount {
            var cells: [String] = []
            if hit == "unique" {
                // Disjoint by construction on n (the checker proves it), or overlapping on a
                // list count it cannot see.
                cells.append(overList ? "x: '>= \(rng.int(0...2))'" : "n: '[\(cuts[k])..\(cuts[k + 1]))'")
            } else {
                let a = rng.int(-10...10), b = a + rng.int(0...8)
                cells.append("n: '\(pick([">= \(a)", "< \(a)", "[\(a)..\(b))", "(\(a)..\(b)]", "\(a)..\(b)", "in [\(a), \(b)]", "not in [\(a)..\(b)]", "-", "\(a)", ">= \(a), < \(b)", "!= \(a)"]))'")
                cells.append("m: '\(pick([">= 1000", "< 500.5", "-", "[0..2000]"]))'")
                cells.append("w: '\(pick(["\"hello\"", "in [\"hi\", \"hello\"]", "-", "not in [\"x\"]"]))'")
                cells.append("x: '\(pick([">= 1", ">= 2", "-", "0"]))'")
                cells.append("s: '\(pick([">= 600", "< 500", "-", "[300..700)"]))'")
            }
            cells.append("f: '\(pick(["true", "false", "-"]))'")
            cells.append("o: \(rng.int(0...3000)).\(pick(["0", "5", "25"]))")
            if !collect { cells.append("e: \(pick(["p", "q"]))") }
            rows.append("  - { id: r\(k), \(cells.joined(separator: ", ")) }")
        }
        let catchAll = hit == "first" && chance(50)
        if catchAll { rows.append("  - { id: rest, o: 1, e: q }") }  // only under `first`
        let hasDefault = (hit == "first" && !catchAll && chance(50)) || (hit == "unique" && chance(70))
        let yaml = """
        kind: decision_table
        name: dt
        hit: \(hit)
        inputs: { n: n, m: m, f: flag, w: word, x: count(items), s: account.score }
        OUTPUTS
        rows:
        \(rows.joined(separator: "\n"))
        \(hasDefault ? "default: { o: 7.5, e: p }" : "")
        """
        let outputs = collect ? "outputs:\n  o: money" : "outputs:\n  o: money\n  e: enum(p, q)"
        return finish(yaml.replacingOccurrences(of: "OUTPUTS", with: outputs), hit: hit, catchAll: catchAll, hasDefault: hasDefault)
    }

    /// How a rule reads the table: outputs that may be missing are read with `otherwise`.
    mutating func finish(_ yaml: String, hit: String, catchAll: Bool, hasDefault: Bool) -> (yaml: String, read: String, type: String) {
        switch hit {
        case "collect count", "collect list": return (yaml, "dt.count", "integer")
        case "collect sum": return (yaml, "dt.o", "money")
        case "collect min", "collect max": return (yaml, "(dt.o otherwise 0)", "money")
        default:
            let present = catchAll || hasDefault
            if chance(30) { return (yaml, present ? "dt.e == p" : "(dt.e otherwise q) == p", "bool") }
            return (yaml, present ? "dt.o" : "(dt.o otherwise 0)", "money")
        }
    }
}
