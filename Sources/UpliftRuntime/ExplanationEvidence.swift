import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// The reference interpreter as explanations use it, behind one reference: the interpreter
/// holds the whole checked policy, and copying it (dozens of retains) per explanation cost more
/// than the evaluation it does.
final class ExplanationInterpreter: Sendable {
    let reference: ReferenceInterpreter
    init(_ reference: ReferenceInterpreter) { self.reference = reference }

    func environment(registers: [Int64], applicant: Applicant) -> ReferenceInterpreter.Environment {
        reference.environment(registers: registers, applicant: applicant)
    }

    func value(_ x: TExpr, _ env: inout ReferenceInterpreter.Environment) -> Int64? { reference.value(x, &env) }

    func contributions(_ agg: CheckedAggregate, _ env: inout ReferenceInterpreter.Environment, kept: [Int]?) -> [(group: Int, value: Int64, element: Int?)] {
        reference.contributions(agg, &env, kept: kept)
    }
}

extension ReferenceInterpreter {
    /// The state of a finished evaluation (its registers), for explanations that evaluate a
    /// part of an expression again to show its value.
    func environment(registers reg: [Int64], applicant: Applicant) -> Environment {
        func r(_ slot: Int) -> Int64 { reg.indices.contains(slot) ? reg[slot] : Program.missing }
        return Environment(applicant: applicant, values: layout.valueSlots.map { $0 >= 0 ? r($0) : 0 },
                           bands: layout.bandSlots.map { Int(truncatingIfNeeded: r($0)) },
                           segments: layout.segmentSlots.map { Int(truncatingIfNeeded: r($0)) },
                           amount: r(layout.amountSlot), caps: layout.capSlots.map { r($0) }, uplift: r(layout.upliftSlot),
                           binding: r(layout.bindSlot), collected: layout.collectSlots.map { $0.map(r) })
    }

    /// `x`'s value in `env`, or nil when evaluating it faults (it then decided nothing).
    func value(_ x: TExpr, _ env: inout Environment) -> Int64? {
        do { return try eval(x, &env) } catch { return nil }
    }

    /// For a grouped aggregate (`sum(max(points) for c in accepted group by category)`): each
    /// group's value, in group order, and the element that gave it (for `max`/`min`; nil for
    /// sums and counts, which many elements make).
    /// `kept`, when given, are the offsets of the elements that pass the list's filters (as the
    /// decision's own engine found them); the filters are then not evaluated again.
    func contributions(_ agg: CheckedAggregate, _ env: inout Environment, kept: [Int]? = nil) -> [(group: Int, value: Int64, element: Int?)] {
        guard let g = agg.group, g.domain > 0 else { return [] }
        let missing = Program.missing
        let descriptor = env.applicant.facts.indices.contains(agg.source.field) ? env.applicant.facts[agg.source.field] : 0
        let first = Int(truncatingIfNeeded: descriptor >> 32), count = Int(truncatingIfNeeded: descriptor & 0xFFFF_FFFF)
        let width = policy.schema.records.indices.contains(agg.source.record) ? policy.schema.records[agg.source.record].fields.count : 0
        var best = [(value: Int64, element: Int?)](repeating: (missing, nil), count: g.domain)
        let offsets = kept ?? (0..<max(0, count)).map { first &+ $0 &* width }
        elements: for offset in offsets {
            env.elementOf[agg.variable] = offset
            for f in agg.source.filters {
                env.elementOf[f.variable] = offset
                if kept == nil, (value(f.condition, &env) ?? 0) == 0 { continue elements }
            }
            if let c = agg.condition, (value(c, &env) ?? 0) == 0 { continue }
            guard let key = value(g.key, &env), key >= 0, key < Int64(g.domain) else { continue }
            let v = g.inner == .count ? 1 : (agg.body.flatMap { value($0, &env) } ?? 1)
            let k = Int(key), old = best[k].value
            switch g.inner {
            case .max: if old == missing || v > old { best[k] = (v, offset) }
            case .min: if old == missing || v < old { best[k] = (v, offset) }
            default: best[k] = (old == missing ? v : (FixedMath.add(old, v) ?? old), nil)
            }
        }
        return best.enumerated().compactMap { $0.element.value == missing ? nil : ($0.offset, $0.element.value, $0.element.element) }
    }
}

/// Writes the values that decided a condition: `confidence 0.80 < min_confidence 0.85
/// (language)` for a filter part that failed, `count(accepted) = 1` for a rule's operand.
/// It evaluates the parts again with the reference interpreter over the decision's final
/// registers, so explanations of the VM and of the reference interpreter are the same text.
struct EvidenceWriter {
    /// The policy's template: its describer and interpreter, shared (never copied: the
    /// interpreter holds the whole checked policy).
    let template: ExplanationTemplate
    let formatter: ValueFormatter
    var env: ReferenceInterpreter.Environment
    var describer: ExpressionDescriber { template.describer }

    mutating func raw(_ x: TExpr) -> Int64 { template.interpreter.value(x, &env) ?? Program.missing }

    /// A value as it reads next to its name; decimals of a comparison get the same number of
    /// places (`0.80 < 0.85`).
    func text(_ raw: Int64, _ type: ValueType, places: Int = 0) -> String {
        if raw != Program.missing, type.unwrapped == .decimal { return FixedDecimal(raw: raw).formatted(minFractionDigits: places) }
        if case .segment(let t) = type.unwrapped {
            let names = describer.policy.segments.indices.contains(t) ? describer.policy.segments[t].names : []
            return names.indices.contains(Int(truncatingIfNeeded: raw)) ? names[Int(truncatingIfNeeded: raw)] : "?"
        }
        return formatter.text(raw, type)
    }

    static func places(_ raw: Int64) -> Int {
        var frac = raw.magnitude % UInt64(FixedDecimal.scale), digits = FixedDecimal.fractionDigits
        while digits > 0 && frac % 10 == 0 { frac /= 10; digits -= 1 }
        return digits
    }

    /// `(language)` after a category column read by key, `(cpa)` after an entry column.
    mutating func annotation(_ x: TExpr) -> String {
        guard case .catalogueLookup(let t, let column, let key) = x else { return "" }
        let k = raw(key)
        switch column {
        case .categoryValue:
            let cat = raw(.catalogueLookup(table: t, column: .category, key: key))
            return cat == Program.missing ? " (\(text(k, describer.type(key))) not in \(describer.catalogueName(t)))"
                : " (\(text(cat, describer.type(.catalogueLookup(table: t, column: .category, key: key)))))"
        case .entryValue, .category: return " (\(text(k, describer.type(key)).replacingOccurrences(of: "\"", with: "")))"
        }
    }

    /// Both sides of a comparison with their values, the operator as it came out.
    mutating func comparison(_ op: ComparisonOp, _ a: TExpr, _ b: TExpr, holds: Bool) -> String {
        let ta = describer.type(a, hint: describer.type(b)), tb = describer.type(b, hint: describer.type(a))
        let ra = raw(a), rb = raw(b)
        // Decimals on both sides read alike, to at least two places: `0.80 < 0.85`.
        let places = ta.unwrapped == .decimal && tb.unwrapped == .decimal ? max(2, Self.places(ra), Self.places(rb)) : 0
        func side(_ x: TExpr, _ r: Int64, _ t: ValueType, _ note: String) -> String {
            if case .constant = x { return text(r, t, places: places) }
            if case .toFixed(.constant) = x { return text(r, t, places: places) }
            return "\(describer.label(x, hint: t)) \(text(r, t, places: places))\(note)"
        }
        let na = annotation(a), nb = annotation(b)
        let shown = holds ? op : op.negated
        return "\(side(a, ra, ta, na)) \(shown.rawValue) \(side(b, rb, tb, nb))"
    }

    static func isMissingTest(_ x: TExpr) -> Bool { if case .isMissing = x { true } else { false } }

    /// Why `x` came out false, in the values that made it so.
    mutating func whyFalse(_ x: TExpr) -> String {
        switch x {
        case .compare(let op, let a, let b): return comparison(op, a, b, holds: false)
        case .and(let a, let b): return raw(a) == 0 ? whyFalse(a) : whyFalse(b)
        case .or(let a, let b):
            // `x is missing or x >= y` failed: the comparison shows x, so "x is present" adds nothing.
            if case .isMissing = a, !Self.isMissingTest(b) { return whyFalse(b) }
            return "\(whyFalse(a)) and \(whyFalse(b))"
        case .not(let a): return whyTrue(a)
        case .isMissing(let a): return "\(describer.label(a)) = \(text(raw(a), describer.type(a)))"
        case .catalogueHas(let t, let k): return "\(describer.label(k)) \(text(raw(k), describer.type(k))) is not in \(describer.catalogueName(t))"
        default: return "\(describer.label(x)) = \(text(raw(x), describer.type(x)))"
        }
    }

    /// Why `x` came out true, in the values that made it so.
    mutating func whyTrue(_ x: TExpr) -> String {
        switch x {
        case .compare(let op, let a, let b): return comparison(op, a, b, holds: true)
        case .and(let a, let b): return "\(whyTrue(a)) and \(whyTrue(b))"
        case .or(let a, let b): return raw(a) != 0 ? whyTrue(a) : whyTrue(b)
        case .not(let a): return whyFalse(a)
        case .isMissing(let a): return "\(describer.label(a)) is missing"
        case .catalogueHas(let t, let k): return "\(describer.label(k)) \(text(raw(k), describer.type(k))) is in \(describer.catalogueName(t))"
        default: return "\(describer.label(x)) = \(text(raw(x), describer.type(x)))"
        }
    }
}

extension ExplanationTemplate {
    /// The operands of a condition's comparisons that are not plain reads or literals
    /// (`count(accepted)` in `count(accepted) == 0`), in order, each once: an explanation shows
    /// their values next to the names the condition reads.
    static func derivedOperands(_ x: TExpr, _ describer: ExpressionDescriber) -> [Derived] {
        var out: [Derived] = [], seen = Set<String>()
        func visit(_ x: TExpr) {
            switch x {
            case .and(let a, let b), .or(let a, let b): visit(a); visit(b)
            case .not(let a): visit(a)
            case .compare(_, let a, let b):
                for (side, other) in [(a, b), (b, a)] where !ExpressionDescriber.isPlain(side) {
                    let type = describer.type(side, hint: describer.type(other))
                    let name = describer.label(side, hint: type)
                    if seen.insert(name).inserted {
                        out.append(Derived(name: name, expr: side, type: type))
                    }
                }
            default: break
            }
        }
        visit(x)
        return out
    }
}
