import UpliftBundle
import UpliftSyntax

extension Checker {
    /// A column's value type; an `enum(...)` column declares its enum as `table.column`.
    func columnType(_ c: ColumnDecl, table: String) -> ValueType {
        switch c.type {
        case .integer: return .integer
        case .decimal: return .decimal
        case .money: return .money
        case .string: return .string
        case .bool: return .bool
        case .enumeration(let cases):
            schema.enums.append(EnumInfo(name: "\(table).\(c.name.name)", cases: cases))
            return .enumeration(schema.enums.count - 1)
        }
    }

    func columnTypes(_ cs: [ColumnDecl], table: String) -> [(name: String, type: ValueType)] {
        cs.map { (name: $0.name.name, type: columnType($0, table: table)) }
    }

    /// A cell's raw register value: numbers scaled, strings interned, enum cases by index.
    func raw(_ cell: Cell, _ type: ValueType) -> Int64 {
        switch type {
        case .integer: return cell.value.raw / FixedDecimal.scale
        case .string: return intern(cell.text ?? "")
        case .bool: return cell.text == "true" ? 1 : 0
        case .enumeration(let e):
            return Int64(schema.enums[e].cases.firstIndex(of: cell.text ?? "") ?? 0)
        default: return cell.value.raw
        }
    }

    func loadTables() {
        for table in bundle.tables {
            let n = table.name
            if let prev = tableKinds[n.name] {
                diags.error("E230", "table `\(n.name)` is defined twice", at: n.span, help: "rename one of the tables",
                            notes: [("first defined here", prev.span)])
                continue
            }
            if schema.facts.field(named: n.name) != nil {
                diags.error("E230", "table `\(n.name)` has the name of a fact", at: n.span, help: "rename the table")
                continue
            }
            switch table {
            case .catalogue(let t):
                tableKinds[n.name] = ("catalogue", catalogues.count, n.span)
                catalogues.append(catalogue(t))
                catalogueSpans.append(n.span)
            case .bands(let t):
                tableKinds[n.name] = ("bands", bandTables.count, n.span)
                tableOrder.append(.band(bandTables.count))
                bandTables.append(t)
                bands.append(nil)
            case .segments(let t):
                tableKinds[n.name] = ("segments", segmentTables.count, n.span)
                tableOrder.append(.rows(segmentTables.count))
                segmentTables.append(t)
                segments.append(nil)
            case .decisionTable(let t):
                // A decision table is a row table like segments: one index space, one check,
                // compile and explain path; `decisionTables` holds its cells.
                tableKinds[n.name] = ("segments", segmentTables.count, n.span)
                tableOrder.append(.rows(segmentTables.count))
                decisionTables[segmentTables.count] = t
                segmentTables.append(SegmentTable(name: t.name, columns: t.outputs, segments: []))
                segments.append(nil)
            }
        }
    }

    func catalogue(_ t: CatalogueTable) -> CheckedCatalogue {
        let catCols = columnTypes(t.categoryColumns, table: t.name.name)
        let entryCols = columnTypes(t.entryColumns, table: t.name.name)
        for c in t.categoryColumns + t.entryColumns where c.name.name == "category" {
            diags.error("E231", "`category` is the built-in column naming an entry's category", at: c.name.span, help: "rename the column")
        }
        schema.enums.append(EnumInfo(name: "\(t.name.name).category", cases: t.categories.map(\.name.name)))
        let categoryEnum = schema.enums.count - 1
        var entries: [(key: String, category: Int, values: [Int64])] = []
        var seen: [String: Span] = [:]
        // Sized once: growing three tables key by key rehashed every key again at each doubling.
        let total = t.categories.reduce(0) { $0 + $1.entries.count }
        entries.reserveCapacity(total)
        seen.reserveCapacity(total)
        stringIDs.reserveCapacity(stringIDs.count + total)
        strings.reserveCapacity(strings.count + total)
        var seenCategories = Set<String>()
        for (ci, c) in t.categories.enumerated() {
            if !seenCategories.insert(c.name.name).inserted {
                diags.error("E232", "category `\(c.name.name)` appears twice", at: c.name.span, help: "merge the two categories")
            }
            for e in c.entries {
                if let prev = seen[e.key.name] {
                    diags.error("E232", "`\(e.key.name)` is listed in two places in catalogue `\(t.name.name)`", at: e.key.span,
                                help: "a key belongs to exactly one category; remove one entry", notes: [("also listed here", prev)])
                    continue
                }
                seen[e.key.name] = e.key.span
                _ = intern(e.key.name)
                entries.append((e.key.name, ci, zip(e.values, entryCols).map { raw($0.0, $0.1.type) }))
            }
        }
        let catValues = t.categories.map { c in zip(c.values, catCols).map { raw($0.0, $0.1.type) } }
        return CheckedCatalogue(name: t.name.name, categoryEnum: categoryEnum, categoryColumns: catCols, entryColumns: entryCols,
                                entries: entries, categoryValues: catValues)
    }

    /// Checks band table `i` on first use: its input expression and that its ranges neither
    /// overlap nor leave a gap.
    func bandInfo(_ i: Int) -> CheckedBands? {
        if let b = bands[i] { return b }
        if bandState[i] == false { reportCycle(.band(i)); return nil }
        bandState[i] = false
        defer { bandState[i] = true }
        let t = bandTables[i]
        var inputReads: [Read] = []
        let input = within(.band(i)) { () -> Typed in
            let r = check(t.input, Scope())
            inputReads = reads
            return r
        }
        var inputType = input.type
        if input.type.isOptional {
            diags.error("E233", "the input of band table `\(t.name.name)` may be missing", at: t.input.span,
                        help: "give it a default: `input: \(bundle.sources.text(t.input.span)) otherwise 0`")
            inputType = input.type.unwrapped
        }
        if input.type != .error, !inputType.isNumeric {
            diags.error("E234", "the input of band table `\(t.name.name)` is \(schema.describe(input.type)), but bands need a number",
                        at: t.input.span, help: "band on a number such as a score or an amount")
        }
        let cols = columnTypes(t.columns, table: t.name.name)
        var lower: [Int64?] = [], upper: [Int64?] = [], labels: [String] = []
        let isInt = inputType == .integer
        func bound(_ c: Cell?) -> Int64? {
            guard let c else { return nil }
            if isInt && !c.value.isInteger {
                diags.error("E235", "band bounds of an integer input must be whole numbers", at: c.span, help: "write a whole number")
            }
            return isInt ? c.value.raw / FixedDecimal.scale : c.value.raw
        }
        for (k, b) in t.bands.enumerated() {
            let lo = bound(b.from), hi = bound(b.to)
            if b.from == nil && k > 0 {
                diags.error("E236", "band \(k + 1) of `\(t.name.name)` has no `from`", at: b.span,
                            help: "only the first band may omit `from` (meaning \"and below\")")
            }
            if b.to == nil && k < t.bands.count - 1 {
                diags.error("E236", "band \(k + 1) of `\(t.name.name)` has no `to`", at: b.span,
                            help: "only the last band may omit `to` (meaning \"and above\")")
            }
            if let lo, let hi, lo > hi, let f = b.from {
                diags.error("E237", "band \(k + 1) of `\(t.name.name)` runs backwards: `from` is above `to`", at: f.span,
                            help: "swap the bounds")
            }
            lower.append(lo); upper.append(hi)
            let fmt = { (v: Int64) in isInt ? String(v) : FixedDecimal(raw: v).formatted() }
            switch (lo, hi) {
            case (nil, let h?): labels.append("≤ \(fmt(h))")
            case (let l?, nil): labels.append("≥ \(fmt(l))")
            case (let l?, let h?): labels.append("\(fmt(l))–\(fmt(h))")
            case (nil, nil): labels.append("all")
            }
        }
        // Consecutive bands must meet exactly: integer bands at to + 1, fixed bands at to.
        for k in 1..<max(1, t.bands.count) {
            guard let prevHi = upper[k - 1], let lo = lower[k], let here = t.bands[k].from else { continue }
            let expected = isInt ? prevHi + 1 : prevHi
            if lo < expected {
                diags.error("E238", "band \(k + 1) of `\(t.name.name)` overlaps band \(k): values \(labels[k]) and \(labels[k - 1]) share a range",
                            at: here.span, help: "start this band at \(isInt ? String(expected) : FixedDecimal(raw: expected).formatted())",
                            notes: [("the previous band", t.bands[k - 1].span)])
            } else if lo > expected {
                let gapHi = isInt ? lo - 1 : lo
                let g = isInt ? "\(expected)–\(gapHi)" : "from \(FixedDecimal(raw: expected).formatted()) below \(FixedDecimal(raw: lo).formatted())"
                diags.error("E239", "bands \(k) and \(k + 1) of `\(t.name.name)` leave a gap: no band covers \(g)",
                            at: here.span, help: "start this band at \(isInt ? String(expected) : FixedDecimal(raw: expected).formatted()) or add a band for the gap")
            }
        }
        if t.bands.isEmpty {
            diags.error("E236", "band table `\(t.name.name)` has no bands", at: t.name.span, help: "add at least one band")
        }
        let checked = CheckedBands(name: t.name.name, input: input.expr, inputType: inputType, inputSpan: t.input.span, inputReads: inputReads,
                                   columns: cols, lower: lower, upper: upper,
                                   values: t.bands.map { b in zip(b.values, cols).map { raw($0.0, $0.1.type) } }, labels: labels)
        bands[i] = checked
        return checked
    }

    /// Checks segment table `i` on first use: each `when` is a bool, and the last matches always.
    func segmentInfo(_ i: Int) -> CheckedSegments? {
        if let s = segments[i] { return s }
        if decisionTableFailed.contains(i) { return nil }
        if segmentState[i] == false { reportCycle(.segment(i)); return nil }
        segmentState[i] = false
        defer { segmentState[i] = true }
        if let d = decisionTables[i] {
            let checked = decisionTableInfo(i, d)
            segments[i] = checked
            return checked
        }
        let t = segmentTables[i]
        var conditions: [TExpr] = [], allReads: [[Read]] = []
        var seen: [String: Span] = [:]
        within(.segment(i)) {
            for s in t.segments {
                if let prev = seen[s.name.name] {
                    diags.error("E240", "segment `\(s.name.name)` is listed twice", at: s.name.span, help: "rename one", notes: [("first here", prev)])
                }
                seen[s.name.name] = s.name.span
                reads = []
                let c = check(s.when, Scope())
                expectBool(c, s.when.span, "the `when` of segment `\(s.name.name)`")
                conditions.append(c.expr)
                allReads.append(unique(reads))
            }
        }
        if let last = t.segments.last {
            if case .bool(true) = last.when.kind {} else {
                diags.error("E241", "the last segment of `\(t.name.name)` must match every applicant", at: last.when.span,
                            help: "add a final catch-all segment with `when: true`, so every applicant has a segment")
            }
        } else {
            diags.error("E241", "segment table `\(t.name.name)` has no segments", at: t.name.span, help: "add segments, the last with `when: true`")
        }
        let cols = columnTypes(t.columns, table: t.name.name)
        schema.enums.append(EnumInfo(name: t.name.name, cases: t.segments.map(\.name.name)))
        var checked = CheckedSegments(name: t.name.name, nameEnum: schema.enums.count - 1, columns: cols, names: t.segments.map(\.name.name),
                                      conditions: conditions, conditionText: t.segments.map { bundle.sources.text($0.when.span) },
                                      reads: allReads, values: t.segments.map { s in zip(s.values, cols).map { raw($0.0, $0.1.type) } })
        checked.rowSpans = t.segments.map(\.when.span)
        checked.exclusive = t.exclusive
        segments[i] = checked
        return checked
    }
}
