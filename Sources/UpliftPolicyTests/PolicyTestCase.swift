import Uplift

/// One test a risk officer wrote: an applicant and what the policy should decide for it.
public struct PolicyTestCase: Sendable {
    public var name: String
    /// Where the case is written, for messages (`tests/gates.yaml:12`).
    public var location: String
    public var span: Span
    /// The applicant as JSON (a file's content or the inline mapping, with `with:` applied).
    public var applicant: JSONValue
    public var expect: Expectation
}

/// What a test expects; every part is optional and only given parts are checked.
public struct Expectation: Sendable {
    public enum Reasons: Sendable, Equatable {
        /// Exactly these codes, in this order.
        case exactly([String])
        /// At least these codes, in any order; and none of `excludes`.
        case includes([String], excludes: [String])
    }
    public var outcome: String?
    public var uplift: Int64?
    public var newLimit: Int64?
    public var reasons: Reasons?
    public var segment: String?
    public var band: String?
    /// Reported value name → expected text (as the decision's JSON writes it).
    public var reported: [(name: String, json: String)] = []
    /// `tables:`: the rows named tables should match, in the order written.
    public var tables: [TableExpectation] = []
    public init() {}
}

/// The rows one table should match (`payment_history: top`, `bonus: [row 1, row 3]`,
/// `utilization: none`), with where each name is written so a name the policy does not have
/// is reported at its line.
public struct TableExpectation: Sendable {
    /// The table's name as rules read it.
    public var table: String
    /// Where the table's name is written, for E405.
    public var tableSpan: Span
    /// The expected row labels (`PolicyTable.rows`); empty means no row matched (`none`).
    public var rows: [String]
    /// Where each expected label is written (one per `rows` entry), for E406 and E407.
    public var rowSpans: [Span]
    /// Whether the rows were written as a list (`[row 1, row 3]`), for messages.
    public var written: String
}

/// A difference between what a test expects and what the policy decided.
public struct Mismatch: Sendable, Equatable {
    public var what: String
    public var expected: String
    public var actual: String
}

public struct PolicyTestResult: Sendable {
    public var test: PolicyTestCase
    /// Empty when the test passed.
    public var mismatches: [Mismatch]
    /// Set when the applicant could not be read or the policy could not finish.
    public var error: String?
    public var decision: Decision?
    public var explanation: Explanation?
    public var passed: Bool { mismatches.isEmpty && error == nil }
}
