import UpliftBundle
import UpliftChecker

/// Compiles a row table (segments, decision tables) by its hit policy. Rows are plain
/// conditions, compiled as jumps: `first` stops at the first that holds, `unique` tries every
/// row and faults on a second match, `collect` tries every row and folds each output.
extension CompilerState {
    mutating func rowTable(_ i: Int) {
        let s = policy.segments[i]
        let slot = segmentSlots[i]
        let none = Int64(s.noMatchRow ?? max(0, s.conditions.count - 1))
        switch s.hit {
        case .first:
            var ends: [Int] = []
            for (k, cond) in s.conditions.enumerated() {
                let skips = branch(cond, when: false)
                e.set(slot, Int64(k))
                ends.append(e.jump(.jump))
                for j in skips { e.patch(j) }
            }
            // No row matched: the default row, the missing-values row, or (segments, whose
            // last row matches everyone) a defined value regardless.
            e.set(slot, none)
            for j in ends { e.patch(j) }
        case .unique:
            e.set(slot, none)
            for (k, cond) in s.conditions.enumerated() {
                let skips = branch(cond, when: false)
                e.load(slot)
                e.push(none)
                e.emit(.ne, effect: -1)
                let first = e.jump(.jumpIfFalse)
                e.emit(.fail, EvaluationFault.twoRowsMatch.rawValue, effect: 0)
                e.patch(first)
                e.set(slot, Int64(k))
                for j in skips { e.patch(j) }
            }
        case .collect(let op):
            let outputs = collectSlots[i], flags = rowFlagSlots[i]
            e.set(slot, 0)
            for r in outputs { e.set(r, op == .sum ? 0 : Program.missing) }
            for (k, cond) in s.conditions.enumerated() {
                let skips = branch(cond, when: false)
                e.set(flags[k], 1)
                e.load(slot)
                e.push(1)
                e.emit(.add, effect: -1)
                e.store(slot)
                if op == .sum || op == .min || op == .max {
                    for (c, r) in outputs.enumerated() where s.values[k].indices.contains(c) {
                        e.load(r)
                        e.push(s.values[k][c])
                        e.emit(op == .sum ? .add : op == .min ? .minPresent : .maxPresent, effect: -1)
                        e.store(r)
                    }
                }
                for j in skips { e.patch(j) }
            }
        }
    }
}
