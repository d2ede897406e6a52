import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// How an explanation names and formats a part of an expression it shows with its value: the
/// policy's own words where the checked form keeps them (`confidence`, `count(accepted)`,
/// `min_confidence`, `3 * monthly_income - current_limit`), and the type that decides how the
/// value reads (`0.85`, `2500.00`, `2025-06-30`). Built once per policy, with the template; a
/// class, so explanations share it without copying the policy.
final class ExpressionDescriber: Sendable {
    let policy: CheckedPolicy
    /// The record each loop variable walks (`c` in `for c in certificates` → Certificate).
    let recordOf: [Int: Int]
    /// The named list each filter variable belongs to, so `count(accepted)` reads as written.
    let listOf: [Int: String]

    init(policy: CheckedPolicy) {
        self.policy = policy
        var records: [Int: Int] = [:], lists: [Int: String] = [:]
        func source(_ s: ListSource) {
            for f in s.filters {
                records[f.variable] = s.record
                visit(f.condition)
                for c in f.conjuncts { visit(c.test) }
            }
        }
        func visit(_ x: TExpr) {
            Self.forEachChild(x) { visit($0) }
            if case .aggregate(let a) = x {
                records[a.variable] = a.source.record
                source(a.source)
            }
        }
        for v in policy.values {
            if let e = v.expr { visit(e) }
            if let l = v.list {
                source(l)
                if let last = l.filters.last { lists[last.variable] = v.name }
            }
        }
        for r in policy.rules { visit(r.condition) }
        for c in policy.caps { visit(c.bound); if let w = c.condition { visit(w) } }
        for b in policy.bands { visit(b.input) }
        for s in policy.segments { s.conditions.forEach(visit) }
        if let a = policy.amount { visit(a) }
        recordOf = records
        listOf = lists
    }

    /// Calls `body` with each direct sub-expression (not those inside an aggregate's list).
    static func forEachChild(_ x: TExpr, _ body: (TExpr) -> Void) {
        switch x {
        case .constant, .fact, .value, .element, .bandColumn, .segmentColumn, .segmentIndex, .uplift: break
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .otherwise(let a, let b):
            body(a); body(b)
        case .negate(let a), .not(let a), .isMissing(let a), .toFixed(let a): body(a)
        case .conditional(let c, let a, let b): body(c); body(a); body(b)
        case .catalogueHas(_, let k), .catalogueLookup(_, _, let k): body(k)
        case .aggregate(let a):
            if let c = a.condition { body(c) }
            if let b = a.body { body(b) }
            if let g = a.group { body(g.key) }
        case .builtin(_, let args, _): args.forEach(body)
        }
    }

    /// True for a part the explanation already shows as a read (`age`, `score`, `uplift`) or
    /// that is a literal: showing its value again would add nothing.
    static func isPlain(_ x: TExpr) -> Bool {
        switch x {
        case .constant, .fact, .value, .uplift: true
        case .toFixed(let a): isPlain(a)
        default: false
        }
    }

    func record(_ r: Int) -> RecordInfo? { policy.schema.records.indices.contains(r) ? policy.schema.records[r] : nil }

    /// The type of `x`'s value, for formatting; `hint` is the type of the other side of a
    /// comparison, which decides how a literal reads.
    func type(_ x: TExpr, hint: ValueType? = nil) -> ValueType {
        switch x {
        case .constant: return hint ?? .integer
        case .fact(let i): return policy.schema.facts.fields.indices.contains(i) ? policy.schema.facts.fields[i].fullType : .integer
        case .value(let i): return policy.values.indices.contains(i) ? policy.values[i].type : .integer
        case .element(let v, let f):
            guard let r = recordOf[v].flatMap(record), r.fields.indices.contains(f) else { return .integer }
            return r.fields[f].fullType
        case .arithmetic(let op, let a, let b):
            switch op {
            case .mulFixed, .divFixed: return .decimal
            default:
                let ta = type(a, hint: hint), tb = type(b, hint: hint)
                return ta.unwrapped == .money || tb.unwrapped == .money ? .money : ta.unwrapped == .decimal || tb.unwrapped == .decimal ? .decimal : ta
            }
        case .negate(let a), .otherwise(let a, _): return type(a, hint: hint)
        case .conditional(_, let a, _): return type(a, hint: hint)
        case .toFixed: return hint.map { $0.unwrapped == .money ? .money : .decimal } ?? .decimal
        case .compare, .and, .or, .not, .isMissing, .catalogueHas: return .bool
        case .catalogueLookup(let t, let column, _):
            guard policy.catalogues.indices.contains(t) else { return .integer }
            let c = policy.catalogues[t]
            switch column {
            case .category: return .enumeration(c.categoryEnum)
            case .categoryValue(let i): return c.categoryColumns.indices.contains(i) ? c.categoryColumns[i].type : .integer
            case .entryValue(let i): return c.entryColumns.indices.contains(i) ? c.entryColumns[i].type : .integer
            }
        case .bandColumn(let t, let c):
            guard policy.bands.indices.contains(t), policy.bands[t].columns.indices.contains(c) else { return .integer }
            return policy.bands[t].columns[c].type
        case .segmentColumn(let t, let c):
            guard policy.segments.indices.contains(t), policy.segments[t].columns.indices.contains(c) else { return .integer }
            return policy.segments[t].columns[c].type
        case .segmentIndex(let t): return .segment(t)
        case .aggregate(let a): return a.type
        case .builtin(let b, let args, _):
            if b == .daysBetween { return .integer }
            return args.first.map { type($0, hint: hint) } ?? .integer
        case .uplift: return .money
        }
    }

    /// A literal as the policy wrote it: fixed-point literals are scaled in the checked form.
    static func literal(_ raw: Int64, _ type: ValueType?) -> String {
        if raw == Program.missing { return "missing" }
        switch type?.unwrapped {
        case .decimal?, .money?: return FixedDecimal(raw: raw).formatted()
        case .date?: return CivilDate.format(raw)
        default: return String(raw)
        }
    }

    /// The part as a person reads it in the policy; `hint` is the type the context gives it
    /// (how a literal reads).
    func label(_ x: TExpr, hint: ValueType? = nil) -> String {
        switch x {
        case .constant(let raw): return Self.literal(raw, hint)
        case .fact(let i): return policy.schema.facts.fields.indices.contains(i) ? policy.schema.facts.fields[i].name : "?"
        case .value(let i): return policy.values.indices.contains(i) ? policy.values[i].name : "?"
        case .element(let v, let f):
            guard let r = recordOf[v].flatMap(record), r.fields.indices.contains(f) else { return "?" }
            return r.fields[f].name
        case .arithmetic(let op, let a, let b):
            let symbol = switch op {
            case .add: "+"
            case .sub: "-"
            case .mulInt, .mulFixed: "*"
            case .divFixed: "/"
            }
            let p = Self.precedence(op)
            let ta = type(a, hint: hint), tb = type(b, hint: hint)
            // Which type a literal side has: the other side's for + and -, decimal for fixed
            // products, and for `mulInt` an integer beside a fixed-point side.
            func side(_ other: ValueType, _ otherExpr: TExpr) -> ValueType? {
                switch op {
                case .add, .sub: return other
                case .mulFixed, .divFixed: return .decimal
                case .mulInt:
                    if other.isFixed || other.unwrapped.isFixed { return .integer }
                    if case .constant = otherExpr { return .integer }
                    return hint?.unwrapped.isFixed == true ? hint : .integer
                }
            }
            let ha = isLiteral(a) ? side(tb, b) : hint, hb = isLiteral(b) ? side(ta, a) : hint
            return "\(operand(a, p, right: false, hint: ha)) \(symbol) \(operand(b, p, right: true, hint: hb))"
        case .negate(let a): return "-\(atom(a))"
        case .toFixed(let a): return label(a, hint: .integer)
        case .compare(let op, let a, let b): return "\(label(a, hint: type(b))) \(op.rawValue) \(label(b, hint: type(a)))"
        case .and(let a, let b): return "\(atom(a)) and \(atom(b))"
        case .or(let a, let b): return "\(atom(a)) or \(atom(b))"
        case .not(let a): return "not \(atom(a))"
        case .isMissing(let a): return "\(label(a)) is missing"
        case .otherwise(let a, let b): return "\(atom(a)) otherwise \(atom(b))"
        case .conditional(let c, let a, let b): return "if \(label(c)) then \(label(a)) else \(label(b))"
        case .catalogueHas(let t, let k): return "\(label(k)) in \(catalogueName(t))"
        case .catalogueLookup(_, let column, let k):
            return column == .category ? "category of \(label(k))" : columnName(x) ?? "?"
        case .bandColumn(let t, let c):
            guard policy.bands.indices.contains(t), policy.bands[t].columns.indices.contains(c) else { return "?" }
            return "\(policy.bands[t].name).\(policy.bands[t].columns[c].name)"
        case .segmentColumn(let t, let c):
            guard policy.segments.indices.contains(t), policy.segments[t].columns.indices.contains(c) else { return "?" }
            return "\(policy.segments[t].name).\(policy.segments[t].columns[c].name)"
        case .segmentIndex(let t): return policy.segments.indices.contains(t) ? policy.segments[t].name : "segment"
        case .aggregate(let a):
            let list = a.source.filters.last.flatMap { listOf[$0.variable] }
                ?? (policy.schema.facts.fields.indices.contains(a.source.field) ? policy.schema.facts.fields[a.source.field].name : "?")
            if a.kind == .count && a.body == nil && a.condition == nil && a.group == nil { return "count(\(list))" }
            return "\(a.kind.rawValue)(… for … in \(list))"
        case .builtin(let b, let args, _):
            let t = args.first { !isLiteral($0) }.map { type($0, hint: hint) } ?? hint
            var parts = args.map { label($0, hint: t) }
            // `round(x, 1, half_even)`: the mode is a word, carried as its bytecode number.
            if b == .round, parts.count == 3, case .constant(let m) = args[2] {
                parts[2] = RoundingMode(code: Int32(truncatingIfNeeded: m))?.rawValue ?? "?"
            }
            return "\(b.rawValue)(\(parts.joined(separator: ", ")))"
        case .uplift: return "uplift"
        }
    }

    /// The name of the column a catalogue lookup reads (`min_confidence`, `points`).
    func columnName(_ x: TExpr) -> String? {
        guard case .catalogueLookup(let t, let column, _) = x, policy.catalogues.indices.contains(t) else { return nil }
        let c = policy.catalogues[t]
        switch column {
        case .category: return "category"
        case .categoryValue(let i): return c.categoryColumns.indices.contains(i) ? c.categoryColumns[i].name : nil
        case .entryValue(let i): return c.entryColumns.indices.contains(i) ? c.entryColumns[i].name : nil
        }
    }

    func catalogueName(_ t: Int) -> String { policy.catalogues.indices.contains(t) ? policy.catalogues[t].name : "catalogue" }

    static func precedence(_ op: ArithmeticOp) -> Int { op == .add || op == .sub ? 1 : 2 }

    func operand(_ x: TExpr, _ p: Int, right: Bool, hint: ValueType?) -> String {
        if case .arithmetic(let op, _, _) = x, Self.precedence(op) < p || (right && Self.precedence(op) == p) { return "(\(label(x, hint: hint)))" }
        return label(x, hint: hint)
    }

    func isLiteral(_ x: TExpr) -> Bool {
        switch x {
        case .constant: true
        case .toFixed(let a): isLiteral(a)
        default: false
        }
    }

    func atom(_ x: TExpr) -> String {
        switch x {
        case .and, .or, .compare, .arithmetic, .otherwise, .conditional: "(\(label(x)))"
        default: label(x)
        }
    }
}
