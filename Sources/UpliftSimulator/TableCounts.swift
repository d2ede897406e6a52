import Uplift

/// How many decisions matched each row of one table (any kind: bands, segments, decision
/// tables), by row name; `(no row)` counts decisions where none matched. A summary holds one
/// per table, under the table's name, so a bundle with any number of tables is counted whole.
package struct TableCounts: Sendable, Equatable {
    /// The name summaries use for decisions where no row of the table matched.
    package static let noRow = "(no row)"
    /// `bands`, `segments` or `decision_table`.
    package var kind: String
    /// Whether a decision may match several rows (`collect`): then the rows add up to at least
    /// the decided rows, not exactly to them.
    package var selectsMany = false
    /// Decisions per matched row name.
    package var rows: [String: Int] = [:]
    package init(kind: String, selectsMany: Bool = false) { self.kind = kind; self.selectsMany = selectsMany }

    /// Which of a policy's tables (by kind) need a place of their own in outputs, because a
    /// decision's `segment` (the first segment table) and the `bands` counts do not show them:
    /// every decision table, and the segment tables when there are several.
    static func shownOnTheirOwn(_ kinds: [String]) -> [Bool] {
        let segmentTables = kinds.filter { $0 == "segments" }.count
        return kinds.map { $0 == "decision_table" || ($0 == "segments" && segmentTables > 1) }
    }

    mutating func merge(_ o: TableCounts, _ field: String) throws(SummaryError) {
        guard kind == o.kind, selectsMany == o.selectsMany else {
            throw SummaryError(.inconsistent, field: field, "is a \(o.kind) table in one part and a \(kind) table in another")
        }
        try SummaryError.add(o.rows, into: &rows, "\(field).rows")
    }
}

/// A worker's row counts for every table, by index (no strings per decision).
struct TableTally {
    /// Per table, per row, then one more for "no row".
    var counts: [[Int]]
    let tables: [PolicyTable]

    init(_ tables: [PolicyTable]) {
        self.tables = tables
        counts = tables.map { Array(repeating: 0, count: $0.rows.count + 1) }
    }

    mutating func add(_ d: Decision) {
        d.forEachTableRow { t, row in
            guard counts.indices.contains(t) else { return }
            let k = row >= 0 && row < counts[t].count - 1 ? row : counts[t].count - 1
            counts[t][k] += 1
        }
    }

    /// `table row` → decisions, for the tables that `segment` and `band` do not already show
    /// (decision tables; segment tables when there are several), as diffs list them.
    var flat: [String: Int] {
        let shown = TableCounts.shownOnTheirOwn(tables.map(\.kind))
        var out: [String: Int] = [:]
        for (t, table) in tables.enumerated() where shown[t] {
            for (k, n) in counts[t].enumerated() where n > 0 { out["\(table.name) \(k < table.rows.count ? table.rows[k] : TableCounts.noRow)"] = n }
        }
        return out
    }

    var named: [String: TableCounts] {
        var out: [String: TableCounts] = [:]
        for (t, table) in tables.enumerated() {
            var c = TableCounts(kind: table.kind, selectsMany: table.selectsMany)
            for (k, n) in counts[t].enumerated() where n > 0 { c.rows[k < table.rows.count ? table.rows[k] : TableCounts.noRow] = n }
            out[table.name] = c
        }
        return out
    }
}

extension SimulationSummary {
    /// Whether the policy has a segment table: without one every decision is in the one
    /// `(none)` segment, and the per-segment sections would repeat the totals.
    package var hasSegmentTable: Bool { segments.keys.contains { $0 != "(none)" } }

    /// The tables the summary's own sections do not already show, by name: every decision
    /// table, and the segment tables when there are several (`segments` shows a lone one;
    /// `bands` shows every band table).
    package var tablesBeyondSegmentsAndBands: [(name: String, counts: TableCounts)] {
        let sorted = tables.sorted { $0.key < $1.key }
        let shown = TableCounts.shownOnTheirOwn(sorted.map(\.value.kind))
        return sorted.indices.filter { shown[$0] }.map { (name: sorted[$0].key, counts: sorted[$0].value) }
    }
}
