import UpliftBundle
import UpliftSyntax

extension Checker {
    typealias Statements = (rules: [CheckedRule], caps: [CheckedCap], amount: (expr: TExpr, span: Span, reads: [Read])?,
                            rounding: (mode: RoundingMode, step: Int64)?, reports: [Int], allowsDecrease: Bool)

    func checkStatements() -> Statements {
        var rules: [CheckedRule] = []
        var caps: [CheckedCap] = []
        var amount: (expr: TExpr, span: Span, reads: [Read])?
        var amountDecl: Span?
        var rounding: (mode: RoundingMode, step: Int64)?
        var roundingDecl: Span?
        var reports: [Int] = []
        var reported = Set<String>()
        var floorDecls: [Span] = []
        var allowDecl: Span?
        for file in bundle.rules {
            for d in file.decls {
                switch d {
                case .rule(let kind, let code, let cond, let span):
                    let r = reason(code)
                    let index = rules.count
                    var ruleReads: [Read] = []
                    let c = within(.rule(index)) { () -> Typed in
                        let t = check(cond, Scope())
                        ruleReads = reads
                        return t
                    }
                    expectBool(c, cond.span, "the condition of `\(kind.rawValue) \(code.name)`")
                    if let r {
                        rules.append(CheckedRule(kind: kind, reason: r, condition: c.expr, span: span, conditionSpan: cond.span, reads: unique(ruleReads)))
                    }
                case .cap(let code, let bound, let cond, let span):
                    if let cap = checkBound(code, bound, cond, span, index: caps.count, isFloor: false) { caps.append(cap) }
                case .floor(let code, let bound, let cond, let span):
                    floorDecls.append(span)
                    if let floor = checkBound(code, bound, cond, span, index: caps.count, isFloor: true) { caps.append(floor) }
                case .allowDecrease(let span):
                    if let prev = allowDecl {
                        diags.error("E277", "`allow decrease` is declared twice", at: span, help: "keep one `allow decrease`", notes: [("first declared here", prev)])
                        continue
                    }
                    allowDecl = span
                case .amount(let e, let span):
                    if let prev = amountDecl {
                        diags.error("E291", "the amount is declared twice", at: span, help: "keep one `amount = ...`", notes: [("first declared here", prev)])
                        continue
                    }
                    amountDecl = span
                    var amountReads: [Read] = []
                    let t = within(.amount) { () -> Typed in
                        let t = present(check(e, Scope()), e.span)
                        amountReads = reads
                        return t
                    }
                    if t.type != .error && t.type != .money {
                        diags.error("E292", "the amount must be money, but it is \(schema.describe(t.type))", at: e.span,
                                    help: "multiply a money column by a factor, e.g. `amount_band.base_uplift * segment.multiplier`")
                    }
                    amount = (widen(t, to: .money) ?? t.expr, e.span, unique(amountReads))
                case .rounding(let mode, let step, let span):
                    if let prev = roundingDecl {
                        diags.error("E293", "rounding is declared twice", at: span, help: "keep one `round ... to ...`", notes: [("first declared here", prev)])
                        continue
                    }
                    roundingDecl = span
                    if let s = constantValue(step, as: .money), s > 0 { rounding = (mode, s) } else {
                        diags.error("E294", "the rounding step must be a positive amount written in the rule", at: step.span, help: "write e.g. `round down to 100`")
                    }
                case .report(let names, _):
                    for n in names {
                        guard let i = valueIndex[n.name] else {
                            let help = Suggestions.closest(to: n.name, in: valueIndex.keys).map { "did you mean `\($0)`?" }
                                ?? "only named values (`let`) can be reported"
                            diags.error("E295", "cannot report `\(n.name)`: it is not a named value", at: n.span, help: help)
                            continue
                        }
                        if !reported.insert(n.name).inserted {
                            diags.warning("W295", "`\(n.name)` is reported twice", at: n.span, help: "remove the repetition")
                            continue
                        }
                        within(.report) { depend(on: .value(i), at: n.span) }
                        if values[i]?.list != nil {
                            diags.error("E296", "`\(n.name)` is a list; only single values can be reported", at: n.span, help: "report its count or sum instead")
                            continue
                        }
                        reports.append(i)
                    }
                default: break
                }
            }
        }
        if caps.count > 63, let c = caps.last {
            diags.error("E299", "a policy may have at most 63 caps and floors, this one has \(caps.count)", at: c.span,
                        help: "combine caps with min(...) (floors with max(...)) into fewer bounds")
        }
        if amount == nil, !caps.isEmpty, let c = caps.first {
            diags.error("E297", "the policy has \(c.isFloor ? "floors" : "caps") but no amount", at: c.span, help: "declare the uplift before caps: `amount = ...`")
        }
        if allowDecl == nil {
            // A floor bounds a decrease; without `allow decrease` there is none, so it could never bind.
            for f in floorDecls {
                diags.error("E275", "a floor bounds a decrease, but this policy does not allow decreases", at: f,
                            help: "add `allow decrease` to let a negative amount lower the limit, or remove the floor")
            }
        }
        for (i, r) in reasons.enumerated() where !usedReasons.contains(i) {
            diags.warning("W210", "reason code `\(r.code)` is declared but never used", at: r.span, help: "use it in a rule or cap, or remove it")
        }
        return (rules, caps, amount, rounding, reports, allowDecl != nil)
    }

    /// Checks a `cap` or `floor` (`isFloor`): its bound must be money (E290 / E276).
    func checkBound(_ code: Identifier, _ bound: Expr, _ cond: Expr?, _ span: Span, index: Int, isFloor: Bool) -> CheckedCap? {
        let r = reason(code)
        let word = isFloor ? "floor" : "cap"
        var capReads: [Read] = []
        let (b, c) = within(.cap(index)) { () -> (Typed, Typed?) in
            let ct = cond.map { check($0, Scope()) }
            let scope = cond.map { Scope().proving(Narrowing.whenTrue($0, Scope())) } ?? Scope()
            let bt = present(check(bound, scope), bound.span)
            capReads = reads
            return (bt, ct)
        }
        if let cond, let c { expectBool(c, cond.span, "the condition of \(word) `\(code.name)`") }
        // Money, or a number written in the rule (which widens to money).
        if b.type != .error, widen(b, to: .money) == nil {
            if isFloor {
                diags.error("E276", "floor `\(code.name)` must be an amount of money, but it is \(schema.describe(b.type))", at: bound.span,
                            help: "a floor bounds the decrease in yuan and is negative, e.g. `-0.2 * current_limit` or `-5000`")
            } else {
                diags.error("E290", "cap `\(code.name)` must be an amount of money, but it is \(schema.describe(b.type))", at: bound.span,
                            help: "a cap bounds the uplift in yuan, e.g. `segment.maximum` or `50000 - current_limit`")
            }
        }
        guard let r else { return nil }
        return CheckedCap(reason: r, bound: widen(b, to: .money) ?? b.expr, condition: c?.expr, span: span, boundSpan: bound.span,
                          reads: unique(capReads), isFloor: isFloor)
    }

    func unique(_ reads: [Read]) -> [Read] {
        var seen = Set<Read>()
        return reads.filter { seen.insert($0).inserted }
    }
}
