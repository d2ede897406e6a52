extension Parser {
    /// expression := `if` c `then` a `else` b | disjunction
    mutating func expression() throws(Failure) -> Expr {
        try enter()
        defer { nesting -= 1 }
        if peek.isWord("if") {
            let s = advance()
            let c = try expression()
            _ = try expectWord("then", "after the condition of `if`", help: "write `if condition then a else b`")
            let a = try expression()
            _ = try expectWord("else", "in `if ... then ...`", help: "an `if` needs both branches: `if c then a else b`")
            let b = try expression()
            return Expr(.conditional(c, a, b), s.span.to(b.span))
        }
        return try disjunction()
    }

    /// Counts recursive descent, so `((((…` or `not not not …` cannot overflow the stack.
    mutating func enter() throws(Failure) {
        nesting += 1
        if nesting > Self.maxDepth {
            fail(peek.span, "E109", "this expression is nested too deeply",
                 help: "split it into named values with `let`; at most \(Self.maxDepth) levels are allowed")
            throw Failure()
        }
    }

    /// Refuses operator chains so long that their tree is too deep to check.
    mutating func limited(_ e: Expr) throws(Failure) -> Expr {
        if e.depth > Self.maxDepth {
            fail(e.span, "E109", "this expression is nested too deeply",
                 help: "split it into named values with `let`; at most \(Self.maxDepth) levels are allowed")
            throw Failure()
        }
        return e
    }

    /// A flat `a or b or …` chain: read in a loop and built as a balanced tree, so its height
    /// grows with the logarithm of its length and the depth limit applies only to real nesting.
    /// `or` and `and` are associative (evaluation stays left to right), so the grouping does not
    /// change what the chain means.
    mutating func disjunction() throws(Failure) -> Expr {
        var terms = [try conjunction()]
        while acceptWord("or") { terms.append(try conjunction()) }
        return Self.balanced(.or, terms[...])
    }

    /// A flat `a and b and …` chain, balanced like `disjunction`.
    mutating func conjunction() throws(Failure) -> Expr {
        var terms = [try negation()]
        while acceptWord("and") { terms.append(try negation()) }
        return Self.balanced(.and, terms[...])
    }

    /// Joins non-empty `terms` with `op` into a tree of height ⌈log₂ n⌉ + 1, keeping their order.
    static func balanced(_ op: BinaryOperator, _ terms: ArraySlice<Expr>) -> Expr {
        guard let first = terms.first else { return Expr(.error, .none) }
        if terms.count == 1 { return first }
        let mid = terms.startIndex + terms.count / 2
        let l = balanced(op, terms[..<mid]), r = balanced(op, terms[mid...])
        return Expr(.binary(op, l, r), l.span.to(r.span))
    }

    mutating func negation() throws(Failure) -> Expr {
        if peek.isWord("not") {
            let s = advance()
            try enter()
            defer { nesting -= 1 }
            let e = try negation()
            return Expr(.not(e), s.span.to(e.span))
        }
        return try comparison()
    }

    mutating func comparison() throws(Failure) -> Expr {
        let l = try fallback()
        let t = peek
        let op: BinaryOperator? = switch t.kind {
        case .eq: .eq
        case .ne: .ne
        case .lt: .lt
        case .le: .le
        case .gt: .gt
        case .ge: .ge
        default: nil
        }
        if t.kind == .assign {
            fail(t.span, "E104", "`=` gives a name a value; to compare, write `==`", help: "replace `=` with `==`")
            advance()
            let r = try fallback()
            return Expr(.binary(.eq, l, r), l.span.to(r.span))
        }
        if let op {
            advance()
            let r = try fallback()
            return Expr(.binary(op, l, r), l.span.to(r.span))
        }
        if t.isWord("between") {
            advance()
            let lo = try fallback()
            _ = try expectWord("and", "between the bounds of `between`", help: "write `x between low and high`")
            let hi = try fallback()
            return Expr(.between(l, lo, hi), l.span.to(hi.span))
        }
        if t.isWord("in") || (t.isWord("not") && peekAt(1).isWord("in")) {
            let negated = t.isWord("not")
            if negated { advance() }
            advance()
            var c = try fallback()
            if accept(.dotdot) {
                let hi = try fallback()
                c = Expr(.range(c, hi), c.span.to(hi.span))
            }
            return Expr(.membership(l, c, negated: negated), l.span.to(c.span))
        }
        if t.isWord("is") {
            advance()
            let w = peek
            if w.isWord("present") || w.isWord("missing") {
                advance()
                return Expr(.presence(l, present: w.text == "present"), l.span.to(w.span))
            }
            if w.isWord("not"), peekAt(1).isWord("present") || peekAt(1).isWord("missing") {
                advance(); let w2 = advance()
                return Expr(.presence(l, present: w2.text != "present"), l.span.to(w2.span))
            }
            fail(w.span, "E100", "expected `present` or `missing` after `is`",
                 help: "write `x is present` or `x is missing`; to compare values use `==`")
            throw Failure()
        }
        return l
    }

    /// a `otherwise` b: b when a is missing. Binds tighter than comparisons so
    /// `monthly_income otherwise 0 > 1000` reads as written.
    mutating func fallback() throws(Failure) -> Expr {
        var l = try additive()
        while acceptWord("otherwise") {
            let r = try additive()
            l = try limited(Expr(.otherwise(l, r), l.span.to(r.span)))
        }
        return l
    }

    mutating func additive() throws(Failure) -> Expr {
        var l = try multiplicative()
        while peek.kind == .plus || peek.kind == .minus {
            let op: BinaryOperator = advance().kind == .plus ? .add : .sub
            let r = try multiplicative()
            l = try limited(Expr(.binary(op, l, r), l.span.to(r.span)))
        }
        return l
    }

    mutating func multiplicative() throws(Failure) -> Expr {
        var l = try unary()
        while peek.kind == .star || peek.kind == .slash {
            let op: BinaryOperator = advance().kind == .star ? .mul : .div
            let r = try unary()
            l = try limited(Expr(.binary(op, l, r), l.span.to(r.span)))
        }
        return l
    }

    mutating func unary() throws(Failure) -> Expr {
        if peek.kind == .minus {
            let s = advance()
            try enter()
            defer { nesting -= 1 }
            let e = try unary()
            return Expr(.negate(e), s.span.to(e.span))
        }
        return try postfix()
    }

    mutating func postfix() throws(Failure) -> Expr {
        var e = try primary()
        while true {
            if accept(.dot) {
                let n = try name("a field name after `.`")
                e = try limited(Expr(.member(e, n), e.span.to(n.span)))
            } else if peek.kind == .lbracket, !peek.startsLine {
                advance()
                let k = try expression()
                let close = try expect(.rbracket, "to close the lookup", help: "write `table[key]`")
                e = Expr(.index(e, k), e.span.to(close.span))
            } else {
                return e
            }
        }
    }

    mutating func primary() throws(Failure) -> Expr {
        let t = peek
        switch t.kind {
        case .number: advance(); return Expr(.number(t.text), t.span)
        case .string: advance(); return Expr(.string(t.text), t.span)
        case .date: advance(); return Expr(.date(t.text), t.span)
        case .lparen:
            advance()
            let e = try expression()
            let close = try expect(.rparen, "to close the parenthesis")
            return Expr(e.kind, t.span.to(close.span))
        case .lbracket:
            return try listOrFilter()
        case .identifier:
            if t.text == "true" || t.text == "false" { advance(); return Expr(.bool(t.text == "true"), t.span) }
            if t.startsLine, Self.declarationKeywords.contains(t.text), peekAt(1).kind == .identifier, !Self.reserved.contains(peekAt(1).text) {
                fail(previous.span, "E108", "the expression ends before it is complete",
                     help: "finish the expression on this line; `\(t.text)` on the next line starts a new declaration")
                throw Failure()
            }
            if Self.reserved.contains(t.text) {
                fail(t.span, "E105", "expected a value, found the word `\(t.text)`",
                     help: "a condition needs a value on each side of `\(t.text)`")
                throw Failure()
            }
            advance()
            if peek.kind == .lparen {
                if let agg = AggregateKind(rawValue: t.text), looksLikeAggregate() {
                    return try aggregate(agg, t)
                }
                return try call(Identifier(t.text, t.span))
            }
            return Expr(.name(t.text), t.span)
        default:
            fail(t.span, "E105", "expected a value, found \(describe(t))",
                 help: t.kind == .eof ? "the expression is incomplete" : "write a name, a number, a string or a parenthesised expression")
            throw Failure()
        }
    }

    /// An aggregate's parentheses contain `for` at depth one before the closing parenthesis.
    func looksLikeAggregate() -> Bool {
        var depth = 0
        var k = 0
        while true {
            let t = peekAt(k)
            switch t.kind {
            case .lparen, .lbracket: depth += 1
            case .rparen, .rbracket:
                depth -= 1
                if depth == 0 { return false }
            case .eof: return false
            default:
                if depth == 1, t.isWord("for") { return true }
            }
            k += 1
        }
    }

    mutating func call(_ fn: Identifier) throws(Failure) -> Expr {
        _ = try expect(.lparen, "after the function name")
        var args: [Expr] = []
        if peek.kind != .rparen {
            args.append(try expression())
            while accept(.comma) { args.append(try expression()) }
        }
        let close = try expect(.rparen, "to close the call of `\(fn.name)`")
        return Expr(.call(fn, args), fn.span.to(close.span))
    }

    mutating func aggregate(_ kind: AggregateKind, _ head: Token) throws(Failure) -> Expr {
        _ = try expect(.lparen, "after `\(kind.rawValue)`")
        let body = try expression()
        _ = try expectWord("for", "in the aggregation", help: "write `\(kind.rawValue)(expression for x in list)`")
        let v = try name("the element name after `for`")
        _ = try expectWord("in", "after `for \(v.name)`", help: "write `for \(v.name) in list`")
        let source = try disjunction()
        var cond: Expr?
        if acceptWord("where") { cond = try disjunction() }
        var group: Expr?
        var inner: AggregateKind?
        var finalBody: Expr? = body
        if peek.isWord("group") {
            advance()
            _ = try expectWord("by", "after `group`", help: "write `group by key`")
            group = try disjunction()
            // The body of a grouped aggregation is the per-group aggregation: `max(x)`.
            if case .call(let fn, let args) = body.kind, let k = AggregateKind(rawValue: fn.name), args.count <= 1,
               k != .any, k != .all {
                inner = k
                finalBody = args.first
                if k != .count && args.isEmpty {
                    fail(body.span, "E106", "`\(k.rawValue)()` needs the value to aggregate in each group",
                         help: "write `\(kind.rawValue)(\(k.rawValue)(x.points) for x in list group by key)`")
                }
            } else {
                fail(body.span, "E106", "with `group by`, the expression must aggregate each group",
                     help: "write `\(kind.rawValue)(max(value) for x in list group by key)`; sum, max, min and count work per group")
                throw Failure()
            }
        }
        let close = try expect(.rparen, "to close `\(kind.rawValue)(`")
        if kind == .count, group == nil, case .name(let n) = body.kind, n == v.name { finalBody = nil }
        let agg = Aggregation(kind: kind, body: finalBody, variable: v, source: source, condition: cond, groupBy: group, inner: inner)
        return Expr(.aggregate(agg), head.span.to(close.span))
    }

    mutating func listOrFilter() throws(Failure) -> Expr {
        let open = advance()
        if peek.kind == .identifier, peekAt(1).isWord("for") {
            let first = try name("the element")
            _ = advance()
            let v = try name("the element name after `for`")
            if first.name != v.name {
                fail(first.span, "E107", "a filtered list keeps whole elements: write `[\(v.name) for \(v.name) in ...]`",
                     help: "to compute from elements, aggregate them: `sum(\(first.name) for \(v.name) in ...)`")
            }
            _ = try expectWord("in", "after `for \(v.name)`")
            let source = try disjunction()
            var cond: Expr?
            if acceptWord("where") { cond = try expression() }
            let close = try expect(.rbracket, "to close the filtered list")
            return Expr(.filter(variable: v, source: source, condition: cond), open.span.to(close.span))
        }
        var items: [Expr] = []
        if peek.kind != .rbracket {
            items.append(try expression())
            while accept(.comma) { items.append(try expression()) }
        }
        let close = try expect(.rbracket, "to close the list")
        return Expr(.list(items), open.span.to(close.span))
    }
}
