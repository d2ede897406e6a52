import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax
/// What a policy declares, by the indexes its decisions use: for consumers that tally or write
/// decisions in bulk (simulations, diffs, reports) without reading the checker's internals.
extension Policy {
    /// Every reason code of the policy, by the index `Decision.forEachReason` passes.
    public var reasonCodes: [ReasonCode] { evaluator.reasonCodes }

    /// The reported values (`report …`), in the order of `Decision.reported`, with what each
    /// holds (a bulk writer in the package also reads them raw, `Decision.forEachReportedRaw`).
    public var reportedValues: [ReportedValueInfo] {
        checked.values.filter(\.reported).map { v in
            let kind: ReportedValueInfo.Kind = switch v.type.unwrapped {
            case .integer: .integer
            case .decimal, .money: .amount
            case .bool: .bool
            default: .other
            }
            return ReportedValueInfo(name: v.name, kind: kind)
        }
    }

    /// The applicant's key (the schema's `key` field) as text, or nil when the schema has none
    /// or the record left it out: the one personal field simulations show.
    public func key(of applicant: Applicant) -> String? { evaluator.key(of: applicant) }

    /// Whether the key is a string (quoted in JSON) rather than an integer.
    package var keyIsString: Bool { evaluator.keyIsString }

    /// The schema's personal (`pii`) fields other than the key, by path without list positions
    /// (`certificates.holder`), so a message about one can leave its value out.
    public var personalFieldPaths: Set<String> {
        let schema = checked.schema
        var personal = Set<String>()
        for f in schema.facts.fields where f.pii && !f.key { personal.insert(f.name) }
        for f in schema.facts.fields {
            if case .list(let r) = f.type, schema.records.indices.contains(r) {
                for e in schema.records[r].fields where e.pii { personal.insert("\(f.name).\(e.name)") }
            }
        }
        return personal
    }

    /// `count` synthetic applicants drawn from the schema's `sample` hints (what `uplift synth`
    /// writes), the same for the same seed on every machine.
    public func syntheticPopulation(count: Int, seed: UInt64) -> [JSONValue] {
        SyntheticApplicants(policy: checked).population(count: max(count, 0), seed: seed)
    }

    /// The applicants of `syntheticPopulation(count:seed:)`, handed to `body` one at a time in
    /// order and not kept: for populations too large to hold.
    public func forEachSyntheticApplicant<E: Error>(count: Int, seed: UInt64, _ body: (JSONValue) throws(E) -> Void) throws(E) {
        let generator = SyntheticApplicants(policy: checked)
        var rng = SplitMix64(seed: seed)
        for i in 0..<max(count, 0) { try body(generator.applicant(&rng, index: i)) }
    }

    /// The compiled program as text, one instruction a line (`uplift check --bytecode`).
    package func disassembly() -> String { evaluator.program.disassembly() }
}

/// A reported value's name and what kind of value it holds.
public struct ReportedValueInfo: Sendable, Equatable {
    /// How a raw register value of this kind is written: integers and amounts as numbers
    /// (amounts with their six fixed decimals), bools as true/false, anything else through
    /// `Decision.reported`.
    public enum Kind: Sendable, Equatable { case integer, amount, bool, other }
    /// The value's name in the policy.
    public let name: String
    /// What the value holds.
    public let kind: Kind
}

extension Policy {
    /// The policy's rules, caps and reason codes with where each is declared: what coverage
    /// counts and `uplift check` summarises, without the checker's internals.
    public var outline: PolicyOutline { PolicyOutline(checked, sources) }
}

/// What a policy declares, rule by rule, each with its `path:line:column`.
public struct PolicyOutline: Sendable, Equatable {
    /// A gate, referral or no-change rule.
    public struct Rule: Sendable, Equatable {
        /// What the rule does when its condition holds.
        public enum Kind: String, Sendable, Equatable {
            /// Declines with the rule's reason.
            case gate
            /// Refers the application to a person.
            case referral
            /// Keeps the limit where it is.
            case noChange = "no_change"
        }
        /// What the rule does.
        public let kind: Kind
        /// The reason code it gives.
        public let code: String
        /// Where it is declared.
        public let location: String
    }

    /// A cap (an upper bound on the uplift) or a floor (a lower bound, for decreases).
    public struct Cap: Sendable, Equatable {
        /// The reason code given when it binds.
        public let code: String
        /// Where it is declared.
        public let location: String
        /// A floor (`at least`) rather than a cap.
        public let isFloor: Bool
        /// Whether it has a `when` condition (and so can also not apply).
        public let isConditional: Bool
    }

    /// A declared reason code.
    public struct Reason: Sendable, Equatable {
        /// The code (`CERT_LOW_CONFIDENCE`).
        public let code: String
        /// The message decisions carry for it.
        public let message: String
        /// Where it is declared.
        public let location: String
    }

    /// The gates, referrals and no-change rules, in the order they are written.
    public let rules: [Rule]
    /// The caps and floors, in the order they are written.
    public let caps: [Cap]
    /// Every reason code, in `Policy.reasonCodes` order.
    public let reasons: [Reason]
    /// For each `segments` table (by name), the segments whose `when` is the constant `true`: a
    /// catch-all that can never be seen false.
    public let catchAllSegments: [String: Set<String>]

    init(_ p: CheckedPolicy, _ sources: SourceMap) {
        rules = p.rules.map { r in
            let kind: Rule.Kind = switch r.kind { case .decline: .gate; case .refer: .referral; default: .noChange }
            return Rule(kind: kind, code: p.reasons.indices.contains(r.reason) ? p.reasons[r.reason].code : "?", location: sources.describe(r.span))
        }
        caps = p.caps.map { c in
            Cap(code: p.reasons.indices.contains(c.reason) ? p.reasons[c.reason].code : "?", location: sources.describe(c.span),
                isFloor: c.isFloor, isConditional: c.condition != nil)
        }
        reasons = p.reasons.map { Reason(code: $0.code, message: $0.message, location: sources.describe($0.span)) }
        var catchAll: [String: Set<String>] = [:]
        for t in p.segments where t.kind == .segments {
            for (j, name) in t.names.enumerated() {
                if case .constant(let v)? = t.conditions.indices.contains(j) ? t.conditions[j] : nil, v != 0 { catchAll[t.name, default: []].insert(name) }
            }
        }
        catchAllSegments = catchAll
    }
}
