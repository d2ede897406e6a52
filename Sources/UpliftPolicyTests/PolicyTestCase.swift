import Uplift

/// One test a risk officer wrote: an applicant and what the policy should decide for it.
package struct PolicyTestCase: Sendable {
    package var name: String
    /// Where the case is written, for messages (`tests/gates.yaml:12`).
    package var location: String
    package var span: Span
    /// The applicant as JSON (a file's content or the inline mapping, with `with:` applied).
    package var applicant: JSONValue
    package var expect: Expectation
}

/// What a test expects; every part is optional and only given parts are checked.
package struct Expectation: Sendable {
    package enum Reasons: Sendable, Equatable {
        /// Exactly these codes, in this order.
        case exactly([String])
        /// At least these codes, in any order; and none of `excludes`.
        case includes([String], excludes: [String])
    }
    package var outcome: String?
    package var uplift: Int64?
    package var newLimit: Int64?
    package var reasons: Reasons?
    package var segment: String?
    package var band: String?
    /// Reported value name → expected text (as the decision's JSON writes it).
    package var reported: [(name: String, json: String)] = []
    /// `tables:`: the rows named tables should match, in the order written.
    package var tables: [TableExpectation] = []
    package init() {}
}

/// The rows one table should match (`payment_history: top`, `bonus: [row 1, row 3]`,
/// `utilization: none`), with where each name is written so a name the policy does not have
/// is reported at its line.
package struct TableExpectation: Sendable {
    /// The table's name as rules read it.
    package var table: String
    /// Where the table's name is written, for E405.
    package var tableSpan: Span
    /// The expected row labels (`PolicyTable.rows`); empty means no row matched (`none`).
    package var rows: [String]
    /// Where each expected label is written (one per `rows` entry), for E406 and E407.
    package var rowSpans: [Span]
    /// Whether the rows were written as a list (`[row 1, row 3]`), for messages.
    package var written: String
}

/// A difference between what a test expects and what the policy decided.
package struct Mismatch: Sendable, Equatable {
    package var what: String
    package var expected: String
    package var actual: String
}

package struct PolicyTestResult: Sendable {
    package var test: PolicyTestCase
    /// Empty when the test passed.
    package var mismatches: [Mismatch]
    /// Set when the applicant could not be read or the policy could not finish.
    package var error: String?
    package var decision: Decision?
    package var explanation: Explanation?
    package var passed: Bool { mismatches.isEmpty && error == nil }
}
