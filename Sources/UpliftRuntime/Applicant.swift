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

    public func string(_ id: Int64, in strings: [String]) -> String {
        if id >= 0, id < Int64(strings.count) { return strings[Int(id)] }
        let k = Int(-id - 2)
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
public struct ApplicantDecoder: Sendable {
    let schema: FactSchema
    let stringIDs: [String: Int64]
    let factIndex: [String: Int]
    let recordIndex: [[String: Int]]
    let enumCases: [[String: Int64]]
    /// Byte-level lookups for `decode(utf8:)`.
    let fast: FastReaderTables

    public init(policy: CheckedPolicy) {
        schema = policy.schema
        var ids: [String: Int64] = [:]
        for (i, s) in policy.strings.enumerated() where ids[s] == nil { ids[s] = Int64(i) }
        stringIDs = ids
        factIndex = Dictionary(policy.schema.facts.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        recordIndex = policy.schema.records.map { r in Dictionary(r.fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a }) }
        enumCases = policy.schema.enums.map { e in Dictionary(e.cases.enumerated().map { ($1, Int64($0)) }, uniquingKeysWith: { a, _ in a }) }
        fast = FastReaderTables(schema: policy.schema, strings: policy.strings)
    }

    public func decode(json text: String) throws(ApplicantError) -> Applicant {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw ApplicantError(path: "", message: "not valid JSON (\(error))") }
        return try decode(value)
    }

    public func decode(_ value: JSONValue) throws(ApplicantError) -> Applicant {
        guard case .object(let fields) = value else {
            throw ApplicantError(path: "", message: "an applicant is a JSON object of fields, found \(kind(value))")
        }
        var a = ApplicantParts(facts: Array(repeating: Program.missing, count: schema.facts.fields.count))
        var given = [JSONValue?](repeating: nil, count: schema.facts.fields.count)
        for (k, v) in fields { if let i = factIndex[k] { given[i] = v } } // unknown fields are ignored
        for (i, f) in schema.facts.fields.enumerated() {
            let v = given[i] ?? .null
            if case .list(let r) = f.type {
                guard case .array(let items) = v else {
                    if case .null = v { throw ApplicantError(path: f.name, message: "missing required list (give [] for none)") }
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
                    for (k, ev) in efields { if let j = recordIndex[r][k] { values[j] = ev } }
                    for (j, ef) in record.fields.enumerated() {
                        a.elements.append(try scalar(values[j] ?? .null, ef, path: "\(path).\(ef.name)", &a))
                    }
                }
                a.facts[i] = Int64(first) << 32 | Int64(items.count)
            } else {
                a.facts[i] = try scalar(v, f, path: f.name, &a)
            }
        }
        return Applicant(a)
    }

    func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "true/false"
        case .number(let n): "the number \(n)"
        case .string(let s): "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
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
                throw ApplicantError(path: path, message: "\(text) is not a whole number in the supported range")
            }
            guard d.isInteger else { throw ApplicantError(path: path, message: "expected a whole number, found \(text)") }
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
                throw ApplicantError(path: path, message: "\(text) is not a decimal number Uplift can represent exactly (at most 6 decimal places, no exponent, magnitude below 9 trillion)")
            }
            if f.type == .money, d.usedFractionDigits > 2 {
                throw ApplicantError(path: path, message: "money has at most 2 decimal places, found \(text)")
            }
            raw = d.raw
        case .string:
            guard case .string(let s) = v else { throw ApplicantError(path: path, message: "expected a string, found \(kind(v))") }
            if let id = stringIDs[s] { raw = id } else if let k = a.unknownStrings.firstIndex(of: s) { raw = -Int64(k) - 2 } else {
                a.unknownStrings.append(s)
                raw = -Int64(a.unknownStrings.count) - 1
            }
        case .date:
            guard case .string(let s) = v, let d = CivilDate.parse(Substring(s)) else {
                throw ApplicantError(path: path, message: "expected a date as \"YYYY-MM-DD\", found \(kind(v))")
            }
            raw = d
        case .enumeration(let e):
            guard case .string(let s) = v, let k = enumCases[e][s] else {
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
}
