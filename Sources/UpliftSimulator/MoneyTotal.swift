import Uplift

/// An exact sum of amounts: raw fixed-point with six decimals, like `FixedDecimal`, but 128 bits
/// wide, so totals over a population (each amount at most about 9.2 × 10^12) cannot wrap: adding
/// one amount per row would need more than 2^64 rows to leave the range. Adding two totals (a
/// merge of summaries read from files) is checked and reports overflow instead of wrapping.
package struct MoneyTotal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Scaled value: 1.5 is 1_500_000.
    package var raw: Int128

    /// A total of `raw` (scaled by 10^6).
    package init(raw: Int128 = 0) { self.raw = raw }

    /// Nothing added yet.
    package static let zero = MoneyTotal()

    /// Totals order as the amounts they stand for.
    package static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }

    /// Adds one amount (a decision's uplift). Cannot overflow: see the type's documentation.
    package mutating func add(_ amount: Int64) { raw += Int128(amount) }

    /// `self + other`, or nil when the exact sum does not fit in 128 bits.
    package func adding(_ other: MoneyTotal) -> MoneyTotal? {
        let (r, o) = raw.addingReportingOverflow(other.raw)
        return o ? nil : MoneyTotal(raw: r)
    }

    /// `self − other`, or nil when the exact difference does not fit.
    package func subtracting(_ other: MoneyTotal) -> MoneyTotal? {
        let (r, o) = raw.subtractingReportingOverflow(other.raw)
        return o ? nil : MoneyTotal(raw: r)
    }

    /// Exact decimal text: trailing fractional zeros dropped down to `minFractionDigits`.
    package func formatted(minFractionDigits: Int = 0) -> String {
        let magnitude = raw.magnitude
        let scale = UInt128(FixedDecimal.scale)
        var whole = magnitude / scale
        var frac = magnitude % scale
        var fracDigits = FixedDecimal.fractionDigits
        let keep = max(0, min(minFractionDigits, FixedDecimal.fractionDigits))
        while fracDigits > keep && frac % 10 == 0 { frac /= 10; fracDigits -= 1 }
        var digits: [UInt8] = []
        for _ in 0..<fracDigits { digits.append(UInt8(48 + frac % 10)); frac /= 10 }
        if fracDigits > 0 { digits.append(UInt8(ascii: ".")) }
        repeat { digits.append(UInt8(48 + whole % 10)); whole /= 10 } while whole > 0
        if raw < 0 { digits.append(UInt8(ascii: "-")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// For people: digits grouped in thousands, at least two decimals (`12,345,678.50`).
    package var grouped: String { SummaryText.grouped(formatted(minFractionDigits: 2)) }

    /// The exact decimal text, as JSON summaries write it.
    package var description: String { formatted() }

    /// Parses exact decimal text (`-12`, `10500000000000.25`): at most six fractional digits, no
    /// exponent; nil when malformed or outside 128 bits.
    package init?(parsing text: Substring) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        guard let first = bytes.first, first >= 48, first <= 57 else { return nil }
        var value: Int128 = 0
        var fracDigits = 0, seenDot = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard b >= 48, b <= 57 else { return nil }
            if seenDot { fracDigits += 1; if fracDigits > FixedDecimal.fractionDigits { return nil } }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(b - 48))
            if o1 || o2 { return nil }
            value = a
        }
        if seenDot && fracDigits == 0 { return nil }
        for _ in fracDigits..<FixedDecimal.fractionDigits {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return nil }
            value = m
        }
        raw = negative ? -value : value
    }

    /// `total ÷ n` rounded half up to whole cents, for means of amounts; nil when `n` is not positive.
    package static func meanCents(_ total: MoneyTotal, _ n: Int) -> MoneyTotal? {
        guard n > 0 else { return nil }
        let cents = (total.raw / 10_000 + Int128(n) / 2) / Int128(n)
        return MoneyTotal(raw: cents * 10_000)
    }
}

/// Why a summary could not be read or merged: the field concerned and what is wrong. Callers
/// that read a file put its name in front (`part-3.json: rows is 1, but …`).
package struct SummaryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem: malformed input, counts that contradict each other, or a sum that
    /// would leave the exact range.
    package enum Kind: Sendable, Equatable { case malformed, inconsistent, overflow }
    /// Malformed, inconsistent or overflowing.
    package var kind: Kind
    /// The JSON path of the field (`segments.rider.count`), empty when about the whole file.
    package var field: String
    /// What is wrong with the field, as a predicate (`is 1, but …`, `must be a string`).
    package var message: String

    /// An error about `field`.
    package init(_ kind: Kind, field: String, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    /// `rows is 1, but decided (3000) plus bad_rows (0) is 3000`: the field, then what is wrong.
    package var description: String { field.isEmpty ? message : "\(field) \(message)" }

    /// The exact sum of two counts, or an overflow error naming `field`.
    static func add(_ a: Int, _ b: Int, _ field: String) throws(SummaryError) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw SummaryError(.overflow, field: field, "overflows: the sum of the parts is larger than \(Int.max); merge fewer parts at a time") }
        return r
    }

    /// The exact sum of two totals, or an overflow error naming `field`.
    static func add(_ a: MoneyTotal, _ b: MoneyTotal, _ field: String) throws(SummaryError) -> MoneyTotal {
        guard let r = a.adding(b) else { throw SummaryError(.overflow, field: field, "overflows: the sum of the parts does not fit in 128 bits") }
        return r
    }

    /// Adds `other`'s counts into `into`, key by key, checked.
    static func add(_ other: [String: Int], into: inout [String: Int], _ field: String) throws(SummaryError) {
        for (k, n) in other { into[k] = try add(into[k] ?? 0, n, "\(field).\(k)") }
    }
}
