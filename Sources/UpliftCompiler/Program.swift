import UpliftChecker
import UpliftSyntax

/// A compiled policy: immutable, `Sendable`, shared by every thread of a service.
///
/// Registers hold raw 64-bit values: integers, fixed-point decimals (×10^6), dates (days),
/// enum cases and interned strings (ids); `Int64.min` means "missing".
package struct Program: Sendable {
    package static let missing = Int64.min

    package var code: [Int32]
    package var constants: [Int64]
    /// Catalogue indexes, band bounds and table rows, addressed by instruction operands.
    package var tableData: [Int64]
    package var registerCount: Int
    package var stackSize: Int
    /// How many list filters keep a per-element memo; when non-zero the VM needs one memo word
    /// per element value (see `FilterMemo`).
    package var memoizedFilters: Int

    /// Where each part of the policy leaves its result.
    package var layout: Layout
    /// Code ranges and the policy part they evaluate, to name the rule behind a fault.
    package var regions: [Region]
    /// Entry points of per-element filter tests, for explanations.
    package var probes: [Probe]

    package struct Layout: Sendable {
        package var factCount: Int
        package var valueSlots: [Int]
        package var bandSlots: [Int]
        /// Per row table (segments, decision tables): the matched row's register; for a
        /// `collect` table, the number of matching rows.
        package var segmentSlots: [Int]
        /// Per `collect` table: each row's match flag (1 when it matched); empty otherwise.
        package var rowFlagSlots: [[Int]]
        /// Per `collect` table: each output's combined value; empty otherwise.
        package var collectSlots: [[Int]]
        package var amountSlot: Int
        package var capSlots: [Int]
        package var upliftSlot: Int
        package var bindSlot: Int
        package var ruleSlots: [Int]
    }

    package struct Region: Sendable {
        package var start: Int
        package var what: String
        package var span: Span
    }

    /// Evaluates one `and`-part of a named list's filter for an element.
    package struct Probe: Sendable {
        /// The named list value.
        package var value: Int
        package var filter: Int
        package var conjunct: Int
        package var entry: Int
        /// Loop-variable registers to point at the element before running.
        package var variableSlots: [Int]
        package var span: Span
    }

    /// The part of the policy whose code holds `pc`.
    package func region(at pc: Int) -> Region? {
        regions.last { $0.start <= pc }
    }
}
