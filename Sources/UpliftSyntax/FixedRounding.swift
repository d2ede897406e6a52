/// Rounding to a multiple of a step in every mode, shared by the checker, the VM and the
/// reference interpreter so that all three round a negative half the same way.
extension RoundingMode {
    /// The mode `nearest` names (today's `round(x, step)` and `round nearest to STEP`).
    package var canonical: RoundingMode { self == .nearest ? .halfUp : self }

    /// A stable small number for bytecode operands; `init(code:)` reads it back.
    package var code: Int32 {
        switch canonical {
        case .down: 0
        case .up: 1
        case .halfUp, .nearest: 2
        case .towardZero: 3
        case .awayFromZero: 4
        case .halfDown: 5
        case .halfEven: 6
        case .halfTowardZero: 7
        case .halfAwayFromZero: 8
        }
    }

    /// The mode with bytecode number `code`; nil for a number no mode has.
    package init?(code: Int32) {
        guard let m = RoundingMode.allCases.first(where: { $0 != .nearest && $0.code == code }) else { return nil }
        self = m
    }
}

extension FixedMath {
    /// `a` rounded to a multiple of `step` (> 0) in `mode`; nil when the result does not fit
    /// (it is computed in 128 bits, so only the result can overflow) or `step` is not positive.
    ///
    /// On a tie (`a` exactly halfway between two multiples) the `half_…` modes go: `half_up`
    /// toward +∞ (−1.5 → −1), `half_down` toward −∞ (1.5 → 1), `half_even` to the even multiple
    /// (2.5 → 2, −2.5 → −2), `half_toward_zero` (−1.5 → −1), `half_away_from_zero` (−1.5 → −2).
    @inlinable package static func round(_ a: Int64, step: Int64, mode: RoundingMode) -> Int64? {
        guard step > 0 else { return nil }
        // Floor division in 64 bits (this runs on every decision): a = q·step + r, 0 ≤ r < step.
        var r = a % step
        if r == 0 { return a }
        var q = a / step
        if r < 0 { r += step; q -= 1 }
        let negative = a < 0
        let towardPlus: Bool
        switch mode.canonical {
        case .down: towardPlus = false
        case .up: towardPlus = true
        case .towardZero: towardPlus = negative
        case .awayFromZero: towardPlus = !negative
        default:
            // Compare 2r with step without overflowing: r < step.
            let rest = step - r
            if r != rest {
                towardPlus = r > rest
            } else {
                switch mode.canonical {
                case .halfDown: towardPlus = false
                case .halfEven: towardPlus = q % 2 != 0
                case .halfTowardZero: towardPlus = negative
                case .halfAwayFromZero: towardPlus = !negative
                default: towardPlus = true // half_up
                }
            }
        }
        let (v, o) = towardPlus ? a.addingReportingOverflow(step - r) : a.subtractingReportingOverflow(r)
        return o || v == Int64.min ? nil : v
    }
}
