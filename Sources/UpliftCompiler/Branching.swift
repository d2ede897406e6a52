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
        default:
            break
        }
        expression(x)
        return [e.jump(when ? .jumpIfTrue : .jumpIfFalse)]
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
