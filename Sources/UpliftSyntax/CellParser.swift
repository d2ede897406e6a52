/// Reads one cell of a decision table as risk officers write it, into a condition on the
/// column's input:
///
/// | cell | means |
/// |---|---|
/// | `-`, empty | any value |
/// | `>= 95`, `< 30`, `== 3`, `!= 0` | a comparison with the input |
/// | `[30..50)`, `(0..1]` | an interval; `[`/`]` include the end, `(`/`)` exclude it |
/// | `30..49` | an inclusive range |
/// | `in [a, b]`, `not in [a, b]` | membership |
/// | `excellent`, `5`, `true` | equality |
/// | `>= 30, < 50` | any of the tests (a comma means *or*, as in DMN and Zen) |
///
/// A column with no input holds a whole condition in each cell. Parts are parsed by the
/// expression parser at their place in the file, so an error points into the cell.
package enum CellParser {
    /// The condition `text` states about `input`, or nil for "any". `base` is the offset of
    /// `text` in file `file`.
    package static func parse(_ text: String, input: Expr?, file: Int, base: Int) -> (Expr?, Diagnostics) {
        let bytes = Array(text.utf8)
        var d = Diagnostics()
        let (lo, hi) = trim(bytes, 0, bytes.count)
        if lo == hi || (hi - lo == 1 && bytes[lo] == UInt8(ascii: "-")) { return (nil, d) }
        guard let input else {
            let (e, pd) = Parser.parseExpression(bytes: Array(bytes[lo..<hi]), file: file, base: base + lo)
            d.append(contentsOf: pd.all)
            return (e, d)
        }
        var result: Expr?
        for (s, e) in parts(bytes, lo, hi) {
            let test = self.test(bytes, s, e, input: input, file: file, base: base, &d)
            result = result.map { Expr(.binary(.or, $0, test), $0.span.to(test.span)) } ?? test
        }
        return (result, d)
    }

    /// Splits at commas outside brackets and quotes.
    static func parts(_ b: [UInt8], _ lo: Int, _ hi: Int) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var depth = 0, start = lo
        var quote: UInt8?, escaped = false
        for i in lo..<hi {
            let c = b[i]
            if let q = quote {
                // `\"` inside a string is a quote character, not its end.
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): quote = c  // the rule language quotes strings with `"` only
            case UInt8(ascii: "["), UInt8(ascii: "("): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: ")"): depth = max(0, depth - 1)
            case UInt8(ascii: ",") where depth == 0:
                out.append(trim(b, start, i)); start = i + 1
            default: break
            }
        }
        out.append(trim(b, start, hi))
        return out
    }

    static func trim(_ b: [UInt8], _ lo: Int, _ hi: Int) -> (Int, Int) {
        var lo = lo, hi = hi
        // Spaces, tabs and line ends (a block scalar `|` keeps its final newline).
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        while lo < hi, blank(b[lo]) { lo += 1 }
        while hi > lo, blank(b[hi - 1]) { hi -= 1 }
        return (lo, hi)
    }

    static func sub(_ b: [UInt8], _ lo: Int, _ hi: Int, file: Int, base: Int, _ d: inout Diagnostics) -> Expr {
        let (s, e) = trim(b, lo, hi)
        if s == e {
            let at = Span(file: file, start: base + lo, end: base + hi)
            d.error("E330", "this cell test has no value", at: at, help: "write a value after the operator, e.g. `>= 95`")
            return Expr(.error, at)
        }
        let (x, pd) = Parser.parseExpression(bytes: Array(b[s..<e]), file: file, base: base + s)
        d.append(contentsOf: pd.all)
        return x
    }

    static func starts(_ b: [UInt8], _ at: Int, _ end: Int, with word: String) -> Bool {
        let w = Array(word.utf8)
        guard end - at >= w.count, Array(b[at..<(at + w.count)]) == w else { return false }
        // A word must end there (`in [`, not `income`).
        return end - at == w.count || !isNameByte(b[at + w.count]) || !isNameByte(w[w.count - 1])
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80
    }

    /// The top-level `..` of `b[lo..<hi]`, if any.
    static func rangeDots(_ b: [UInt8], _ lo: Int, _ hi: Int) -> Int? {
        var depth = 0
        var i = lo
        var inString = false, escaped = false
        while i + 1 < hi {
            let c = b[i]
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") { inString = true; i += 1; continue }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") { depth += 1 }
            if c == UInt8(ascii: "]") || c == UInt8(ascii: ")") { depth -= 1 }
            if depth == 0, c == UInt8(ascii: "."), b[i + 1] == UInt8(ascii: ".") { return i }
            i += 1
        }
        return nil
    }

    static func test(_ b: [UInt8], _ lo: Int, _ hi: Int, input: Expr, file: Int, base: Int, _ d: inout Diagnostics) -> Expr {
        let span = Span(file: file, start: base + lo, end: base + hi)
        func cmp(_ op: BinaryOperator, _ width: Int) -> Expr {
            Expr(.binary(op, input, sub(b, lo + width, hi, file: file, base: base, &d)), span)
        }
        if lo == hi {
            d.error("E330", "an empty test between commas", at: span, help: "remove the extra comma, or write `-` for any value")
            return Expr(.error, span)
        }
        for (word, negated) in [("not in", true), ("in", false)] where starts(b, lo, hi, with: word) {
            let (s, e) = trim(b, lo + word.utf8.count, hi)
            // `in [30..50)`: an interval, not a list holding a range.
            if let range = interval(b, s, e, input: input, span: span, file: file, base: base, &d) {
                return negated ? Expr(.not(range), span) : range
            }
            return Expr(.membership(input, sub(b, s, e, file: file, base: base, &d), negated: negated), span)
        }
        for (text, op) in [(">=", BinaryOperator.ge), ("<=", .le), ("==", .eq), ("!=", .ne), (">", .gt), ("<", .lt)]
        where starts(b, lo, hi, with: text) {
            return cmp(op, text.utf8.count)
        }
        if let range = interval(b, lo, hi, input: input, span: span, file: file, base: base, &d) { return range }
        if let dots = rangeDots(b, lo, hi) {
            let low = sub(b, lo, dots, file: file, base: base, &d)
            let high = sub(b, dots + 2, hi, file: file, base: base, &d)
            return Expr(.between(input, low, high), span)
        }
        return Expr(.binary(.eq, input, sub(b, lo, hi, file: file, base: base, &d)), span)
    }

    /// `[a..b]`, `[a..b)`, `(a..b]`, `(a..b)` as two comparisons; nil when `b[lo..<hi]` is not one.
    static func interval(_ b: [UInt8], _ lo: Int, _ hi: Int, input: Expr, span: Span, file: Int, base: Int, _ d: inout Diagnostics) -> Expr? {
        guard hi - lo >= 2 else { return nil }
        let open = b[lo], close = b[hi - 1]
        guard (open == UInt8(ascii: "[") || open == UInt8(ascii: "(")) && (close == UInt8(ascii: "]") || close == UInt8(ascii: ")")),
              let dots = rangeDots(b, lo + 1, hi - 1) else { return nil }
        let low = sub(b, lo + 1, dots, file: file, base: base, &d)
        let high = sub(b, dots + 2, hi - 1, file: file, base: base, &d)
        let left = Expr(.binary(open == UInt8(ascii: "[") ? .ge : .gt, input, low), span)
        let right = Expr(.binary(close == UInt8(ascii: "]") ? .le : .lt, input, high), span)
        return Expr(.binary(.and, left, right), span)
    }
}
