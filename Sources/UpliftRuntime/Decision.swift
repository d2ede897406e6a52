import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// What the engine decided. `decrease` exists only for policies that `allow decrease`: a
/// negative uplift that lowers the limit (last in `allCases`, so counters of the other outcomes
/// keep their positions).
public enum Outcome: String, Sendable, CaseIterable {
    /// The limit goes up by `uplift`.
    case approve
    /// A gate failed: nothing changes, and the gates' reasons say why.
    case decline
    /// A person reviews the application; `uplift` is what the policy proposes.
    case refer
    /// The limit stays where it is (a no-change rule, or nothing to add).
    case noChange = "no_change"
    /// The limit goes down by `-uplift` (only in policies that `allow decrease`).
    case decrease
}

/// A reason code with the message a person reads, in the order the policy gives them.
public struct ReasonCode: Sendable, Equatable {
    /// The stable code (`CERT_LOW_CONFIDENCE`): what systems match on.
    public var code: String
    /// The policy's message for it: what the applicant is told.
    public var message: String
}

/// Which policy made a decision: enough to find and replay it exactly.
public struct PolicyIdentity: Sendable, Equatable {
    /// The bundle's name (`certificate-uplift`).
    public var name: String
    /// The bundle's declared version.
    public var version: String
    /// SHA-256 of the bundle's content.
    public var hash: String
    /// An identity read back from a stored decision, to compare with a loaded policy's.
    public init(name: String, version: String, hash: String) { self.name = name; self.version = version; self.hash = hash }
}

/// A reported value, already formatted for people and for JSON.
public struct ReportedValue: Sendable, Equatable {
    /// The value's name in the policy (`report score`).
    public var name: String
    /// The value as people read it: money with at least two decimals (`1200.50`), a string in
    /// quotes, an enum case by name, a date as `YYYY-MM-DD`, an absent value `missing`.
    public var text: String
    /// How the value appears in JSON output (a number, a string in quotes, true/false, null).
    public var json: String
}

/// The result of evaluating one applicant.
///
/// Evaluating stores only the outcome, the amounts and the trace (the final registers); reason
/// codes, segment and band names and reported values are read from the trace when asked, so a
/// decision costs one allocation however many rules the policy has.
public struct Decision: Sendable {
    /// What was decided.
    public let outcome: Outcome
    /// The uplift in yuan: 0 for decline and no_change; the proposed amount for refer; negative
    /// for decrease.
    public let uplift: FixedDecimal
    /// current_limit + uplift on approve and decrease; the current limit otherwise (nil if the
    /// schema has none).
    public let newLimit: FixedDecimal?
    /// Everything needed to explain this decision, recorded compactly; rendered only on request.
    package let trace: Trace
    let vocabulary: DecisionVocabulary

    /// Which policy decided: its name, version and content hash, for the audit trail and replay.
    public var policy: PolicyIdentity { vocabulary.identity }

    /// Reason codes in the order the engine gives them: the deciding rules (declines, or
    /// referrals, or no-change rules) in policy order, then the binding caps except on decline.
    public var reasons: [ReasonCode] {
        var out: [ReasonCode] = []
        let codes = vocabulary.reasonCodes
        forEachReason { r, _ in out.append(codes[r]) }
        return out
    }

    /// Calls `body` with each reason of `reasons`, in the same order, as an index into the
    /// policy's reason codes (`Policy.reasonCodes`), and whether it is a binding cap. For
    /// bulk consumers: no array, no strings.
    public func forEachReason(_ body: (_ reason: Int, _ isCap: Bool) -> Void) {
        let v = vocabulary, reg = trace.registers
        if let kind = outcome.ruleKind {
            for i in v.ruleKinds.indices where v.ruleKinds[i] == kind && reg[v.layout.ruleSlots[i]] != 0 { body(v.ruleReasons[i], false) }
        }
        if outcome != .decline {
            let bits = reg[v.layout.bindSlot]
            for i in v.capReasons.indices where bits & (1 << Int64(i)) != 0 { body(v.capReasons[i], true) }
        }
    }

    /// The matched row of row table `table` (an index into the checker's row tables, segment
    /// and decision tables alike), without strings; by default the first segment table. The raw
    /// register: for the simulator's tallies; others read `tables`.
    package func segmentIndex(table: Int? = nil) -> Int? {
        let slots = vocabulary.layout.segmentSlots
        guard let table = table ?? vocabulary.firstSegmentTable else { return nil }
        return slots.indices.contains(table) ? Int(truncatingIfNeeded: trace.registers[slots[table]]) : nil
    }

    /// The matched band of band table `table` (an index into its labels), without strings.
    package func bandIndex(table: Int = 0) -> Int? {
        let slots = vocabulary.layout.bandSlots
        return slots.indices.contains(table) ? Int(truncatingIfNeeded: trace.registers[slots[table]]) : nil
    }

    /// The raw register value of each reported value, in `reported` order (for bulk writers
    /// that format numbers themselves): an amount is its `FixedDecimal.raw`, an absent value
    /// `missingRaw`. The encoding is the VM's, so this stays inside the package.
    package func forEachReportedRaw(_ body: (_ index: Int, _ raw: Int64) -> Void) {
        for (i, r) in vocabulary.reportedSlots.enumerated() { body(i, trace.registers[r]) }
    }

    /// The raw value of an absent reported value in `forEachReportedRaw`.
    package static let missingRaw = Program.missing

    /// The matched segment of each segment table (normally one); decision tables are in `tables`.
    public var segments: [(table: String, segment: String)] {
        vocabulary.segmentTables.enumerated().filter { vocabulary.segmentKinds[$0.offset] == .segments }.map { (i, t) in
            let k = Int(trace.registers[vocabulary.layout.segmentSlots[i]])
            return (t.name, t.names.indices.contains(k) ? t.names[k] : "?")
        }
    }

    /// The matched band of each band table, as its range label.
    public var bands: [(table: String, band: String)] {
        vocabulary.bandTables.enumerated().map { (i, t) in
            let k = Int(trace.registers[vocabulary.layout.bandSlots[i]])
            return (t.name, t.labels.indices.contains(k) ? t.labels[k] : "?")
        }
    }

    /// The values the policy declares as reported (`report score`).
    public var reported: [ReportedValue] {
        let f = ValueFormatter(vocabulary: vocabulary, applicant: trace.applicant)
        return vocabulary.reported.map { r in
            let raw = trace.registers[r.slot]
            return ReportedValue(name: r.name, text: f.text(raw, r.type), json: f.json(raw, r.type))
        }
    }

    /// The first segment table's matched segment (most policies have one); see `segments`.
    public var segment: String? { segments.first?.segment }
}

/// The names a decision refers to by index, built once per compiled policy and shared.
final class DecisionVocabulary: Sendable {
    let identity: PolicyIdentity
    let policy: CheckedPolicy
    let layout: Program.Layout
    let rules: [(kind: RuleKind, reason: ReasonCode)]
    let ruleKinds: [RuleKind]
    /// `layout.ruleSlots` and `layout.upliftSlot`, kept flat for deciding.
    let ruleSlots: [Int]
    let upliftSlot: Int
    /// Indexes into the policy's reason table, for `forEachReason`.
    let ruleReasons: [Int]
    let capReasons: [Int]
    /// Every reason of the policy, by index.
    let reasonCodes: [ReasonCode]
    let caps: [ReasonCode]
    let segmentTables: [(name: String, names: [String])]
    let segmentKinds: [RowTableKind]
    /// The first row table that is a segment table (`Decision.segment`'s).
    let firstSegmentTable: Int?
    let bandTables: [(name: String, labels: [String])]
    let reported: [(name: String, slot: Int, type: ValueType)]
    let reportedSlots: [Int]
    /// Every table whose rows decisions select, in the bundle's order.
    let tables: [TableReading]

    init(policy: CheckedPolicy, layout: Program.Layout) {
        identity = PolicyIdentity(name: policy.name, version: policy.version, hash: policy.hash)
        self.policy = policy
        self.layout = layout
        let code = { (i: Int) in ReasonCode(code: policy.reasons[i].code, message: policy.reasons[i].message) }
        rules = policy.rules.map { ($0.kind, code($0.reason)) }
        ruleKinds = policy.rules.map(\.kind)
        ruleSlots = layout.ruleSlots
        upliftSlot = layout.upliftSlot
        ruleReasons = policy.rules.map(\.reason)
        reasonCodes = policy.reasons.indices.map(code)
        capReasons = policy.caps.map(\.reason)
        caps = policy.caps.map { code($0.reason) }
        segmentTables = policy.segments.map { ($0.name, $0.names) }
        segmentKinds = policy.segments.map(\.kind)
        firstSegmentTable = policy.segments.firstIndex { $0.kind == .segments }
        bandTables = policy.bands.map { ($0.name, $0.labels) }
        reported = policy.values.enumerated().filter { $0.element.reported }.map { ($0.element.name, layout.valueSlots[$0.offset], $0.element.type) }
        reportedSlots = reported.map(\.slot)
        tables = TableReading.all(policy, layout)
    }
}

/// The compact record of an evaluation: the final registers and the input they came from.
/// Rendering an `Explanation` from it reads the policy's metadata; nothing is re-decided.
package struct Trace: Sendable {
    package var registers: [Int64]
    package var applicant: Applicant
    /// Which evaluator produced the registers; explanations use the same one.
    package var engine: Engine
}

/// The bytecode VM (the product path) or the tree-walking reference interpreter (the oracle):
/// the second is for differential checks and measurement; the two decide alike by construction
/// and by the differential tests.
public enum Engine: String, Sendable, CaseIterable {
    /// The bytecode VM: what every product path runs.
    case vm
    /// The tree-walking reference interpreter over the checked policy.
    case reference
}

/// An evaluation that could not finish: the fault and the part of the policy that caused it.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong (`two rows of a unique decision table match this input`).
    public var fault: String
    /// The part of the policy that faulted, described (``rule `decline LATE` ``, ``value `score` ``,
    /// a table).
    public var rule: String
    /// Where that part is declared, as `path:line:column`; `<built-in>` for a part with no source
    /// line of its own, empty when the fault is outside every part.
    public var location: String
    public var description: String { "evaluation failed in \(rule) (\(location)): \(fault)" }
}

extension Outcome {
    /// The kind of rule whose firing gives this outcome its reasons (a decline's gates, a
    /// referral's referrals, a no-change's holds); nil for an approval or a decrease, whose
    /// reasons are the binding caps.
    var ruleKind: RuleKind? {
        switch self {
        case .decline: .decline
        case .refer: .refer
        case .noChange: .noChange
        case .approve, .decrease: nil
        }
    }
}
