/// What a policy declares, by the indexes its decisions use: for consumers that tally or write
/// decisions in bulk (simulations, diffs, reports) without reading the checker's internals.
extension Policy {
    /// Every reason code of the policy, by the index `Decision.forEachReason` passes.
    public var reasonCodes: [ReasonCode] { evaluator.reasonCodes }

    /// The reported values (`report …`), in the order of `Decision.reported` and
    /// `Decision.forEachReportedRaw`, with what each holds, so a bulk writer can format raw
    /// values itself.
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
    public var keyIsString: Bool { evaluator.keyIsString }

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
        SyntheticApplicants(policy: checked).population(count: count, seed: seed)
    }
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
