import Uplift

/// The schema's personal (`pii`) fields other than the key: a bad row's message about one of them
/// must not repeat its value, in summaries, decision lines, reports or diffs alike.
struct PersonalFields: Sendable {
    /// `name`, or `list.field` for a field of a list's records.
    let paths: Set<String>

    init(paths: Set<String>) { self.paths = paths }

    /// The error's message, unless it is about a personal field: then its value is not shown.
    func masked(_ e: ApplicantError) -> String {
        // `certificates[3].holder` → `certificates.holder`; `id` stays `id`.
        var name = ""
        var skipping = false
        for ch in e.path {
            if ch == "[" { skipping = true } else if ch == "]" { skipping = false } else if !skipping { name.append(ch) }
        }
        return paths.contains(name) ? "invalid value (personal data: not shown)" : e.message
    }
}
