/// Retargets jumps that land on other jumps whose direction is already known.
///
/// `a and b and c` compiles to a chain of `jumpIfFalseOrPop`s: when `a` is false, the value
/// would otherwise hop through every later test of the chain one dispatch at a time. A jump
/// that keeps a false value and lands on a jump that tests for false can go straight to that
/// jump's target; one that lands on the opposite test can skip it, popping as that test would.
enum JumpThreading {
    static func apply(to code: inout [Int32]) {
        var pc = 0
        while pc < code.count {
            guard let op = Opcode(rawValue: code[pc]) else { return }
            if op.targetOperands == [0] { thread(at: pc, in: &code) }
            pc += 1 + op.operandCount
        }
    }

    /// Follows a bounded number of hops; the bound also stops any cycle.
    static func thread(at pc: Int, in code: inout [Int32]) {
        for _ in 0..<16 {
            guard let op = Opcode(rawValue: code[pc]) else { return }
            let target = Int(code[pc + 1])
            guard target >= 0, target + 1 < code.count, let next = Opcode(rawValue: code[target]) else { return }
            let nextTarget = code[target + 1]
            let after = Int32(target + 1 + next.operandCount)
            switch (op, next) {
            case (.jump, .jump), (.jumpIfFalse, .jump), (.jumpIfTrue, .jump),
                 (.jumpIfFalseOrPop, .jumpIfFalseOrPop), (.jumpIfTrueOrPop, .jumpIfTrueOrPop):
                code[pc + 1] = nextTarget
            case (.jumpIfFalseOrPop, .jumpIfFalse), (.jumpIfTrueOrPop, .jumpIfTrue):
                // The kept value is consumed by the test it lands on: pop it here instead.
                code[pc] = (op == .jumpIfFalseOrPop ? Opcode.jumpIfFalse : .jumpIfTrue).rawValue
                code[pc + 1] = nextTarget
            case (.jumpIfFalseOrPop, .jumpIfTrueOrPop), (.jumpIfTrueOrPop, .jumpIfFalseOrPop):
                // The landing test fails for the kept value, pops it and falls through.
                code[pc] = (op == .jumpIfFalseOrPop ? Opcode.jumpIfFalse : .jumpIfTrue).rawValue
                code[pc + 1] = after
            case (.jumpIfFalseOrPop, .jumpIfTrue), (.jumpIfTrueOrPop, .jumpIfFalse):
                code[pc] = (op == .jumpIfFalseOrPop ? Opcode.jumpIfFalse : .jumpIfTrue).rawValue
                code[pc + 1] = after
            default:
                return
            }
        }
    }
}
