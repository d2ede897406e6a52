/// Arithmetic on 128-bit intermediates, so that a chain such as `current_limit * percent / 100`
/// never overflows on the way when its result fits in a 64-bit register.
///
/// Each step is the same exact step as `FixedMath` (a product or quotient of fixed-point values
/// rounded to six places, half to even) but held in 128 bits; only the value of the whole
/// arithmetic expression must fit 64 bits (`narrow`). The VM and the reference interpreter both
/// compute through these functions, so they agree on every chain.
package enum WideOperation: Int32, Sendable, CaseIterable {
    case add = 0, sub, mulInt, mulFixed, divFixed
    /// Unary: the operand is the left one.
    case negate, toFixed

    package var isUnary: Bool { self == .negate || self == .toFixed }

    /// Why a wide step failed.
    package enum Failure: Error, Sendable { case overflow, divisionByZero }

    /// `a ⋄ b` in 128 bits (`b` is ignored by unary operations).
    @inlinable package func apply(_ a: Int128, _ b: Int128) -> Result<Int128, Failure> {
        switch self {
        case .add:
            let (r, o) = a.addingReportingOverflow(b)
            return o ? .failure(.overflow) : .success(r)
        case .sub:
            let (r, o) = a.subtractingReportingOverflow(b)
            return o ? .failure(.overflow) : .success(r)
        case .mulInt:
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o ? .failure(.overflow) : .success(r)
        case .mulFixed:
            let (p, o) = a.multipliedReportingOverflow(by: b)
            return o ? .failure(.overflow) : .success(WideMath.divRound(p, Int128(FixedDecimal.scale)))
        case .divFixed:
            if b == 0 { return .failure(.divisionByZero) }
            let (n, o) = a.multipliedReportingOverflow(by: Int128(FixedDecimal.scale))
            if o || (n == Int128.min && b == -1) { return .failure(.overflow) }
            return .success(WideMath.divRound(n, b))
        case .negate:
            return a == Int128.min ? .failure(.overflow) : .success(-a)
        case .toFixed:
            let (r, o) = a.multipliedReportingOverflow(by: Int128(FixedDecimal.scale))
            return o ? .failure(.overflow) : .success(r)
        }
    }
}

/// Helpers for 128-bit intermediates.
package enum WideMath {
    /// n ÷ d rounded half to even (d ≠ 0), as `FixedMath` rounds, without a range check.
    @inlinable package static func divRound(_ n: Int128, _ d: Int128) -> Int128 {
        var q = n / d
        let r = n % d
        if r != 0 {
            let mr = r.magnitude, md = d.magnitude
            // 2·|r| compared with |d| without overflowing: |r| < |d| ≤ 2¹²⁷.
            let twiceAbove = mr > md - mr
            let tie = mr == md - mr
            if twiceAbove || (tie && q % 2 != 0) { q += ((n < 0) != (d < 0)) ? -1 : 1 }
        }
        return q
    }

    /// The 64-bit register value of a result, or nil when it does not fit (`Int64.min` is
    /// "missing", so no number may take it).
    @inlinable package static func narrow(_ v: Int128) -> Int64? {
        v > Int128(Int64.min) && v <= Int128(Int64.max) ? Int64(v) : nil
    }
}
