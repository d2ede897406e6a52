import UpliftBundle
import UpliftSyntax

extension Checker {
    /// Binds a loop variable over a list; elements of a filtered list carry its presence facts.
    func bind(_ v: Identifier, over list: ListSource, _ scope: Scope) -> (Scope, Int) {
        let id = loopVariables
        loopVariables += 1
        let root = list.root < 0 ? id : list.root
        var s = scope.with(Scope.Variable(name: v.name, id: id, record: list.record, root: root))
        s.proven.formUnion(list.proven)
        if scope.variable(v.name) != nil || valueIndex[v.name] != nil || schema.facts.field(named: v.name) != nil {
            diags.warning("W260", "`\(v.name)` hides another name of the same spelling", at: v.span, help: "choose a different element name")
        }
        return (s, id)
    }

    func listSource(_ e: Expr, _ scope: Scope) -> ListSource? {
        let t = check(e, scope)
        if t.type == .error { return nil }
        guard let list = t.list else {
            diags.error("E285", "expected a list to go through, but `\(bundle.sources.text(e.span))` is \(schema.describe(t.type))", at: e.span,
                        help: "aggregate over a list field such as `certificates`, or a filtered list")
            return nil
        }
        return list
    }

    /// The parts of a chain of `and` as the author wrote them, for explaining which one failed.
    static func conjuncts(_ t: TExpr, _ e: Expr) -> [(test: TExpr, span: Span)] {
        if case .binary(.and, let a, let b) = e.kind, case .and(let x, let y) = t { return conjuncts(x, a) + conjuncts(y, b) }
        return [(t, e.span)]
    }

    func filter(_ v: Identifier, _ source: Expr, _ cond: Expr?, _ scope: Scope) -> Typed {
        guard var list = listSource(source, scope) else { return .error }
        let (inner, id) = bind(v, over: list, scope)
        if let cond {
            let c = check(cond, inner)
            expectBool(c, cond.span, "the `where` condition")
            list.filters.append((id, c.expr, Self.conjuncts(c.expr, cond)))
            list.proven.formUnion(Narrowing.whenTrue(cond, inner))
        }
        if list.root < 0 { list.root = id }
        return Typed(type: .list(list.record), expr: .constant(0), list: list)
    }

    func aggregate(_ agg: Aggregation, _ span: Span, _ scope: Scope) -> Typed {
        guard let list = listSource(agg.source, scope) else { return .error }
        let bound = bind(agg.variable, over: list, scope)
        var inner = bound.0
        let id = bound.1
        var condition: TExpr?
        if let cond = agg.condition {
            let c = check(cond, inner)
            expectBool(c, cond.span, "the `where` condition")
            condition = c.expr
            inner = inner.proving(Narrowing.whenTrue(cond, inner))
        }
        var group: (inner: AggregateKind, key: TExpr, domain: Int)?
        if let key = agg.groupBy, let innerKind = agg.inner {
            let k = present(check(key, inner), key.span)
            switch k.type {
            case .enumeration(let en): group = (innerKind, k.expr, schema.enums[en].cases.count)
            case .bool: group = (innerKind, k.expr, 2)
            case .error: return .error
            default:
                diags.error("E286", "`group by` needs a key with a fixed set of values (an enum, a catalogue category), not \(schema.describe(k.type))",
                            at: key.span, help: "group by an enum field or a catalogue's `category`")
                return .error
            }
        }
        // The value each element (or group) contributes.
        let perElement = group?.inner ?? agg.kind
        var body: TExpr?
        var bodyType: ValueType = .integer
        switch perElement {
        case .any, .all:
            guard let b = agg.body else { return .error }
            let t = check(b, inner)
            expectBool(t, b.span, "the condition of `\(perElement.rawValue)`")
            body = t.expr; bodyType = .bool
        case .count:
            if let b = agg.body {
                let t = check(b, inner)
                if t.type != .element(list.record) {
                    expectBool(t, b.span, "what `count` counts")
                    body = t.expr
                }
            }
            bodyType = .integer
        case .sum, .max, .min:
            guard let b = agg.body else {
                diags.error("E287", "`\(perElement.rawValue)` needs the value to aggregate", at: span, help: "write `\(perElement.rawValue)(c.points for c in list)`")
                return .error
            }
            let t = present(check(b, inner), b.span)
            if t.type == .error { return .error }
            guard t.type.isNumeric else {
                diags.error("E288", "`\(perElement.rawValue)` needs numbers, but `\(bundle.sources.text(b.span))` is \(schema.describe(t.type))", at: b.span,
                            help: "aggregate a numeric field")
                return .error
            }
            body = t.expr; bodyType = t.type
        }
        // The result: what the outer aggregation makes of per-element (or per-group) values.
        var resultType: ValueType
        if let g = group {
            let groupType: ValueType = g.inner == .count ? .integer : bodyType
            switch agg.kind {
            case .sum: resultType = groupType
            case .max, .min: resultType = .optional(groupType)
            case .count: resultType = .integer
            case .any, .all:
                diags.error("E289", "`\(agg.kind.rawValue)` cannot combine groups", at: span, help: "combine groups with sum, max, min or count")
                return .error
            }
        } else {
            switch agg.kind {
            case .any, .all: resultType = .bool
            case .count: resultType = .integer
            case .sum: resultType = bodyType
            case .max, .min: resultType = .optional(bodyType)
            }
        }
        let checked = CheckedAggregate(kind: agg.kind, variable: id, source: list, condition: condition, body: body, group: group, type: resultType)
        return Typed(type: resultType, expr: .aggregate(checked), list: nil)
    }
}
