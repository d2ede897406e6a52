import UpliftChecker
import UpliftSyntax

/// SplitMix64: a tiny, fast, deterministic generator. Used only to make test and benchmark
/// populations; evaluation itself never reads a random source.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in `range` (inclusive).
    package mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        return span == 0 ? Int64(bitPattern: next()) : range.lowerBound &+ Int64(bitPattern: next() % span)
    }
    package mutating func chance(_ percent: Int) -> Bool { int(0...99) < Int64(percent) }
    package mutating func pick<T>(_ xs: [T]) -> T? { xs.isEmpty ? nil : xs[Int(int(0...Int64(xs.count - 1)))] }
}

/// Applicants that fit a policy's schema, deterministic for a seed: every enum case, strings the
/// policy mentions and some it does not, missing optional values, empty and longer lists, and
/// numbers near the small thresholds policies use. For tests and benchmarks.
///
/// Nested records are written as nested objects; an optional record is left out as an optional
/// field is (its `sample absent N percent`, else 25%), and its fields follow their own hints.
package struct SyntheticApplicants: Sendable {
    let policy: CheckedPolicy
    /// The applicant's JSON shape, and each record type's as a list element.
    let facts: RecordShape
    let elements: [RecordShape]

    /// A generator for `policy`'s schema.
    package init(policy: CheckedPolicy) {
        self.policy = policy
        facts = RecordShape(policy.schema.facts.fields, list: nil)
        elements = policy.schema.records.map { RecordShape($0.fields, list: nil) }
    }

    /// One applicant; with `index`, the schema's key field gets a unique identifier from it.
    package func applicant(_ rng: inout SplitMix64, index: Int? = nil) -> JSONValue {
        object(0, of: facts, &rng, index: index)
    }

    package func population(count: Int, seed: UInt64) -> [JSONValue] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { applicant(&rng, index: $0) }
    }

    /// Object `o` of `shape` (0: the applicant or the element itself; else a nested record).
    func object(_ o: Int, of shape: RecordShape, _ rng: inout SplitMix64, index: Int? = nil) -> JSONValue {
        .object(shape.objects[o].members.map { i in
            let f = shape.fields[i], key = shape.keys[i]
            if f.declaredOptional && rng.chance(f.hint?.absentPercent ?? 25) { return (key, .null) }
            if f.key, let index {
                return (key, f.type == .integer ? .number(String(index + 1)) : .string("A" + String(index + 1)))
            }
            if f.record != nil { return (key, object(shape.objectOf[i], of: shape, &rng)) }
            return (key, value(f, &rng))
        })
    }

    func value(_ f: FieldInfo, _ rng: inout SplitMix64) -> JSONValue {
        if let h = f.hint, let v = hinted(f, h, &rng) { return v }
        switch f.type {
        case .bool: return .bool(rng.chance(f.leafName.contains("flag") || f.leafName.contains("suspect") ? 5 : 75))
        case .integer:
            let r = f.range ?? 0...Int64(rng.pick([6, 12, 40, 72]) ?? 72)
            return .number(String(rng.int(r)))
        case .decimal:
            let r = f.range ?? 0...2 * FixedDecimal.scale
            // Two decimal places, as recogniser confidences and factors are written.
            let v = min(r.upperBound, max(r.lowerBound, rng.int(r) / 10_000 * 10_000))
            return .number(FixedDecimal(raw: v).formatted())
        case .money:
            let cents = rng.chance(10) ? rng.int(0...5_000_000_00) : rng.int(0...60_000_00)
            var v = cents * 10_000
            // A declared range wins over the usual amounts: synthetic records are valid records.
            if let r = f.range, !r.contains(v) { v = min(r.upperBound, max(r.lowerBound, rng.int(r) / 10_000 * 10_000)) }
            return .number(FixedDecimal(raw: v).formatted())
        case .string:
            let known = policy.strings
            if let s = rng.pick(known), rng.chance(85) { return .string(s) }
            return .string("unknown_\(rng.int(0...9))")
        case .date:
            return .string(CivilDate.format(CivilDate.parse("2024-06-01").map { $0 + rng.int(0...730) } ?? 0))
        case .enumeration(let e):
            return .string(rng.pick(policy.schema.enums[e].cases) ?? "")
        case .list(let r):
            let n = Int(rng.int(f.hint?.length.map { Int64($0.lowerBound)...Int64($0.upperBound) } ?? 0...Int64(rng.chance(10) ? 8 : 3)))
            guard elements.indices.contains(r) else { return .array([]) }
            return .array((0..<n).map { _ in object(0, of: elements[r], &rng) })
        default:
            return .null
        }
    }

    /// A value following the field's `sample` clause: listed values (by weight; 30% of the time
    /// when there is also a range) or uniform in the range. nil when the hint says nothing
    /// about values.
    func hinted(_ f: FieldInfo, _ h: GenerationHint, _ rng: inout SplitMix64) -> JSONValue? {
        if !h.values.isEmpty && (h.range == nil || rng.chance(30)) {
            let total = h.values.reduce(0) { $0 + $1.weight }
            guard total > 0 else { return nil }
            var pick = Int(rng.int(0...Int64(total - 1)))
            for v in h.values {
                if pick < v.weight { return v.text.map(JSONValue.string) ?? render(v.raw, f) }
                pick -= v.weight
            }
            return nil
        }
        guard let r = h.range else { return nil }
        var raw = rng.int(r)
        // Decimals with two places and money in whole cents, as real records carry them.
        if f.type == .decimal || f.type == .money {
            raw = min(r.upperBound, max(r.lowerBound, raw / 10_000 * 10_000))
        }
        return render(raw, f)
    }

    func render(_ raw: Int64, _ f: FieldInfo) -> JSONValue? {
        switch f.type {
        case .bool: return .bool(raw != 0)
        case .integer: return .number(String(raw))
        case .decimal, .money: return .number(FixedDecimal(raw: raw).formatted())
        case .date: return .string(CivilDate.format(raw))
        case .enumeration(let e):
            let cases = policy.schema.enums[e].cases
            return cases.indices.contains(Int(raw)) ? .string(cases[Int(raw)]) : nil
        default: return nil
        }
    }
}
