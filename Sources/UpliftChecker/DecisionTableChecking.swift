import UpliftBundle
import UpliftSyntax

/// Checks `kind: decision_table` files: each row's cells become one condition over the
/// table's inputs, and the table joins the segment tables' index space, so it compiles, runs
/// and explains like them; its hit policy decides how rows are tried.
extension Checker {
    func decisionTableInfo(_ i: Int, _ t: DecisionTable) -> CheckedSegments? {
        let name = t.name.name
        let cols = columnTypes(t.outputs, table: name)
        var ok = true
        within(.segment(i)) {
            // Each input once, up front: a cell error then points at the cell, not at a
            // missing input repeated in every row.
            for input in t.inputs {
                guard let x = input.expression else { continue }
                let typed = check(x, Scope())
                if typed.type == .error { ok = false }
                if typed.type.isOptional {
                    diags.error("E334", "the input `\(input.name.name)` of decision table `\(name)` may be missing", at: x.span,
                                help: "give it a default: `\(input.name.name): \(bundle.sources.text(x.span)) otherwise 0`")
                    ok = false
                }
            }
        }
        if case .collect(let op) = t.hit, op == .sum || op == .min || op == .max {
            for (o, c) in zip(t.outputs, cols) where !c.type.isNumeric {
                diags.error("E333", "`collect \(op.rawValue)` combines numbers, but output `\(o.name.name)` is \(o.type.name)", at: o.name.span,
                            help: "use `collect list` or `collect count`, or make the output a number")
                ok = false
            }
        }
        if case .collect(let op) = t.hit, let d = t.defaultRow {
            // Collect folds the rows that match; a default row would only ever be ignored.
            diags.warning("W334", "`collect \(op.rawValue)` never uses the default row of `\(name)`", at: d.span,
                          help: "remove `default:`; when no row matches, sums and counts are 0 and `min`/`max` are missing")
        }
        guard ok else { decisionTableFailed.insert(i); return nil }
        var conditions: [TExpr] = [], allReads: [[Read]] = [], texts: [String] = [], names: [String] = []
        var cells: [[(test: TExpr, span: Span)]] = []
        var seen: [String: Span] = [:]
        within(.segment(i)) {
            for (k, row) in t.rows.enumerated() {
                let label = row.id?.name ?? "row \(k + 1)"
                if let id = row.id {
                    if id.name == "default" {
                        diags.error("E337", "`default` names the table's default row, so it cannot be a row id", at: id.span,
                                    help: "choose another id, e.g. `otherwise`")
                    }
                    if let prev = seen[id.name] {
                        diags.error("E337", "row id `\(id.name)` appears twice in `\(name)`", at: id.span, help: "give each row its own id",
                                    notes: [("first here", prev)])
                    }
                    seen[id.name] = id.span
                }
                names.append(label)
                reads = []
                var rowCells: [(test: TExpr, span: Span)] = []
                var condition: TExpr?
                for test in row.tests.compactMap({ $0 }) {
                    let c = check(test, Scope())
                    expectBool(c, test.span, "the cell `\(bundle.sources.text(test.span))` of \(label)")
                    rowCells.append((c.expr, test.span))
                    condition = condition.map { .and($0, c.expr) } ?? c.expr
                }
                cells.append(rowCells)
                conditions.append(condition ?? .constant(1))
                allReads.append(unique(reads))
                let shown = zip(t.inputs, row.cellText).filter { $0.1 != "-" }.map { "\($0.0.name.name) \($0.1)" }
                texts.append(shown.isEmpty ? "any input" : shown.joined(separator: ", "))
            }
        }
        decisionCells[i] = cells
        let catchAll = t.rows.last.map { $0.tests.allSatisfy { $0 == nil } } ?? false
        var values = t.rows.map { r in zip(r.values, cols).map { raw($0.0, $0.1.type) } }
        var noMatch: Int?
        if !catchAll || t.defaultRow != nil || t.hit != .first {
            noMatch = values.count
            values.append(t.defaultRow.map { r in zip(r.values, cols).map { raw($0.0, $0.1.type) } }
                          ?? Array(repeating: Int64.min, count: cols.count))
            names.append(t.defaultRow == nil ? "(no row)" : "default")
        }
        schema.enums.append(EnumInfo(name: name, cases: names))
        var checked = CheckedSegments(name: name, nameEnum: schema.enums.count - 1, columns: cols, names: names,
                                      conditions: conditions, conditionText: texts, reads: allReads, values: values)
        checked.kind = .decisionTable
        checked.hit = t.hit
        checked.rowSpans = t.rows.map(\.span)
        checked.noMatchRow = noMatch
        checked.hasDefault = t.defaultRow != nil
        checked.exclusive = t.hit == .unique
        checked.complete = t.complete
        return checked
    }

    /// Whether every applicant gets the table's outputs: a default row, or (first match) a
    /// last row whose cells are all `-`. Otherwise outputs may be missing.
    func outputsAlwaysPresent(_ s: CheckedSegments) -> Bool {
        // `collect` folds the matched rows only (its evaluation never reads a `default:` row),
        // so min and max are missing when no row matches, default or not.
        if case .collect(let op) = s.hit { return op == .sum }
        if s.hasDefault { return true }
        switch s.hit {
        case .first: return s.noMatchRow == nil || s.complete
        case .unique: return s.complete
        case .collect(let op): return op == .sum
        }
    }

    /// `table.column`, `table.row` and (collect) `table.count` of a decision table.
    func decisionTableMember(_ info: CheckedSegments, _ t: Int, _ field: Identifier) -> Typed {
        if field.name == "row", !info.isCollect {
            return Typed(type: .enumeration(info.nameEnum), expr: .segmentIndex(table: t), list: nil)
        }
        if field.name == "count", info.isCollect {
            // A collect table's row register counts the matching rows.
            return Typed(type: .integer, expr: .segmentIndex(table: t), list: nil)
        }
        if case .collect(let op) = info.hit, op == .list || op == .count {
            diags.error("E262", "`collect \(op.rawValue)` table `\(info.name)` has only `count`", at: field.span,
                        help: "read `\(info.name).count`, or use `collect sum`, `min` or `max` to combine an output")
            return .error
        }
        guard let c = info.columns.firstIndex(where: { $0.name == field.name }) else {
            unknownField(field, in: (info.isCollect ? ["count"] : ["row"]) + info.columns.map(\.name), of: "decision table `\(info.name)`")
            return .error
        }
        let type = info.columns[c].type
        return Typed(type: outputsAlwaysPresent(info) ? type : .optional(type), expr: .segmentColumn(table: t, column: c), list: nil)
    }
}
