import UpliftChecker
import UpliftSyntax

extension TExpr {
    /// An arithmetic step (`+ - * /`, a sign, integer → fixed): the nodes of a chain.
    var isArithmetic: Bool {
        switch self {
        case .arithmetic, .negate, .toFixed: true
        default: false
        }
    }
}

extension CompilerState {
    /// Emits an arithmetic chain as `wide` steps: operands that are not arithmetic are pushed
    /// as usual (one word), inner steps leave a 128-bit value (two words) and the `root` step
    /// range-checks the result into one word. As many instructions as the narrow code, so a
    /// chain costs no extra dispatch. Returns whether the value left is wide.
    @discardableResult
    mutating func wideChain(_ x: TExpr, root: Bool) -> Bool {
        func operand(_ y: TExpr) -> Bool {
            if y.isArithmetic { return wideChain(y, root: false) }
            expression(y)
            return false
        }
        let kind: WideOperation
        var leftWide = false, rightWide = false, binary = true
        switch x {
        case .arithmetic(let op, let a, let b):
            kind = switch op {
            case .add: .add
            case .sub: .sub
            case .mulInt: .mulInt
            case .mulFixed: .mulFixed
            case .divFixed: .divFixed
            }
            leftWide = operand(a)
            rightWide = operand(b)
        case .negate(let a):
            kind = .negate; binary = false
            leftWide = operand(a)
        case .toFixed(let a):
            kind = .toFixed; binary = false
            leftWide = operand(a)
        default:
            expression(x)
            return false
        }
        let flags: Int32 = (leftWide ? 1 : 0) | (rightWide ? 2 : 0) | (root ? 0 : 4)
        let popped = (leftWide ? 2 : 1) + (binary ? (rightWide ? 2 : 1) : 0)
        e.emit(.wide, kind.rawValue, flags, effect: (root ? 1 : 2) - popped)
        return !root
    }
}
