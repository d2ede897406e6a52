import UpliftChecker
import UpliftSyntax

/// A compiled policy: immutable, `Sendable`, shared by every thread of a service.
///
/// Registers hold raw 64-bit values: integers, fixed-point decimals (×10^6), dates (days),
/// enum cases and interned strings (ids); `Int64.min` means "missing".
public struct Program: Sendable {
    public static let missing = Int64.min

    public var code: [Int32]
    public var constants: [Int64]
    /// Catalogue indexes, band bounds and table rows, addressed by instruction operands.
    public var tableData: [Int64]
    public var registerCount: Int
    public var stackSize: Int
    /// How many list filters keep a per-element memo; when non-zero the VM needs one memo word
    /// per element value (see `FilterMemo`).
    public var memoizedFilters: Int

    /// Where each part of the policy leaves its result.
    public var layout: Layout
    /// Code ranges and the policy part they evaluate, to name the rule behind a fault.
    public var regions: [Region]
    /// Entry points of per-element filter tests, for explanations.
    public var probes: [Probe]

    public struct Layout: Sendable {
        public var factCount: Int
        public var valueSlots: [Int]
        public var bandSlots: [Int]
        /// Per row table (segments, decision tables): the matched row's register; for a
        /// `collect` table, the number of matching rows.
        public var segmentSlots: [Int]
        /// Per `collect` table: each row's match flag (1 when it matched); empty otherwise.
        public var rowFlagSlots: [[Int]]
        /// Per `collect` table: each output's combined value; empty otherwise.
        public var collectSlots: [[Int]]
        public var amountSlot: Int
        public var capSlots: [Int]
        public var upliftSlot: Int
        public var bindSlot: Int
        public var ruleSlots: [Int]
    }

    public struct Region: Sendable {
        public var start: Int
        public var what: String
        public var span: Span
    }

    /// Evaluates one `and`-part of a named list's filter for an element.
    public struct Probe: Sendable {
        /// The named list value.
        public var value: Int
        public var filter: Int
        public var conjunct: Int
        public var entry: Int
        /// Loop-variable registers to point at the element before running.
        public var variableSlots: [Int]
        public var span: Span
    }

    /// The part of the policy whose code holds `pc`.
    public func region(at pc: Int) -> Region? {
        regions.last { $0.start <= pc }
    }
}
