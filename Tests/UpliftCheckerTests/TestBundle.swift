import Foundation
import UpliftBundle
import UpliftChecker
import UpliftSyntax

/// Writes a small bundle to a temporary directory so each test states exactly the policy it checks.
struct TestBundle {
    static let schema = """
    record Certificate {
      type: string
      verified: bool
      confidence: decimal between 0 and 1
      expires: date optional
    }
    facts Applicant {
      id: string pii
      as_of: date
      age: integer
      gender: enum(female, male, unspecified) protected
      occupation: enum(employee, rider, student)
      current_limit: money
      monthly_income: money optional
      certificates: list of Certificate
    }
    """
    static let catalogue = """
    kind: catalogue
    name: catalogue
    category_columns:
      min_confidence: decimal
    entry_columns:
      points: integer
    categories:
      professional:
        min_confidence: 0.90
        entries:
          cpa: 70
          nurse: 30
      language:
        min_confidence: 0.85
        entries:
          ielts: 30
    """
    static let bands = """
    kind: bands
    name: amount_band
    input: score
    columns:
      base: money
    bands:
      - { from: 0, to: 9, base: 0 }
      - { from: 10, to: 49, base: 500 }
      - { from: 50, base: 1000 }
    """
    static let segments = """
    kind: segments
    name: segment
    columns:
      multiplier: decimal
    segments:
      - name: student
        when: occupation == student
        multiplier: 0.5
      - name: general
        when: true
        multiplier: 1.0
    """
    static let rules = """
    reason LOW "too low"
    reason CAP "capped"
    let score = sum(max(catalogue[c.type].points) for c in [c for c in certificates where c.type in catalogue and c.confidence >= catalogue[c.type].min_confidence] group by catalogue[c.type].category)
    report score
    decline LOW when age < 18
    amount = amount_band.base * segment.multiplier
    cap CAP = 50000 - current_limit
    round down to 100
    """

    /// Creates the bundle with any file replaced, and returns its directory.
    static func write(schema: String = schema, rules: String = rules, tables: [String: String]? = nil, actions: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let t = tables ?? ["catalogue.yaml": catalogue, "bands.yaml": bands, "segments.yaml": segments]
        let manifest = """
        name: test
        version: 1.0.0
        schema: schema.uplift
        rules: [policy.uplift]
        tables: [\(t.keys.sorted().joined(separator: ", "))]
        """ + (actions == nil ? "" : "\nactions: actions.yaml\n")
        if let actions { try actions.write(to: dir.appendingPathComponent("actions.yaml"), atomically: true, encoding: .utf8) }
        try manifest.write(to: dir.appendingPathComponent("bundle.yaml"), atomically: true, encoding: .utf8)
        try schema.write(to: dir.appendingPathComponent("schema.uplift"), atomically: true, encoding: .utf8)
        try rules.write(to: dir.appendingPathComponent("policy.uplift"), atomically: true, encoding: .utf8)
        for (name, text) in t { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }

    /// Loads and checks; returns the policy (nil on errors) and every diagnostic.
    static func check(schema: String = schema, rules: String = rules, tables: [String: String]? = nil, actions: String? = nil) throws -> (CheckedPolicy?, [Diagnostic], SourceMap) {
        let dir = try write(schema: schema, rules: rules, tables: tables, actions: actions)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (bundle, d1) = BundleLoader.load(directory: dir)
        guard let bundle else { return (nil, d1.all, SourceMap()) }
        let (policy, d2) = PolicyChecker.check(bundle)
        return (d1.hasErrors ? nil : policy, d1.all + d2.all, bundle.sources)
    }
}
