import Foundation

/// Bundles at the sizes issue 9 requires to check and compile in about a second (release):
/// long `and`/`or` chains, many `(a or b)` clauses, a 100,000-entry catalogue, a 100,000-band
/// table and 10,000 segments. The test suite keeps smaller versions of each (sizes only a linear
/// checker finishes); these measure the real scale. `scripts/gen-large-bundle.py` builds the
/// same cases from the reference policy for `uplift check` (figures in docs/PERFORMANCE.md).
enum LargeBundles {
    static let schema = """
    record Certificate {
      type: string
    }
    facts Applicant {
      id: string pii
      age: integer
      current_limit: money
      score: integer
      certificates: list of Certificate
    }
    """

    /// Writes a bundle named `name` with `rules` and `tables` (file name → text); returns its path.
    static func write(_ name: String, rules: String, tables: [String: String] = [:]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-bench-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let manifest = "name: \(name)\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n"
            + (tables.isEmpty ? "" : "tables: [\(tables.keys.sorted().joined(separator: ", "))]\n")
        let files = ["bundle.yaml": manifest, "schema.uplift": schema, "policy.uplift": "reason R \"r\"\n" + rules].merging(tables) { a, _ in a }
        for (n, t) in files { try t.write(to: dir.appendingPathComponent(n), atomically: true, encoding: .utf8) }
        return dir.path
    }

    /// Every large case: (benchmark name, bundle directory).
    static func all() throws -> [(String, String)] {
        var cases: [(String, String)] = []
        let and = (0..<20_000).map { "age > \($0 % 100)" }.joined(separator: " and ")
        cases.append(("check+compile 20,000-term and", try write("and", rules: "decline R when \(and)\n")))
        let or = (0..<100_000).map { "age == \($0)" }.joined(separator: " or ")
        cases.append(("check+compile 100,000-term or", try write("or", rules: "decline R when \(or)\n")))
        let clauses = (0..<2_000).map { "(age > \($0) or current_limit > \($0))" }.joined(separator: " and ")
        cases.append(("check+compile 2,000 (a or b) clauses", try write("clauses", rules: "decline R when \(clauses)\n")))
        var cat = "kind: catalogue\nname: catalogue\nentry_columns:\n  points: integer\ncategories:\n  c:\n    entries:\n"
        for i in 0..<100_000 { cat += "      e\(i): \(i % 100)\n" }
        cases.append(("check+compile 100,000-entry catalogue", try write("catalogue",
            rules: "let s = sum(catalogue[c.type].points for c in certificates where c.type in catalogue)\nreport s\ndecline R when s > 1000\n",
            tables: ["cat.yaml": cat])))
        var bands = "kind: bands\nname: band\ninput: score\ncolumns:\n  base: money\nbands:\n"
        for i in 0..<99_999 { bands += "  - { from: \(i * 10), to: \(i * 10 + 9), base: \(i % 1000) }\n" }
        bands += "  - { from: 999990, base: 1 }\n"
        cases.append(("check+compile 100,000-band table", try write("bands", rules: "amount = band.base\n", tables: ["bands.yaml": bands])))
        for exclusive in [false, true] {
            var seg = "kind: segments\nname: segment\n" + (exclusive ? "exclusive: true\n" : "") + "columns:\n  m: money\nsegments:\n"
            for i in 0..<9_999 { seg += "  - name: s\(i)\n    when: age == \(i)\n    m: 100\n" }
            seg += "  - name: general\n    when: true\n    m: 50\n"
            cases.append(("check+compile 10,000 segments\(exclusive ? " (exclusive)" : "")",
                          try write(exclusive ? "segments-exclusive" : "segments", rules: "amount = segment.m\n", tables: ["seg.yaml": seg])))
        }
        return cases
    }
}
