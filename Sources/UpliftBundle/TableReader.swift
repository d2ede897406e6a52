import UpliftSyntax
import Yams

/// Turns a table file's YAML into a typed `Table`, reporting every shape mismatch where it is.
extension YAMLReader {
    mutating func table(_ root: Node) -> Table? {
        guard let top = mapping(root, "a table file") else { return nil }
        let fileSpan = span(root)
        guard let kindNode = require(top, "kind", in: "this table file", at: fileSpan,
                                     help: "start the file with `kind: catalogue`, `kind: bands`, `kind: segments` or `kind: decision_table`"),
              let kind = string(kindNode, "the table kind") else { return nil }
        guard let nameNode = require(top, "name", in: "this table file", at: fileSpan,
                                     help: "give the table the name rules use, e.g. `name: segment`"),
              let name = identifier(nameNode, "the table name") else { return nil }
        switch kind {
        case "catalogue":
            rejectUnknown(top, allowed: ["kind", "name", "category_columns", "entry_columns", "categories"], in: "a catalogue table")
            return catalogue(top, name: name, at: fileSpan).map(Table.catalogue)
        case "bands":
            rejectUnknown(top, allowed: ["kind", "name", "input", "columns", "bands"], in: "a band table")
            return bands(top, name: name, at: fileSpan).map(Table.bands)
        case "segments":
            rejectUnknown(top, allowed: ["kind", "name", "columns", "segments", "exclusive"], in: "a segment table")
            return segments(top, name: name, at: fileSpan).map(Table.segments)
        case "decision_table":
            rejectUnknown(top, allowed: DecisionTable.keys, in: "a decision table")
            return decisionTable(top, name: name, at: fileSpan).map(Table.decisionTable)
        default:
            let help = Suggestions.closest(to: kind, in: ["catalogue", "bands", "segments", "decision_table"]).map { "did you mean `\($0)`?" }
                ?? "the kinds are catalogue, bands, segments and decision_table"
            diagnostics.error("E307", "unknown table kind `\(kind)`", at: span(kindNode), help: help)
            return nil
        }
    }

    mutating func columns(_ node: Node?, _ what: @autoclosure () -> String) -> [ColumnDecl] {
        guard let node, let entries = mapping(node, what()) else { return [] }
        var out: [ColumnDecl] = []
        for e in entries {
            guard let t = string(e.value, "the type of column `\(e.key)`") else { continue }
            guard let type = ColumnType(parsing: t) else {
                diagnostics.error("E308", "unknown column type `\(t)`", at: span(e.value),
                                  help: Suggestions.closest(to: t, in: ColumnType.names).map { "did you mean `\($0)`?" }
                                    ?? "column types are integer, decimal, money, string, bool and enum(a, b, ...)")
                continue
            }
            out.append(ColumnDecl(name: Identifier(e.key, e.keySpan), type: type))
        }
        return out
    }

    /// Reads the cells of `columns` from a row's entries; every column must be present.
    mutating func cells(_ entries: [(key: String, keySpan: Span, value: Node)], _ columns: [ColumnDecl], row: @autoclosure () -> String, at: Span) -> [Cell]? {
        var out: [Cell] = []
        var ok = true
        for c in columns {
            guard let node = entries.first(where: { $0.key == c.name.name })?.value else {
                diagnostics.error("E306", "\(row()) has no `\(c.name.name)`", at: at,
                                  help: "every row gives a value for each declared column: add `\(c.name.name): <\(c.type.name)>`")
                ok = false
                continue
            }
            if let cell = cell(node, "`\(c.name.name)` of \(row())", as: c.type) { out.append(cell) } else { ok = false }
        }
        return ok ? out : nil
    }

    mutating func catalogue(_ top: [(key: String, keySpan: Span, value: Node)], name: Identifier, at: Span) -> CatalogueTable? {
        let catCols = columns(top.first { $0.key == "category_columns" }?.value, "category_columns")
        let entryCols = columns(top.first { $0.key == "entry_columns" }?.value, "entry_columns")
        guard let catsNode = require(top, "categories", in: "catalogue `\(name.name)`", at: at,
                                     help: "list the categories under `categories:`"),
              let cats = mapping(catsNode, "the categories") else { return nil }
        var categories: [CatalogueTable.Category] = []
        let categoryKeys = catCols.map(\.name.name) + ["entries"], entryKeys = entryCols.map(\.name.name)
        for c in cats {
            let catName = Identifier(c.key, c.keySpan)
            guard let body = mapping(c.value, "category `\(c.key)`") else { continue }
            rejectUnknown(body, allowed: categoryKeys, in: "category `\(c.key)`")
            let values = cells(body, catCols, row: "category `\(c.key)`", at: c.keySpan) ?? []
            var entries: [CatalogueTable.Entry] = []
            if let entriesNode = require(body, "entries", in: "category `\(c.key)`", at: c.keySpan, help: "list the category's types under `entries:`"),
               let es = mapping(entriesNode, "the entries of `\(c.key)`") {
                for e in es {
                    let key = Identifier(e.key, e.keySpan)
                    if case .scalar = e.value, entryCols.count == 1 {
                        // `cpa: 70` is shorthand when the entry has a single column.
                        if let cell = cell(e.value, "`\(entryCols[0].name.name)` of `\(e.key)`", as: entryCols[0].type) {
                            entries.append(.init(key: key, values: [cell]))
                        }
                    } else if let row = mapping(e.value, "entry `\(e.key)`") {
                        rejectUnknown(row, allowed: entryKeys, in: "entry `\(e.key)`")
                        if let vs = cells(row, entryCols, row: "entry `\(e.key)`", at: e.keySpan) { entries.append(.init(key: key, values: vs)) }
                    }
                }
            }
            categories.append(.init(name: catName, values: values, entries: entries))
        }
        return CatalogueTable(name: name, categoryColumns: catCols, entryColumns: entryCols, categories: categories)
    }

    mutating func expression(_ node: Node, _ what: @autoclosure () -> String) -> Expr? {
        guard case .scalar(let s) = node, !s.string.isEmpty else {
            diagnostics.error("E302", "expected \(what()) as a single-line condition", at: span(node),
                              help: "write the condition on the same line, e.g. `when: occupation == rider`")
            return nil
        }
        let (e, d) = Parser.parseExpression(bytes: Array(s.string.utf8), file: file, base: contentOffset(node))
        diagnostics.append(contentsOf: d.all)
        return e
    }

    mutating func bands(_ top: [(key: String, keySpan: Span, value: Node)], name: Identifier, at: Span) -> BandTable? {
        let cols = columns(top.first { $0.key == "columns" }?.value, "columns")
        guard let inputNode = require(top, "input", in: "band table `\(name.name)`", at: at,
                                      help: "name the value the bands read, e.g. `input: score`"),
              let input = expression(inputNode, "the band input"),
              let rowsNode = require(top, "bands", in: "band table `\(name.name)`", at: at, help: "list the bands under `bands:`"),
              let rows = sequence(rowsNode, "the bands") else { return nil }
        var bands: [BandTable.Band] = []
        bands.reserveCapacity(rows.count)
        let keys = ["from", "to"] + cols.map(\.name.name)
        for (i, r) in rows.enumerated() {
            let label = "band \(i + 1)"
            guard let row = mapping(r, label) else { continue }
            rejectUnknown(row, allowed: keys, in: label)
            let from = row.first { $0.key == "from" }.flatMap { number($0.value, "`from` of \(label)", as: .decimal) }
            let to = row.first { $0.key == "to" }.flatMap { number($0.value, "`to` of \(label)", as: .decimal) }
            let at = span(r)
            guard let values = cells(row, cols, row: label, at: at) else { continue }
            bands.append(.init(from: from, to: to, values: values, span: at))
        }
        return BandTable(name: name, input: input, columns: cols, bands: bands)
    }

    mutating func segments(_ top: [(key: String, keySpan: Span, value: Node)], name: Identifier, at: Span) -> SegmentTable? {
        let cols = columns(top.first { $0.key == "columns" }?.value, "columns")
        guard let rowsNode = require(top, "segments", in: "segment table `\(name.name)`", at: at, help: "list the segments under `segments:`"),
              let rows = sequence(rowsNode, "the segments") else { return nil }
        var segs: [SegmentTable.Segment] = []
        let keys = ["name", "when"] + cols.map(\.name.name)
        for (i, r) in rows.enumerated() {
            guard let row = mapping(r, "segment \(i + 1)") else { continue }
            let label = row.first { $0.key == "name" }.flatMap { e -> String? in
                if case .scalar(let s) = e.value { return "segment `\(s.string)`" } else { return nil }
            } ?? "segment \(i + 1)"
            rejectUnknown(row, allowed: keys, in: label)
            let at = span(r)
            let n = require(row, "name", in: label, at: at, help: "give each segment a `name:`").flatMap { identifier($0, "a segment name") }
            let w = require(row, "when", in: label, at: at,
                            help: "say which applicants the segment matches, e.g. `when: occupation == rider` (or `when: true` for everyone else)")
                .flatMap { expression($0, "the segment condition") }
            let values = cells(row, cols, row: label, at: at)
            if let n, let w, let values { segs.append(.init(name: n, when: w, values: values, span: at)) }
        }
        var table = SegmentTable(name: name, columns: cols, segments: segs)
        if let e = top.first(where: { $0.key == "exclusive" })?.value {
            guard case .scalar(let x) = e, x.string == "true" || x.string == "false" else {
                diagnostics.error("E309", "`exclusive` is true or false", at: span(e), help: "write `exclusive: true` when no applicant should match two segments")
                return table
            }
            table.exclusive = x.string == "true"
        }
        return table
    }
}
