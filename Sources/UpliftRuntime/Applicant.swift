import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// One applicant's facts in the VM's input layout: a register per schema field, and list
/// elements laid out flat, `width` values per element.
///
/// An applicant belongs to the policy that read it: its strings and enum cases are numbered by
/// that policy's schema, so evaluate it with the same `Policy` (after a reload, read the record
/// again).
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
    package var facts: [Int64] { storage.facts }
    package var elements: [Int64] { storage.elements }
    /// Strings that the policy never mentions, numbered -2, -3, …: they equal only themselves.
    package var unknownStrings: [String] { storage.unknownStrings }

    /// The text of string fact value `id`: one of the policy's `strings`, or one of this
    /// applicant's own; `"?"` for anything else (a missing value, an id from another applicant).
    package func string(_ id: Int64, in strings: [String]) -> String {
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
    /// The field's path (`certificates[1].confidence`); empty for the record as a whole.
    public var path: String
    /// What is wrong with it, worded for the person who sent the record.
    public var message: String
    /// An error for `path` (an embedder's own checks, or a test's expectation).
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
package struct ApplicantDecoder: Sendable {
    let schema: FactSchema
    let strings: [String]
    let stringIDs: [String: Int64]
    let enumCases: [[String: Int64]]
    /// The applicant's JSON shape, and each list field's element shape (nil for other fields).
    let facts: RecordShape
    let lists: [RecordShape?]
    /// Byte-level lookups for `decode(utf8:)`.
    let fast: FastReaderTables

    package init(policy: CheckedPolicy) {
        schema = policy.schema
        strings = policy.strings
        var ids: [String: Int64] = [:]
        for (i, s) in policy.strings.enumerated() where ids[s] == nil { ids[s] = Int64(i) }
        stringIDs = ids
        enumCases = policy.schema.enums.map { e in Dictionary(e.cases.enumerated().map { ($1, Int64($0)) }, uniquingKeysWith: { a, _ in a }) }
        facts = RecordShape(policy.schema.facts.fields, list: nil)
        lists = policy.schema.facts.fields.map { f in
            guard case .list(let r) = f.type, policy.schema.records.indices.contains(r) else { return nil }
            return RecordShape(policy.schema.records[r].fields, list: f.name)
        }
        fast = FastReaderTables(schema: policy.schema, strings: policy.strings, facts: facts, lists: lists)
    }

    /// Reads one applicant from JSON text; unknown fields are ignored.
    package func decode(json text: String) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(bytes: Array(text.utf8), options: .lenient, unknown: &unknown)
    }

    /// Reads one applicant from JSON text; with `options.strict`, an unknown field is an error.
    package func decode(json text: String, options: ApplicantOptions) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(bytes: Array(text.utf8), options: options, unknown: &unknown)
    }

    /// Reads one applicant from JSON text and appends the fields the schema does not know to
    /// `unknown`, in document order. They are appended even when the record is then rejected for
    /// a value (a missing `monthly_income` next to a stray `Monthly_Income` is worth saying),
    /// but not when the text is not JSON or, when strict, for the unknown field that is the error.
    package func decode(json text: String, options: ApplicantOptions, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
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
    package func decode(_ value: JSONValue) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(value, options: .lenient, unknown: &unknown)
    }

    /// Reads one applicant from a parsed JSON value; with `options.strict`, an unknown field is
    /// an error.
    package func decode(_ value: JSONValue, options: ApplicantOptions) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(value, options: options, unknown: &unknown)
    }

    /// Reads one applicant from a parsed JSON value, appending unknown fields to `unknown` as
    /// `decode(json:options:unknown:)` does. A key given twice (possible in a value built in
    /// code, never in parsed text) is an error.
    package func decode(_ value: JSONValue, options: ApplicantOptions, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        guard case .object(let members) = value else {
            throw ApplicantError(path: "", message: "an applicant is a JSON object of fields, found \(kind(value))")
        }
        var reading = Reading(strict: options.strict)
        defer { unknown.append(contentsOf: reading.found) }
        // Pass 1, in document order: which value each field has, and every unknown field.
        var given = [JSONValue?](repeating: nil, count: facts.fields.count)
        try collect(members, object: 0, facts, &given, list: nil, element: nil, &reading)
        // Pass 2, in schema order: the values.
        var a = ApplicantParts(facts: Array(repeating: Program.missing, count: facts.fields.count))
        for (i, f) in facts.fields.enumerated() {
            guard case .list(let r) = f.type, let shape = lists[i] else {
                a.facts[i] = try raw(i, facts, given, base: nil, list: nil, found: reading.found, &a)
                continue
            }
            let v = given[i] ?? .null
            guard case .array(let items) = v else {
                if case .null = v { throw missing(f.name, "missing required list (give [] for none)", reading.found) }
                throw ApplicantError(path: f.name, message: "expected a list, found \(kind(v))")
            }
            let width = schema.records.indices.contains(r) ? schema.records[r].fields.count : 0
            let first = a.elements.count
            guard items.count < 1 << 24, first + items.count * width < 1 << 31 else {
                throw ApplicantError(path: f.name, message: "too many elements")
            }
            let elementGiven = reading.elements[i] ?? []
            for (n, item) in items.enumerated() {
                guard case .object = item, elementGiven.indices.contains(n) else {
                    throw ApplicantError(path: "\(f.name)[\(n)]", message: "expected an object, found \(kind(item))")
                }
                let base = a.elements.count
                a.elements.append(contentsOf: repeatElement(Program.missing, count: width))
                for j in 0..<width {
                    a.elements[base + j] = try raw(j, shape, elementGiven[n], base: base, list: (f.name, n), found: reading.found, &a)
                }
            }
            a.facts[i] = Int64(first) << 32 | Int64(items.count)
        }
        return Applicant(a)
    }

    /// What pass 1 finds: the unknown fields, and each list's elements' values by field.
    struct Reading {
        let strict: Bool
        var found: [UnknownField] = []
        var elements: [Int: [[JSONValue?]]] = [:]
        init(strict: Bool) { self.strict = strict }

        mutating func stray(_ u: UnknownField) throws(ApplicantError) {
            if strict {
                throw ApplicantError(path: u.path, message: ApplicantDecoder.unknownFieldMessage(u))
            }
            found.append(u)
        }
    }

    /// Pass 1 over one object of `shape` (`object` says which): each known key's value goes to
    /// `given`, each unknown key to `reading`, records held by known keys are read the same way,
    /// and a list's elements too (the applicant's own lists only). `list` and `element` say
    /// which list element the object is in (nil outside lists).
    func collect(_ members: [(String, JSONValue)], object: Int, _ shape: RecordShape, _ given: inout [JSONValue?],
                 list: String?, element: Int?, _ reading: inout Reading) throws(ApplicantError) {
        var strays = Set<String>()
        let owner = shape.objects[object].names
        for (k, v) in members {
            guard let i = shape.field(k, in: object) else {
                let u = UnknownField(key: k, index: element, candidates: owner)
                if !strays.insert(k).inserted { throw ApplicantError(path: u.path, message: "duplicate key") }
                try reading.stray(u)
                continue
            }
            if given[i] != nil {
                let prefix = list.map { "\($0)[\(element ?? 0)]." } ?? ""
                throw ApplicantError(path: prefix + InputText.fieldName(shape.fields[i].name), message: "duplicate key")
            }
            given[i] = v
            if shape.fields[i].record != nil, case .object(let inner) = v {
                try collect(inner, object: shape.objectOf[i], shape, &given, list: list, element: element, &reading)
            } else if element == nil, case .list = shape.fields[i].type, let es = lists[i], case .array(let items) = v {
                var all: [[JSONValue?]] = []
                all.reserveCapacity(items.count)
                for (n, item) in items.enumerated() {
                    guard case .object(let efields) = item else { break } // pass 2 says what is wrong
                    var values = [JSONValue?](repeating: nil, count: es.fields.count)
                    try collect(efields, object: 0, es, &values, list: shape.fields[i].name, element: n, &reading)
                    all.append(values)
                }
                reading.elements[i] = all
            }
        }
    }

    /// Pass 2 for field `i` of `shape`: its raw value, given its object's values. `base` is where
    /// the element's registers start (nil for the applicant's own, in `a.facts`); `list` names
    /// the list and the element, for messages (worded only when there is an error).
    func raw(_ i: Int, _ shape: RecordShape, _ given: [JSONValue?], base: Int?, list: (name: String, index: Int)?,
             found: [UnknownField], _ a: inout ApplicantParts) throws(ApplicantError) -> Int64 {
        let f = shape.fields[i]
        // A field of an absent record is missing (its record's register, earlier, says so).
        if let p = f.parent {
            let holder = base.map { a.elements[$0 + p] } ?? a.facts[p]
            if holder == Program.missing { return Program.missing }
        }
        func path() -> String { list.map { "\($0.name)[\($0.index)].\(f.name)" } ?? f.name }
        guard let r = f.record else {
            if given[i] == nil, !f.declaredOptional {
                throw missing(path(), "missing required field (\(schema.describe(f.type)))", found, name: list.map { "\($0.name).\(f.name)" })
            }
            return try scalar(given[i] ?? .null, f, path: path(), &a)
        }
        let record = schema.records.indices.contains(r) ? schema.records[r].name : "record"
        switch given[i] ?? .null {
        case .null:
            if f.declaredOptional { return Program.missing }
            throw missing(path(), "missing required record (\(record))", found, name: list.map { "\($0.name).\(f.name)" })
        case .object: return 1
        case let v: throw ApplicantError(path: path(), message: "expected an object (\(record)), found \(kind(v))")
        }
    }

    /// Whether the schema knows a field called `name` (a CSV column, say; a dotted name reads
    /// a field of a nested record): nil when it does, else the `UnknownField` with its suggestion.
    package func unknownField(named name: String) -> UnknownField? {
        var object = 0, key = Substring(name)
        if let dot = name.lastIndex(of: "."), let holder = schema.facts.field(named: String(name[..<dot])),
           facts.objectOf.indices.contains(holder), facts.objectOf[holder] >= 0 {
            object = facts.objectOf[holder]
            key = name[name.index(after: dot)...]
        }
        return facts.field(String(key), in: object) == nil ? UnknownField(key: String(key), index: nil, candidates: facts.objects[object].names) : nil
    }

    /// A strict read's refusal of an unknown field (JSON or a CSV column), with its did-you-mean.
    static func unknownFieldMessage(_ u: UnknownField) -> String {
        "unknown field" + (u.suggestion.map { " (did you mean `\($0)`?)" } ?? " (not in the schema)")
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

    func scalar(_ v: JSONValue, _ f: FieldInfo, path: @autoclosure () -> String, _ a: inout ApplicantParts) throws(ApplicantError) -> Int64 {
        if case .null = v {
            if f.declaredOptional { return Program.missing }
            throw ApplicantError(path: path(), message: "missing required field (\(schema.describe(f.type)))")
        }
        let raw: Int64
        switch f.type {
        case .bool:
            guard case .bool(let b) = v else { throw ApplicantError(path: path(), message: "expected true or false, found \(kind(v))") }
            raw = b ? 1 : 0
        case .integer:
            guard case .number(let text) = v else { throw ApplicantError(path: path(), message: "expected a whole number, found \(kind(v))") }
            guard let d = FixedDecimal(parsing: Substring(text)) else {
                throw ApplicantError(path: path(), message: "\(InputText.excerpt(text)) is not a whole number in the supported range")
            }
            guard d.isInteger else { throw ApplicantError(path: path(), message: "expected a whole number, found \(InputText.excerpt(text))") }
            raw = d.raw / FixedDecimal.scale
        case .decimal, .money:
            let text: String
            switch v {
            case .number(let t): text = t
            case .string(let t): text = t // accepted so producers can keep exact text
            default: throw ApplicantError(path: path(), message: "expected a number, found \(kind(v))")
            }
            guard let d = FixedDecimal(parsing: Substring(text)) else {
                if case .string = v { throw ApplicantError(path: path(), message: "expected a number, found \(kind(v))") }
                throw ApplicantError(path: path(), message: "\(InputText.excerpt(text)) is not a decimal number Uplift can represent exactly (at most 6 decimal places, no exponent, magnitude below 9 trillion)")
            }
            if f.type == .money, d.usedFractionDigits > 2 {
                throw ApplicantError(path: path(), message: "money has at most 2 decimal places, found \(InputText.excerpt(text))")
            }
            raw = d.raw
        case .string:
            guard case .string(let s) = v else { throw ApplicantError(path: path(), message: "expected a string, found \(kind(v))") }
            if let id = stringID(s) { raw = id } else if let k = a.unknownStrings.firstIndex(of: s) { raw = -Int64(k) - 2 } else {
                a.unknownStrings.append(s)
                raw = -Int64(a.unknownStrings.count) - 1
            }
        case .date:
            guard case .string(let s) = v, let d = CivilDate.parse(Substring(s)) else {
                throw ApplicantError(path: path(), message: "expected a date as \"YYYY-MM-DD\", found \(kind(v))")
            }
            raw = d
        case .enumeration(let e):
            guard case .string(let s) = v, let k = enumCases[e][s], schema.enums[e].cases[Int(k)].utf8.elementsEqual(s.utf8) else {
                throw ApplicantError(path: path(), message: "expected one of \(schema.enums[e].cases.joined(separator: ", ")), found \(kind(v))")
            }
            raw = k
        default:
            throw ApplicantError(path: path(), message: "unsupported field type")
        }
        if let r = f.range, !r.contains(raw) {
            let fmt = { (x: Int64) -> String in
                f.type == .integer ? String(x) : f.type == .date ? CivilDate.format(x) : FixedDecimal(raw: x).formatted()
            }
            throw ApplicantError(path: path(), message: "\(fmt(raw)) is outside the allowed range \(fmt(r.lowerBound)) to \(fmt(r.upperBound))")
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
