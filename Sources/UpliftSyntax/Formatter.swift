/// The one layout of rule and schema files (`uplift fmt`).
///
/// The formatter works on tokens, not on the AST: it re-emits every token exactly as written and
/// decides only the whitespace between them, so it cannot change what a file means, and every
/// comment stays where it was. It keeps the author's line breaks inside a declaration (a long
/// condition stays split where it was split) and normalises everything else: one space between
/// tokens except around `( [ . , :`; declarations and fields start at their block's indentation
/// and continuation lines are indented four more; at most one blank line in a row; runs of
/// `reason`, rule and `cap` lines are aligned, as are trailing comments on consecutive lines.
package enum Formatter {
    package enum Failure: Error, Sendable {
        /// The file does not parse; formatting is refused so nothing is guessed.
        case doesNotParse(Diagnostics)
    }

    static let declarationWords: Set<String> = ["record", "facts", "reason", "let", "decline", "refer", "no_change", "cap", "floor", "allow", "amount", "round", "report"]
    /// Words after which `(` or `[` opens a group rather than a call or a lookup.
    static let keywords: Set<String> = ["and", "or", "not", "when", "then", "else", "in", "between", "if", "otherwise", "where", "for", "is",
                                        "of", "group", "by", "to", "down", "up", "nearest", "report", "sample", "absent", "length", "percent"]

    /// A line of output before alignment: indentation, code, and a trailing comment.
    struct Line {
        var indent: Int
        var code: String
        var comment: String?
        /// The first word, and where the second column starts, for aligning runs of
        /// declarations (`reason CODE "…"`, `decline CODE when …`, `cap CODE = …`).
        var kind: String?
        /// Characters of `code` before the second column.
        var columnSplit: Int?
        var blank: Bool { code.isEmpty && comment == nil }
    }

    package static func format(_ text: String, path: String = "input.uplift") throws(Failure) -> String {
        let source = SourceFile(path: path, text: text)
        let (_, diagnostics) = Parser.parseFile(source, file: 0)
        if diagnostics.hasErrors { throw .doesNotParse(diagnostics) }
        var lexDiags = Diagnostics()
        let tokens = Lexer.tokenize(source, file: 0, diagnostics: &lexDiags)
        return render(layout(tokens, source))
    }

    /// One expression (a segment's `when`, a band table's `input`) on one line, in the layout of
    /// rule files. Throws when it does not parse as an expression.
    package static func formatExpression(_ text: String) throws(Failure) -> String {
        let (_, diagnostics) = Parser.parseExpression(bytes: Array(text.utf8), file: 0, base: 0)
        if diagnostics.hasErrors { throw .doesNotParse(diagnostics) }
        let source = SourceFile(path: "expression", text: text)
        var lexDiags = Diagnostics()
        let tokens = Lexer.tokenize(source, file: 0, diagnostics: &lexDiags).filter { $0.kind != .eof }
        var out = ""
        var previous: Token?
        var unaryContext = true, previousWasSign = false
        for t in tokens {
            if let p = previous, needsSpace(p, t, afterSign: previousWasSign) { out += " " }
            out += slice(source, t.span.start, t.span.end)
            previousWasSign = t.kind == .minus && unaryContext
            unaryContext = signMayFollow(t)
            previous = t
        }
        return out
    }

    static func slice(_ source: SourceFile, _ from: Int, _ to: Int) -> String {
        String(decoding: source.bytes[max(0, from)..<min(source.bytes.count, max(from, to))], as: UTF8.self)
    }

    /// The comments in the text between two tokens, each with the line breaks before it, and
    /// the line breaks after the last one (before the next token).
    static func gap(_ text: String) -> (comments: [(text: String, breaksBefore: Int)], breaksAfter: Int) {
        var comments: [(String, Int)] = []
        var breaks = 0
        var rest = Substring(text)
        while let c = rest.first {
            if c == "\n" { breaks += 1; rest = rest.dropFirst() }
            else if c == "#" {
                let end = rest.firstIndex(of: "\n") ?? rest.endIndex
                var comment = String(rest[..<end])
                while comment.last == " " || comment.last == "\t" || comment.last == "\r" { comment.removeLast() }
                comments.append((comment, breaks))
                breaks = 0
                rest = rest[end...]
            } else { rest = rest.dropFirst() }
        }
        return (comments, breaks)
    }

    static func layout(_ tokens: [Token], _ source: SourceFile) -> [Line] {
        var lines: [Line] = []
        var current: Line?
        var braceDepth = 0, groupDepth = 0
        var previous: Token?
        var previousEnd = 0
        var lastWasUnaryContext = true
        var previousWasSign = false
        func flush() { if let c = current { lines.append(c); current = nil } }
        for (index, t) in tokens.enumerated() {
            let between = gap(slice(source, previousEnd, t.span.start))
            // Comments: a trailing one stays on its line; others get lines of their own.
            for c in between.comments {
                if c.breaksBefore == 0, current != nil, current?.comment == nil { current?.comment = c.text; continue }
                flush()
                if c.breaksBefore >= 2, let last = lines.last, !last.blank { lines.append(Line(indent: 0, code: "")) }
                lines.append(Line(indent: braceDepth * 2, code: "", comment: c.text))
            }
            if t.kind == .eof { break }
            let text = slice(source, t.span.start, t.span.end)
            let startsLine = previous == nil || between.breaksAfter > 0
            if startsLine {
                flush()
                if between.breaksAfter >= 2, let last = lines.last, !last.blank { lines.append(Line(indent: 0, code: "")) }
                let declaration = braceDepth == 0 && groupDepth == 0 && t.kind == .identifier && declarationWords.contains(t.text)
                // `name:` at the start of a line inside `{ }` begins a field.
                let field = braceDepth > 0 && groupDepth == 0 && t.kind == .identifier && index + 1 < tokens.count && tokens[index + 1].kind == .colon
                let closing = t.kind == .rbrace
                let base = (closing ? max(0, braceDepth - 1) : braceDepth) * 2
                let indent = declaration || field || closing || previous == nil ? base : base + 4
                current = Line(indent: indent, code: text, kind: declaration ? t.text : nil)
            } else if var c = current, let p = previous {
                if needsSpace(p, t, afterSign: previousWasSign) { c.code += " " }
                // Remember where the declaration's second column starts.
                if let k = c.kind, c.columnSplit == nil, secondColumnStarts(kind: k, at: t) {
                    c.columnSplit = c.code.count
                }
                c.code += text
                current = c
            }
            switch t.kind {
            case .lbrace: braceDepth += 1
            case .rbrace: braceDepth = max(0, braceDepth - 1)
            case .lparen, .lbracket: groupDepth += 1
            case .rparen, .rbracket: groupDepth = max(0, groupDepth - 1)
            default: break
            }
            previousWasSign = t.kind == .minus && lastWasUnaryContext
            lastWasUnaryContext = signMayFollow(t)
            previous = t
            previousEnd = t.span.end
        }
        flush()
        while lines.last?.blank == true { lines.removeLast() }
        return lines
    }

    /// A `-` after `t` is a sign (`-5`), not a subtraction: `t` cannot end an operand.
    static func signMayFollow(_ t: Token) -> Bool {
        switch t.kind {
        case .lparen, .lbracket, .comma, .colon, .assign, .eq, .ne, .lt, .le, .gt, .ge, .plus, .minus, .star, .slash, .dotdot: true
        case .identifier: keywords.contains(t.text) || declarationWords.contains(t.text)
        default: false
        }
    }

    static func secondColumnStarts(kind: String, at t: Token) -> Bool {
        switch kind {
        case "reason": t.kind == .string
        case "decline", "refer", "no_change": t.isWord("when")
        case "cap", "floor": t.kind == .assign
        default: false
        }
    }

    /// Whether a space goes between `a` and `b`; `afterSign` when `a` is a `-` sign (`-5`).
    static func needsSpace(_ a: Token, _ b: Token, afterSign: Bool) -> Bool {
        switch b.kind {
        case .comma, .rparen, .rbracket, .dot, .colon, .question: return false
        default: break
        }
        switch a.kind {
        case .lparen, .lbracket, .dot: return false
        case .minus where afterSign: return false
        default: break
        }
        // `count(…)` and `catalogue[…]`, but `and (…)` and `in […]`.
        if a.kind == .identifier && (b.kind == .lparen || b.kind == .lbracket) {
            // `round(x, 100)` is the function; the `round … to` statement never has a `(`.
            return keywords.contains(a.text) || (declarationWords.contains(a.text) && a.text != "round")
        }
        if (a.kind == .rparen || a.kind == .rbracket) && b.kind == .lbracket { return false }
        return true
    }

    /// Aligns runs and writes the text.
    static func render(_ input: [Line]) -> String {
        var lines = input
        // Runs of same-kind declarations: pad the first column so the second lines up.
        var i = 0
        while i < lines.count {
            guard let k = lines[i].kind, lines[i].columnSplit != nil else { i += 1; continue }
            // Rules align together, and so do caps and floors (the bounds).
            func group(_ k: String) -> String { k == "refer" || k == "no_change" ? "decline" : k == "floor" ? "cap" : k }
            var j = i
            while j < lines.count, let kj = lines[j].kind, group(kj) == group(k), lines[j].columnSplit != nil { j += 1 }
            if j - i > 1 {
                let heads = (i..<j).map { n in Substring(lines[n].code.prefix(lines[n].columnSplit ?? 0)).trimmingTrailingSpaces }
                let width = heads.map(\.count).max() ?? 0
                for (n, head) in zip(i..<j, heads) {
                    let tail = lines[n].code.dropFirst(lines[n].columnSplit ?? 0)
                    lines[n].code = head + String(repeating: " ", count: width - head.count + 1) + tail
                }
            }
            i = max(j, i + 1)
        }
        // Trailing comments on consecutive code lines share a column.
        i = 0
        while i < lines.count {
            guard lines[i].comment != nil, !lines[i].code.isEmpty else { i += 1; continue }
            var j = i
            while j < lines.count, lines[j].comment != nil, !lines[j].code.isEmpty { j += 1 }
            let width = (i..<j).map { lines[$0].indent + lines[$0].code.count }.max() ?? 0
            for n in i..<j { lines[n].code += String(repeating: " ", count: width - lines[n].indent - lines[n].code.count + 2) }
            i = j
        }
        var out = ""
        for l in lines {
            if l.blank { out += "\n"; continue }
            var text = String(repeating: " ", count: l.indent) + l.code
            if let c = l.comment { text += (l.code.isEmpty ? "" : (text.last == " " ? "" : " ")) + c }
            while text.last == " " { text.removeLast() }
            out += text + "\n"
        }
        return out
    }
}

extension Substring {
    var trimmingTrailingSpaces: String {
        var s = String(self)
        while s.last == " " { s.removeLast() }
        return s
    }
}
