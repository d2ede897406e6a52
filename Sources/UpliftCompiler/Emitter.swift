/// Accumulates code, constants and registers while compiling, tracking the deepest stack.
struct Emitter {
    var code: [Int32] = []
    var constants: [Int64] = []
    var constantIndex: [Int64: Int32] = [:]
    var tableData: [Int64] = []
    var registers: Int
    var depth = 0
    var maxDepth = 0

    init(firstFreeRegister: Int) { registers = firstFreeRegister }

    mutating func register() -> Int32 {
        registers += 1
        return Int32(registers - 1)
    }

    mutating func registers(_ n: Int) -> Int32 {
        registers += n
        return Int32(registers - n)
    }

    mutating func constant(_ v: Int64) -> Int32 {
        if let k = constantIndex[v] { return k }
        constants.append(v)
        let k = Int32(constants.count - 1)
        constantIndex[v] = k
        return k
    }

    /// Appends table data and returns its offset.
    mutating func data(_ values: [Int64]) -> Int32 {
        tableData.append(contentsOf: values)
        return Int32(tableData.count - values.count)
    }

    var here: Int32 { Int32(code.count) }

    /// Where the last instruction starts, for fusing it with the next.
    var lastStart: Int?
    /// The latest position a jump or a region starts at: no fusing across it.
    var label: Int32 = -1

    /// Emits an instruction; `effect` is its net change of the stack depth.
    mutating func emit(_ op: Opcode, _ operands: Int32..., effect: Int) {
        lastStart = code.count
        code.append(op.rawValue)
        code.append(contentsOf: operands)
        depth += effect
        maxDepth = max(maxDepth, depth)
    }

    mutating func push(_ v: Int64) { emit(.const, constant(v), effect: 1) }
    mutating func load(_ r: Int32) { emit(.load, r, effect: 1) }
    /// `load s; store r` becomes `move r s` unless a jump lands between the two.
    mutating func store(_ r: Int32) {
        if let last = lastStart, last == code.count - 2, code[last] == Opcode.load.rawValue, label != here {
            let source = code[last + 1]
            code.removeLast(2)
            depth -= 1
            emit(.move, r, source, effect: 0)
            return
        }
        emit(.store, r, effect: -1)
    }
    mutating func set(_ r: Int32, _ v: Int64) { emit(.setConst, r, constant(v), effect: 0) }
    mutating func move(_ dst: Int32, from src: Int32) { emit(.move, dst, src, effect: 0) }

    /// Emits a jump with a placeholder target; returns where to patch.
    mutating func jump(_ op: Opcode) -> Int {
        // Conditional jumps consume the tested value; the "or pop" ones keep it on the jump path,
        // where it stands in for the value the skipped code would have left.
        emit(op, -1, effect: op == .jump ? 0 : -1)
        return code.count - 1
    }

    mutating func patch(_ at: Int, to target: Int32? = nil) {
        code[at] = target ?? here
        if target == nil { label = here }
    }

    /// Marks `here` as a place control arrives at from elsewhere (a loop head, a region).
    mutating func mark() -> Int32 {
        label = here
        return here
    }
}
