/// An exact decimal with six fractional digits, stored as a scaled 64-bit integer.
///
/// Money and decimals are never binary floating point: addition, subtraction and comparison are
/// exact; multiplication and division are exact whenever the true result has at most six
/// fractional digits and otherwise round half to even. Every operation reports overflow instead of
/// trapping, so a huge applicant value becomes an evaluation error, not a crash.
public struct FixedDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Every amount carries exactly six fraction digits.
    public static let fractionDigits = 6
    /// `raw` per unit: 10^6.
    public static let scale: Int64 = 1_000_000
    /// The scaled value: 1.5 is stored as 1_500_000.
    public var raw: Int64

    /// The amount `raw / 10^6`, exactly.
    public init(raw: Int64) { self.raw = raw }

    /// A whole amount; nil when it does not fit (beyond about ±9.2 × 10^12).
    public init?(integer: Int64) {
        let (v, o) = integer.multipliedReportingOverflow(by: Self.scale)
        if o { return nil }
        raw = v
    }

    public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }

    /// Parses `-12`, `1100.10`, `0.9`, `1e3`-free decimal text digit by digit. Returns nil for
    /// malformed text, more than six fractional digits, or a value outside the representable range.
    public init?(parsing text: Substring) {
        self.init(parsingText: text)
    }

    /// `init?(parsing:)` for a whole string (`FixedDecimal(parsing: "1200.50")`).
    public init?(parsing text: String) {
        self.init(parsingText: Substring(text))
    }

    init?(parsingText text: Substring) {
        var copy = text
        guard let raw = copy.withUTF8({ Self.parseRaw($0) }) else { return nil }
        self.raw = raw
    }

    /// The same parser over raw bytes, for decoders that never make a String of a number.
    package static func parseRaw(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var k = 0
        let n = bytes.count
        guard n > 0 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; k = 1 } else if bytes[0] == UInt8(ascii: "+") { k = 1 }
        guard k < n, bytes[k] >= 48, bytes[k] <= 57 else { return nil }
        var intPart: Int64 = 0
        var fracDigits = 0
        var frac: Int64 = 0
        var seenDot = false
        while k < n {
            let b = bytes[k]
            k += 1
            if b == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard b >= 48, b <= 57 else { return nil }
            let d = Int64(b - 48)
            if seenDot {
                fracDigits += 1
                if fracDigits > fractionDigits {
                    if d != 0 { return nil } // trailing zeros beyond six digits are harmless
                    continue
                }
                frac = frac * 10 + d
            } else {
                let (m, o1) = intPart.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { return nil }
                intPart = a
            }
        }
        if seenDot && fracDigits == 0 { return nil }
        var f = frac
        for _ in 0..<(fractionDigits - min(fracDigits, fractionDigits)) { f *= 10 }
        let (scaled, o1) = intPart.multipliedReportingOverflow(by: scale)
        let (total, o2) = scaled.addingReportingOverflow(f)
        if o1 || o2 || total == Int64.min { return nil }
        return negative ? -total : total
    }

    /// Number of fractional digits actually used (0...6), for validating money's two places.
    package var usedFractionDigits: Int {
        var r = raw % Self.scale
        if r == 0 { return 0 }
        var digits = Self.fractionDigits
        while r % 10 == 0 { r /= 10; digits -= 1 }
        return digits
    }

    /// Whether it has no fraction.
    public var isInteger: Bool { raw % Self.scale == 0 }

    /// Plain decimal text without trailing zeros beyond `minFractionDigits`: 1320.12, 500, 0.5.
    public func formatted(minFractionDigits: Int = 0) -> String {
        // Digits are written backwards into a small buffer: explanations and reports format
        // thousands of amounts, and string surgery cost ten times more.
        let magnitude = raw.magnitude
        var whole = magnitude / UInt64(Self.scale)
        var frac = magnitude % UInt64(Self.scale)
        var fracDigits = Self.fractionDigits
        let keep = max(0, min(minFractionDigits, Self.fractionDigits))
        while fracDigits > keep && frac % 10 == 0 { frac /= 10; fracDigits -= 1 }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf -> String in
            var i = 32
            func put(_ b: UInt8) { i -= 1; buf[i] = b }
            for _ in 0..<fracDigits { put(UInt8(48 + frac % 10)); frac /= 10 }
            if fracDigits > 0 { put(UInt8(ascii: ".")) }
            repeat { put(UInt8(48 + whole % 10)); whole /= 10 } while whole > 0
            if raw < 0 { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[i..<32]), as: UTF8.self)
        }
    }

    public var description: String { formatted() }
}

/// Arithmetic on scaled raw values, shared by the checker (constant folding), the VM and tests.
/// Each returns nil on overflow or an undefined result instead of trapping.
package enum FixedMath {
    @inlinable package static func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.addingReportingOverflow(b); return o || r == Int64.min ? nil : r
    }
    @inlinable package static func sub(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.subtractingReportingOverflow(b); return o || r == Int64.min ? nil : r
    }
    @inlinable package static func mulInt(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.multipliedReportingOverflow(by: b); return o || r == Int64.min ? nil : r
    }
    /// (a × b) / scale with round-half-even, through a 128-bit intermediate.
    @inlinable package static func mulFixed(_ a: Int64, _ b: Int64) -> Int64? {
        let p = Int128(a) * Int128(b)
        return divRound(p, Int128(FixedDecimal.scale))
    }
    /// (a × scale) / b with round-half-even; nil when b is zero.
    @inlinable package static func divFixed(_ a: Int64, _ b: Int64) -> Int64? {
        if b == 0 { return nil }
        return divRound(Int128(a) * Int128(FixedDecimal.scale), Int128(b))
    }
    @inlinable static func divRound(_ n: Int128, _ d: Int128) -> Int64? {
        var q = n / d
        let r = n % d
        if r != 0 {
            let twice = (r < 0 ? -r : r) * 2
            let ad = d < 0 ? -d : d
            let away = twice > ad || (twice == ad && q % 2 != 0)
            if away { q += ((n < 0) != (d < 0)) ? -1 : 1 }
        }
        guard q > Int128(Int64.min), q <= Int128(Int64.max) else { return nil }
        return Int64(q)
    }
    /// Rounds toward negative infinity to a multiple of `step`: `round(_:step:mode:)` `.down`,
    /// written out because every decision of a `round down` policy runs it (one division).
    @inlinable package static func floor(_ a: Int64, step: Int64) -> Int64? {
        guard step > 0 else { return nil }
        let r = a % step
        if r == 0 { return a }
        return a < 0 ? sub(a - r, step) : a - r
    }
    /// Rounds toward positive infinity (`.up`), written out like `floor`.
    @inlinable package static func ceil(_ a: Int64, step: Int64) -> Int64? {
        guard step > 0 else { return nil }
        let r = a % step
        if r == 0 { return a }
        return a < 0 ? a - r : add(a - r, step)
    }
    /// The nearer multiple, a tie toward +∞ (`half_up`: 1.5 → 2, −1.5 → −1), which is what
    /// `round(x, step)` and `round nearest` have always done.
    @inlinable package static func nearest(_ a: Int64, step: Int64) -> Int64? { round(a, step: step, mode: .halfUp) }
}
