import UpliftChecker
import UpliftSyntax

extension CompilerState {
    /// Emits code that leaves the value of `x` on the stack.
    mutating func expression(_ x: TExpr) {
        switch x {
        case .constant(let v): e.push(v)
        case .fact(let f): e.load(Int32(f))
        case .value(let i): e.load(valueSlots[i])
        case .element(let v, let field): e.emit(.element, loopSlots + Int32(v), Int32(field), effect: 1)
        case .arithmetic(let op, let a, let b):
            expression(a); expression(b)
            let code: Opcode = switch op {
            case .add: .add
            case .sub: .sub
            case .mulInt: .mulInt
            case .mulFixed: .mulFixed
            case .divFixed: .divFixed
            }
            e.emit(code, effect: -1)
        case .negate(let a): expression(a); e.emit(.negate, effect: 0)
        case .toFixed(let a): expression(a); e.emit(.toFixed, effect: 0)
        case .compare(let op, let a, let b):
            if let fused = fusedCompare(op, a, b) { e.emit(fused.op, fused.register, e.constant(fused.constant), effect: 1); return }
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
            expression(c)
            let otherwise = e.jump(.jumpIfFalse)
            expression(a)
            let end = e.jump(.jump)
            e.depth -= 1 // only one branch's value is on the stack at the join
            e.patch(otherwise)
            expression(b)
            e.patch(end)
        case .catalogueHas(let t, let key):
            expression(key)
            e.emit(.catalogueHas, catalogueData[t].index, Int32(policy.strings.count), effect: 0)
        case .catalogueLookup(let t, let column, let key):
            expression(key)
            let cat = policy.catalogues[t]
            let offset: Int32 = switch column {
            case .category: 0
            case .categoryValue(let i): Int32(1 + i)
            case .entryValue(let i): Int32(1 + cat.categoryColumns.count + i)
            }
            let d = catalogueData[t]
            e.emit(.catalogueGet, d.index, Int32(policy.strings.count), d.rows, d.stride, offset, effect: 0)
        case .bandColumn(let t, let c):
            e.emit(.tableColumn, bandSlots[t], bandData[t].values, Int32(policy.bands[t].columns.count), Int32(c), effect: 1)
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
            case .roundDown, .roundUp, .round:
                expression(args[0]); expression(args[1])
                e.emit(b == .roundDown ? .roundDown : b == .roundUp ? .roundUp : .roundNearest, effect: -1)
            case .abs:
                expression(args[0]); e.emit(.abs, effect: 0)
            case .daysBetween:
                expression(args[0]); expression(args[1]); e.emit(.daysBetween, effect: -1)
            }
        case .aggregate(let agg):
            aggregate(agg)
        }
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
        let mirrored: Bool
        let r: Int32, k: Int64
        if let ra = register(of: a), case .constant(let kb) = b { (r, k, mirrored) = (ra, kb, false) }
        else if case .constant(let ka) = a, let rb = register(of: b) { (r, k, mirrored) = (rb, ka, true) }
        else { return nil }
        let code: Opcode = switch op {
        case .eq: .eqRK
        case .ne: .neRK
        case .lt: mirrored ? .gtRK : .ltRK
        case .le: mirrored ? .geRK : .leRK
        case .gt: mirrored ? .ltRK : .gtRK
        case .ge: mirrored ? .leRK : .geRK
        }
        return (code, r, k)
    }

    /// A loop over the list's elements: filters, the `where` condition, then accumulation.
    mutating func aggregate(_ agg: CheckedAggregate) {
        let acc = e.register()
        var groupBase: Int32 = 0
        if let g = agg.group {
            groupBase = e.registers(g.domain)
            for k in 0..<g.domain { e.set(groupBase + Int32(k), Program.missing) }
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
        let body = e.here
        var skips: [Int] = []
        for f in agg.source.filters {
            if let k = memo[f.variable] {
                // Decided before for this element: jump straight to the verdict.
                e.emit(.memoTest, variable, k, -1, -1, effect: 0)
                let keptPatch = e.code.count - 1
                skips.append(e.code.count - 2)
                e.move(loopSlots + Int32(f.variable), from: variable)
                expression(f.condition)
                e.emit(.memoStore, variable, k, effect: 0)
                skips.append(e.jump(.jumpIfFalse))
                e.patch(keptPatch)
            } else {
                e.move(loopSlots + Int32(f.variable), from: variable)
                expression(f.condition)
                skips.append(e.jump(.jumpIfFalse))
            }
        }
        if let c = agg.condition { expression(c); skips.append(e.jump(.jumpIfFalse)) }
        var early: [Int] = []
        if let g = agg.group {
            expression(g.key)
            if g.inner == .count { e.push(1) } else if let b = agg.body { expression(b) } else { e.push(1) }
            let kind: AggregateCode = switch g.inner { case .max: .max; case .min: .min; case .count: .count; default: .sum }
            e.emit(.groupCombine, groupBase, kind.rawValue, Int32(g.domain), effect: -2)
        } else {
            switch agg.kind {
            case .any, .all:
                if let b = agg.body { expression(b) } else { e.push(1) }
                skips.append(e.jump(agg.kind == .any ? .jumpIfFalse : .jumpIfTrue))
                e.set(acc, agg.kind == .any ? 1 : 0)
                early.append(e.jump(.jump))
            case .count:
                if let b = agg.body { expression(b); skips.append(e.jump(.jumpIfFalse)) }
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
