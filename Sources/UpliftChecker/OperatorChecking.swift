import UpliftBundle
import UpliftSyntax

extension Checker {
    func binary(_ op: BinaryOperator, _ l: Expr, _ r: Expr, _ span: Span, _ scope: Scope) -> Typed {
        switch op {
        case .and, .or:
            let a = check(l, scope)
            expectBool(a, l.span, "the left side of `\(op.rawValue)`")
            let narrowed = op == .and ? scope.proving(Narrowing.whenTrue(l, scope)) : scope.proving(Narrowing.whenFalse(l, scope))
            let b = check(r, narrowed)
            expectBool(b, r.span, "the right side of `\(op.rawValue)`")
            return Typed(type: .bool, expr: op == .and ? .and(a.expr, b.expr) : .or(a.expr, b.expr), list: nil)
        case .eq, .ne, .lt, .le, .gt, .ge:
            return compare(ComparisonOp(rawValue: op.rawValue) ?? .eq, l, r, span, scope)
        case .add, .sub, .mul, .div:
            let a = present(check(l, scope), l.span), b = present(check(r, scope), r.span)
            return arithmetic(op, a, b, l, r, span)
        }
    }

    /// Brings two numbers to one type. Integers widen to decimal; a constant widens to money,
    /// but a decimal or integer *fact* never silently becomes money.
    func unify(_ a: Typed, _ b: Typed, allowWiden: Bool) -> (TExpr, TExpr, ValueType)? {
        if a.type == b.type { return (a.expr, b.expr, a.type) }
        guard a.type.isNumeric, b.type.isNumeric else { return nil }
        let target: ValueType = (a.type == .money || b.type == .money) ? .money : .decimal
        guard let x = widen(a, to: target), let y = widen(b, to: target) else { return nil }
        return (x, y, target)
    }

    func widen(_ t: Typed, to target: ValueType) -> TExpr? {
        if t.type == target { return t.expr }
        switch (t.type, target) {
        case (.integer, .decimal):
            if case .constant(let v) = t.expr { return FixedMath.mulInt(v, FixedDecimal.scale).map(TExpr.constant) }
            return .toFixed(t.expr)
        case (.integer, .money):
            if case .constant(let v) = t.expr { return FixedMath.mulInt(v, FixedDecimal.scale).map(TExpr.constant) }
            return nil
        case (.decimal, .money):
            return t.isConstant ? t.expr : nil
        default:
            return nil
        }
    }

    func mismatch(_ verb: String, _ a: Typed, _ b: Typed, _ l: Expr, _ r: Expr, _ span: Span) {
        // An integer constant too large to become a decimal is an overflow, not a type mismatch.
        if a.type.isNumeric, b.type.isNumeric,
           let big = [(a, l), (b, r)].first(where: { $0.0.type == .integer && $0.0.isConstant && widen($0.0, to: .decimal) == nil }) {
            overflow(big.1.span, .decimal)
            return
        }
        let lt = schema.describe(a.type), rt = schema.describe(b.type)
        var help = "both sides must be the same kind of value"
        if a.type == .money || b.type == .money {
            help = "money combines only with money or a plain number written in the rule; a \(a.type == .money ? rt : lt) value is not an amount of yuan"
        } else if a.type == .date || b.type == .date {
            help = "compare a date with another date (e.g. `as_of`) or a date written as 2024-12-23; use days_between(a, b) for a number of days"
        }
        diags.error("E270", "cannot \(verb) \(lt) (`\(bundle.sources.text(l.span))`) and \(rt) (`\(bundle.sources.text(r.span))`)", at: span, help: help)
    }

    func arithmetic(_ op: BinaryOperator, _ a: Typed, _ b: Typed, _ l: Expr, _ r: Expr, _ span: Span) -> Typed {
        if a.type == .error || b.type == .error { return .error }
        guard a.type.isNumeric, b.type.isNumeric else {
            mismatch(op == .add ? "add" : op == .sub ? "subtract" : op == .mul ? "multiply" : "divide", a, b, l, r, span)
            return .error
        }
        let result: Typed?
        switch op {
        case .add, .sub:
            if let (x, y, t) = unify(a, b, allowWiden: true) {
                result = fold(span, Typed(type: t, expr: .arithmetic(op == .add ? .add : .sub, x, y), list: nil))
            } else { result = nil }
        case .mul:
            switch (a.type, b.type) {
            case (.integer, .integer): result = fold(span, Typed(type: .integer, expr: .arithmetic(.mulInt, a.expr, b.expr), list: nil))
            case (.money, .integer), (.decimal, .integer): result = fold(span, Typed(type: a.type, expr: .arithmetic(.mulInt, a.expr, b.expr), list: nil))
            case (.integer, .money), (.integer, .decimal): result = fold(span, Typed(type: b.type, expr: .arithmetic(.mulInt, b.expr, a.expr), list: nil))
            case (.money, .decimal), (.decimal, .money), (.decimal, .decimal):
                result = fold(span, Typed(type: a.type == .money || b.type == .money ? .money : .decimal, expr: .arithmetic(.mulFixed, a.expr, b.expr), list: nil))
            default: result = nil // money × money
            }
        default: // div
            // An integer constant too large to become a decimal cannot be divided exactly.
            guard let x = a.type == .integer ? widen(a, to: .decimal) : a.expr else { overflow(l.span, .decimal); return .error }
            guard let y = b.type == .integer ? widen(b, to: .decimal) : b.expr else { overflow(r.span, .decimal); return .error }
            if case .constant(0) = y {
                diags.error("E271", "division by zero", at: r.span, help: "divide by a number other than 0")
                return .error
            }
            switch (a.type, b.type) {
            case (.money, .money): result = fold(span, Typed(type: .decimal, expr: .arithmetic(.divFixed, x, y), list: nil))
            case (.money, _): result = fold(span, Typed(type: .money, expr: .arithmetic(.divFixed, x, y), list: nil))
            case (_, .money): result = nil
            default: result = fold(span, Typed(type: .decimal, expr: .arithmetic(.divFixed, x, y), list: nil))
            }
        }
        guard let result else {
            mismatch(op == .add ? "add" : op == .sub ? "subtract" : op == .mul ? "multiply" : "divide", a, b, l, r, span)
            return .error
        }
        return result
    }

    /// Folds arithmetic on constants so `50000 - 1` is one constant. A constant part that
    /// overflows would fail every evaluation, so it is an error here (E274), at `span`.
    func fold(_ span: Span, _ t: Typed) -> Typed {
        guard case .arithmetic(let op, .constant(let x), .constant(let y)) = t.expr else { return t }
        let v: Int64? = switch op {
        case .add: FixedMath.add(x, y)
        case .sub: FixedMath.sub(x, y)
        case .mulInt: FixedMath.mulInt(x, y)
        case .mulFixed: FixedMath.mulFixed(x, y)
        case .divFixed: FixedMath.divFixed(x, y)
        }
        // `Int64.min` is how registers say "missing": no number may take that value.
        guard let v, v != Int64.min else {
            overflow(span, t.type)
            return .error
        }
        return Typed(type: t.type, expr: .constant(v), list: nil)
    }

    /// Reports a constant computation whose result does not fit.
    func overflow(_ span: Span, _ type: ValueType) {
        let limit = type == .integer ? "9,223,372,036,854,775,807" : "9,223,372,036,854.775807"
        diags.error("E274", "`\(bundle.sources.text(span))` overflows: the result is beyond ±\(limit), so every evaluation would fail",
                    at: span, help: "use smaller numbers; \(schema.describe(type)) values lie within ±\(limit)")
    }

    func compare(_ op: ComparisonOp, _ l: Expr, _ r: Expr, _ span: Span, _ scope: Scope) -> Typed {
        // Check the side that fixes the type first, so `student == occupation` also resolves.
        var a: Typed, b: Typed
        if case .name(let n) = l.kind, !isKnownName(n, scope), !isUnknownBareName(r, scope) {
            b = present(check(r, scope), r.span)
            a = present(check(l, scope, expected: b.type), l.span)
        } else {
            a = present(check(l, scope), l.span)
            // After an error on the left, a bare word on the right is most likely an enum case.
            if a.type == .error, isUnknownBareName(r, scope) { return Typed(type: .bool, expr: .constant(0), list: nil) }
            b = present(check(r, scope, expected: a.type), r.span)
        }
        return compare(op, a, b, l, r, span)
    }

    /// Compares two operands already checked (`l` and `r` are their text, for messages).
    func compare(_ op: ComparisonOp, _ a: Typed, _ b: Typed, _ l: Expr, _ r: Expr, _ span: Span) -> Typed {
        if a.type == .error || b.type == .error { return Typed(type: .bool, expr: .constant(0), list: nil) }
        let ordered = op != .eq && op != .ne
        guard let (x, y, t) = unify(a, b, allowWiden: true) else {
            mismatch("compare", a, b, l, r, span)
            return Typed(type: .bool, expr: .constant(0), list: nil)
        }
        switch t {
        case .integer, .decimal, .money, .date: break
        case .bool, .string, .enumeration:
            if ordered {
                diags.error("E272", "\(schema.describe(t)) values can only be compared with `==` and `!=`", at: span,
                            help: t == .bool ? "use the value itself as the condition" : "test membership with `in [a, b]`")
            }
        default:
            diags.error("E272", "\(schema.describe(t)) values cannot be compared", at: span, help: "compare one of their fields instead")
        }
        return Typed(type: .bool, expr: .compare(op, x, y), list: nil)
    }

    func isKnownName(_ n: String, _ scope: Scope) -> Bool {
        scope.variable(n) != nil || valueIndex[n] != nil || schema.facts.field(named: n) != nil || n == "uplift" || tableKinds[n] != nil
    }

    func isUnknownBareName(_ e: Expr, _ scope: Scope) -> Bool {
        if case .name(let n) = e.kind { return !isKnownName(n, scope) }
        return false
    }

    /// Checks the left side of `between` or `in` once: its typed form is repeated once per
    /// comparison (`times`), so only a part small enough to repeat is accepted (see `ExpressionSize`).
    func repeatedOperand(_ x: Expr, _ scope: Scope, times: Int, _ what: String) -> Typed {
        let t = present(check(x, scope), x.span)
        if t.type == .error || times < 2 { return t }
        let limit = min(ExpressionSize.repeatLimit, max(8, ExpressionSize.repeatBudget / times))
        if ExpressionSize.count(t.expr, limit: limit) == nil {
            diags.error("E258", "`\(bundle.sources.text(x.span))` is too large to test with \(what)", at: x.span,
                        help: "name it first (`let v = …`) and test the name: \(what) compares its left side once per bound or item")
            return .error
        }
        return t
    }

    /// A bound or item compared with an operand checked by `repeatedOperand`.
    func other(_ e: Expr, against x: Typed, _ scope: Scope) -> Typed {
        // After an error on the left, a bare word is most likely an enum case: say nothing more.
        if x.type == .error, isUnknownBareName(e, scope) { return .error }
        return present(check(e, scope, expected: x.type), e.span)
    }

    /// `x between lo and hi` and `x in lo..hi`: `lo <= x and x <= hi`, with `x` checked once.
    func between(_ x: Expr, _ lo: Expr, _ hi: Expr, _ scope: Scope, loSpan: Span, hiSpan: Span, _ what: String) -> Typed {
        let xt = repeatedOperand(x, scope, times: 2, what)
        let lt = other(lo, against: xt, scope), ht = other(hi, against: xt, scope)
        let a = compare(.le, lt, xt, lo, x, loSpan), b = compare(.le, xt, ht, x, hi, hiSpan)
        return Typed(type: .bool, expr: .and(a.expr, b.expr), list: nil)
    }

    func membership(_ x: Expr, _ container: Expr, _ span: Span, _ scope: Scope) -> Typed {
        switch container.kind {
        case .range(let lo, let hi):
            return between(x, lo, hi, scope, loSpan: span, hiSpan: span, "`in a..b`")
        case .list(let items):
            guard !items.isEmpty else {
                diags.warning("W253", "membership in an empty list is always false", at: container.span, help: "list at least one value")
                return Typed(type: .bool, expr: .constant(0), list: nil)
            }
            let xt = repeatedOperand(x, scope, times: items.count, "`in [a, b, …]`")
            let tests = items.map { item in compare(.eq, xt, other(item, against: xt, scope), x, item, item.span).expr }
            return Typed(type: .bool, expr: TExpr.balanced(or: true, tests[...]) ?? .constant(0), list: nil)
        default:
            let c = check(container, scope)
            if c.type == .error { return Typed(type: .bool, expr: .constant(0), list: nil) }
            guard case .catalogue(let t) = c.type else {
                diags.error("E273", "`in` needs a list `[a, b]`, a range `a..b` or a catalogue table, not \(schema.describe(c.type))",
                            at: container.span, help: "write `x in [a, b, c]`")
                return Typed(type: .bool, expr: .constant(0), list: nil)
            }
            let k = present(check(x, scope), x.span)
            if k.type != .string && k.type != .error {
                diags.error("E264", "a catalogue key is a string, but this is \(schema.describe(k.type))", at: x.span,
                            help: "test a string field such as `c.type`")
            }
            return Typed(type: .bool, expr: .catalogueHas(table: t, key: k.expr), list: nil)
        }
    }

    func call(_ fn: Identifier, _ args: [Expr], _ span: Span, _ scope: Scope) -> Typed {
        if fn.name == "count", args.count == 1 {
            let l = check(args[0], scope)
            guard let list = l.list else {
                if l.type != .error { diags.error("E280", "count(...) needs a list", at: args[0].span, help: "count a list such as `certificates`") }
                return .error
            }
            let v = loopVariables; loopVariables += 1
            return Typed(type: .integer, expr: .aggregate(CheckedAggregate(kind: .count, variable: v, source: list, condition: nil, body: nil, group: nil, type: .integer)), list: nil)
        }
        guard let b = Builtin(rawValue: fn.name) else {
            let names = Builtin.allCases.map(\.rawValue) + ["count"]
            let help = Suggestions.closest(to: fn.name, in: names).map { "did you mean `\($0)`?" }
                ?? "the functions are: \(names.joined(separator: ", ")); aggregations are written `sum(x for c in list)`"
            diags.error("E281", "unknown function `\(fn.name)`", at: fn.span, help: help)
            return .error
        }
        // `round(x, step, half_even)`: the mode is a word, not a value to check.
        var args = args
        var mode: RoundingMode?
        if b == .round, args.count == 3 {
            guard case .name(let word) = args[2].kind, let m = RoundingMode(rawValue: word) else {
                let text = bundle.sources.text(args[2].span)
                let help = Suggestions.closest(to: text, in: RoundingMode.allCases.map(\.rawValue)).map { "did you mean `\($0)`?" }
                    ?? "the modes are: " + RoundingMode.allCases.map(\.rawValue).joined(separator: ", ")
                diags.error("E278", "`\(text)` is not a rounding mode", at: args[2].span, help: help)
                return .error
            }
            mode = m
            args.removeLast()
        }
        let typed = args.map { present(check($0, scope), $0.span) }
        if typed.contains(where: { $0.type == .error }) { return .error }
        func arity(_ n: ClosedRange<Int>, _ usage: String) -> Bool {
            if n.contains(args.count) { return true }
            diags.error("E282", "`\(fn.name)` takes \(n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound) or more") argument\(n.upperBound == 1 ? "" : "s"), not \(args.count)",
                        at: span, help: "write `\(usage)`")
            return false
        }
        switch b {
        case .min, .max:
            guard arity(2...Int.max, "\(fn.name)(a, b)") else { return .error }
            var acc = typed[0]
            var exprs = [typed[0].expr]
            for (i, t) in typed.enumerated().dropFirst() {
                guard let (_, _, u) = unify(acc, t, allowWiden: true), u.isNumeric else {
                    mismatch("take the \(fn.name) of", acc, t, args[0], args[i], span)
                    return .error
                }
                acc = Typed(type: u, expr: acc.expr, list: nil)
                exprs.append(t.expr)
            }
            let widened = zip(typed, exprs).map { widen($0.0, to: acc.type) ?? $0.1 }
            return Typed(type: acc.type, expr: .builtin(b, widened, fixed: acc.type.isFixed), list: nil)
        case .roundDown, .roundUp, .round:
            guard arity(2...2, b == .round ? "round(amount, 100[, half_even])" : "\(fn.name)(amount, 100)") else { return .error }
            guard typed[0].type.isNumeric else {
                diags.error("E283", "`\(fn.name)` rounds a number, not \(schema.describe(typed[0].type))", at: args[0].span, help: "round an amount")
                return .error
            }
            guard let step = widen(typed[1], to: typed[0].type == .integer ? .integer : .money), case .constant(let s) = step, s > 0 else {
                diags.error("E284", "the step of `\(fn.name)` must be a positive number written in the rule", at: args[1].span, help: "write e.g. `\(fn.name)(x, 100)`")
                return .error
            }
            // `round` carries its mode as a third, constant argument (the mode's bytecode number).
            // Only when written: `round(x, 100)` stays as written (half_up, the default).
            let modeArgument: [TExpr] = mode.map { [.constant(Int64($0.code))] } ?? []
            return Typed(type: typed[0].type, expr: .builtin(b, [typed[0].expr, .constant(s)] + modeArgument, fixed: typed[0].type.isFixed), list: nil)
        case .abs:
            guard arity(1...1, "abs(x)") else { return .error }
            guard typed[0].type.isNumeric else {
                diags.error("E283", "`abs` takes a number, not \(schema.describe(typed[0].type))", at: args[0].span, help: "pass a number")
                return .error
            }
            return Typed(type: typed[0].type, expr: .builtin(.abs, [typed[0].expr], fixed: typed[0].type.isFixed), list: nil)
        case .daysBetween:
            guard arity(2...2, "days_between(earlier, later)") else { return .error }
            guard typed[0].type == .date, typed[1].type == .date else {
                diags.error("E283", "`days_between` takes two dates", at: span, help: "write `days_between(issued, as_of)`")
                return .error
            }
            return Typed(type: .integer, expr: .builtin(.daysBetween, [typed[0].expr, typed[1].expr], fixed: false), list: nil)
        }
    }
}
