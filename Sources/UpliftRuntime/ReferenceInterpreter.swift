import UpliftChecker
@_spi(Engine) import UpliftCompiler
import UpliftSyntax

/// The executable definition of what a policy means: a tree-walking evaluator over the checked
/// policy, written for clarity, not speed. It is not a product path; it is the oracle the VM is
/// tested against (and `uplift bench --engine reference` measures the VM's speed-up over it).
///
/// It fills the same result registers as the VM (`Program.Layout`), so decisions and
/// explanations are built by the same code whichever engine ran.
package struct ReferenceInterpreter: Sendable {
    package let policy: CheckedPolicy
    package let layout: Program.Layout
    package let registerCount: Int

    package init(policy: CheckedPolicy, program: Program) {
        self.policy = policy
        layout = program.layout
        registerCount = program.registerCount
    }

    struct Fault: Error { var fault: EvaluationFault }

    /// The state of one evaluation: computed parts, and the element each loop variable is at.
    struct Environment {
        let applicant: Applicant
        var values: [Int64]
        var bands: [Int]
        var segments: [Int]
        var amount: Int64 = 0
        var caps: [Int64]
        var uplift: Int64 = 0
        var binding: Int64 = 0
        var elementOf: [Int: Int] = [:]
        /// Per `collect` table: each row's match, and each output's combined value.
        var matched: [[Bool]] = []
        var collected: [[Int64]] = []
    }

    package func run(_ applicant: Applicant) throws(EvaluationError) -> [Int64] {
        var env = Environment(applicant: applicant, values: Array(repeating: 0, count: policy.values.count),
                              bands: Array(repeating: 0, count: policy.bands.count), segments: Array(repeating: 0, count: policy.segments.count),
                              caps: Array(repeating: Program.missing, count: policy.caps.count),
                              matched: policy.segments.map { _ in [] }, collected: policy.segments.map { _ in [] })
        var rules: [Bool] = []
        var part = (what: "the policy", span: Span.none)
        do throws(Fault) {
            for step in policy.order {
                part = policy.part(step)
                try perform(step, &env)
            }
            for (i, rule) in policy.rules.enumerated() {
                part = policy.rulePart(i)
                rules.append(try eval(rule.condition, &env) != 0)
            }
        } catch {
            throw EvaluationError(fault: error.fault.message, rule: part.what, location: policy.sources.describe(part.span))
        }
        var reg = [Int64](repeating: 0, count: registerCount)
        for (i, v) in applicant.facts.enumerated() where i < layout.factCount { reg[i] = v }
        for (i, slot) in layout.valueSlots.enumerated() where slot >= 0 { reg[slot] = env.values[i] }
        for (i, slot) in layout.bandSlots.enumerated() { reg[slot] = Int64(env.bands[i]) }
        for (i, slot) in layout.segmentSlots.enumerated() { reg[slot] = Int64(env.segments[i]) }
        for (t, flags) in layout.rowFlagSlots.enumerated() where env.matched.indices.contains(t) {
            for (k, slot) in flags.enumerated() where env.matched[t].indices.contains(k) { reg[slot] = env.matched[t][k] ? 1 : 0 }
        }
        for (t, outs) in layout.collectSlots.enumerated() where env.collected.indices.contains(t) {
            for (c, slot) in outs.enumerated() where env.collected[t].indices.contains(c) { reg[slot] = env.collected[t][c] }
        }
        for (i, slot) in layout.capSlots.enumerated() { reg[slot] = env.caps[i] }
        for (i, slot) in layout.ruleSlots.enumerated() { reg[slot] = rules[i] ? 1 : 0 }
        reg[layout.amountSlot] = env.amount
        reg[layout.upliftSlot] = env.uplift
        reg[layout.bindSlot] = env.binding
        return reg
    }

    func perform(_ step: EvaluationStep, _ env: inout Environment) throws(Fault) {
        switch step {
        case .value(let i):
            if let e = policy.values[i].expr { env.values[i] = try eval(e, &env) }
        case .band(let i):
            let b = policy.bands[i]
            let x = try eval(b.input, &env)
            let lowers = b.lower.map { $0 ?? Int64.min }
            if let first = lowers.first, x < first { throw Fault(fault: .belowFirstBand) }
            if x > (b.upper.last.flatMap { $0 } ?? Int64.max) { throw Fault(fault: .aboveLastBand) }
            env.bands[i] = lowers.lastIndex { $0 <= x } ?? 0
        case .segment(let i):
            try rowTable(i, &env)
        case .amount:
            if let a = policy.amount { env.amount = try eval(a, &env) }
        case .cap(let i):
            let cap = policy.caps[i]
            if let c = cap.condition, try eval(c, &env) == 0 {
                env.caps[i] = Program.missing
            } else {
                env.caps[i] = try eval(cap.bound, &env)
            }
        case .uplift:
            if policy.allowsDecrease {
                (env.uplift, env.binding) = try boundedDecrease(env)
                return
            }
            // The capped amount: the smallest of the amount and every applying cap (negative counts as 0).
            let raw = max(0, env.amount)
            var amount = raw
            var binding: Int64 = 0
            for (i, b) in env.caps.enumerated() where b != Program.missing {
                let bound = max(0, b)
                if bound < raw { binding |= 1 << Int64(i) }
                amount = min(amount, bound)
            }
            let step = policy.rounding?.step ?? 1
            let down = FixedMath.round(amount, step: step, mode: .down) ?? 0
            let mode = policy.rounding?.mode ?? .down
            var rounded = FixedMath.round(amount, step: step, mode: mode) ?? down
            if rounded > amount && binding != 0 { rounded = down }
            env.uplift = rounded
            env.binding = binding
        }
    }

    /// The uplift of a policy that allows decreases, as docs/language.md states it: caps bound
    /// an increase and floors a decrease (a negative cap counts as 0, a positive floor as 0);
    /// the limit never goes below 0; rounding in the declared mode never passes a binding
    /// bound nor 0 for the new limit (it then rounds toward zero). Bit 63 of the binding mask
    /// records that the current limit bounded the decrease.
    func boundedDecrease(_ env: Environment) throws(Fault) -> (Int64, Int64) {
        var amount = env.amount
        var binding: Int64 = 0, capBound = false, floorBound = false
        for (i, b) in env.caps.enumerated() where b != Program.missing {
            if policy.caps[i].isFloor {
                if min(0, b) > env.amount { binding |= 1 << Int64(i); floorBound = true }
                amount = max(amount, min(0, b))
            } else {
                if max(0, b) < env.amount { binding |= 1 << Int64(i); capBound = true }
                amount = min(amount, max(0, b))
            }
        }
        var lowest: Int64?
        if let f = policy.currentLimitField, env.applicant.facts.indices.contains(f) {
            let limit = max(0, env.applicant.facts[f])
            lowest = -limit
            if amount < -limit { amount = -limit; binding |= Int64.min; floorBound = true }
        }
        let step = policy.rounding?.step ?? 1
        let towardZero = try Self.checked(FixedMath.round(amount, step: step, mode: .towardZero))
        var rounded = FixedMath.round(amount, step: step, mode: policy.rounding?.mode ?? .down) ?? towardZero
        if rounded > amount && capBound { rounded = towardZero }
        if rounded < amount && (floorBound || rounded < (lowest ?? Int64.min)) { rounded = towardZero }
        return (rounded, binding)
    }

    static func checked(_ v: Int64?) throws(Fault) -> Int64 {
        guard let v else { throw Fault(fault: .overflow) }
        return v
    }

    func eval(_ x: TExpr, _ env: inout Environment) throws(Fault) -> Int64 {
        let missing = Program.missing
        switch x {
        case .constant(let v): return v
        case .fact(let f): return env.applicant.facts.indices.contains(f) ? env.applicant.facts[f] : missing
        case .value(let i): return env.values[i]
        case .element(let v, let field):
            let i = (env.elementOf[v] ?? -1) + field
            return env.applicant.elements.indices.contains(i) ? env.applicant.elements[i] : missing
        case .arithmetic, .negate, .toFixed:
            // Arithmetic is computed in 128 bits; only the whole expression's value must fit.
            return try Self.checked(WideMath.narrow(try wide(x, &env)))
        case .compare(let op, let a, let b):
            let l = try eval(a, &env), r = try eval(b, &env)
            let result: Bool = switch op {
            case .eq: l == r
            case .ne: l != r
            case .lt: l < r
            case .le: l <= r
            case .gt: l > r
            case .ge: l >= r
            }
            return result ? 1 : 0
        case .and(let a, let b): return try eval(a, &env) == 0 ? 0 : try eval(b, &env)
        case .or(let a, let b):
            let l = try eval(a, &env)
            return l != 0 ? l : try eval(b, &env)
        case .not(let a): return try eval(a, &env) == 0 ? 1 : 0
        case .isMissing(let a): return try eval(a, &env) == missing ? 1 : 0
        case .otherwise(let a, let b):
            let l = try eval(a, &env)
            return l == missing ? try eval(b, &env) : l
        case .conditional(let c, let a, let b): return try eval(c, &env) != 0 ? try eval(a, &env) : try eval(b, &env)
        case .catalogueHas(let t, let key): return entry(t, try eval(key, &env)) != nil ? 1 : 0
        case .catalogueLookup(let t, let column, let key):
            guard let e = entry(t, try eval(key, &env)) else { return missing }
            let cat = policy.catalogues[t]
            switch column {
            case .category: return Int64(e.category)
            case .categoryValue(let i): return cat.categoryValues[e.category][i]
            case .entryValue(let i): return e.values[i]
            }
        case .bandColumn(let t, let c): return policy.bands[t].values[env.bands[t]][c]
        case .segmentColumn(let t, let c) where policy.segments[t].isCollect:
            return env.collected.indices.contains(t) && env.collected[t].indices.contains(c) ? env.collected[t][c] : Program.missing
        case .segmentColumn(let t, let c): return policy.segments[t].values[env.segments[t]][c]
        case .segmentIndex(let t): return Int64(env.segments[t])
        case .uplift: return env.uplift
        case .builtin(let b, let args, _):
            var vs: [Int64] = []
            for a in args { vs.append(try eval(a, &env)) }
            switch b {
            case .min: return vs.min() ?? 0
            case .max: return vs.max() ?? 0
            case .roundDown: return try Self.checked(FixedMath.floor(vs[0], step: vs[1]))
            case .roundUp: return try Self.checked(FixedMath.ceil(vs[0], step: vs[1]))
            case .round:
                let mode = vs.count == 3 ? RoundingMode(code: Int32(truncatingIfNeeded: vs[2])) : .halfUp
                return try Self.checked(mode.flatMap { FixedMath.round(vs[0], step: vs[1], mode: $0) })
            case .abs:
                if vs[0] == missing { throw Fault(fault: .overflow) }
                return Swift.abs(vs[0])
            case .daysBetween: return try Self.checked(FixedMath.sub(vs[1], vs[0]))
            }
        case .aggregate(let agg): return try aggregate(agg, &env)
        }
    }

    /// The exact value of an arithmetic expression, each step in 128 bits (`WideOperation`).
    func wide(_ x: TExpr, _ env: inout Environment) throws(Fault) -> Int128 {
        let op: WideOperation, a: TExpr, b: TExpr?
        switch x {
        case .arithmetic(let o, let l, let r):
            op = switch o {
            case .add: .add
            case .sub: .sub
            case .mulInt: .mulInt
            case .mulFixed: .mulFixed
            case .divFixed: .divFixed
            }
            (a, b) = (l, r)
        case .negate(let l): (op, a, b) = (.negate, l, nil)
        case .toFixed(let l): (op, a, b) = (.toFixed, l, nil)
        default: return Int128(try eval(x, &env))
        }
        let l = try wide(a, &env)
        let r = try b.map { y throws(Fault) in try wide(y, &env) } ?? 0
        switch op.apply(l, r) {
        case .success(let v): return v
        case .failure(.divisionByZero): throw Fault(fault: .divisionByZero)
        case .failure(.overflow): throw Fault(fault: .overflow)
        }
    }

    /// The catalogue row a string id names, if any.
    func entry(_ t: Int, _ key: Int64) -> (category: Int, values: [Int64])? {
        guard key >= 0, key < Int64(policy.strings.count) else { return nil }
        let name = policy.strings[Int(key)]
        return policy.catalogues[t].entries.first { $0.key == name }.map { ($0.category, $0.values) }
    }

    /// Goes through the list's elements in order: the filters of named lists, then the `where`
    /// condition, then the element's contribution.
    func aggregate(_ agg: CheckedAggregate, _ env: inout Environment) throws(Fault) -> Int64 {
        let missing = Program.missing
        // An applicant decoded for another policy may be shorter: treat a missing list as empty.
        let descriptor = env.applicant.facts.indices.contains(agg.source.field) ? env.applicant.facts[agg.source.field] : 0
        let first = Int(descriptor >> 32), count = Int(descriptor & 0xFFFF_FFFF)
        let width = policy.schema.records[agg.source.record].fields.count
        var groups = [Int64](repeating: missing, count: agg.group?.domain ?? 0)
        var acc: Int64 = switch agg.kind {
        case .all: 1
        case .max, .min: missing
        default: 0
        }
        elements: for n in 0..<count {
            let offset = first + n * width
            env.elementOf[agg.variable] = offset
            for f in agg.source.filters {
                env.elementOf[f.variable] = offset
                if try eval(f.condition, &env) == 0 { continue elements }
            }
            if let c = agg.condition, try eval(c, &env) == 0 { continue }
            if let g = agg.group {
                let key = try eval(g.key, &env)
                let value = g.inner == .count ? 1 : try agg.body.map { b throws(Fault) in try eval(b, &env) } ?? 1
                guard key >= 0, key < Int64(g.domain) else { continue }
                let old = groups[Int(key)]
                switch g.inner {
                case .max: groups[Int(key)] = old == missing ? value : max(old, value)
                case .min: groups[Int(key)] = old == missing ? value : min(old, value)
                default: groups[Int(key)] = old == missing ? value : try Self.checked(FixedMath.add(old, value))
                }
                continue
            }
            switch agg.kind {
            case .any:
                if try agg.body.map({ b throws(Fault) in try eval(b, &env) }) ?? 1 != 0 { return 1 }
            case .all:
                if try agg.body.map({ b throws(Fault) in try eval(b, &env) }) ?? 1 == 0 { return 0 }
            case .count:
                if try agg.body.map({ b throws(Fault) in try eval(b, &env) }) ?? 1 != 0 { acc = try Self.checked(FixedMath.add(acc, 1)) }
            case .sum:
                acc = try Self.checked(FixedMath.add(acc, try agg.body.map { b throws(Fault) in try eval(b, &env) } ?? 0))
            case .max, .min:
                let v = try agg.body.map { b throws(Fault) in try eval(b, &env) } ?? 0
                acc = acc == missing ? v : v == missing ? acc : agg.kind == .max ? max(acc, v) : min(acc, v)
            }
        }
        guard agg.group != nil else { return acc }
        var total: Int64 = agg.kind == .sum || agg.kind == .count ? 0 : missing
        for v in groups where v != missing {
            switch agg.kind {
            case .max: total = total == missing ? v : max(total, v)
            case .min: total = total == missing ? v : min(total, v)
            case .count: total += 1
            default: total = try Self.checked(FixedMath.add(total, v))
            }
        }
        return total
    }
}

extension ReferenceInterpreter {
    /// Evaluates one filter part for one element, against the results of a finished evaluation;
    /// used to explain which part of a filter left an element out.
    func passes(_ test: TExpr, variables: [Int], element offset: Int, registers reg: [Int64], applicant: Applicant) -> Bool {
        var env = Environment(applicant: applicant, values: layout.valueSlots.map { $0 >= 0 ? reg[$0] : 0 },
                              bands: layout.bandSlots.map { Int(reg[$0]) }, segments: layout.segmentSlots.map { Int(reg[$0]) },
                              amount: reg[layout.amountSlot], caps: layout.capSlots.map { reg[$0] }, uplift: reg[layout.upliftSlot],
                              binding: reg[layout.bindSlot], collected: layout.collectSlots.map { $0.map { reg[$0] } })
        for v in variables { env.elementOf[v] = offset }
        do { return try eval(test, &env) != 0 } catch { return false }
    }
}
