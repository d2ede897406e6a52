import UpliftChecker
import UpliftSyntax

/// SplitMix64: a tiny, fast, deterministic generator. Used only to make test and benchmark
/// populations; evaluation itself never reads a random source.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in `range` (inclusive).
    public mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        return span == 0 ? Int64(bitPattern: next()) : range.lowerBound &+ Int64(bitPattern: next() % span)
    }
    public mutating func chance(_ percent: Int) -> Bool { int(0...99) < Int64(percent) }
    public mutating func pick<T>(_ xs: [T]) -> T? { xs.isEmpty ? nil : xs[Int(int(0...Int64(xs.count - 1)))] }
}

/// Applicants that fit a policy's schema, deterministic for a seed: every enum case, strings the
/// policy mentions and some it does not, missing optional values, empty and longer lists, and
/// numbers near the small thresholds policies use. For tests and benchmarks.
public struct SyntheticApplicants: Sendable {
    let policy: CheckedPolicy
    public init(policy: CheckedPolicy) { self.policy = policy }

    public func applicant(_ rng: inout SplitMix64) -> JSONValue {
        record(policy.schema.facts, &rng)
    }

    public func population(count: Int, seed: UInt64) -> [JSONValue] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in applicant(&rng) }
    }

    func record(_ r: RecordInfo, _ rng: inout SplitMix64) -> JSONValue {
        .object(r.fields.map { f in
            if f.optional && rng.chance(25) { return (f.name, .null) }
            return (f.name, value(f, &rng))
        })
    }

    func value(_ f: FieldInfo, _ rng: inout SplitMix64) -> JSONValue {
        switch f.type {
        case .bool: return .bool(rng.chance(f.name.contains("flag") || f.name.contains("suspect") ? 5 : 75))
        case .integer:
            let r = f.range ?? 0...Int64(rng.pick([6, 12, 40, 72]) ?? 72)
            return .number(String(rng.int(r)))
        case .decimal:
            let r = f.range ?? 0...2 * FixedDecimal.scale
            // Two decimal places, as recogniser confidences and factors are written.
            let v = rng.int(r) / 10_000 * 10_000
            return .number(FixedDecimal(raw: v).formatted())
        case .money:
            let cents = rng.chance(10) ? rng.int(0...5_000_000_00) : rng.int(0...60_000_00)
            return .number(FixedDecimal(raw: cents * 10_000).formatted())
        case .string:
            let known = policy.strings
            if let s = rng.pick(known), rng.chance(85) { return .string(s) }
            return .string("unknown_\(rng.int(0...9))")
        case .date:
            return .string(CivilDate.format(CivilDate.parse("2024-06-01").map { $0 + rng.int(0...730) } ?? 0))
        case .enumeration(let e):
            return .string(rng.pick(policy.schema.enums[e].cases) ?? "")
        case .list(let r):
            let n = Int(rng.int(0...Int64(rng.chance(10) ? 8 : 3)))
            return .array((0..<n).map { _ in record(policy.schema.records[r], &rng) })
        default:
            return .null
        }
    }
}
