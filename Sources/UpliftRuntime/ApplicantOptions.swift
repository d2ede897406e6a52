import UpliftSyntax

/// How an applicant record is read.
///
/// The default reads as Uplift always has: a field the schema does not know is ignored (callers
/// can still ask which ones there were, see `UnknownField`). `strict` refuses such records, for
/// callers that would rather stop a batch than decide on a record whose `Monthly_Income` was
/// silently skipped.
public struct ApplicantOptions: Sendable, Equatable, Hashable {
    /// A field the schema does not know, at the top level or inside a list element, is an
    /// `ApplicantError` naming its path (`certificates[0].Confidence: unknown field …`).
    public var strict: Bool

    /// Options for reading records; `strict: false` is the default.
    public init(strict: Bool = false) { self.strict = strict }

    /// Unknown fields are ignored (and reported to callers that ask).
    public static let lenient = ApplicantOptions(strict: false)
    /// Unknown fields are errors.
    public static let strict = ApplicantOptions(strict: true)
}

/// A field of a record that the schema does not declare, found while decoding.
///
/// Decoding ignores it (unless strict), but a caller should tell someone: a near miss of a schema
/// field (`Monthly_Income`, `montly_income`) is almost always a producer's mistake that would
/// otherwise silently skip a rule. Cheap to collect: the suggestion is worked out only when asked.
public struct UnknownField: Sendable, Hashable, CustomStringConvertible {
    /// Where the field is, with list positions: `Monthly_Income`, `certificates[0].Confidence`.
    /// Control characters from the input are escaped.
    public let path: String
    /// The path without list positions, `certificates.Confidence`: what to count by when many
    /// records carry the same stray field.
    public let name: String
    /// The field's own name as written (escaped), without its record's path.
    let key: String
    /// The field names of the record it appeared in, to look for a near miss in.
    let candidates: FieldNameList

    /// `index` is the element's position when the field is inside a list element.
    init(key: String, index: Int?, candidates: FieldNameList) {
        let key = InputText.fieldName(key)
        self.key = key
        self.candidates = candidates
        if let owner = candidates.owner {
            path = "\(owner)[\(index ?? 0)].\(key)"
            name = "\(owner).\(key)"
        } else {
            path = key
            name = key
        }
    }

    /// The schema field this one most likely means, written like `name` (`monthly_income`,
    /// `certificates.confidence`): one differing only in letter case, or within a small edit
    /// distance; nil when nothing is close. Computed on each call: ask once per distinct `name`.
    public var suggestion: String? {
        let prefix = candidates.owner.map { $0 + "." } ?? ""
        // Edit distance is quadratic in the name's length; no schema name is this long.
        guard key.utf8.count <= 256 else { return nil }
        if let exact = candidates.names.first(where: { $0.lowercased() == key.lowercased() }) { return prefix + exact }
        return Suggestions.closest(to: key, in: candidates.names).map { prefix + $0 }
    }

    /// `unknown field `Monthly_Income` (did you mean `monthly_income`?)`.
    public var description: String {
        "unknown field `\(path)`" + (suggestion.map { " (did you mean `\($0)`?)" } ?? "")
    }

    /// Equal when the path is: the candidates follow from the path for one schema.
    public static func == (a: UnknownField, b: UnknownField) -> Bool { a.path == b.path && a.name == b.name }
    /// Hashes the path, so unknown fields can be counted in a `Set` or a dictionary.
    public func hash(into h: inout Hasher) { h.combine(path) }
}

/// The field names of one record of the schema, shared by every `UnknownField` found in it.
final class FieldNameList: Sendable {
    /// The list field holding the record (`certificates`), nil for the applicant itself.
    let owner: String?
    let names: [String]
    init(owner: String?, names: [String]) {
        self.owner = owner
        self.names = names
    }
}
