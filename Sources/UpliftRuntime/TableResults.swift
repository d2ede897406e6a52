import UpliftBundle
import UpliftChecker
import UpliftCompiler

/// A table whose rows decisions select (a band table, a segment table, a decision table), as
/// decisions, summaries and reports name it. One shape for every kind, so a consumer that
/// lists tables handles a kind added later without change.
public struct PolicyTable: Sendable, Equatable {
    /// The table's name as rules read it (`segment`, `payment_history`).
    public let name: String
    /// `bands`, `segments` or `decision_table`.
    public let kind: String
    /// How rows are chosen: `range` for bands, `first` for segments, a decision table's hit
    /// policy (`first`, `unique`, `collect sum`, …).
    public let hitPolicy: String
    /// Row names in table order: band range labels, segment names, decision-table row ids
    /// (`row 3` for a row without one), then `default` when the table has a default row.
    public let rows: [String]
    /// Whether several rows can match at once (`collect`).
    public var selectsMany: Bool { hitPolicy.hasPrefix("collect") }
}

/// One table's result in a decision: the rows that matched.
public struct TableMatch: Sendable, Equatable {
    /// The table's name.
    public let table: String
    /// `bands`, `segments` or `decision_table`.
    public let kind: String
    /// Indexes into `PolicyTable.rows` of the matched rows, in table order: one row, none
    /// (no row of a decision table matched and it has no default), or for `collect`, any number.
    public let rows: [Int]
    /// The matched rows' names.
    public let labels: [String]
    /// Whether the table can match several rows (`collect`): its rows are then always a list,
    /// one or none alike.
    public let selectsMany: Bool
    /// The single matched row's name, or nil when none (or several) matched.
    public var label: String? { labels.count == 1 ? labels[0] : nil }

    /// A match, as a test or a consumer states one it expects.
    public init(table: String, kind: String, rows: [Int], labels: [String], selectsMany: Bool = false) {
        self.table = table; self.kind = kind; self.rows = rows; self.labels = labels; self.selectsMany = selectsMany
    }
}

/// How the decision reads one table's matched rows from its registers.
struct TableReading: Sendable {
    enum Source: Sendable {
        /// The row register; `none` is the index meaning "no row matched" (not a real row).
        case row(slot: Int, none: Int?)
        /// One flag register per row (`collect`).
        case flags([Int])
    }
    let table: PolicyTable
    let source: Source

    static func all(_ policy: CheckedPolicy, _ layout: Program.Layout) -> [TableReading] {
        policy.tableOrder.compactMap { ref -> TableReading? in
            switch ref {
            case .band(let i):
                guard policy.bands.indices.contains(i), layout.bandSlots.indices.contains(i) else { return nil }
                let b = policy.bands[i]
                return TableReading(table: PolicyTable(name: b.name, kind: "bands", hitPolicy: "range", rows: b.labels),
                                    source: .row(slot: layout.bandSlots[i], none: nil))
            case .rows(let i):
                guard policy.segments.indices.contains(i), layout.segmentSlots.indices.contains(i) else { return nil }
                let s = policy.segments[i]
                let none = s.hasDefault ? nil : s.noMatchRow
                let rows = none.map { Array(s.names.prefix($0)) } ?? s.names
                let table = PolicyTable(name: s.name, kind: s.kind.rawValue, hitPolicy: s.hit.name, rows: rows)
                if s.isCollect, layout.rowFlagSlots.indices.contains(i) {
                    return TableReading(table: table, source: .flags(layout.rowFlagSlots[i]))
                }
                return TableReading(table: table, source: .row(slot: layout.segmentSlots[i], none: none))
            }
        }
    }

    /// Calls `body` with each matched row; with -1 once when none matched.
    func forEachRow(_ reg: [Int64], _ body: (Int) -> Void) {
        switch source {
        case .row(let slot, let none):
            let k = reg.indices.contains(slot) ? Int(truncatingIfNeeded: reg[slot]) : -1
            body(k == none || !table.rows.indices.contains(k) ? -1 : k)
        case .flags(let slots):
            var any = false
            for (k, slot) in slots.enumerated() where reg.indices.contains(slot) && reg[slot] != 0 { any = true; body(k) }
            if !any { body(-1) }
        }
    }
}

extension Decision {
    /// Every table's matched rows, in the bundle's order (bands, segments, decision tables).
    public var tables: [TableMatch] {
        vocabulary.tables.map { t in
            var rows: [Int] = []
            t.forEachRow(trace.registers) { if $0 >= 0 { rows.append($0) } }
            return TableMatch(table: t.table.name, kind: t.table.kind, rows: rows, labels: rows.map { t.table.rows[$0] },
                              selectsMany: t.table.selectsMany)
        }
    }

    /// Calls `body` with each matched row of each table (an index into `Policy.tables` and one
    /// into that table's rows), or row -1 once for a table where no row matched. For bulk
    /// consumers such as simulations: no arrays, no strings.
    public func forEachTableRow(_ body: (_ table: Int, _ row: Int) -> Void) {
        let reg = trace.registers
        for (i, t) in vocabulary.tables.enumerated() { t.forEachRow(reg) { body(i, $0) } }
    }
}

extension Evaluator {
    /// The tables decisions report, in the order of `Decision.tables`.
    package var tables: [PolicyTable] { vocabulary.tables.map(\.table) }
}
