extension CheckedPolicy {
    /// The fact `current_limit` (required money) when the schema has one: the limit an uplift is
    /// added to (`new_limit`) and, in a policy that allows decreases, the most a decrease may
    /// remove (a limit never goes below 0). One definition for the compiler and the engine.
    public var currentLimitField: Int? {
        schema.facts.fields.firstIndex { $0.name == "current_limit" && $0.type == .money && !$0.optional }
    }
}
