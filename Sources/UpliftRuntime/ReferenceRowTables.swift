import UpliftBundle
import UpliftChecker
@_spi(Engine) import UpliftCompiler
import UpliftSyntax

/// The oracle's reading of a row table's hit policy, written independently of the compiler's
/// jumps: the differential tests hold the two to the same rows and outputs.
extension ReferenceInterpreter {
    func rowTable(_ i: Int, _ env: inout Environment) throws(Fault) {
        let s = policy.segments[i]
        let none = s.noMatchRow ?? max(0, s.conditions.count - 1)
        switch s.hit {
        case .first:
            var chosen = none
            for (k, c) in s.conditions.enumerated() where try eval(c, &env) != 0 {
                chosen = k
                break
            }
            env.segments[i] = chosen
        case .unique:
            var chosen: Int?
            for (k, c) in s.conditions.enumerated() where try eval(c, &env) != 0 {
                if chosen != nil { throw Fault(fault: .twoRowsMatch) }
                chosen = k
            }
            env.segments[i] = chosen ?? none
        case .collect(let op):
            var flags = [Bool](repeating: false, count: s.conditions.count)
            var out = [Int64](repeating: op == .sum ? 0 : Program.missing, count: s.columns.count)
            for (k, c) in s.conditions.enumerated() where try eval(c, &env) != 0 {
                flags[k] = true
                guard op == .sum || op == .min || op == .max else { continue }
                for col in out.indices where s.values[k].indices.contains(col) {
                    let v = s.values[k][col]
                    switch op {
                    case .sum: out[col] = try Self.checked(FixedMath.add(out[col], v))
                    case .min: out[col] = out[col] == Program.missing ? v : Swift.min(out[col], v)
                    default: out[col] = out[col] == Program.missing ? v : Swift.max(out[col], v)
                    }
                }
            }
            env.segments[i] = flags.filter { $0 }.count
            if env.matched.indices.contains(i) { env.matched[i] = flags }
            if env.collected.indices.contains(i) { env.collected[i] = out }
        }
    }
}
