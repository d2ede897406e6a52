import UpliftChecker
import UpliftSyntax

/// How a what-if runs.
public struct WhatIfOptions: Sendable, Equatable {
    /// How many suggestions to keep, best first.
    public var top: Int
    /// 1: single actions; 2: also pairs of actions that together give more than either alone.
    public var depth: Int
    /// A what-if over the first `top` single actions, no pairs.
    public init(top: Int = 5, depth: Int = 1) { self.top = top; self.depth = depth }
}

/// Why a what-if could not start: the applicant itself is refused or does not evaluate. The
/// facade hands it on as `UpliftError`, like `evaluate(json:)`.
package enum WhatIfError: Error, Sendable {
    case applicant(ApplicantError)
    case evaluation(EvaluationError)
}

/// The baseline decision and what the declared actions would change.
public struct WhatIfReport: Sendable {
    /// The decision as the applicant stands.
    public let baseline: Decision
    /// The actions that help, best first (most credit, then the outcome furthest along).
    public var suggestions: [WhatIfSuggestion]
    /// The actions tried that would change nothing, in the bundle's words.
    public let noEffect: [String]
    /// How many helpful suggestions `top` left out.
    public let notShown: Int
    /// Whether nothing the person can do would help: then a person can review the decision.
    public var nothingHelps: Bool { suggestions.isEmpty && notShown == 0 }
}

/// One thing the person could do, and exactly what the policy would then decide.
public struct WhatIfSuggestion: Sendable {
    /// The action's name in the bundle (`add_certificate`; `a+b` for a pair).
    public let action: String
    /// The sentence a person reads (`if you hold a cpa certificate`).
    public let says: String
    /// The searched value (a ceiling, a number of months, a confidence), as text; nil for an
    /// action with none. Not in `says` unless the bundle's sentence shows it.
    public let value: String?
    /// Whether the bundle's sentence shows `value` (`{value}`, `{months}`); a hidden one (the
    /// confidence a recogniser must reach) is left out of text and JSON unless staff ask.
    public let valueIsShown: Bool
    /// The record the person sent.
    let original: JSONValue
    /// The changes each action makes, one batch per action (a new element as `.append`, all of
    /// one batch's `.append` steps adding to the same element), applied in order.
    package let batches: [[([WhatIfPathStep], JSONValue)]]
    /// The changes, by JSON path.
    package var changes: [([WhatIfPathStep], JSONValue)] { WhatIfJSON.differences(original, applicant) }
    /// The whole changed applicant: run it through `uplift eval` to get `decision`. Built when
    /// asked for (a what-if that only ranks suggestions never builds one).
    public var applicant: JSONValue { batches.reduce(original) { WhatIfJSON.apply($1, to: $0) } }
    /// The decision the changed applicant gets.
    public let decision: Decision
    /// The credit gained: the new decision's realised uplift (an approval's, or a decrease's
    /// negative one; a referral realises none yet) minus the baseline's.
    package let gainRaw: Int64
    /// Reason codes the baseline had and this decision does not.
    public let cleared: [String]
    /// Reason codes this decision has and the baseline did not.
    public let added: [String]
    /// Caps and floors that bind in the new decision, with their values (`CAPPED_BY_SEGMENT`,
    /// `3000.00`): the ceiling that then applies.
    public internal(set) var binding: [(code: String, value: String)] = []
    let order: Int

    init(action: String, says: String, value: String?, valueIsShown: Bool, original: JSONValue, batches: [[([WhatIfPathStep], JSONValue)]],
         decision: Decision, gain: Int64, cleared: [String], added: [String], order: Int) {
        self.action = action; self.says = says; self.value = value; self.valueIsShown = valueIsShown
        self.original = original; self.batches = batches
        self.decision = decision; self.gainRaw = gain; self.cleared = cleared; self.added = added; self.order = order
    }

    /// The credit gained (see `gainRaw`), exact.
    public var gain: FixedDecimal { FixedDecimal(raw: gainRaw) }
    /// The changed fields by path (`certificates[2].type`) and their new values.
    public var changedFields: [(path: String, value: JSONValue)] { changes.map { (WhatIfJSON.describe($0.0), $0.1) } }
}

/// A step of a JSON path: an object key, a list position, or a new element at the list's end.
package enum WhatIfPathStep: Sendable, Equatable { case key(String), index(Int), append }
