/// Recursive-descent parser for rule files and for expressions embedded in YAML tables.
///
/// On an error it records a diagnostic and resynchronises at the next declaration keyword that
/// starts a line, so one run reports every mistake in a file.
package struct Parser {
    var tokens: [Token]
    var pos = 0
    var nesting = 0
    /// Deeper expressions are refused: checking them would exhaust the stack.
    package static let maxDepth = 200
    package var diagnostics = Diagnostics()

    /// Words that can never be names: they glue expressions together.
    package static let reserved: Set<String> = [
        "and", "or", "not", "in", "for", "where", "is", "if", "then", "else", "true", "false",
        "between", "otherwise", "let",
    ]
    /// Words that begin a declaration.
    package static let declarationKeywords: Set<String> = [
        "record", "facts", "reason", "let", "decline", "refer", "no_change", "cap", "floor", "allow", "amount", "round", "report",
    ]

    struct Failure: Error {}

    package init(tokens: [Token]) { self.tokens = tokens }

    package init(source: SourceFile, file: Int) {
        var d = Diagnostics()
        tokens = Lexer.tokenize(source, file: file, diagnostics: &d)
        diagnostics = d
    }

    /// Parses a whole rule file.
    package static func parseFile(_ source: SourceFile, file: Int) -> (RuleFile, Diagnostics) {
        var p = Parser(source: source, file: file)
        let decls = p.parseDeclarations()
        return (RuleFile(file: file, decls: decls), p.diagnostics)
    }

    /// Parses one expression that sits inside another file (a segment's `when` in YAML).
    package static func parseExpression(bytes: [UInt8], file: Int, base: Int) -> (Expr, Diagnostics) {
        var d = Diagnostics()
        var lexer = Lexer(bytes: bytes, file: file, base: base)
        var p = Parser(tokens: lexer.all(&d))
        p.diagnostics = d
        let e: Expr
        do {
            e = try p.expression()
            if p.peek.kind != .eof {
                p.fail(p.peek.span, "E101", "unexpected \(p.describe(p.peek)) after the expression",
                       help: "an embedded condition is a single expression; join parts with `and` / `or`")
            }
        } catch { e = Expr(.error, p.peek.span) }
        return (e, p.diagnostics)
    }

    // MARK: - Token helpers

    var peek: Token { tokens[min(pos, tokens.count - 1)] }
    func peekAt(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }
    var previous: Token { tokens[max(0, min(pos - 1, tokens.count - 1))] }

    @discardableResult mutating func advance() -> Token {
        let t = peek
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    mutating func accept(_ k: Token.Kind) -> Bool {
        if peek.kind == k { advance(); return true }
        return false
    }

    mutating func acceptWord(_ w: String) -> Bool {
        if peek.isWord(w) { advance(); return true }
        return false
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier: return "`\(t.text)`"
        case .number, .date: return "`\(t.text)`"
        case .string: return "a string"
        default: return t.kind.display
        }
    }

    mutating func fail(_ span: Span, _ code: String, _ message: String, help: String? = nil) {
        diagnostics.error(code, message, at: span, help: help)
    }

    mutating func expect(_ k: Token.Kind, _ context: String, help: String? = nil) throws(Failure) -> Token {
        if peek.kind == k { return advance() }
        if peek.kind == .invalid { advance(); if peek.kind == k { return advance() } }
        fail(peek.span, "E100", "expected \(k.display) \(context), found \(describe(peek))",
             help: help ?? "insert \(k.display) before \(describe(peek))")
        throw Failure()
    }

    mutating func expectWord(_ w: String, _ context: String, help: String? = nil) throws(Failure) -> Token {
        if peek.isWord(w) { return advance() }
        fail(peek.span, "E100", "expected `\(w)` \(context), found \(describe(peek))", help: help)
        throw Failure()
    }

    mutating func name(_ context: String, help: String? = nil) throws(Failure) -> Identifier {
        let t = peek
        if t.kind == .identifier, !Self.reserved.contains(t.text) {
            advance()
            return Identifier(t.text, t.span)
        }
        if t.kind == .identifier {
            fail(t.span, "E102", "`\(t.text)` is a reserved word and cannot be used as \(context)",
                 help: help ?? "choose another name, for example `\(t.text)_value`")
        } else {
            fail(t.span, "E100", "expected \(context), found \(describe(t))", help: help)
        }
        throw Failure()
    }

    /// Skips to the next token that starts a line and begins a declaration.
    mutating func synchronize() {
        advance()
        while peek.kind != .eof {
            if peek.startsLine, peek.kind == .identifier, Self.declarationKeywords.contains(peek.text) { return }
            advance()
        }
    }

    // MARK: - Declarations

    package mutating func parseDeclarations() -> [Decl] {
        var decls: [Decl] = []
        while peek.kind != .eof {
            let before = pos
            do {
                decls.append(try declaration())
            } catch {
                if pos == before || !(peek.startsLine && Self.declarationKeywords.contains(peek.text)) { synchronize() }
            }
        }
        return decls
    }

    mutating func declaration() throws(Failure) -> Decl {
        let start = peek
        guard start.kind == .identifier, Self.declarationKeywords.contains(start.text) else {
            var help = "a declaration starts with one of: " + Self.declarationKeywords.sorted().joined(separator: ", ")
            if start.kind == .identifier, let s = Suggestions.closest(to: start.text, in: Self.declarationKeywords) {
                help = "did you mean `\(s)`?"
            }
            fail(start.span, "E103", "expected a declaration, found \(describe(start))", help: help)
            throw Failure()
        }
        advance()
        switch start.text {
        case "record", "facts":
            let n = try name("a record name")
            _ = try expect(.lbrace, "to open the list of fields", help: "write `\(start.text) \(n.name) { field: type ... }`")
            let fields = fieldList()
            let end = previous.span
            return start.text == "record" ? .record(name: n, fields: fields, span: start.span.to(end))
                                          : .facts(name: n, fields: fields, span: start.span.to(end))
        case "reason":
            let code = try name("a reason code", help: "write `reason CODE \"message a person reads\"`")
            let msg = try expect(.string, "with the message for reason \(code.name)",
                                 help: "every reason code has a human message: `reason \(code.name) \"...\"`")
            return .reason(code: code, message: msg.text, span: start.span.to(msg.span))
        case "let":
            let n = try name("a value name")
            _ = try expect(.assign, "after `let \(n.name)`", help: "write `let \(n.name) = expression`")
            let e = try expression()
            return .value(name: n, expr: e, span: start.span.to(e.span))
        case "decline", "refer", "no_change":
            let code = try name("a reason code", help: "write `\(start.text) CODE when condition`")
            _ = try expectWord("when", "after the reason code", help: "write `\(start.text) \(code.name) when condition`")
            let c = try expression()
            let kind: RuleKind = start.text == "decline" ? .decline : start.text == "refer" ? .refer : .noChange
            return .rule(kind: kind, code: code, condition: c, span: start.span.to(c.span))
        case "cap", "floor":
            let what = start.text
            let code = try name("a reason code", help: "write `\(what) CODE = bound [when condition]`")
            _ = try expect(.assign, "after the \(what)'s reason code", help: "write `\(what) \(code.name) = bound`")
            let bound = try expression()
            var cond: Expr?
            if acceptWord("when") { cond = try expression() }
            let span = start.span.to((cond ?? bound).span)
            return what == "cap" ? .cap(code: code, bound: bound, condition: cond, span: span)
                                 : .floor(code: code, bound: bound, condition: cond, span: span)
        case "allow":
            let word = try expectWord("decrease", "after `allow`", help: "write `allow decrease` to let the amount lower the limit")
            return .allowDecrease(span: start.span.to(word.span))
        case "amount":
            _ = try expect(.assign, "after `amount`", help: "write `amount = expression`")
            let e = try expression()
            return .amount(expr: e, span: start.span.to(e.span))
        case "round":
            let m = peek
            guard m.kind == .identifier, let mode = RoundingMode(rawValue: m.text) else {
                let modes = RoundingMode.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                let help = m.kind == .identifier ? Suggestions.closest(to: m.text, in: RoundingMode.allCases.map(\.rawValue)).map { "did you mean `\($0)`?" } : nil
                fail(m.span, "E100", "expected a rounding mode after `round` (\(modes)), found \(describe(m))", help: help ?? "write `round down to 100`")
                throw Failure()
            }
            advance()
            _ = try expectWord("to", "after `round \(mode.rawValue)`", help: "write `round \(mode.rawValue) to 100`")
            let step = try additive()
            return .rounding(mode: mode, step: step, span: start.span.to(step.span))
        default: // report
            var names = [try name("a value name to report")]
            while accept(.comma) { names.append(try name("a value name to report")) }
            return .report(names: names, span: start.span.to(previous.span))
        }
    }

    mutating func fieldList() -> [FieldDecl] {
        var fields: [FieldDecl] = []
        while peek.kind != .rbrace && peek.kind != .eof {
            if peek.startsLine, Self.declarationKeywords.contains(peek.text), peekAt(1).kind != .colon {
                fail(peek.span, "E100", "expected `}` to close the field list", help: "add `}` after the last field")
                return fields
            }
            do {
                fields.append(try field())
            } catch {
                advance()
                while peek.kind != .eof && peek.kind != .rbrace && !peek.startsLine { advance() }
            }
        }
        if peek.kind == .rbrace { advance() } else { fail(peek.span, "E100", "expected `}` to close the field list", help: "add `}` after the last field") }
        return fields
    }

    mutating func field() throws(Failure) -> FieldDecl {
        let n = try name("a field name")
        _ = try expect(.colon, "after field `\(n.name)`", help: "write `\(n.name): type`, e.g. `\(n.name): integer`")
        let t = peek
        let type: TypeSyntax
        if t.isWord("enum") {
            advance()
            let open = try expect(.lparen, "after `enum`", help: "write `enum(first, second, third)`")
            var cases = [try name("an enum case")]
            while accept(.comma) { cases.append(try name("an enum case")) }
            let close = try expect(.rparen, "to close the enum cases")
            type = .enumeration(cases, open.span.to(close.span))
        } else if t.isWord("list") {
            advance()
            _ = try expectWord("of", "after `list`", help: "write `list of RecordName`")
            let r = try name("a record name")
            type = .list(r, t.span.to(r.span))
        } else {
            type = .named(try name("a type", help: "types are bool, integer, decimal, money, string, date, enum(...), list of Record"))
        }
        var optional = false, pii = false, protected = false, key = false, immutable = false
        var range: (Expr, Expr)?
        while true {
            if acceptWord("optional") { optional = true }
            else if acceptWord("pii") { pii = true }
            else if acceptWord("protected") { protected = true }
            else if acceptWord("key") { key = true }
            else if acceptWord("immutable") { immutable = true }
            else if acceptWord("between") {
                let lo = try additive()
                _ = try expectWord("and", "between the range's bounds", help: "write `between 0 and 1`")
                range = (lo, try additive())
            } else { break }
        }
        if accept(.question) { optional = true }
        let hint = try sampleHint()
        var decl = FieldDecl(name: n, type: type, optional: optional, pii: pii, protected: protected, key: key, range: range, sample: hint,
                             span: n.span.to(previous.span))
        decl.immutable = immutable
        return decl
    }

    /// `sample between 18 and 60 or [17, 61] absent 20 percent length between 0 and 3`
    mutating func sampleHint() throws(Failure) -> SampleHint? {
        // A field named `sample` on the next line is not a hint.
        guard peek.isWord("sample"), peekAt(1).kind != .colon, acceptWord("sample") else { return nil }
        let start = previous.span
        var hint = SampleHint(range: nil, values: [], absent: nil, length: nil, span: start)
        var items = 0
        while true {
            // The next field may be named like a sample word: `length: integer`.
            if peek.kind == .identifier && peekAt(1).kind == .colon { break }
            if acceptWord("between") {
                let lo = try sampleConstant()
                _ = try expectWord("and", "between the sample range's bounds", help: "write `sample between 18 and 60`")
                hint.range = (lo, try sampleConstant())
            } else if accept(.lbracket) {
                repeat {
                    let v = try sampleConstant()
                    hint.values.append((v, accept(.colon) ? try sampleConstant() : nil))
                } while accept(.comma)
                _ = try expect(.rbracket, "after the sample values", help: "close the list: `sample [a, b: 2]`")
            } else if acceptWord("absent") {
                hint.absent = try sampleConstant()
                _ = try expectWord("percent", "after how often the field is absent", help: "write `absent 20 percent`")
            } else if acceptWord("length") {
                _ = try expectWord("between", "after `length`", help: "write `length between 0 and 3`")
                let lo = try sampleConstant()
                _ = try expectWord("and", "between the length's bounds", help: "write `length between 0 and 3`")
                hint.length = (lo, try sampleConstant())
            } else if items > 0 && acceptWord("or") {
                continue
            } else {
                if items == 0 {
                    fail(peek.span, "E100", "expected `between`, `[`, `absent` or `length` after `sample`, found \(describe(peek))",
                         help: "for example `sample between 18 and 60`, `sample [a: 3, b: 1]`, `sample absent 20 percent`")
                    throw Failure()
                }
                break
            }
            items += 1
        }
        hint.span = start.to(previous.span)
        return hint
    }

    /// A constant in a sample clause: `-12`, `0.85`, `2025-06-30`, `"text"`, `name`, `true`.
    /// Constants only, so a list after a range (`between 1 and 9 [5]`) is never read as a lookup.
    mutating func sampleConstant() throws(Failure) -> Expr {
        let t = peek
        switch t.kind {
        case .minus:
            advance()
            let n = try expect(.number, "after `-` in a sample value", help: "write a number, e.g. `-5`")
            return Expr(.negate(Expr(.number(n.text), n.span)), t.span.to(n.span))
        case .number: advance(); return Expr(.number(t.text), t.span)
        case .string: advance(); return Expr(.string(t.text), t.span)
        case .date: advance(); return Expr(.date(t.text), t.span)
        case .identifier:
            advance()
            if t.text == "true" || t.text == "false" { return Expr(.bool(t.text == "true"), t.span) }
            return Expr(.name(t.text), t.span)
        default:
            fail(t.span, "E100", "expected a constant in the sample clause, found \(describe(t))",
                 help: "sample values are numbers, dates, strings, names, true or false")
            throw Failure()
        }
    }
}
