@_spi(Engine) import UpliftCompiler
import UpliftSyntax

/// The bytecode interpreter. Its state is local variables and raw pointers into buffers the
/// caller owns, so the loop does no reference counting and no allocation; every arithmetic
/// instruction checks for overflow and reports a fault instead of trapping.
package enum VM {
    package struct Outcome: Sendable {
        package var fault: EvaluationFault?
        package var pc: Int
    }

    /// Runs `program` from `entry` until `halt`. `registers` must hold `program.registerCount`
    /// values (facts first) and `stack` `program.stackSize`; `memo` is zeroed and holds one word
    /// per element value when `program.memoizedFilters` is non-zero (it may be empty otherwise).
    package static func run(_ program: Program, entry: Int, registers reg: UnsafeMutablePointer<Int64>,
                           stack: UnsafeMutablePointer<Int64>, elements: UnsafeBufferPointer<Int64>,
                           memo: UnsafeMutableBufferPointer<UInt64>) -> Outcome {
        program.code.withUnsafeBufferPointer { code in
            program.constants.withUnsafeBufferPointer { constants in
                program.tableData.withUnsafeBufferPointer { data in
                    guard let base = code.baseAddress, entry >= 0, entry < code.count else { return fault(.overflow, entry) }
                    return loop(base, constants, data, reg, stack, elements, memo, entry)
                }
            }
        }
    }

    @inline(__always)
    static func fault(_ f: EvaluationFault, _ pc: Int) -> Outcome { Outcome(fault: f, pc: pc) }

    static func loop(_ code: UnsafePointer<Int32>, _ constants: UnsafeBufferPointer<Int64>, _ data: UnsafeBufferPointer<Int64>,
                     _ reg: UnsafeMutablePointer<Int64>, _ stack: UnsafeMutablePointer<Int64>,
                     _ elements: UnsafeBufferPointer<Int64>, _ memo: UnsafeMutableBufferPointer<UInt64>,
                     _ entry: Int) -> Outcome {
        let missing = Program.missing
        var pc = entry
        var sp = 0 // number of values on the stack
        while true {
            let start = pc
            let op = code[pc]
            pc &+= 1
            switch op {
            case Opcode.halt.rawValue:
                return Outcome(fault: nil, pc: start)
            case Opcode.const.rawValue:
                stack[sp] = constants[Int(code[pc])]; sp &+= 1; pc &+= 1
            case Opcode.load.rawValue:
                stack[sp] = reg[Int(code[pc])]; sp &+= 1; pc &+= 1
            case Opcode.setConst.rawValue:
                reg[Int(code[pc])] = constants[Int(code[pc &+ 1])]; pc &+= 2
            case Opcode.move.rawValue:
                reg[Int(code[pc])] = reg[Int(code[pc &+ 1])]; pc &+= 2
            case Opcode.eqRK.rawValue:
                stack[sp] = reg[Int(code[pc])] == constants[Int(code[pc &+ 1])] ? 1 : 0; sp &+= 1; pc &+= 2
            case Opcode.neRK.rawValue:
                stack[sp] = reg[Int(code[pc])] != constants[Int(code[pc &+ 1])] ? 1 : 0; sp &+= 1; pc &+= 2
            case Opcode.ltRK.rawValue:
                stack[sp] = reg[Int(code[pc])] < constants[Int(code[pc &+ 1])] ? 1 : 0; sp &+= 1; pc &+= 2
            case Opcode.leRK.rawValue:
                stack[sp] = reg[Int(code[pc])] <= constants[Int(code[pc &+ 1])] ? 1 : 0; sp &+= 1; pc &+= 2
            case Opcode.gtRK.rawValue:
                stack[sp] = reg[Int(code[pc])] > constants[Int(code[pc &+ 1])] ? 1 : 0; sp &+= 1; pc &+= 2
            case Opcode.geRK.rawValue:
                stack[sp] = reg[Int(code[pc])] >= constants[Int(code[pc &+ 1])] ? 1 : 0; sp &+= 1; pc &+= 2
            case Opcode.isMissingR.rawValue:
                stack[sp] = reg[Int(code[pc])] == missing ? 1 : 0; sp &+= 1; pc &+= 1
            case Opcode.isPresentR.rawValue:
                stack[sp] = reg[Int(code[pc])] != missing ? 1 : 0; sp &+= 1; pc &+= 1
            case Opcode.increment.rawValue:
                let r = Int(code[pc])
                let (v, o) = reg[r].addingReportingOverflow(1)
                if o || v == missing { return fault(.overflow, start) }
                reg[r] = v; pc &+= 1
            case Opcode.memoTest.rawValue:
                let i = Int(reg[Int(code[pc])])
                let bit = UInt64(code[pc &+ 1]) &* 2
                // An element outside the memo (only a foreign applicant could give one) is
                // never remembered, so its filter simply runs every time.
                if i >= 0 && i < memo.count && memo[i] & (1 &<< bit) != 0 {
                    pc = Int(memo[i] & (2 &<< bit) != 0 ? code[pc &+ 3] : code[pc &+ 2])
                } else {
                    pc &+= 4
                }
            case Opcode.memoKeep.rawValue:
                let i = Int(reg[Int(code[pc])])
                if i >= 0 && i < memo.count { memo[i] |= 3 &<< (UInt64(code[pc &+ 1]) &* 2) }
                pc = Int(code[pc &+ 2])
            case Opcode.memoDrop.rawValue:
                let i = Int(reg[Int(code[pc])])
                if i >= 0 && i < memo.count { memo[i] |= 1 &<< (UInt64(code[pc &+ 1]) &* 2) }
                pc = Int(code[pc &+ 2])
            case Opcode.eqK.rawValue: stack[sp &- 1] = stack[sp &- 1] == constants[Int(code[pc])] ? 1 : 0; pc &+= 1
            case Opcode.neK.rawValue: stack[sp &- 1] = stack[sp &- 1] != constants[Int(code[pc])] ? 1 : 0; pc &+= 1
            case Opcode.ltK.rawValue: stack[sp &- 1] = stack[sp &- 1] < constants[Int(code[pc])] ? 1 : 0; pc &+= 1
            case Opcode.leK.rawValue: stack[sp &- 1] = stack[sp &- 1] <= constants[Int(code[pc])] ? 1 : 0; pc &+= 1
            case Opcode.gtK.rawValue: stack[sp &- 1] = stack[sp &- 1] > constants[Int(code[pc])] ? 1 : 0; pc &+= 1
            case Opcode.geK.rawValue: stack[sp &- 1] = stack[sp &- 1] >= constants[Int(code[pc])] ? 1 : 0; pc &+= 1
            case Opcode.jumpIfEqRK.rawValue:
                pc = reg[Int(code[pc])] == constants[Int(code[pc &+ 1])] ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfNeRK.rawValue:
                pc = reg[Int(code[pc])] != constants[Int(code[pc &+ 1])] ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfLtRK.rawValue:
                pc = reg[Int(code[pc])] < constants[Int(code[pc &+ 1])] ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfLeRK.rawValue:
                pc = reg[Int(code[pc])] <= constants[Int(code[pc &+ 1])] ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfGtRK.rawValue:
                pc = reg[Int(code[pc])] > constants[Int(code[pc &+ 1])] ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfGeRK.rawValue:
                pc = reg[Int(code[pc])] >= constants[Int(code[pc &+ 1])] ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfMissingR.rawValue:
                pc = reg[Int(code[pc])] == missing ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfPresentR.rawValue:
                pc = reg[Int(code[pc])] != missing ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfElementTrue.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                // Same reading as `element`: outside the list is missing, which is not false.
                pc = i < 0 || i >= elements.count || elements[i] != 0 ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfElementFalse.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                pc = i >= 0 && i < elements.count && elements[i] == 0 ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfElementInCatalogue.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                let key = i >= 0 && i < elements.count ? elements[i] : missing
                let found = key >= 0 && key < Int64(code[pc &+ 3]) && data[Int(code[pc &+ 2]) &+ Int(key)] >= 0
                pc = found ? Int(code[pc &+ 4]) : pc &+ 5
            case Opcode.jumpIfElementNotInCatalogue.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                let key = i >= 0 && i < elements.count ? elements[i] : missing
                let found = key >= 0 && key < Int64(code[pc &+ 3]) && data[Int(code[pc &+ 2]) &+ Int(key)] >= 0
                pc = found ? pc &+ 5 : Int(code[pc &+ 4])
            case Opcode.fillConst.rawValue:
                let base = Int(code[pc]), value = constants[Int(code[pc &+ 2])]
                var k = 0, count = Int(code[pc &+ 1])
                while k < count { reg[base &+ k] = value; k &+= 1 }
                pc &+= 3
            case Opcode.jumpIfEqK.rawValue:
                sp &-= 1; pc = stack[sp] == constants[Int(code[pc])] ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfNeK.rawValue:
                sp &-= 1; pc = stack[sp] != constants[Int(code[pc])] ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfLtK.rawValue:
                sp &-= 1; pc = stack[sp] < constants[Int(code[pc])] ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfLeK.rawValue:
                sp &-= 1; pc = stack[sp] <= constants[Int(code[pc])] ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfGtK.rawValue:
                sp &-= 1; pc = stack[sp] > constants[Int(code[pc])] ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfGeK.rawValue:
                sp &-= 1; pc = stack[sp] >= constants[Int(code[pc])] ? Int(code[pc &+ 1]) : pc &+ 2
            case Opcode.jumpIfEq.rawValue:
                sp &-= 2; pc = stack[sp] == stack[sp &+ 1] ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfNe.rawValue:
                sp &-= 2; pc = stack[sp] != stack[sp &+ 1] ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfLt.rawValue:
                sp &-= 2; pc = stack[sp] < stack[sp &+ 1] ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfLe.rawValue:
                sp &-= 2; pc = stack[sp] <= stack[sp &+ 1] ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfGt.rawValue:
                sp &-= 2; pc = stack[sp] > stack[sp &+ 1] ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfGe.rawValue:
                sp &-= 2; pc = stack[sp] >= stack[sp &+ 1] ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfElementMissing.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                // Outside the list reads as missing, as `element` does.
                pc = i < 0 || i >= elements.count || elements[i] == missing ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.jumpIfElementPresent.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                pc = i >= 0 && i < elements.count && elements[i] != missing ? Int(code[pc &+ 2]) : pc &+ 3
            case Opcode.catalogueGetElement.rawValue:
                let i = Int(reg[Int(code[pc])]) &+ Int(code[pc &+ 1])
                let key = i >= 0 && i < elements.count ? elements[i] : missing
                var value = missing
                if key >= 0 && key < Int64(code[pc &+ 3]) {
                    let row = data[Int(code[pc &+ 2]) &+ Int(key)]
                    if row >= 0 { value = data[Int(code[pc &+ 4]) &+ Int(row) &* Int(code[pc &+ 5]) &+ Int(code[pc &+ 6])] }
                }
                stack[sp] = value; sp &+= 1; pc &+= 7
            case Opcode.cachedLoad.rawValue:
                if reg[Int(code[pc])] != 0 {
                    stack[sp] = reg[Int(code[pc &+ 1])]; sp &+= 1
                    pc = Int(code[pc &+ 2])
                } else {
                    pc &+= 3
                }
            case Opcode.cacheStore.rawValue:
                reg[Int(code[pc &+ 1])] = stack[sp &- 1]
                reg[Int(code[pc])] = 1
                pc &+= 2
            case Opcode.store.rawValue:
                sp &-= 1; reg[Int(code[pc])] = stack[sp]; pc &+= 1
            case Opcode.element.rawValue:
                let i = Int(reg[Int(code[pc])]) + Int(code[pc &+ 1])
                stack[sp] = i >= 0 && i < elements.count ? elements[i] : missing
                sp &+= 1; pc &+= 2
            case Opcode.add.rawValue:
                sp &-= 1
                let (r, o) = stack[sp &- 1].addingReportingOverflow(stack[sp])
                if o || r == missing { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.sub.rawValue:
                sp &-= 1
                let (r, o) = stack[sp &- 1].subtractingReportingOverflow(stack[sp])
                if o || r == missing { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.mulInt.rawValue:
                sp &-= 1
                let (r, o) = stack[sp &- 1].multipliedReportingOverflow(by: stack[sp])
                if o || r == missing { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.mulFixed.rawValue:
                sp &-= 1
                guard let r = FixedMath.mulFixed(stack[sp &- 1], stack[sp]) else { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.divFixed.rawValue:
                sp &-= 1
                if stack[sp] == 0 { return fault(.divisionByZero, start) }
                guard let r = FixedMath.divFixed(stack[sp &- 1], stack[sp]) else { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.negate.rawValue:
                if stack[sp &- 1] == missing { return fault(.overflow, start) }
                stack[sp &- 1] = -stack[sp &- 1]
            case Opcode.toFixed.rawValue:
                let (r, o) = stack[sp &- 1].multipliedReportingOverflow(by: FixedDecimal.scale)
                if o || r == missing { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.eq.rawValue: sp &-= 1; stack[sp &- 1] = stack[sp &- 1] == stack[sp] ? 1 : 0
            case Opcode.ne.rawValue: sp &-= 1; stack[sp &- 1] = stack[sp &- 1] != stack[sp] ? 1 : 0
            case Opcode.lt.rawValue: sp &-= 1; stack[sp &- 1] = stack[sp &- 1] < stack[sp] ? 1 : 0
            case Opcode.le.rawValue: sp &-= 1; stack[sp &- 1] = stack[sp &- 1] <= stack[sp] ? 1 : 0
            case Opcode.gt.rawValue: sp &-= 1; stack[sp &- 1] = stack[sp &- 1] > stack[sp] ? 1 : 0
            case Opcode.ge.rawValue: sp &-= 1; stack[sp &- 1] = stack[sp &- 1] >= stack[sp] ? 1 : 0
            case Opcode.not.rawValue: stack[sp &- 1] = stack[sp &- 1] == 0 ? 1 : 0
            case Opcode.jump.rawValue:
                pc = Int(code[pc])
            case Opcode.jumpIfFalse.rawValue:
                sp &-= 1
                pc = stack[sp] == 0 ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfTrue.rawValue:
                sp &-= 1
                pc = stack[sp] != 0 ? Int(code[pc]) : pc &+ 1
            case Opcode.jumpIfFalseOrPop.rawValue:
                if stack[sp &- 1] == 0 { pc = Int(code[pc]) } else { sp &-= 1; pc &+= 1 }
            case Opcode.jumpIfTrueOrPop.rawValue:
                if stack[sp &- 1] != 0 { pc = Int(code[pc]) } else { sp &-= 1; pc &+= 1 }
            case Opcode.jumpIfPresentOrPop.rawValue:
                if stack[sp &- 1] != missing { pc = Int(code[pc]) } else { sp &-= 1; pc &+= 1 }
            case Opcode.isMissing.rawValue:
                stack[sp &- 1] = stack[sp &- 1] == missing ? 1 : 0
            case Opcode.catalogueHas.rawValue:
                let key = stack[sp &- 1]
                let n = Int64(code[pc &+ 1])
                stack[sp &- 1] = key >= 0 && key < n && data[Int(code[pc]) &+ Int(key)] >= 0 ? 1 : 0
                pc &+= 2
            case Opcode.catalogueGet.rawValue:
                let key = stack[sp &- 1]
                let n = Int64(code[pc &+ 1])
                var value = missing
                if key >= 0 && key < n {
                    let row = data[Int(code[pc]) &+ Int(key)]
                    if row >= 0 { value = data[Int(code[pc &+ 2]) &+ Int(row) &* Int(code[pc &+ 3]) &+ Int(code[pc &+ 4])] }
                }
                stack[sp &- 1] = value
                pc &+= 5
            case Opcode.band.rawValue:
                sp &-= 1
                let x = stack[sp]
                let lowers = Int(code[pc]), count = Int(code[pc &+ 1])
                // Bands are contiguous and ascending: the match is the last band starting at or below x.
                if x < data[lowers] { return fault(.belowFirstBand, start) }
                if x > constants[Int(code[pc &+ 2])] { return fault(.aboveLastBand, start) }
                var k = count - 1
                while k > 0 && data[lowers &+ k] > x { k &-= 1 }
                reg[Int(code[pc &+ 3])] = Int64(k)
                pc &+= 4
            case Opcode.tableColumn.rawValue:
                let row = Int(reg[Int(code[pc])])
                stack[sp] = data[Int(code[pc &+ 1]) &+ row &* Int(code[pc &+ 2]) &+ Int(code[pc &+ 3])]
                sp &+= 1; pc &+= 4
            case Opcode.min.rawValue: sp &-= 1; stack[sp &- 1] = Swift.min(stack[sp &- 1], stack[sp])
            case Opcode.max.rawValue: sp &-= 1; stack[sp &- 1] = Swift.max(stack[sp &- 1], stack[sp])
            case Opcode.minPresent.rawValue:
                sp &-= 1
                let a = stack[sp &- 1], b = stack[sp]
                stack[sp &- 1] = a == missing ? b : b == missing ? a : Swift.min(a, b)
            case Opcode.maxPresent.rawValue:
                sp &-= 1
                let a = stack[sp &- 1], b = stack[sp]
                stack[sp &- 1] = a == missing ? b : b == missing ? a : Swift.max(a, b)
            case Opcode.roundDown.rawValue:
                sp &-= 1
                guard let r = FixedMath.floor(stack[sp &- 1], step: stack[sp]) else { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.roundUp.rawValue:
                sp &-= 1
                guard let r = FixedMath.ceil(stack[sp &- 1], step: stack[sp]) else { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.roundNearest.rawValue:
                sp &-= 1
                guard let r = FixedMath.nearest(stack[sp &- 1], step: stack[sp]) else { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.abs.rawValue:
                if stack[sp &- 1] == missing { return fault(.overflow, start) }
                stack[sp &- 1] = Swift.abs(stack[sp &- 1])
            case Opcode.daysBetween.rawValue:
                sp &-= 1
                let (r, o) = stack[sp].subtractingReportingOverflow(stack[sp &- 1])
                if o || r == missing { return fault(.overflow, start) }
                stack[sp &- 1] = r
            case Opcode.iterate.rawValue:
                let descriptor = reg[Int(code[pc])]
                let first = descriptor >> 32, count = descriptor & 0xFFFF_FFFF
                let width = Int64(code[pc &+ 3])
                reg[Int(code[pc &+ 1])] = first
                reg[Int(code[pc &+ 2])] = first &+ count &* width
                pc = count == 0 ? Int(code[pc &+ 4]) : pc &+ 5
            case Opcode.next.rawValue:
                let v = Int(code[pc])
                reg[v] &+= Int64(code[pc &+ 2])
                pc = reg[v] < reg[Int(code[pc &+ 1])] ? Int(code[pc &+ 3]) : pc &+ 4
            case Opcode.groupCombine.rawValue:
                sp &-= 2
                let key = stack[sp], value = stack[sp &+ 1]
                let base = Int(code[pc]), kind = code[pc &+ 1], domain = Int64(code[pc &+ 2])
                pc &+= 3
                // A missing or unknown key belongs to no group.
                guard key >= 0 && key < domain else { continue }
                let slot = base &+ Int(key)
                let old = reg[slot]
                switch kind {
                case AggregateCode.max.rawValue: reg[slot] = old == missing ? value : Swift.max(old, value)
                case AggregateCode.min.rawValue: reg[slot] = old == missing ? value : Swift.min(old, value)
                default:
                    if old == missing { reg[slot] = value } else {
                        let (r, o) = old.addingReportingOverflow(value)
                        if o || r == missing { return fault(.overflow, start) }
                        reg[slot] = r
                    }
                }
            case Opcode.groupFold.rawValue:
                let base = Int(code[pc]), count = Int(code[pc &+ 1]), kind = code[pc &+ 2]
                pc &+= 3
                var acc: Int64 = kind == AggregateCode.sum.rawValue || kind == AggregateCode.count.rawValue ? 0 : missing
                for k in 0..<count {
                    let v = reg[base &+ k]
                    if v == missing { continue }
                    switch kind {
                    case AggregateCode.max.rawValue: acc = acc == missing ? v : Swift.max(acc, v)
                    case AggregateCode.min.rawValue: acc = acc == missing ? v : Swift.min(acc, v)
                    case AggregateCode.count.rawValue: acc &+= 1
                    default:
                        let (r, o) = acc.addingReportingOverflow(v)
                        if o || r == missing { return fault(.overflow, start) }
                        acc = r
                    }
                }
                stack[sp] = acc; sp &+= 1
            case Opcode.uplift.rawValue:
                let raw = Swift.max(0, reg[Int(code[pc])])
                let capBase = Int(code[pc &+ 1]), capCount = Int(code[pc &+ 2])
                var amount = raw
                var binding: Int64 = 0
                for i in 0..<capCount {
                    let b = reg[capBase &+ i]
                    if b == missing { continue }
                    let bound = Swift.max(0, b)
                    if bound < raw { binding |= 1 << Int64(i) }
                    amount = Swift.min(amount, bound)
                }
                let step = constants[Int(code[pc &+ 4])]
                // The amount is never negative here, so rounding down cannot overflow.
                let down = FixedMath.floor(amount, step: step) ?? 0
                var rounded = down
                let mode = code[pc &+ 3]
                if mode != RoundingMode.down.code { rounded = rounding(amount, step, mode) ?? down }
                // Rounding up must not lift the amount past a binding cap.
                if rounded > amount && binding != 0 { rounded = down }
                reg[Int(code[pc &+ 5])] = rounded
                reg[Int(code[pc &+ 6])] = binding
                pc &+= 7
            case Opcode.roundMode.rawValue:
                sp &-= 1
                guard let r = rounding(stack[sp &- 1], stack[sp], code[pc]) else { return fault(.overflow, start) }
                stack[sp &- 1] = r
                pc &+= 1
            case Opcode.upliftDecrease.rawValue:
                let o = UnsafeBufferPointer(start: code + pc, count: 9)
                guard let r = decreaseUplift(o, reg, constants) else { return fault(.overflow, start) }
                reg[Int(o[5])] = r.uplift
                reg[Int(o[6])] = r.binding
                pc &+= 9
            case Opcode.wide.rawValue:
                // Out of the loop: 128-bit code in the dispatch loop costs every instruction.
                let failure = wideStep(code[pc], code[pc &+ 1], stack, &sp)
                if failure != 0 { return fault(failure == EvaluationFault.divisionByZero.rawValue ? .divisionByZero : .overflow, start) }
                pc &+= 2
            case Opcode.fail.rawValue:
                return fault(EvaluationFault(rawValue: code[pc]) ?? .overflow, start)
            default:
                return fault(.overflow, start)
            }
        }
    }

    /// Any `wide` step (see `Opcode.wide`), out of the dispatch loop: pops its operands, pushes
    /// the result and returns 0, or an `EvaluationFault` raw value.
    @inline(never)
    static func wideStep(_ kind: Int32, _ flags: Int32, _ stack: UnsafeMutablePointer<Int64>, _ sp: inout Int) -> Int32 {
        // The common chain steps (`3 * income - limit`): a product of two 64-bit words cannot
        // overflow 128 bits, and a wide value minus or plus a word is one check.
        if flags == 4 && kind == WideOperation.mulInt.rawValue {
            let v = Int128(stack[sp &- 2]) &* Int128(stack[sp &- 1])
            stack[sp &- 2] = Int64(truncatingIfNeeded: v)
            stack[sp &- 1] = Int64(truncatingIfNeeded: v >> 64)
            return 0
        }
        if flags == 1 && (kind == WideOperation.sub.rawValue || kind == WideOperation.add.rawValue) {
            let left = wideValue(stack, sp &- 3), right = Int128(stack[sp &- 1])
            let (v, o) = kind == WideOperation.sub.rawValue ? left.subtractingReportingOverflow(right) : left.addingReportingOverflow(right)
            guard !o, let n = WideMath.narrow(v) else { return EvaluationFault.overflow.rawValue }
            sp &-= 2
            stack[sp &- 1] = n
            return 0
        }
        guard let op = WideOperation(rawValue: kind) else { return EvaluationFault.overflow.rawValue }
        var right: Int128 = 0
        if !op.isUnary {
            if flags & 2 != 0 { sp &-= 2; right = wideValue(stack, sp) } else { sp &-= 1; right = Int128(stack[sp]) }
        }
        let left: Int128
        if flags & 1 != 0 { sp &-= 2; left = wideValue(stack, sp) } else { sp &-= 1; left = Int128(stack[sp]) }
        switch op.apply(left, right) {
        case .failure(let f): return (f == .divisionByZero ? EvaluationFault.divisionByZero : .overflow).rawValue
        case .success(let v):
            if flags & 4 != 0 {
                stack[sp] = Int64(truncatingIfNeeded: v)
                stack[sp &+ 1] = Int64(truncatingIfNeeded: v >> 64)
                sp &+= 2
            } else {
                guard let n = WideMath.narrow(v) else { return EvaluationFault.overflow.rawValue }
                stack[sp] = n; sp &+= 1
            }
            return 0
        }
    }

    /// `x` rounded to a multiple of `step` in the mode numbered `mode`; nil when it does not fit
    /// or no mode has that number. Out of the loop, which runs it at most once per decision.
    @inline(never)
    static func rounding(_ x: Int64, _ step: Int64, _ mode: Int32) -> Int64? {
        guard let m = RoundingMode(code: mode) else { return nil }
        return FixedMath.round(x, step: step, mode: m)
    }

    /// A 128-bit value from two stack words (low at `at`, high above it).
    @inline(__always)
    static func wideValue(_ stack: UnsafeMutablePointer<Int64>, _ at: Int) -> Int128 {
        Int128(stack[at &+ 1]) << 64 | Int128(UInt64(bitPattern: stack[at]))
    }

    /// The `upliftDecrease` instruction (see `Opcode`): caps bound an increase and floors a
    /// decrease (each never past 0, so a cap never forces a decrease nor a floor an increase);
    /// the current limit bounds the decrease (a limit never goes below 0); then the amount is
    /// rounded, never past a binding bound nor below −current limit. Bit 63 of `binding` says
    /// that the current limit bounded it. Nil when rounding overflows.
    static func decreaseUplift(_ o: UnsafeBufferPointer<Int32>, _ reg: UnsafeMutablePointer<Int64>,
                               _ constants: UnsafeBufferPointer<Int64>) -> (uplift: Int64, binding: Int64)? {
        let missing = Program.missing
        let raw = reg[Int(o[0])]
        let capBase = Int(o[1]), count = Int(o[2])
        let floors = constants[Int(o[7])]
        var amount = raw, binding: Int64 = 0
        for i in 0..<count {
            let b = reg[capBase &+ i]
            if b == missing { continue }
            if floors & (1 << Int64(i)) != 0 {
                let bound = Swift.min(0, b)
                if bound > raw { binding |= 1 << Int64(i) }
                amount = Swift.max(amount, bound)
            } else {
                let bound = Swift.max(0, b)
                if bound < raw { binding |= 1 << Int64(i) }
                amount = Swift.min(amount, bound)
            }
        }
        var lowest = Int64.min
        if o[8] >= 0 {
            let current = reg[Int(o[8])]
            lowest = current <= 0 ? 0 : -current
            if amount < lowest { amount = lowest; binding |= Int64.min }
        }
        let step = constants[Int(o[4])]
        guard let mode = RoundingMode(code: o[3]) else { return nil }
        // Toward zero never overflows, so it is the fallback when a mode's multiple does not fit.
        guard let towardZero = FixedMath.round(amount, step: step, mode: .towardZero) else { return nil }
        var rounded = FixedMath.round(amount, step: step, mode: mode) ?? towardZero
        let capBinds = binding & ~floors & Int64.max != 0
        let floorBinds = binding & floors != 0 || binding < 0
        if rounded > amount && capBinds { rounded = towardZero }
        if rounded < amount && (floorBinds || rounded < lowest) { rounded = towardZero }
        return (rounded, binding)
    }
}
