import Uplift

/// What a simulation found: counts and sums only, so summaries of parts of a population merge
/// into exactly the summary of the whole (`uplift summary merge`).
public struct SimulationSummary: Sendable, Equatable {
    /// Per segment: how many, with which outcome, and what approvals were granted.
    public struct SegmentStats: Sendable, Equatable {
        public var count = 0
        public var outcomes: [String: Int] = [:]
        /// Sum of approved uplifts (raw fixed-point).
        public var upliftTotal: Int64 = 0
        /// Approved uplifts.
        public var uplifts = UpliftHistogram()
        public init() {}

        public var approved: Int { outcomes[Outcome.approve.rawValue] ?? 0 }

        mutating func merge(_ o: SegmentStats) {
            count &+= o.count
            for (k, n) in o.outcomes { outcomes[k, default: 0] &+= n }
            upliftTotal = upliftTotal &+ o.upliftTotal
            uplifts.merge(o.uplifts)
        }
    }

    /// A row that could not be decided: its line in the input, the field and what is wrong.
    public struct BadRow: Sendable, Equatable {
        public var line: Int
        public var path: String
        public var message: String
        public init(line: Int, path: String, message: String) { self.line = line; self.path = path; self.message = message }
    }

    /// How many bad rows are kept in full; all are counted.
    public static let keptBadRows = 20

    public var policy: PolicyIdentity
    /// Rows read: decided plus bad.
    public var rows = 0
    public var decided = 0
    public var badRowCount = 0
    public var outcomes: [String: Int] = [:]
    /// New credit granted: the sum of approved uplifts (raw fixed-point).
    public var newCredit: Int64 = 0
    /// Sum of uplifts proposed by referrals (raw), for the people who review them.
    public var referredUplift: Int64 = 0
    public var segments: [String: SegmentStats] = [:]
    public var reasons: [String: Int] = [:]
    public var bands: [String: Int] = [:]
    public var bindingCaps: [String: Int] = [:]
    /// The first bad rows, by line.
    public var badRows: [BadRow] = []
    /// True when `--max-errors` stopped the run before the end of the input.
    public var stoppedEarly = false
    /// Lines of the input not read because the run stopped early (counted, never silently lost).
    public var unreadLines = 0

    public init(policy: PolicyIdentity) { self.policy = policy }

    /// Adds another summary of the same policy; the order of merging does not matter.
    public mutating func merge(_ o: SimulationSummary) {
        // Wrapping adds: parts read from files are bounded (10^12 per count), so this never wraps
        // in practice, and a hostile file cannot make the merge trap.
        rows &+= o.rows
        decided &+= o.decided
        badRowCount &+= o.badRowCount
        for (k, n) in o.outcomes { outcomes[k, default: 0] &+= n }
        newCredit = newCredit &+ o.newCredit
        referredUplift = referredUplift &+ o.referredUplift
        for (k, s) in o.segments { segments[k, default: SegmentStats()].merge(s) }
        for (k, n) in o.reasons { reasons[k, default: 0] &+= n }
        for (k, n) in o.bands { bands[k, default: 0] &+= n }
        for (k, n) in o.bindingCaps { bindingCaps[k, default: 0] &+= n }
        badRows = Array((badRows + o.badRows).sorted { $0.line < $1.line }.prefix(Self.keptBadRows))
        stoppedEarly = stoppedEarly || o.stoppedEarly
        unreadLines &+= o.unreadLines
    }
}
