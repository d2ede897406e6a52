import UpliftSyntax

public enum Outcome: String, Sendable, CaseIterable {
    case approve, decline, refer
    case noChange = "no_change"
}

/// A reason code with the message a person reads, in the order the policy gives them.
public struct ReasonCode: Sendable, Equatable {
    public var code: String
    public var message: String
}

/// Which policy made a decision: enough to find and replay it exactly.
public struct PolicyIdentity: Sendable, Equatable {
    public var name: String
    public var version: String
    /// SHA-256 of the bundle's content.
    public var hash: String
}

/// A reported value, already formatted for people and for JSON.
public struct ReportedValue: Sendable, Equatable {
    public var name: String
    public var text: String
    /// How the value appears in JSON output (a number, a string in quotes, true/false, null).
    public var json: String
}

/// The result of evaluating one applicant.
public struct Decision: Sendable {
    public var outcome: Outcome
    /// The uplift in yuan: 0 for decline and no_change; the proposed amount for refer.
    public var uplift: FixedDecimal
    /// current_limit + uplift on approve; the current limit otherwise (nil if the schema has none).
    public var newLimit: FixedDecimal?
    public var reasons: [ReasonCode]
    /// The matched segment of each segment table (normally one).
    public var segments: [(table: String, segment: String)]
    /// The matched band of each band table, as its range label.
    public var bands: [(table: String, band: String)]
    public var reported: [ReportedValue]
    public var policy: PolicyIdentity
    /// Everything needed to explain this decision, recorded compactly; rendered only on request.
    public var trace: Trace

    public var segment: String? { segments.first?.segment }
}

/// The compact record of an evaluation: the final registers and the input they came from.
/// Rendering an `Explanation` from it reads the policy's metadata; nothing is re-decided.
public struct Trace: Sendable {
    public var registers: [Int64]
    public var applicant: Applicant
    /// Which evaluator produced the registers; explanations use the same one.
    public var engine: Engine
}

/// The bytecode VM (the product path) or the tree-walking reference interpreter (the oracle).
public enum Engine: String, Sendable, CaseIterable {
    case vm, reference
}

/// An evaluation that could not finish: the fault and the part of the policy that caused it.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    public var fault: String
    public var rule: String
    public var location: String
    public var description: String { "evaluation failed in \(rule) (\(location)): \(fault)" }
}
