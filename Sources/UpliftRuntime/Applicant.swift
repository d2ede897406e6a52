import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// One applicant's facts in the VM's input layout: a register per schema field, and list
/// elements laid out flat, `width` values per element.
public struct Applicant: Sendable {
    /// One reference for the three arrays: a decision keeps its applicant for explaining, and
    /// one retain per decision is cheaper than three.
    final class Storage: Sendable {
        let facts: [Int64]
        let elements: [Int64]
        let unknownStrings: [String]
        init(_ parts: ApplicantParts) {
            facts = parts.facts
            elements = parts.elements
            unknownStrings = parts.unknownStrings
        }
    }
    let storage: Storage

    init(_ parts: ApplicantParts) { storage = Storage(parts) }

    /// Raw fact values in schema order; a list field holds `(first << 32) | count`.
    public var facts: [Int64] { storage.facts }
    public var elements: [Int64] { storage.elements }
    /// Strings that the policy never mentions, numbered -2, -3, …: they equal only themselves.
    public var unknownStrings: [String] { storage.unknownStrings }

    /// The text of string fact value `id`: one of the policy's `strings`, or one of this
    /// applicant's own; `"?"` for anything else (a missing value, an id from another applicant).
    public func string(_ id: Int64, in strings: [String]) -> String {
        if id >= 0, id < Int64(strings.count) { return strings[Int(id)] }
        // -(id + 2), not -id - 2: `Program.missing` is Int64.min, whose negation overflows.
        let k = Int(-(id + 2))
        return unknownStrings.indices.contains(k) ? unknownStrings[k] : "?"
    }
}

/// An applicant while it is being decoded.
struct ApplicantParts {
    var facts: [Int64]
    var elements: [Int64] = []
    var unknownStrings: [String] = []
}

/// Why an applicant record was rejected: the field path (`certificates[1].confidence`) and what
/// is wrong with it.
public struct ApplicantError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Reads applicant records against a policy's schema. Built once per policy; reusable and
/// safe to share between threads.
///
/// Every entry point accepts the same records with the same meaning: `decode(json:)` for text,
/// `decode(utf8:)` for raw bytes (the simulator's fast path, and the only way to see invalid
/// UTF-8, which a `String` has already replaced), `decode(_:)` for a parsed value. Overloads
/// with `options:` refuse unknown fields when strict; those with `unknown:` also report them.
public struct ApplicantDecoder: Sendable {
    let schema: FactSchema
    let strings: [String]
    let stringIDs: [String: Int64]
    let factIndex: [String: Int]
    let recordIndex: [[String: Int]]
    let enumCases: [[String: Int64]]
    /// Field names for near-miss suggestions: the applicant's, and each list field's records'.
    let factNames: FieldNameList
    let listNames: [FieldNameList?]
    /// Byte-level lookups for `decode(utf8:)`.
    let fast: FastReaderTables

    public init(policy: CheckedPolicy) {
        schema = policy.schema
        strings = policy.strings
        var ids: [String: Int64] = [:]
        for (i, s) in policy.strings.enumerated() where ids[s] == nil { ids[s] = Int64(i) }
        stringIDs = ids
        factIndex = Dictionary(policy.schema.facts.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        recordIndex = policy.schema.records.map { r in Dictionary(r.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a }) }
        enumCases = policy.schema.enums.map { e in Dictionary(e.cases.enumerated().map { ($1, Int64($0)) }, uniquingKeysWith: { a, _ in a }) }
        factNames = FieldNameList(owner: nil, names: policy.schema.facts.fields.map(\.name))
        listNames = policy.schema.facts.fields.map { f in
            guard case .list(let r) = f.type, policy.schema.records.indices.contains(r) else { return nil }
            return FieldNameList(owner: f.name, names: policy.schema.records[r].fields.map(\.name))
        }
        fast = FastReaderTables(schema: policy.schema, strings: policy.strings, factNames: factNames, listNames: listNames)
    }

    /// Reads one applicant from JSON text; unknown fields are ignored.
    public func decode(json text: String) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(bytes: Array(text.utf8), options: .lenient, unknown: &unknown)
    }

    /// Reads one applicant from JSON text; with `options.strict`, an unknown field is an error.
    public func decode(json text: String, options: ApplicantOptions) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(bytes: Array(text.utf8), options: options, unknown: &unknown)
    }

    /// Reads one applicant from JSON text and appends the fields the schema does not know to
    /// `unknown`, in document order. They are appended even when the record is then rejected for
    /// a value (a missing `monthly_income` next to a stray `Monthly_Income` is worth saying),
    /// but not when the text is not JSON or, when strict, for the unknown field that is the error.
    public func decode(json text: String, options: ApplicantOptions, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        try decode(bytes: Array(text.utf8), options: options, unknown: &unknown)
    }

    /// The full parser on raw bytes: invalid UTF-8 and duplicate keys are errors with a path.
    func decode(bytes: [UInt8], options: ApplicantOptions, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        let value: JSONValue
        do {
            var parser = JSONParser(bytes: bytes)
            value = try parser.document()
        } catch {
            if let path = error.path {
                throw ApplicantError(path: path, message: "\(error.message) (line \(error.line), column \(error.column))")
            }
            throw ApplicantError(path: "", message: "not valid JSON (\(error))")
        }
        return try decode(value, options: options, unknown: &unknown)
    }

    /// Reads one applicant from a parsed JSON value; unknown fields are ignored.
    public func decode(_ value: JSONValue) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(value, options: .lenient, unknown: &unknown)
    }

    /// Reads one applicant from a parsed JSON value; with `options.strict`, an unknown field is
    /// an error.
    public func decode(_ value: JSONValue, options: ApplicantOptions) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(value, options: options, unknown: &unknown)
    }

    /// Reads one applicant from a parsed JSON value, appending unknown fields to `unknown` as
    /// `decode(json:options:unknown:)` does. A key given twice (possible in a value built in
    /// code, never in parsed text) is an error.
    public func decode(_ value: JSONValue, options: ApplicantOptions, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        guard case .object(let fields) = value else {
            throw ApplicantError(path: "", message: "an applicant is a JSON object of fields, found \(kind(value))")
        }
        // Pass 1, in document order: which value each field has, and every unknown field.
        var given = [JSONValue?](repeating: nil, count: schema.facts.fields.count)
        var found: [UnknownField] = []
        var unknownKeys = Set<String>()
        func stray(_ u: UnknownField) throws(ApplicantError) {
            if options.strict {
                throw ApplicantError(path: u.path, message: "unknown field" + (u.suggestion.map { " (did you mean `\($0)`?)" } ?? " (not in the schema)"))
            }
            found.append(u)
        }
        defer { unknown.append(contentsOf: found) }
        for (k, v) in fields {
            guard let i = known(k, factIndex, schema.facts.fields) else {
                if !unknownKeys.insert(k).inserted { throw ApplicantError(path: InputText.fieldName(k), message: "duplicate key") }
                try stray(UnknownField(key: k, index: nil, candidates: factNames))
                continue
            }
            if given[i] != nil { throw ApplicantError(path: InputText.fieldName(k), message: "duplicate key") }
            given[i] = v
            guard case .list(let r) = schema.facts.fields[i].type, let names = listNames[i], case .array(let items) = v else { continue }
            for (n, item) in items.enumerated() {
                guard case .object(let efields) = item else { continue }
                var strayInElement = Set<String>()
                for (ek, _) in efields where known(ek, recordIndex[r], schema.records[r].fields) == nil {
                    if !strayInElement.insert(ek).inserted {
                        throw ApplicantError(path: "\(names.owner ?? "")[\(n)].\(InputText.fieldName(ek))", message: "duplicate key")
                    }
                    try stray(UnknownField(key: ek, index: n, candidates: names))
                }
            }
        }
        // Pass 2, in schema order: the values.
        var a = ApplicantParts(facts: Array(repeating: Program.missing, count: schema.facts.fields.count))
        for (i, f) in schema.facts.fields.enumerated() {
            let v = given[i] ?? .null
            if case .list(let r) = f.type {
                guard case .array(let items) = v else {
                    if case .null = v { throw missing(f.name, "missing required list (give [] for none)", found) }
                    throw ApplicantError(path: f.name, message: "expected a list, found \(kind(v))")
                }
                let record = schema.records[r]
                let first = a.elements.count
                guard items.count < 1 << 24, first + items.count * record.fields.count < 1 << 31 else {
                    throw ApplicantError(path: f.name, message: "too many elements")
                }
                for (n, item) in items.enumerated() {
                    let path = "\(f.name)[\(n)]"
                    guard case .object(let efields) = item else { throw ApplicantError(path: path, message: "expected an object, found \(kind(item))") }
                    var values = [JSONValue?](repeating: nil, count: record.fields.count)
                    for (k, ev) in efields {
                        guard let j = known(k, recordIndex[r], record.fields) else { continue }
                        if values[j] != nil { throw ApplicantError(path: "\(path).\(InputText.fieldName(k))", message: "duplicate key") }
                        values[j] = ev
                    }
                    for (j, ef) in record.fields.enumerated() {
                        if values[j] == nil, !ef.optional {
                            throw missing("\(path).\(ef.name)", "missing required field (\(schema.describe(ef.type)))", found, name: "\(f.name).\(ef.name)")
                        }
                        a.elements.append(try scalar(values[j] ?? .null, ef, path: "\(path).\(ef.name)", &a))
                    }
                }
                a.facts[i] = Int64(first) << 32 | Int64(items.count)
            } else {
                if given[i] == nil, !f.optional { throw missing(f.name, "missing required field (\(schema.describe(f.type)))", found) }
                a.facts[i] = try scalar(v, f, path: f.name, &a)
            }
        }
        return Applicant(a)
    }

    /// Whether the schema knows a top-level field called `name` (a CSV column, say): nil when it
    /// does, else the `UnknownField` with its suggestion.
    public func unknownField(named name: String) -> UnknownField? {
        known(name, factIndex, schema.facts.fields) == nil ? UnknownField(key: name, index: nil, candidates: factNames) : nil
    }

    /// The index of schema field `key`, matched byte for byte as the fast reader matches (a
    /// dictionary of `String` would also match canonically equivalent spellings).
    func known(_ key: String, _ index: [String: Int], _ fields: [FieldInfo]) -> Int? {
        guard let i = index[key], fields[i].name.utf8.elementsEqual(key.utf8) else { return nil }
        return i
    }

    /// A missing required field, with the unknown field that was probably meant for it.
    func missing(_ path: String, _ message: String, _ found: [UnknownField], name: String? = nil) -> ApplicantError {
        let wanted = name ?? path
        guard let near = found.first(where: { $0.suggestion == wanted }) else { return ApplicantError(path: path, message: message) }
        return ApplicantError(path: path, message: "\(message); the record has `\(near.path)`, did you mean `\(wanted)`?")
    }

    func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "true/false"
        case .number(let n): "the number \(InputText.excerpt(n))"
        case .string(let s): "the string \"\(InputText.excerpt(s))\""
        case .array: "a list"
        case .object: "an object"
        }
    }

    func scalar(_ v: JSONValue, _ f: FieldInfo, path: String, _ a: inout ApplicantParts) throws(ApplicantError) -> Int64 {
        if case .null = v {
            if f.optional { return Program.missing }
            throw ApplicantError(path: path, message: "missing required field (\(schema.describe(f.type)))")
        }
        let raw: Int64
        switch f.type {
        case .bool:
            guard case .bool(let b) = v else { throw ApplicantError(path: path, message: "expected true or false, found \(kind(v))") }
            raw = b ? 1 : 0
        case .integer:
            guard case .number(let text) = v else { throw ApplicantError(path: path, message: "expected a whole number, found \(kind(v))") }
            guard let d = FixedDecimal(parsing: Substring(text)) else {
                throw ApplicantError(path: path, message: "\(InputText.excerpt(text)) is not a whole number in the supported range")
            }
            guard d.isInteger else { throw ApplicantError(path: path, message: "expected a whole number, found \(InputText.excerpt(text))") }
            raw = d.raw / FixedDecimal.scale
        case .decimal, .money:
            let text: String
            switch v {
            case .number(let t): text = t
            case .string(let t): text = t // accepted so producers can keep exact text
            default: throw ApplicantError(path: path, message: "expected a number, found \(kind(v))")
            }
            guard let d = FixedDecimal(parsing: Substring(text)) else {
                if case .string = v { throw ApplicantError(path: path, message: "expected a number, found \(kind(v))") }
                throw ApplicantError(path: path, message: "\(InputText.excerpt(text)) is not a decimal number Uplift can represent exactly (at most 6 decimal places, no exponent, magnitude below 9 trillion)")
            }
            if f.type == .money, d.usedFractionDigits > 2 {
                throw ApplicantError(path: path, message: "money has at most 2 decimal places, found \(InputText.excerpt(text))")
            }
            raw = d.raw
        case .string:
            guard case .string(let s) = v else { throw ApplicantError(path: path, message: "expected a string, found \(kind(v))") }
            if let id = stringID(s) { raw = id } else if let k = a.unknownStrings.firstIndex(of: s) { raw = -Int64(k) - 2 } else {
                a.unknownStrings.append(s)
                raw = -Int64(a.unknownStrings.count) - 1
            }
        case .date:
            guard case .string(let s) = v, let d = CivilDate.parse(Substring(s)) else {
                throw ApplicantError(path: path, message: "expected a date as \"YYYY-MM-DD\", found \(kind(v))")
            }
            raw = d
        case .enumeration(let e):
            guard case .string(let s) = v, let k = enumCases[e][s], schema.enums[e].cases[Int(k)].utf8.elementsEqual(s.utf8) else {
                throw ApplicantError(path: path, message: "expected one of \(schema.enums[e].cases.joined(separator: ", ")), found \(kind(v))")
            }
            raw = k
        default:
            throw ApplicantError(path: path, message: "unsupported field type")
        }
        if let r = f.range, !r.contains(raw) {
            let fmt = { (x: Int64) -> String in
                f.type == .integer ? String(x) : f.type == .date ? CivilDate.format(x) : FixedDecimal(raw: x).formatted()
            }
            throw ApplicantError(path: path, message: "\(fmt(raw)) is outside the allowed range \(fmt(r.lowerBound)) to \(fmt(r.upperBound))")
        }
        return raw
    }

    /// The id of a string the policy mentions, matched byte for byte (see `known`).
    func stringID(_ s: String) -> Int64? {
        guard let id = stringIDs[s] else { return nil }
        if strings[Int(id)].utf8.elementsEqual(s.utf8) { return id }
        // A canonically equivalent spelling took the dictionary slot; look for the exact one.
        return strings.firstIndex { $0.utf8.elementsEqual(s.utf8) }.map(Int64.init)
    }
}
