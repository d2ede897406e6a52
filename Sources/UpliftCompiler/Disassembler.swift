/// A readable listing of a program's bytecode, one instruction per line with its operands and
/// the policy part it belongs to: for `uplift check --bytecode`, tests and performance work.
extension Program {
    package func disassembly() -> String {
        var out: [String] = []
        var regionIndex = 0
        var pc = 0
        while pc < code.count {
            while regionIndex < regions.count && regions[regionIndex].start <= pc {
                out.append("; \(regions[regionIndex].what)")
                regionIndex += 1
            }
            guard let op = Opcode(rawValue: code[pc]) else {
                out.append(pad(pc) + "?? \(code[pc])")
                pc += 1
                continue
            }
            let n = op.operandCount
            let operands = (pc + 1 ..< min(code.count, pc + 1 + n)).map { String(code[$0]) }
            var line = pad(pc) + "\(op)" + (operands.isEmpty ? "" : " " + operands.joined(separator: " "))
            if op == .const, let k = operands.first.flatMap(Int.init), constants.indices.contains(k) {
                line += "    ; \(constants[k] == Program.missing ? "missing" : String(constants[k]))"
            }
            out.append(line)
            pc += 1 + n
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func pad(_ pc: Int) -> String {
        let s = String(pc)
        return String(repeating: " ", count: max(0, 5 - s.count)) + s + "  "
    }
}
