import UpliftSyntax

/// How an applicant record is read.
///
/// The default reads as Uplift always has: a field the schema does not know is ignored (callers
/// can still ask which ones there were, see `UnknownField`). `strict` refuses such records, for
/// callers that would rather stop a batch than decide on a record whose `Monthly_Income` was
/// silently skipped.
public struct ApplicantOptions: Sendable, Equatable, Hashable {
    /// A field the schema does not know, at the top level, inside a nested record or inside a
    /// list element, is an `ApplicantError` naming its path (`certificates[0].Confidence: unknown
    /// field …`, `account.payment_history.Late: unknown field …`).
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
    /// Where the field is, with list positions: `Monthly_Income`, `certificates[0].Confidence`,
    /// `certificates[0].issuer.Country`.
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
        let within = candidates.within.map { $0 + "." } ?? ""
        if let list = candidates.list {
            path = "\(list)[\(index ?? 0)].\(within)\(key)"
            name = "\(list).\(within)\(key)"
        } else {
            path = within + key
            name = within + key
        }
    }

    /// The schema field this one most likely means, written like `name` (`monthly_income`,
    /// `certificates.confidence`, `account.payment_history.late_payments`): one of its own
    /// record's fields differing only in letter case, or within a small edit distance; nil when
    /// nothing is close. Computed on each call: ask once per distinct `name`.
    public var suggestion: String? {
        let prefix = [candidates.list, candidates.within].compactMap { $0.map { $0 + "." } }.joined()
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

/// The field names of one JSON object of the schema, shared by every `UnknownField` found in it.
final class FieldNameList: Sendable {
    /// The list field holding the record (`certificates`), nil outside lists.
    let list: String?
    /// The path of the nested record this object is, inside the applicant or the list element
    /// (`account.payment_history`, `issuer`); nil for the applicant or the element itself.
    let within: String?
    let names: [String]
    init(list: String?, within: String?, names: [String]) {
        self.list = list
        self.within = within
        self.names = names
    }
}
