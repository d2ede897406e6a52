import UpliftChecker

/// Conditions compiled as jumps ("jumping code"). Where a condition only decides where to go
/// next — a filter, a `where`, a segment's `when`, a cap's `when`, `if … then` — it never needs
/// to exist as a boolean on the stack: `a and b` becomes two tests that each jump away when
/// false, and `age < 18` a single compare-and-jump instruction. Dispatches are most of an
/// evaluation's time, so this is where the VM's speed comes from.
extension CompilerState {
    /// Emits code that jumps when `x` is `when` and falls through otherwise. Returns the jump
    /// operands to patch with the target.
    mutating func branch(_ x: TExpr, when: Bool) -> [Int] {
        switch x {
        case .and(let a, let b):
            if !when { return branch(a, when: false) + branch(b, when: false) }
            let skip = branch(a, when: false)
            let jumps = branch(b, when: true)
            for s in skip { e.patch(s) }
            return jumps
        case .or(let a, let b):
            if when { return branch(a, when: true) + branch(b, when: true) }
            let skip = branch(a, when: true)
            let jumps = branch(b, when: false)
            for s in skip { e.patch(s) }
            return jumps
        case .not(let a):
            return branch(a, when: !when)
        case .constant(let v):
            // A constant condition (a segment's `when: true`) decides at compile time.
            return (v != 0) == when ? [e.jump(.jump)] : []
        case .isMissing(let a) where register(of: a) != nil:
            e.emit(when ? .jumpIfMissingR : .jumpIfPresentR, register(of: a) ?? 0, -1, effect: 0)
            return [e.code.count - 1]
        case .isMissing(.element(let v, let field)):
            e.emit(when ? .jumpIfElementMissing : .jumpIfElementPresent, slot(ofVariable: v), Int32(field), -1, effect: 0)
            return [e.code.count - 1]
        case .element(let v, let field):
            e.emit(when ? .jumpIfElementTrue : .jumpIfElementFalse, slot(ofVariable: v), Int32(field), -1, effect: 0)
            return [e.code.count - 1]
        case .catalogueHas(let t, .element(let v, let field)):
            e.emit(when ? .jumpIfElementInCatalogue : .jumpIfElementNotInCatalogue, slot(ofVariable: v), Int32(field),
                   catalogueData[t].index, Int32(policy.strings.count), -1, effect: 0)
            return [e.code.count - 1]
        case .compare(let op, let a, let b):
            if let fused = fusedCompare(op, a, b) {
                e.emit(jumpOpcode(fused.op, negated: !when), fused.register, e.constant(fused.constant), -1, effect: 0)
                return [e.code.count - 1]
            }
            let test = when ? op : op.negated
            // Against a constant: the value is compared as it is popped.
            if case .constant(let k) = b {
                expression(a)
                e.emit(stackJump(test, constant: true), e.constant(k), -1, effect: -1)
                return [e.code.count - 1]
            }
            if case .constant(let k) = a {
                expression(b)
                e.emit(stackJump(test.flipped, constant: true), e.constant(k), -1, effect: -1)
                return [e.code.count - 1]
            }
            expression(a)
            expression(b)
            e.emit(stackJump(test, constant: false), -1, effect: -2)
            return [e.code.count - 1]
        default:
            break
        }
        expression(x)
        return [e.jump(when ? .jumpIfTrue : .jumpIfFalse)]
    }

    /// Compare-and-jump on the stack: against a constant operand, or the top two values.
    func stackJump(_ op: ComparisonOp, constant: Bool) -> Opcode {
        switch op {
        case .eq: constant ? .jumpIfEqK : .jumpIfEq
        case .ne: constant ? .jumpIfNeK : .jumpIfNe
        case .lt: constant ? .jumpIfLtK : .jumpIfLt
        case .le: constant ? .jumpIfLeK : .jumpIfLe
        case .gt: constant ? .jumpIfGtK : .jumpIfGt
        case .ge: constant ? .jumpIfGeK : .jumpIfGe
        }
    }

    /// The compare-and-jump form of a register-constant comparison; negated for "jump when
    /// false" (exact: raw values are totally ordered, with no NaN).
    func jumpOpcode(_ compare: Opcode, negated: Bool) -> Opcode {
        switch (compare, negated) {
        case (.eqRK, false), (.neRK, true): .jumpIfEqRK
        case (.neRK, false), (.eqRK, true): .jumpIfNeRK
        case (.ltRK, false), (.geRK, true): .jumpIfLtRK
        case (.leRK, false), (.gtRK, true): .jumpIfLeRK
        case (.gtRK, false), (.leRK, true): .jumpIfGtRK
        default: .jumpIfGeRK // (.geRK, false), (.ltRK, true)
        }
    }
}
