/// Turns rule text into tokens. It never fails: unreadable bytes become `.invalid` tokens with a
/// diagnostic, so the parser can go on and report everything in one run.
package struct Lexer {
    let bytes: [UInt8]
    let file: Int
    let base: Int
    var i: Int
    var lineStart = true

    /// `bytes` is the text to read; `base` is its offset inside file `file` (an expression embedded
    /// in a YAML table starts part-way through the YAML file).
    package init(bytes: [UInt8], file: Int, base: Int = 0) {
        self.bytes = bytes; self.file = file; self.base = base; self.i = 0
    }

    package static func tokenize(_ source: SourceFile, file: Int, diagnostics: inout Diagnostics) -> [Token] {
        var lexer = Lexer(bytes: source.bytes, file: file)
        return lexer.all(&diagnostics)
    }

    package mutating func all(_ diags: inout Diagnostics) -> [Token] {
        var out: [Token] = []
        while true {
            let t = next(&diags)
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    func span(_ s: Int, _ e: Int) -> Span { Span(file: file, start: base + s, end: base + e) }
    func peek(_ k: Int = 0) -> UInt8 { i + k < bytes.count ? bytes[i + k] : 0 }
    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    static func isIdentStart(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
    static func isIdent(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) }

    mutating func next(_ diags: inout Diagnostics) -> Token {
        // Skip blanks and comments, remembering whether a line break was crossed.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") { lineStart = true; i += 1 }
            else if b == 32 || b == 9 || b == 13 { i += 1 }
            else if b == UInt8(ascii: "#") { while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 } }
            else { break }
        }
        let startsLine = lineStart
        lineStart = false
        let s = i
        guard i < bytes.count else { return Token(.eof, span(s, s), "", startsLine: true) }
        let b = bytes[i]
        func tok(_ k: Token.Kind, _ n: Int) -> Token {
            i += n
            return Token(k, span(s, i), String(decoding: bytes[s..<i], as: UTF8.self), startsLine: startsLine)
        }
        if Self.isIdentStart(b) {
            while i < bytes.count, Self.isIdent(bytes[i]) { i += 1 }
            return Token(.identifier, span(s, i), String(decoding: bytes[s..<i], as: UTF8.self), startsLine: startsLine)
        }
        if Self.isDigit(b) { return number(startsLine, &diags) }
        switch b {
        case UInt8(ascii: "\""): return string(startsLine, &diags)
        case UInt8(ascii: "("): return tok(.lparen, 1)
        case UInt8(ascii: ")"): return tok(.rparen, 1)
        case UInt8(ascii: "["): return tok(.lbracket, 1)
        case UInt8(ascii: "]"): return tok(.rbracket, 1)
        case UInt8(ascii: "{"): return tok(.lbrace, 1)
        case UInt8(ascii: "}"): return tok(.rbrace, 1)
        case UInt8(ascii: ","): return tok(.comma, 1)
        case UInt8(ascii: ":"): return tok(.colon, 1)
        case UInt8(ascii: "?"): return tok(.question, 1)
        case UInt8(ascii: "+"): return tok(.plus, 1)
        case UInt8(ascii: "-"): return tok(.minus, 1)
        case UInt8(ascii: "*"): return tok(.star, 1)
        case UInt8(ascii: "/"): return tok(.slash, 1)
        case UInt8(ascii: "."): return peek(1) == UInt8(ascii: ".") ? tok(.dotdot, 2) : tok(.dot, 1)
        case UInt8(ascii: "="): return peek(1) == UInt8(ascii: "=") ? tok(.eq, 2) : tok(.assign, 1)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return tok(.ne, 2) }
        case UInt8(ascii: "<"): return peek(1) == UInt8(ascii: "=") ? tok(.le, 2) : tok(.lt, 1)
        case UInt8(ascii: ">"): return peek(1) == UInt8(ascii: "=") ? tok(.ge, 2) : tok(.gt, 1)
        default: break
        }
        // One unreadable character (a whole UTF-8 sequence), reported with a hint.
        i += 1
        while i < bytes.count, bytes[i] & 0xC0 == 0x80 { i += 1 }
        let text = String(decoding: bytes[s..<i], as: UTF8.self)
        var help = "remove it; rule files use letters, digits, `_`, operators and \"strings\""
        if text == "!" { help = "write `not` for negation, or `!=` for \"is not equal to\"" }
        else if text == "&" || text == "|" { help = "write `and` / `or`" }
        else if text == "'" { help = "strings use double quotes: \"text\"" }
        else if text == "%" { help = "write a fraction as a decimal: 0.05 rather than 5%" }
        diags.error("E001", "unexpected character `\(text)`", at: span(s, i), help: help)
        return Token(.invalid, span(s, i), text, startsLine: startsLine)
    }

    /// Numbers are kept as text so that `1100.10` stays exactly that; `2024-12-23` is a date.
    mutating func number(_ startsLine: Bool, _ diags: inout Diagnostics) -> Token {
        let s = i
        while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
        if i - s == 4, peek() == UInt8(ascii: "-"), Self.isDigit(peek(1)), Self.isDigit(peek(2)), peek(3) == UInt8(ascii: "-"),
           Self.isDigit(peek(4)), Self.isDigit(peek(5)) {
            i += 6
            let text = String(decoding: bytes[s..<i], as: UTF8.self)
            if CivilDate.parse(Substring(text)) == nil {
                diags.error("E002", "`\(text)` is not a calendar date", at: span(s, i), help: "write dates as YYYY-MM-DD with a real month and day")
            }
            return Token(.date, span(s, i), text, startsLine: startsLine)
        }
        if peek() == UInt8(ascii: "."), Self.isDigit(peek(1)) {
            i += 1
            while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
        }
        while i < bytes.count, bytes[i] == UInt8(ascii: "_") || Self.isIdent(bytes[i]) {
            // `12abc`: a number glued to letters; consume it whole for one clear message.
            i += 1
        }
        let text = String(decoding: bytes[s..<i], as: UTF8.self)
        if FixedDecimal(parsing: Substring(text)) == nil {
            diags.error("E003", "`\(text)` is not a number Uplift can represent", at: span(s, i),
                        help: "numbers have at most 6 decimal places and at most 12 digits before the point")
        }
        return Token(.number, span(s, i), text, startsLine: startsLine)
    }

    mutating func string(_ startsLine: Bool, _ diags: inout Diagnostics) -> Token {
        let s = i
        i += 1
        var value: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return Token(.string, span(s, i), String(decoding: value, as: UTF8.self), startsLine: startsLine)
            }
            if b == UInt8(ascii: "\n") { break }
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "n"): value.append(10)
                case UInt8(ascii: "t"): value.append(9)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): value.append(e)
                default:
                    diags.error("E004", "unknown escape `\\\(Character(Unicode.Scalar(e)))` in a string", at: span(i, i + 2),
                                help: "use \\\" for a quote, \\\\ for a backslash, \\n for a line break")
                }
                i += 2
                continue
            }
            value.append(b)
            i += 1
        }
        diags.error("E005", "this string is not closed", at: span(s, i), help: "add a closing `\"` before the end of the line")
        return Token(.string, span(s, i), String(decoding: value, as: UTF8.self), startsLine: startsLine)
    }
}
