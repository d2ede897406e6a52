import UpliftSyntax

extension CheckedPolicy {
    /// The fact holding the current limit: the one the manifest names (`current_limit:
    /// account.current_credit_limit`), else a required money fact called `current_limit`, when
    /// the schema has one. It is the limit an uplift is added to (`new_limit`) and, in a policy
    /// that allows decreases, the most a decrease may remove (a limit never goes below 0). One
    /// definition for the compiler and the engine.
    package var currentLimitField: Int? {
        declaredCurrentLimit ?? schema.facts.fields.firstIndex { $0.name == "current_limit" && $0.type == .money && !$0.optional }
    }
}

extension Checker {
    /// Resolves the manifest's `current_limit:` to a required money fact (E338 otherwise).
    func declaredCurrentLimit() -> Int? {
        guard let path = bundle.currentLimit else { return nil }
        guard let f = schema.facts.field(named: path.name) else {
            let names = schema.facts.fields.filter { $0.type == .money }.map(\.name)
            diags.error("E338", "the manifest's `current_limit` names `\(path.name)`, which is not a fact of the schema", at: path.span,
                        help: Suggestions.closest(to: path.name, in: names).map { "did you mean `\($0)`?" }
                            ?? "name a required money fact by its path, e.g. `account.current_credit_limit`")
            return nil
        }
        let field = schema.facts.fields[f]
        guard field.type == .money, !field.optional else {
            diags.error("E338", "the manifest's `current_limit` names `\(path.name)`, which is \(schema.describe(field.fullType)); the current limit is required money",
                        at: path.span, help: "name a required money fact, or make `\(path.name)` a required `money` field")
            return nil
        }
        return f
    }
}
