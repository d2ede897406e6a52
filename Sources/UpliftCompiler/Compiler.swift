import UpliftChecker
import UpliftSyntax

/// Compiles a checked policy into a bytecode `Program`. Everything the VM needs at run time —
/// catalogue indexes, band bounds, table rows — is laid out here once, not rebuilt per decision.
package enum PolicyCompiler {
    package static func compile(_ policy: CheckedPolicy) -> Program {
        var c = CompilerState(policy)
        return c.compile()
    }
}

struct CompilerState {
    let policy: CheckedPolicy
    var e: Emitter
    var valueSlots: [Int32] = []
    var loopSlots: Int32 = 0
    var bandSlots: [Int32] = []
    var segmentSlots: [Int32] = []
    var amountSlot: Int32 = 0
    var capSlots: Int32 = 0
    var upliftSlot: Int32 = 0
    var bindSlot: Int32 = 0
    var ruleSlots: Int32 = 0
    var regions: [Program.Region] = []
    /// Per catalogue: (index offset, rows offset, row stride).
    var catalogueData: [(index: Int32, rows: Int32, stride: Int32)] = []
    var bandData: [(lowers: Int32, upper: Int32, values: Int32)] = []
    var segmentData: [Int32] = []
    /// Per row table: for `collect`, each row's match flag register and each output's
    /// combined value register; empty otherwise.
    var rowFlagSlots: [[Int32]] = []
    var collectSlots: [[Int32]] = []
    /// Filter loop variable → memo index (see `FilterMemo`).
    var memo: [Int: Int32] = [:]
    /// Filter loop variable → the register it reads while its filter is compiled inline.
    var aliases: [Int: Int32] = [:]
    /// How many aggregate loops enclose the code being compiled.
    var loopDepth = 0
    /// Top-level aggregates written more than once → their "computed" flag and value registers.
    var repeatedAggregates: [String: (flag: Int32, value: Int32)] = [:]

    init(_ policy: CheckedPolicy) {
        self.policy = policy
        e = Emitter(firstFreeRegister: policy.schema.facts.fields.count)
    }

    mutating func allocate() {
        valueSlots = policy.values.map { $0.list == nil ? e.register() : -1 }
        loopSlots = e.registers(policy.loopVariables)
        bandSlots = policy.bands.map { _ in e.register() }
        segmentSlots = policy.segments.map { _ in e.register() }
        rowFlagSlots = policy.segments.map { s in s.isCollect ? (0..<s.conditions.count).map { _ in e.register() } : [] }
        collectSlots = policy.segments.map { s in s.isCollect ? s.columns.map { _ in e.register() } : [] }
        amountSlot = e.register()
        capSlots = e.registers(policy.caps.count)
        upliftSlot = e.register()
        bindSlot = e.register()
        ruleSlots = e.registers(policy.rules.count)
    }

    /// Lays out catalogue indexes and table rows; linear in the tables and the string pool.
    mutating func layTables() {
        let n = policy.strings.count
        // Each string's first id, looked up once per entry (a search per entry was quadratic).
        var ids: [String: Int] = [:]
        ids.reserveCapacity(n)
        for (id, s) in policy.strings.enumerated() where ids[s] == nil { ids[s] = id }
        for cat in policy.catalogues {
            var index = [Int64](repeating: -1, count: n)
            var rows: [Int64] = []
            for (k, entry) in cat.entries.enumerated() {
                if let id = ids[entry.key] { index[id] = Int64(k) }
                rows.append(Int64(entry.category))
                rows.append(contentsOf: cat.categoryValues.indices.contains(entry.category) ? cat.categoryValues[entry.category] : [])
                rows.append(contentsOf: entry.values)
            }
            let stride = Int32(1 + cat.categoryColumns.count + cat.entryColumns.count)
            catalogueData.append((e.data(index), e.data(rows), stride))
        }
        for b in policy.bands {
            let lowers = e.data(b.lower.map { $0 ?? Int64.min })
            let upper = e.constant(b.upper.last.flatMap { $0 } ?? Int64.max)
            bandData.append((lowers, upper, e.data(b.values.flatMap { $0 })))
        }
        for s in policy.segments { segmentData.append(e.data(s.values.flatMap { $0 })) }
    }

    mutating func region(_ step: EvaluationStep) {
        let part = policy.part(step)
        regions.append(Program.Region(start: Int(e.mark()), what: part.what, span: part.span))
    }

    mutating func compile() -> Program {
        allocate()
        layTables()
        memo = FilterMemo.plan(policy)
        for key in FilterMemo.repeatedAggregates(policy) { repeatedAggregates[key] = (e.register(), e.register()) }
        for step in policy.order {
            switch step {
            case .value(let i):
                let v = policy.values[i]
                guard let expr = v.expr else { continue }
                region(step)
                expression(expr)
                e.store(valueSlots[i])
            case .band(let i):
                let b = policy.bands[i]
                region(step)
                expression(b.input)
                let d = bandData[i]
                e.emit(.band, d.lowers, Int32(b.lower.count), d.upper, bandSlots[i], effect: -1)
            case .segment(let i):
                region(step)
                rowTable(i)
            case .amount:
                if let a = policy.amount {
                    region(step)
                    expression(a)
                    e.store(amountSlot)
                }
            case .cap(let i):
                let cap = policy.caps[i]
                region(step)
                if let cond = cap.condition {
                    let skips = branch(cond, when: false)
                    expression(cap.bound)
                    e.store(capSlots + Int32(i))
                    let end = e.jump(.jump)
                    for j in skips { e.patch(j) }
                    e.set(capSlots + Int32(i), Program.missing)
                    e.patch(end)
                } else {
                    expression(cap.bound)
                    e.store(capSlots + Int32(i))
                }
            case .uplift:
                region(step)
                if policy.amount == nil { e.set(amountSlot, 0) }
                let mode = policy.rounding?.mode.code ?? RoundingMode.down.code
                let step = e.constant(policy.rounding?.step ?? 1)
                if policy.allowsDecrease {
                    let floors = policy.caps.enumerated().reduce(Int64(0)) { $1.element.isFloor ? $0 | (1 << Int64($1.offset)) : $0 }
                    let limit = Int32(policy.currentLimitField ?? -1)
                    e.emit(.upliftDecrease, amountSlot, capSlots, Int32(policy.caps.count), mode, step, upliftSlot, bindSlot,
                           e.constant(floors), limit, effect: 0)
                } else {
                    e.emit(.uplift, amountSlot, capSlots, Int32(policy.caps.count), mode, step, upliftSlot, bindSlot, effect: 0)
                }
            }
        }
        for (i, rule) in policy.rules.enumerated() {
            let part = policy.rulePart(i)
            regions.append(Program.Region(start: Int(e.mark()), what: part.what, span: part.span))
            // Registers start at 0 (false) every evaluation: the condition only decides whether
            // to set its rule's register, as jumps (most rules do not fire, at one dispatch each).
            let passes = branch(rule.condition, when: false)
            e.set(ruleSlots + Int32(i), 1)
            for j in passes { e.patch(j) }
        }
        e.emit(.halt, effect: 0)
        let probes = compileProbes()
        JumpThreading.apply(to: &e.code)
        return Program(
            code: e.code, constants: e.constants, tableData: e.tableData, registerCount: e.registers, stackSize: e.maxDepth + 2,
            memoizedFilters: memo.count,
            layout: Program.Layout(
                factCount: policy.schema.facts.fields.count, valueSlots: valueSlots.map(Int.init), bandSlots: bandSlots.map(Int.init),
                segmentSlots: segmentSlots.map(Int.init), rowFlagSlots: rowFlagSlots.map { $0.map(Int.init) },
                collectSlots: collectSlots.map { $0.map(Int.init) }, amountSlot: Int(amountSlot),
                capSlots: policy.caps.indices.map { Int(capSlots) + $0 }, upliftSlot: Int(upliftSlot), bindSlot: Int(bindSlot),
                ruleSlots: policy.rules.indices.map { Int(ruleSlots) + $0 }),
            regions: regions, probes: probes)
    }

    /// One small routine per `and`-part of each named list's filters, run only to explain.
    mutating func compileProbes() -> [Program.Probe] {
        var probes: [Program.Probe] = []
        for (i, v) in policy.values.enumerated() {
            guard let list = v.list else { continue }
            let slots = list.variables.map { Int(loopSlots) + $0 }
            for (f, filter) in list.filters.enumerated() {
                for (k, part) in filter.conjuncts.enumerated() {
                    let entry = Int(e.mark())
                    regions.append(Program.Region(start: Int(e.mark()), what: policy.part(.value(i)).what, span: part.span))
                    e.depth = 0
                    expression(part.test)
                    e.emit(.halt, effect: 0)
                    probes.append(Program.Probe(value: i, filter: f, conjunct: k, entry: entry, variableSlots: slots, span: part.span))
                }
            }
        }
        return probes
    }
}
