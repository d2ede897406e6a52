import Foundation
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Generates random, well-typed policy bundles over a fixed schema: named values with
/// aggregations, optional facts, dates, decimals, gates, referrals, bands, segments and caps;
/// policies that allow decreases, with floors; every rounding mode; arithmetic chains whose
/// intermediates overflow 64 bits; nested records (a required record holding an optional one,
/// and list elements holding an optional record), read by path, with presence tests.
struct RandomPolicies {
    static let schema = """
    record History {
      on_time: decimal between 0 and 100
      late: integer optional
    }
    record Account {
      score: integer between 300 and 850
      history: History optional
    }
    record Issuer {
      country: enum(cn, us, uk)
    }
    record Item {
      kind: enum(a, b, c)
      label: string
      amount: money
      weight: decimal between 0 and 2
      due: date optional
      issuer: Issuer optional
    }
    facts Applicant {
      as_of: date
      n: integer between -50 and 50
      k: integer
      m: money
      limit: money
      current_limit: money between 0 and 20000
      ratio: decimal
      maybe: integer optional
      cash: money optional
      flag: bool
      word: string
      items: list of Item
      account: Account
    }
    """

    var rng: SplitMix64
    var values: [(name: String, type: String)] = []
    /// Names of loop variables in scope.
    var element: String?
    /// Named filtered lists declared so far (`let picked = [p for p in items where …]`).
    var lists: [String] = []
    /// What the bundle exercises, for the test's counts.
    var allowsDecrease = false
    var floors = 0
    var modes: Set<String> = []

    mutating func mode() -> String {
        let m = pick(RoundingMode.allCases).rawValue
        modes.insert(m)
        return m
    }

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.int(0...Int64(xs.count - 1)))] }
    mutating func chance(_ p: Int) -> Bool { rng.chance(p) }

    mutating func ref(_ type: String) -> String? {
        let vs = values.filter { $0.type == type }
        return vs.isEmpty || !chance(40) ? nil : pick(vs).name
    }

    mutating func integer(_ d: Int) -> String {
        if d <= 0 {
            if chance(15) { return pick(["account.score", "(account.history.late otherwise 0)"]) }
            return pick(["n", "k", String(rng.int(0...20)), "(maybe otherwise 3)", "count(items)"])
        }
        if let r = ref("integer") { return r }
        switch rng.int(0...10) {
        case 0: return "(\(integer(d - 1)) + \(integer(d - 1)))"
        case 1: return "(\(integer(d - 1)) - \(integer(d - 1)))"
        case 2: return "(\(integer(d - 1)) * \(integer(d - 1)))"
        case 3: return "max(\(integer(d - 1)), \(integer(d - 1)))"
        case 4: return "(if \(bool(d - 1)) then \(integer(d - 1)) else \(integer(d - 1)))"
        case 5: return aggregate("count", nil, d)
        case 6: return "days_between(as_of, 2025-01-01)"
        case 7: return "abs(\(integer(d - 1)))"
        case 8: return "count(count() for i2 in items group by i2.kind)"
        case 9: return "(maybe otherwise \(integer(d - 1)))"
        default: return integer(0)
        }
    }

    mutating func money(_ d: Int) -> String {
        if let e = element, chance(30) { return "\(e).amount" }
        // Leaves are money-typed: a bare literal would be an integer or a decimal.
        if d <= 0 { return pick(["m", "limit", "(m + 100.50)", "(limit - 2500)", "(m * 0)", "(cash otherwise 0)", "(m + 9000000000000)"]) }
        if let r = ref("money") { return r }
        switch rng.int(0...14) {
        case 12: return "round(\(money(d - 1)), \(pick(["1", "10", "0.5"])), \(mode()))"
        // Chains: the product may overflow 64 bits on the way while the result fits.
        case 13: return "(\(money(d - 1)) * \(integer(d - 1)) / \(pick(["3", "100", "0.7"])))"
        case 14: return "(\(money(d - 1)) * (\(decimal(d - 1)) / 4))"
        case 0: return "(\(money(d - 1)) + \(money(d - 1)))"
        case 1: return "(\(money(d - 1)) - \(money(d - 1)))"
        case 2: return "(\(money(d - 1)) * \(decimal(d - 1)))"
        case 3: return "(\(money(d - 1)) * \(integer(d - 1)))"
        case 4: return "round_down(\(money(d - 1)), \(pick(["1", "10", "100"])))"
        case 5: return "min(\(money(d - 1)), \(money(d - 1)))"
        case 6: return aggregate("sum", "money", d)
        case 7: return "(\(aggregate("max", "money", d)) otherwise 0)"
        case 8: return "(\(money(d - 1)) / \(pick(["3", "7", "0.5"])))"
        case 9: return "sum(max(i3.amount) for i3 in items group by i3.kind)"
        case 10: return "(if cash is present then cash else \(money(d - 1)))"
        default: return money(0)
        }
    }

    mutating func decimal(_ d: Int) -> String {
        if let e = element, chance(30) { return "\(e).weight" }
        if d <= 0 {
            if chance(15) { return "(account.history.on_time otherwise 50)" }
            return pick(["ratio", "0.35", "1.5", "0.000001"])
        }
        if let r = ref("decimal") { return r }
        switch rng.int(0...5) {
        case 0: return "(\(decimal(d - 1)) * \(decimal(d - 1)))"
        case 1: return "(\(decimal(d - 1)) + \(decimal(d - 1)))"
        case 2: return "(\(decimal(d - 1)) / (ratio + \(decimal(d - 1))))"
        case 3: return "(\(aggregate("min", "decimal", d)) otherwise 0.5)"
        case 4: return chance(50) ? "round(\(decimal(d - 1)), 0.1)" : "round(\(decimal(d - 1)), 0.1, \(mode()))"
        default: return decimal(0)
        }
    }

    mutating func bool(_ d: Int) -> String {
        if let e = element, chance(35) {
            return pick(["\(e).kind == a", "\(e).kind in [b, c]", "(\(e).due is present and \(e).due >= as_of)", "\(e).label == \"x\"",
                         "\(e).amount > 20", "\(e).weight between 0.5 and 1.5",
                         "(\(e).issuer is present and \(e).issuer.country == us)", "\(e).issuer is missing"])
        }
        if d <= 0 {
            if chance(15) {
                return pick(["account.history is present", "(account.history is present and account.history.on_time >= 95)",
                                    "account.score >= 700", "(if account.history is missing then flag else account.history.late is missing)"])
            }
            return pick(["flag", "not flag", "maybe is present", "word == \"hello\"", "n > 0", "true"])
        }
        if let r = ref("bool") { return r }
        switch rng.int(0...10) {
        case 0: return "(\(bool(d - 1)) and \(bool(d - 1)))"
        case 1: return "(\(bool(d - 1)) or \(bool(d - 1)))"
        case 2: return "not \(bool(d - 1))"
        case 3: return "\(integer(d - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(integer(d - 1))"
        case 4: return "\(money(d - 1)) \(pick(["<", ">=", "=="])) \(money(d - 1))"
        case 5: return "\(decimal(d - 1)) > \(decimal(d - 1))"
        case 6: return aggregate(pick(["any", "all"]), "bool", d)
        case 7: return "(maybe is present and maybe \(pick(["<", ">"])) \(integer(d - 1)))"
        case 8: return "n between \(rng.int(-5...0)) and \(rng.int(0...5))"
        case 9: return "as_of \(pick(["<", ">="])) 2025-03-01"
        default: return "n in [1, 2, 3]"
        }
    }

    /// `kind(body for i in items where cond)`, with the element in scope for body and cond.
    mutating func aggregate(_ kind: String, _ type: String?, _ d: Int) -> String {
        guard element == nil else { return type == "bool" ? bool(0) : type == "money" ? money(0) : type == "decimal" ? decimal(0) : integer(0) }
        element = "i"
        defer { element = nil }
        let cond = chance(60) ? " where \(bool(d - 1))" : ""
        // Bodies read the element, so a literal never turns a money sum into a decimal one.
        let body: String = switch type {
        case "money": chance(50) ? "i.amount" : "(i.amount + \(money(d - 1)))"
        case "decimal": chance(50) ? "i.weight" : "(i.weight * \(decimal(d - 1)))"
        case "bool": bool(d - 1)
        default: bool(d - 1)
        }
        // Named lists are read by several aggregates, so their filters are memoised by the VM.
        let source = !lists.isEmpty && chance(45) ? pick(lists) : chance(30) ? "[j for j in items where j.kind != c]" : "items"
        return "\(kind)(\(body) for i in \(source)\(cond))"
    }

    /// A bundle's files: manifest, schema, one rule file and band and segment tables.
    mutating func bundle() -> [String: String] {
        var lines: [String] = []
        if chance(70) {
            element = "p"
            lines.append("let picked = [p for p in items where \(bool(2))]")
            if chance(40) {
                element = "q"
                lines.append("let picked2 = [q for q in picked where \(bool(1))]")
                lists.append("picked2")
            }
            element = nil
            lists.append("picked")
        }
        let count = Int(rng.int(2...6))
        for v in 0..<count {
            let type = pick(["integer", "money", "decimal", "bool"])
            let depth = Int(rng.int(1...3))
            let expr: String = switch type {
            case "integer": integer(depth)
            case "money": money(depth)
            case "decimal": decimal(depth)
            default: bool(depth)
            }
            values.append(("v\(v)", type))
            lines.append("let v\(v) = \(expr)")
        }
        let table = decisionTable()
        lines.append("let vdt = \(table.read)")
        values.append(("vdt", table.type))
        lines.append("report " + values.map(\.name).joined(separator: ", "))
        var reasons: [String] = []
        for g in 0..<Int(rng.int(1...3)) { reasons.append("G\(g)"); lines.append("decline G\(g) when \(bool(2))") }
        for r in 0..<Int(rng.int(0...2)) { reasons.append("R\(r)"); lines.append("refer R\(r) when \(chance(50) ? "uplift > \(money(1))" : bool(2))") }
        if chance(50) { reasons.append("H0"); lines.append("no_change H0 when \(bool(2))") }
        allowsDecrease = chance(40)
        if allowsDecrease {
            // Amounts of either sign: percent changes of the limit (n is −50…50), down to −200 %.
            lines.append("allow decrease")
            lines.append("amount = \(pick(["current_limit * n / 100", "current_limit * n / 25", "band.base * segment.multiplier - current_limit", money(2), "(0 - m) * ratio"]))")
            for f in 0..<Int(rng.int(0...2)) {
                reasons.append("F\(f)")
                floors += 1
                lines.append("floor F\(f) = \(pick(["-0.2 * current_limit", "-500", "\(money(1)) - current_limit", "0 - segment.maximum"]))\(chance(40) ? " when \(bool(1))" : "")")
            }
        } else {
            lines.append("amount = \(pick(["band.base * segment.multiplier", money(2), "band.base"]))")
        }
        for c in 0..<Int(rng.int(0...3)) {
            reasons.append("C\(c)")
            lines.append("cap C\(c) = \(pick(["segment.maximum", money(2), "limit - m"]))\(chance(40) ? " when \(bool(1))" : "")")
        }
        if chance(80) { lines.append("round \(mode()) to \(pick(["1", "10", "100", "0.01", "3"]))") }
        lines.shuffle(using: &rng)  // declaration order never matters
        let rules = reasons.map { "reason \($0) \"\($0.lowercased()) message\"" }.joined(separator: "\n") + "\n" + lines.joined(separator: "\n") + "\n"
        let cut1 = rng.int(-3...3), cut2 = cut1 + rng.int(1...10)
        let bands = """
        kind: bands
        name: band
        input: \(pick(["n", "n + k", "count(items)", "maybe otherwise 0"]))
        columns: { base: money }
        bands:
          - { to: \(cut1), base: \(rng.int(0...100)) }
          - { from: \(cut1 + 1), to: \(cut2), base: \(rng.int(0...3000)).5 }
          - { from: \(cut2 + 1), base: 3000 }
        """
        let segments = """
        kind: segments
        name: segment
        columns: { multiplier: decimal, maximum: money }
        segments:
          - { name: s1, when: "\(pick(["flag", "n > 3", "word == \\\"hello\\\"", "any(x.kind == b for x in items)"]))", multiplier: 1.2, maximum: \(rng.int(0...5000)) }
          - { name: s2, when: "\(pick(["maybe is present", "m > 1000", "ratio < 0.5"]))", multiplier: 0.75, maximum: 2000.25 }
          - { name: other, when: true, multiplier: 0.8, maximum: 2500 }
        """
        return ["bundle.yaml": "name: random\nversion: \"1\"\nschema: schema.uplift\nrules: [policy.uplift]\ntables: [bands.yaml, segments.yaml, dt.yaml]\n",
                "schema.uplift": Self.schema, "policy.uplift": rules, "bands.yaml": bands, "segments.yaml": segments, "dt.yaml": table.yaml]
    }
}


