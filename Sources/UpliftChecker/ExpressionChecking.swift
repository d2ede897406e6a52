import UpliftBundle
import UpliftSyntax

extension Checker {
    func expectBool(_ t: Typed, _ span: Span, _ what: String) {
        if t.type == .error || t.type == .bool { return }
        if t.type == .optional(.bool) {
            diags.error("E250", "\(what) may be missing", at: span, help: "decide what a missing value means: `(\(bundle.sources.text(span))) otherwise false`")
            return
        }
        diags.error("E251", "\(what) must be true or false, but it is \(schema.describe(t.type))", at: span,
                    help: "compare the value with something, e.g. `\(bundle.sources.text(span)) > 0`")
    }

    func missingHelp(_ span: Span) -> String {
        let text = bundle.sources.text(span)
        return "check `\(text) is present and ...` first, or give a default: `\(text) otherwise 0`"
    }

    /// Rejects optional operands: a missing value in a comparison must be decided by the author.
    func present(_ t: Typed, _ span: Span) -> Typed {
        if t.type.isOptional {
            diags.error("E252", "`\(bundle.sources.text(span))` may be missing here", at: span, help: missingHelp(span))
            return Typed(type: t.type.unwrapped, expr: t.expr, list: t.list)
        }
        return t
    }

    /// Checks an expression; `expected` lets a bare enum case such as `student` resolve.
    func check(_ e: Expr, _ scope: Scope, expected: ValueType? = nil) -> Typed {
        let t = checkInner(e, scope, expected: expected)
        // Presence proven by the surrounding condition makes an optional value plain.
        if t.type.isOptional, let p = Narrowing.path(e, scope), scope.proven.contains(p) {
            return Typed(type: t.type.unwrapped, expr: t.expr, list: t.list)
        }
        return t
    }

    func checkInner(_ e: Expr, _ scope: Scope, expected: ValueType?) -> Typed {
        switch e.kind {
        case .error:
            return .error
        case .number(let text):
            guard let v = FixedDecimal(parsing: Substring(text)) else { return .error }
            if !text.contains(".") { return Typed(type: .integer, expr: .constant(v.raw / FixedDecimal.scale), list: nil) }
            return Typed(type: .decimal, expr: .constant(v.raw), list: nil)
        case .string(let s):
            return Typed(type: .string, expr: .constant(intern(s)), list: nil)
        case .date(let text):
            guard let d = CivilDate.parse(Substring(text)) else { return .error }
            return Typed(type: .date, expr: .constant(d), list: nil)
        case .bool(let b):
            return Typed(type: .bool, expr: .constant(b ? 1 : 0), list: nil)
        case .name(let n):
            return name(n, e.span, scope, expected: expected)
        case .member(let base, let field):
            return member(base, field, scope)
        case .index(let base, let key):
            return lookup(base, key, e.span, scope)
        case .call(let fn, let args):
            return call(fn, args, e.span, scope)
        case .negate(let x):
            let t = present(check(x, scope), x.span)
            if t.type == .error { return .error }
            guard t.type.isNumeric else {
                diags.error("E253", "only numbers can be negated; this is \(schema.describe(t.type))", at: e.span, help: "remove the `-`")
                return .error
            }
            if case .constant(let v) = t.expr {
                guard let n = FixedMath.sub(0, v), n != Int64.min else { overflow(e.span, t.type); return .error }
                return Typed(type: t.type, expr: .constant(n), list: nil)
            }
            return Typed(type: t.type, expr: .negate(t.expr), list: nil)
        case .not(let x):
            let t = check(x, scope)
            expectBool(t, x.span, "the operand of `not`")
            return Typed(type: .bool, expr: .not(t.expr), list: nil)
        case .binary(let op, let l, let r):
            return binary(op, l, r, e.span, scope)
        case .between(let x, let lo, let hi):
            return between(x, lo, hi, scope, loSpan: lo.span.to(x.span), hiSpan: x.span.to(hi.span), "`between`")
        case .range:
            diags.error("E254", "a range `a..b` only appears after `in`", at: e.span, help: "write `x in 18..60` or `x between 18 and 60`")
            return .error
        case .membership(let x, let container, let negated):
            let t = membership(x, container, e.span, scope)
            return negated ? Typed(type: .bool, expr: .not(t.expr), list: nil) : t
        case .list:
            diags.error("E255", "a list of values only appears after `in`", at: e.span, help: "write `x in [a, b, c]`")
            return .error
        case .presence(let x, let isPresent):
            let t = check(x, Scope(variables: scope.variables, proven: []))
            if t.type == .error { return Typed(type: .bool, expr: .constant(0), list: nil) }
            if !t.type.isOptional {
                diags.warning("W250", "`\(bundle.sources.text(x.span))` is never missing, so this test is always \(isPresent ? "true" : "false")",
                              at: e.span, help: "remove the test, or mark the field `optional` in the schema")
            }
            let m = TExpr.isMissing(t.expr)
            return Typed(type: .bool, expr: isPresent ? .not(m) : m, list: nil)
        case .otherwise(let x, let fallback):
            let a = check(x, scope)
            if a.type == .error { return .error }
            guard a.type.isOptional else {
                diags.warning("W251", "`\(bundle.sources.text(x.span))` is never missing, so `otherwise` has no effect", at: fallback.span,
                              help: "remove `otherwise \(bundle.sources.text(fallback.span))`")
                return a
            }
            let b = present(check(fallback, scope, expected: a.type.unwrapped), fallback.span)
            guard let (l, r, t) = unify(Typed(type: a.type.unwrapped, expr: a.expr, list: nil), b, allowWiden: true) else {
                diags.error("E256", "the default has type \(schema.describe(b.type)) but `\(bundle.sources.text(x.span))` is \(schema.describe(a.type.unwrapped))",
                            at: fallback.span, help: "give a default of the same type")
                return .error
            }
            return Typed(type: t, expr: .otherwise(l, r), list: nil)
        case .conditional(let c, let a, let b):
            let ct = check(c, scope)
            expectBool(ct, c.span, "the condition of `if`")
            let at = check(a, scope.proving(Narrowing.whenTrue(c, scope)))
            let bt = check(b, scope.proving(Narrowing.whenFalse(c, scope)), expected: at.type)
            if at.type == .error || bt.type == .error { return .error }
            let optional = at.type.isOptional || bt.type.isOptional
            guard let (l, r, t) = unify(Typed(type: at.type.unwrapped, expr: at.expr, list: nil),
                                        Typed(type: bt.type.unwrapped, expr: bt.expr, list: nil), allowWiden: true) else {
                diags.error("E257", "the branches of `if` differ: \(schema.describe(at.type)) and \(schema.describe(bt.type))", at: e.span,
                            help: "both branches must give the same kind of value")
                return .error
            }
            return Typed(type: optional ? .optional(t) : t, expr: .conditional(ct.expr, l, r), list: nil)
        case .aggregate(let agg):
            return aggregate(agg, e.span, scope)
        case .filter(let v, let source, let cond):
            return filter(v, source, cond, scope)
        }
    }

    // MARK: - Names

    func name(_ n: String, _ span: Span, _ scope: Scope, expected: ValueType?) -> Typed {
        if let v = scope.variable(n) {
            return Typed(type: .element(v.record), expr: .constant(Int64(v.id)), list: nil)
        }
        // A bare enum case resolves against the type it is compared with.
        if case .enumeration(let en)? = expected?.unwrapped, let k = schema.enums[en].cases.firstIndex(of: n) {
            if valueIndex[n] != nil || schema.facts.field(named: n) != nil {
                diags.warning("W261", "`\(n)` is both a case of \(schema.enums[en].name) and a named value; here it means the case", at: span,
                              help: "rename the value so the comparison reads unambiguously")
            }
            return Typed(type: .enumeration(en), expr: .constant(Int64(k)), list: nil)
        }
        if n == "uplift" {
            depend(on: .uplift, at: span)
            reads.append(Read(name: n, target: .uplift))
            return Typed(type: .money, expr: .uplift, list: nil)
        }
        if let i = valueIndex[n] {
            depend(on: .value(i), at: span)
            let t = valueType(i)
            if let v = values[i], let list = v.list { return Typed(type: t, expr: .constant(0), list: list) }
            reads.append(Read(name: n, target: .value(i)))
            return Typed(type: t, expr: .value(i), list: nil)
        }
        if let f = schema.facts.field(named: n) {
            let info = schema.facts.fields[f]
            if info.protected { protectedReads[current, default: []].append((n, span)) }
            if info.pii {
                diags.warning("W252", "`\(n)` is personal data (pii); rules should not need it", at: span,
                              help: "decide on attributes of the application, not on identifiers")
            }
            if info.record != nil { return recordValue(f, span) }
            if case .list(let r) = info.type {
                return Typed(type: info.type, expr: .constant(0), list: ListSource(field: f, record: r, filters: [], proven: [], root: -1))
            }
            reads.append(Read(name: n, target: .fact(f)))
            return Typed(type: info.fullType, expr: .fact(f), list: nil)
        }
        if let t = tableKinds[n] {
            switch t.kind {
            case "catalogue":
                usedCatalogues.insert(t.index)
                return Typed(type: .catalogue(t.index), expr: .constant(0), list: nil)
            case "bands": return Typed(type: .band(t.index), expr: .constant(0), list: nil)
            default: return Typed(type: .segment(t.index), expr: .constant(0), list: nil)
            }
        }
        var candidates = Array(valueIndex.keys) + schema.facts.fields.map(\.name) + Array(tableKinds.keys) + scope.variables.map(\.name) + ["uplift"]
        if case .enumeration(let en)? = expected?.unwrapped { candidates += schema.enums[en].cases }
        var help = Suggestions.closest(to: n, in: candidates).map { "did you mean `\($0)`?" }
            ?? "define it with `let \(n) = ...`, or add it to the schema's facts"
        if case .enumeration(let en)? = expected?.unwrapped {
            help += " (the cases of \(schema.enums[en].name) are: \(schema.enums[en].cases.joined(separator: ", ")))"
        }
        if !bundle.unreadableTables.isEmpty {
            help += "; the table file \(bundle.unreadableTables.joined(separator: ", ")) has errors, and may be where `\(n)` was meant to come from"
        }
        diags.error("E260", "unknown name `\(n)`", at: span, help: help)
        return .error
    }

    func member(_ base: Expr, _ field: Identifier, _ scope: Scope) -> Typed {
        if let path = recordPath(base, field, scope) { return path }
        let b = check(base, scope)
        switch b.type.unwrapped {
        case .error: return .error
        case .element(let r):
            guard case .constant(let v) = b.expr else { return recordFieldOfValue(base, field, record: r) }
            let rec = schema.records[r]
            guard let f = rec.field(named: field.name) else {
                unknownField(field, in: rec.fields.map(\.name), of: rec.name)
                return .error
            }
            if rec.fields[f].protected { protectedReads[current, default: []].append(("\(rec.name).\(field.name)", field.span)) }
            return Typed(type: rec.fields[f].fullType, expr: .element(variable: Int(v), field: f), list: nil)
        case .band(let t):
            depend(on: .band(t), at: field.span)
            guard let info = bandInfo(t) else { return .error }
            guard let c = info.columns.firstIndex(where: { $0.name == field.name }) else {
                unknownField(field, in: info.columns.map(\.name), of: "band table `\(info.name)`")
                return .error
            }
            reads.append(Read(name: info.name, target: .band(t)))
            return Typed(type: info.columns[c].type, expr: .bandColumn(table: t, column: c), list: nil)
        case .segment(let t):
            depend(on: .segment(t), at: field.span)
            guard let info = segmentInfo(t) else { return .error }
            reads.append(Read(name: info.name, target: .segment(t)))
            if info.kind == .decisionTable { return decisionTableMember(info, t, field) }
            if field.name == "name" { return Typed(type: .enumeration(info.nameEnum), expr: .segmentIndex(table: t), list: nil) }
            guard let c = info.columns.firstIndex(where: { $0.name == field.name }) else {
                unknownField(field, in: ["name"] + info.columns.map(\.name), of: "segment table `\(info.name)`")
                return .error
            }
            return Typed(type: info.columns[c].type, expr: .segmentColumn(table: t, column: c), list: nil)
        case .catalogueEntry(let t):
            guard case .catalogueLookup(_, _, let key) = b.expr else { return .error }
            let cat = catalogues[t]
            let column: CatalogueColumn
            let type: ValueType
            if field.name == "category" {
                column = .category; type = .enumeration(cat.categoryEnum)
            } else if let c = cat.categoryColumns.firstIndex(where: { $0.name == field.name }) {
                column = .categoryValue(c); type = cat.categoryColumns[c].type
            } else if let c = cat.entryColumns.firstIndex(where: { $0.name == field.name }) {
                column = .entryValue(c); type = cat.entryColumns[c].type
            } else {
                unknownField(field, in: ["category"] + cat.categoryColumns.map(\.name) + cat.entryColumns.map(\.name), of: "catalogue `\(cat.name)`")
                return .error
            }
            // A lookup of an unknown key has no row: the column is missing unless proven present.
            return Typed(type: b.type.isOptional ? .optional(type) : type, expr: .catalogueLookup(table: t, column: column, key: key), list: nil)
        case .catalogue(let t):
            diags.error("E261", "`\(catalogues[t].name).\(field.name)`: a catalogue is read by key", at: field.span,
                        help: "write `\(catalogues[t].name)[key].\(field.name)`")
            return .error
        default:
            diags.error("E261", "`\(bundle.sources.text(base.span))` is \(schema.describe(b.type)) and has no field `\(field.name)`", at: field.span,
                        help: "fields belong to list elements (`c.type`), band and segment tables, and catalogue rows")
            return .error
        }
    }

    func unknownField(_ field: Identifier, in names: [String], of owner: String) {
        let help = Suggestions.closest(to: field.name, in: names).map { "did you mean `\($0)`?" }
            ?? "\(owner) has: \(names.joined(separator: ", "))"
        diags.error("E262", "\(owner) has no field `\(field.name)`", at: field.span, help: help)
    }

    func lookup(_ base: Expr, _ key: Expr, _ span: Span, _ scope: Scope) -> Typed {
        let b = check(base, scope)
        if b.type == .error { return .error }
        guard case .catalogue(let t) = b.type else {
            diags.error("E263", "only catalogue tables can be looked up with `[key]`", at: span,
                        help: "`\(bundle.sources.text(base.span))` is \(schema.describe(b.type))")
            return .error
        }
        let k = present(check(key, scope), key.span)
        if k.type != .string && k.type != .error {
            diags.error("E264", "a catalogue key is a string, but this is \(schema.describe(k.type))", at: key.span,
                        help: "look up by a string field such as `c.type`")
        }
        return Typed(type: .optional(.catalogueEntry(t)), expr: .catalogueLookup(table: t, column: .category, key: k.expr), list: nil)
    }
}
