import UpliftChecker
import UpliftSyntax

extension CompilerState {
    /// Emits code that leaves the value of `x` on the stack.
    mutating func expression(_ x: TExpr) {
        switch x {
        case .constant(let v): e.push(v)
        case .fact(let f): e.load(Int32(f))
        case .value(let i): e.load(valueSlots[i])
        case .element(let v, let field): e.emit(.element, slot(ofVariable: v), Int32(field), effect: 1)
        case .arithmetic(let op, let a, let b):
            // A chain (`a * b / c`) is computed in 128 bits; a single step needs no widening.
            if a.isArithmetic || b.isArithmetic { wideChain(x, root: true); return }
            expression(a); expression(b)
            let code: Opcode = switch op {
            case .add: .add
            case .sub: .sub
            case .mulInt: .mulInt
            case .mulFixed: .mulFixed
            case .divFixed: .divFixed
            }
            e.emit(code, effect: -1)
        case .negate(let a) where a.isArithmetic, .toFixed(let a) where a.isArithmetic: wideChain(x, root: true)
        case .negate(let a): expression(a); e.emit(.negate, effect: 0)
        case .toFixed(let a): expression(a); e.emit(.toFixed, effect: 0)
        case .compare(let op, let a, let b):
            if let fused = fusedCompare(op, a, b) { e.emit(fused.op, fused.register, e.constant(fused.constant), effect: 1); return }
            // Against a constant: one instruction compares the top of the stack with it.
            if case .constant(let k) = b { expression(a); e.emit(constantCompare(op), e.constant(k), effect: 0); return }
            if case .constant(let k) = a { expression(b); e.emit(constantCompare(op.flipped), e.constant(k), effect: 0); return }
            expression(a); expression(b)
            let code: Opcode = switch op {
            case .eq: .eq
            case .ne: .ne
            case .lt: .lt
            case .le: .le
            case .gt: .gt
            case .ge: .ge
            }
            e.emit(code, effect: -1)
        case .and(let a, let b):
            // a and b: false as soon as a is false; b is not evaluated.
            expression(a)
            let end = e.jump(.jumpIfFalseOrPop)
            expression(b)
            e.patch(end)
        case .or(let a, let b):
            expression(a)
            let end = e.jump(.jumpIfTrueOrPop)
            expression(b)
            e.patch(end)
        case .not(.isMissing(let a)) where register(of: a) != nil:
            e.emit(.isPresentR, register(of: a) ?? 0, effect: 1)
        case .not(let a): expression(a); e.emit(.not, effect: 0)
        case .isMissing(let a):
            if let r = register(of: a) { e.emit(.isMissingR, r, effect: 1) } else { expression(a); e.emit(.isMissing, effect: 0) }
        case .otherwise(let a, let b):
            expression(a)
            let end = e.jump(.jumpIfPresentOrPop)
            expression(b)
            e.patch(end)
        case .conditional(let c, let a, let b):
            let otherwise = branch(c, when: false)
            expression(a)
            let end = e.jump(.jump)
            e.depth -= 1 // only one branch's value is on the stack at the join
            for j in otherwise { e.patch(j) }
            expression(b)
            e.patch(end)
        case .catalogueHas(let t, let key):
            expression(key)
            e.emit(.catalogueHas, catalogueData[t].index, Int32(policy.strings.count), effect: 0)
        case .catalogueLookup(let t, let column, let key):
            let cat = policy.catalogues[t]
            let offset: Int32 = switch column {
            case .category: 0
            case .categoryValue(let i): Int32(1 + i)
            case .entryValue(let i): Int32(1 + cat.categoryColumns.count + i)
            }
            let d = catalogueData[t]
            if case .element(let v, let field) = key {
                // `catalogue[c.type].points`: the key read from the element in the same instruction.
                e.emit(.catalogueGetElement, slot(ofVariable: v), Int32(field), d.index, Int32(policy.strings.count), d.rows, d.stride, offset, effect: 1)
            } else {
                expression(key)
                e.emit(.catalogueGet, d.index, Int32(policy.strings.count), d.rows, d.stride, offset, effect: 0)
            }
        case .bandColumn(let t, let c):
            e.emit(.tableColumn, bandSlots[t], bandData[t].values, Int32(policy.bands[t].columns.count), Int32(c), effect: 1)
        case .segmentColumn(let t, let c) where collectSlots[t].indices.contains(c):
            e.load(collectSlots[t][c])
        case .segmentColumn(let t, let c):
            e.emit(.tableColumn, segmentSlots[t], segmentData[t], Int32(policy.segments[t].columns.count), Int32(c), effect: 1)
        case .segmentIndex(let t):
            e.load(segmentSlots[t])
        case .uplift:
            e.load(upliftSlot)
        case .builtin(let b, let args, _):
            switch b {
            case .min, .max:
                expression(args[0])
                for a in args.dropFirst() { expression(a); e.emit(b == .min ? .min : .max, effect: -1) }
            case .round where args.count == 3:
                // `round(x, step, mode)`: the checker made the mode a constant third argument.
                expression(args[0]); expression(args[1])
                let mode: Int32 = if case .constant(let m) = args[2] { Int32(truncatingIfNeeded: m) } else { RoundingMode.halfUp.code }
                e.emit(.roundMode, mode, effect: -1)
            case .roundDown, .roundUp, .round:
                expression(args[0]); expression(args[1])
                e.emit(b == .roundDown ? .roundDown : b == .roundUp ? .roundUp : .roundNearest, effect: -1)
            case .abs:
                expression(args[0]); e.emit(.abs, effect: 0)
            case .daysBetween:
                expression(args[0]); expression(args[1]); e.emit(.daysBetween, effect: -1)
            }
        case .aggregate(let agg):
            // An aggregate the policy computes in several places (`count(accepted)` in two rules)
            // is computed where first needed and remembered for the rest of the evaluation.
            let key = loopDepth == 0 ? aggregateKey(agg) : ""
            if let cache = repeatedAggregates[key] {
                e.emit(.cachedLoad, cache.flag, cache.value, -1, effect: 1)
                let done = e.code.count - 1
                e.depth -= 1
                loopDepth += 1
                aggregate(agg)
                loopDepth -= 1
                e.emit(.cacheStore, cache.flag, cache.value, effect: 0)
                e.patch(done)
            } else {
                loopDepth += 1
                aggregate(agg)
                loopDepth -= 1
            }
        }
    }

    /// The register of loop variable `v`: its own, or the element register of the aggregate
    /// whose filter is being compiled (filters then need no copy of the element per test).
    func slot(ofVariable v: Int) -> Int32 {
        aliases[v] ?? loopSlots + Int32(v)
    }

    /// The register that holds `x` when it is a plain read of one, for fused instructions.
    func register(of x: TExpr) -> Int32? {
        switch x {
        case .fact(let f): Int32(f)
        case .value(let i) where valueSlots.indices.contains(i) && valueSlots[i] >= 0: valueSlots[i]
        case .segmentIndex(let t): segmentSlots[t]
        case .uplift: upliftSlot
        default: nil
        }
    }

    /// `register ⋄ constant` (or `constant ⋄ register`, mirrored) as one instruction.
    func fusedCompare(_ op: ComparisonOp, _ a: TExpr, _ b: TExpr) -> (op: Opcode, register: Int32, constant: Int64)? {
        let r: Int32, k: Int64, op2: ComparisonOp
        if let ra = register(of: a), case .constant(let kb) = b { (r, k, op2) = (ra, kb, op) }
        else if case .constant(let ka) = a, let rb = register(of: b) { (r, k, op2) = (rb, ka, op.flipped) }
        else { return nil }
        let code: Opcode = switch op2 {
        case .eq: .eqRK
        case .ne: .neRK
        case .lt: .ltRK
        case .le: .leRK
        case .gt: .gtRK
        case .ge: .geRK
        }
        return (code, r, k)
    }

    func constantCompare(_ op: ComparisonOp) -> Opcode {
        switch op {
        case .eq: .eqK
        case .ne: .neK
        case .lt: .ltK
        case .le: .leK
        case .gt: .gtK
        case .ge: .geK
        }
    }

    /// A loop over the list's elements: filters, the `where` condition, then accumulation.
    mutating func aggregate(_ agg: CheckedAggregate) {
        let acc = e.register()
        var groupBase: Int32 = 0
        if let g = agg.group {
            groupBase = e.registers(g.domain)
            e.emit(.fillConst, groupBase, Int32(g.domain), e.constant(Program.missing), effect: 0)
        }
        let initial: Int64 = switch agg.kind {
        case .all: 1
        case .max, .min: Program.missing
        default: 0
        }
        e.set(acc, initial)
        let variable = loopSlots + Int32(agg.variable)
        let end = e.register()
        let width = Int32(policy.schema.records[agg.source.record].fields.count)
        e.emit(.iterate, Int32(agg.source.field), variable, end, width, -1, effect: 0)
        let exitPatch = e.code.count - 1
        let body = e.mark()
        var skips: [Int] = []
        for f in agg.source.filters {
            // The filter's own variable reads the aggregate's element register directly.
            aliases[f.variable] = variable
            defer { aliases[f.variable] = nil }
            if let k = memo[f.variable] {
                // Decided before for this element: jump straight to the verdict. Otherwise test,
                // remember the verdict, and go on (kept) or to the next element (dropped).
                e.emit(.memoTest, variable, k, -1, -1, effect: 0)
                let keptPatch = e.code.count - 1
                skips.append(e.code.count - 2)
                let dropped = branch(f.condition, when: false)
                e.emit(.memoKeep, variable, k, -1, effect: 0)
                let kept = e.code.count - 1
                for j in dropped { e.patch(j) }
                e.emit(.memoDrop, variable, k, -1, effect: 0)
                skips.append(e.code.count - 1)
                e.patch(keptPatch)
                e.patch(kept)
            } else {
                skips += branch(f.condition, when: false)
            }
        }
        if let c = agg.condition { skips += branch(c, when: false) }
        var early: [Int] = []
        if let g = agg.group {
            expression(g.key)
            if g.inner == .count { e.push(1) } else if let b = agg.body { expression(b) } else { e.push(1) }
            let kind: AggregateCode = switch g.inner { case .max: .max; case .min: .min; case .count: .count; default: .sum }
            e.emit(.groupCombine, groupBase, kind.rawValue, Int32(g.domain), effect: -2)
        } else {
            switch agg.kind {
            case .any, .all:
                // Without a body every element counts as true: `any` stops at the first, `all` never does.
                if let b = agg.body { skips += branch(b, when: agg.kind == .all) } else if agg.kind == .all { skips.append(e.jump(.jump)) }
                e.set(acc, agg.kind == .any ? 1 : 0)
                early.append(e.jump(.jump))
            case .count:
                if let b = agg.body { skips += branch(b, when: false) }
                e.emit(.increment, acc, effect: 0)
            case .sum:
                e.load(acc)
                if let b = agg.body { expression(b) } else { e.push(0) }
                e.emit(.add, effect: -1); e.store(acc)
            case .max, .min:
                e.load(acc)
                if let b = agg.body { expression(b) } else { e.push(0) }
                e.emit(agg.kind == .max ? .maxPresent : .minPresent, effect: -1); e.store(acc)
            }
        }
        for s in skips { e.patch(s) }
        e.emit(.next, variable, end, width, body, effect: 0)
        e.patch(exitPatch)
        for j in early { e.patch(j) }
        if let g = agg.group {
            let kind: AggregateCode = switch agg.kind { case .max: .max; case .min: .min; case .count: .count; default: .sum }
            e.emit(.groupFold, groupBase, Int32(g.domain), kind.rawValue, effect: 1)
        } else {
            e.load(acc)
        }
    }
}

