import UpliftSyntax

/// What is visible while checking one expression: loop variables and the presence facts proven
/// by the surrounding conditions (`x is present and …`).
struct Scope {
    struct Variable {
        var name: String
        var id: Int
        var record: Int
        /// The loop variable of the outermost list this element comes from; filters over filters
        /// all see the same element, so presence facts about it carry over.
        var root: Int
    }
    var variables: [Variable] = []
    var proven: Set<String> = []

    func variable(_ name: String) -> Variable? { variables.last { $0.name == name } }

    func with(_ v: Variable) -> Scope { var s = self; s.variables.append(v); return s }
    func proving(_ facts: Set<String>) -> Scope { var s = self; s.proven.formUnion(facts); return s }
}

/// The result of checking an expression.
struct Typed {
    var type: ValueType
    var expr: TExpr
    /// A list expression (a list field or a filtered list) when `type` is `.list`.
    var list: ListSource?

    static let error = Typed(type: .error, expr: .constant(0), list: nil)
    var isConstant: Bool { if case .constant = expr { true } else { false } }
}

/// Presence facts: which paths an expression proves present when it is true or false.
enum Narrowing {
    /// A canonical path for names, fields and lookups, or nil for anything else.
    static func path(_ e: Expr, _ scope: Scope) -> String? {
        switch e.kind {
        case .name(let n):
            if let v = scope.variable(n) { return "$\(v.root)" }
            return n
        case .member(let b, let f):
            return path(b, scope).map { "\($0).\(f.name)" }
        case .index(let t, let k):
            guard let tp = path(t, scope), let kp = path(k, scope) else { return nil }
            return "\(tp)[\(kp)]"
        default:
            return nil
        }
    }

    /// The paths `e` proves present when it is true. Each node is visited once, so the cost is
    /// linear in the size of `e`.
    static func whenTrue(_ e: Expr, _ scope: Scope) -> Set<String> {
        switch e.kind {
        case .presence(let x, present: true):
            return path(x, scope).map { [$0] } ?? []
        case .membership(let k, let t, negated: false):
            guard case .name = t.kind, let tp = path(t, scope), let kp = path(k, scope) else { return [] }
            return ["\(tp)[\(kp)]"]
        case .binary(.and, let a, let b):
            // Once per operand: walking `a` twice would double the work at every `and`.
            let left = whenTrue(a, scope)
            return left.union(whenTrue(b, scope.proving(left)))
        case .not(let x):
            return whenFalse(x, scope)
        default:
            return []
        }
    }

    /// The paths `e` proves present when it is false; linear like `whenTrue`.
    static func whenFalse(_ e: Expr, _ scope: Scope) -> Set<String> {
        switch e.kind {
        case .presence(let x, present: false):
            return path(x, scope).map { [$0] } ?? []
        case .membership(let k, let t, negated: true):
            guard case .name = t.kind, let tp = path(t, scope), let kp = path(k, scope) else { return [] }
            return ["\(tp)[\(kp)]"]
        case .binary(.or, let a, let b):
            return whenFalse(a, scope).union(whenFalse(b, scope))
        case .not(let x):
            return whenTrue(x, scope)
        default:
            return []
        }
    }
}
