import UpliftChecker
import UpliftCompiler
import UpliftSyntax

extension ApplicantDecoder {
    /// Decodes one applicant from the UTF-8 bytes of a JSON object, straight into the VM's input
    /// layout: no `JSONValue` tree, no `String` per number, a handful of allocations per record.
    /// Unknown fields are ignored.
    ///
    /// The fast reader handles well-formed records; anything unusual (an escape in a string, an
    /// exponent, a missing or null required field, a value out of range, a duplicate key,
    /// invalid UTF-8) makes it step aside, and the full decoder reads the record and words the
    /// error. So both paths accept exactly the same records with the same meaning, and every
    /// error message comes from one place.
    package func decode(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(utf8: bytes, options: .lenient, unknown: &unknown)
    }

    /// `decode(utf8:)` with options: when strict, an unknown field is an error.
    package func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, options: ApplicantOptions) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(utf8: bytes, options: options, unknown: &unknown)
    }

    /// `decode(utf8:)` that also appends the record's unknown fields to `unknown`, in document
    /// order, with the same rules as `decode(json:options:unknown:)`. For the simulator's
    /// per-row path: a record without unknown fields costs nothing extra, and a suggestion is
    /// only computed when `UnknownField.suggestion` is read.
    package func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, options: ApplicantOptions,
                       unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        var reader = FastApplicantReader(tables: fast, p: bytes, strict: options.strict)
        if let a = reader.applicant() {
            if !reader.stray.isEmpty { unknown.append(contentsOf: reader.unknownFields()) }
            return a
        }
        return try decode(bytes: Array(bytes), options: options, unknown: &unknown)
    }

    /// `decode(utf8:options:unknown:)` with the reader chosen: `.full` skips the byte-level
    /// reader, so a differential test or a fuzzer can check that both read every record alike.
    package func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, options: ApplicantOptions,
                       unknown: inout [UnknownField], reader: ApplicantReader) throws(ApplicantError) -> Applicant {
        switch reader {
        case .automatic: try decode(utf8: bytes, options: options, unknown: &unknown)
        case .full: try decode(bytes: Array(bytes), options: options, unknown: &unknown)
        }
    }

    /// `decode(utf8:)` for any collection of bytes (`[UInt8]`, `Data`, a slice).
    package func decode(utf8 bytes: some Collection<UInt8>, options: ApplicantOptions = .lenient) throws(ApplicantError) -> Applicant {
        var unknown: [UnknownField] = []
        return try decode(utf8: bytes, options: options, unknown: &unknown)
    }

    /// `decode(utf8:options:unknown:)` for any collection of bytes.
    package func decode(utf8 bytes: some Collection<UInt8>, options: ApplicantOptions,
                       unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        let contiguous = bytes.withContiguousStorageIfAvailable { b in
            Result { () throws(ApplicantError) in try decode(utf8: b, options: options, unknown: &unknown) }
        }
        if let contiguous { return try contiguous.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { b in
            Result { () throws(ApplicantError) in try decode(utf8: b, options: options, unknown: &unknown) }
        }.get()
    }

    /// The fast reader alone: nil when the record needs the full decoder. For tests.
    func fastDecode(utf8 bytes: UnsafeBufferPointer<UInt8>, strict: Bool = false) -> Applicant? {
        var reader = FastApplicantReader(tables: fast, p: bytes, strict: strict)
        return reader.applicant()
    }

    /// The fast reader alone, with the unknown fields it found. For tests.
    func fastDecodeReporting(utf8 bytes: UnsafeBufferPointer<UInt8>) -> (Applicant, [UnknownField])? {
        var reader = FastApplicantReader(tables: fast, p: bytes, strict: false)
        guard let a = reader.applicant() else { return nil }
        return (a, reader.unknownFields())
    }
}

/// Which reader decodes a record's bytes; both accept the same records with the same meaning.
package enum ApplicantReader: Sendable, CaseIterable {
    /// The byte-level reader, stepping aside to the full decoder for anything unusual: what
    /// every other entry point uses.
    case automatic
    /// The full decoder alone: for differential tests and fuzzing, never needed otherwise.
    case full
}

/// A field as the fast reader needs it: plain values only, so reading one copies no strings.
struct FieldCode: Sendable {
    /// `record(o)`: a field holding a record, read as object `o` of its layout.
    enum Kind: Sendable, Equatable { case bool, integer, decimal, money, string, date, enumeration(Int), list(Int), record(Int), other }
    let kind: Kind
    /// As the field's record declares it (`FieldInfo.declaredOptional`).
    let optional: Bool
    let range: ClosedRange<Int64>?
    /// The field holding this one's record, -1 at the layout's top.
    let parent: Int

    init(_ f: FieldInfo, object: Int) {
        parent = f.parent ?? -1
        kind = switch f.type {
        case _ where object >= 0: .record(object)
        case .bool: .bool
        case .integer: .integer
        case .decimal: .decimal
        case .money: .money
        case .string: .string
        case .date: .date
        case .enumeration(let e): .enumeration(e)
        case .list(let r): .list(r)
        default: .other
        }
        optional = f.declaredOptional
        range = f.range
    }
}

/// One register layout as the fast reader reads it: the applicant, or one list's elements.
struct FastLayout: Sendable {
    let codes: [FieldCode]
    /// Per JSON object of the layout (0 is its top): key → field.
    let objects: [ByteStringTable]
    /// Per JSON object: its field names, for unknown fields.
    let names: [FieldNameList]

    init(_ shape: RecordShape) {
        codes = shape.fields.indices.map { FieldCode(shape.fields[$0], object: shape.objectOf[$0]) }
        objects = shape.objects.map { o in ByteStringTable(o.members.map { String(shape.fields[$0].leafName) }, ids: o.members.map(Int64.init)) }
        names = shape.objects.map(\.names)
    }
}

/// Lookup tables the fast reader uses, built once per policy with the decoder; a class, so a
/// reader costs one retain however many tables there are.
final class FastReaderTables: Sendable {
    let facts: FastLayout
    /// Per fact: the element layout of a list field, nil for any other.
    let lists: [FastLayout?]
    let strings: ByteStringTable
    let enums: [ByteStringTable]
    /// The applicant's top-level keys (object 0 of `facts`).
    let top: ByteStringTable

    init(schema: FactSchema, strings: [String], facts: RecordShape, lists: [RecordShape?]) {
        self.facts = FastLayout(facts)
        self.lists = lists.map { $0.map(FastLayout.init) }
        top = self.facts.objects.first ?? ByteStringTable([], ids: [])
        self.strings = ByteStringTable(strings, ids: strings.indices.map(Int64.init))
        enums = schema.enums.map { e in ByteStringTable(e.cases, ids: e.cases.indices.map(Int64.init)) }
    }
}

struct FastApplicantReader {
    let tables: FastReaderTables
    let p: UnsafeBufferPointer<UInt8>
    /// Unknown fields make the reader step aside (the full decoder words the error).
    let strict: Bool
    var i = 0
    var parts = ApplicantParts(facts: [])
    /// Unknown keys met so far, as byte ranges: empty (and unallocated) for a record that has
    /// none, which is the simulator's common case.
    var stray: [StrayKey] = []

    struct StrayKey {
        let start: Int, end: Int
        /// The list field (fact index) and element the key is in; nil at the top level.
        let list: Int?
        let element: Int
        /// The object of the layout (0 its top, else a nested record's).
        let object: Int
    }

    init(tables: FastReaderTables, p: UnsafeBufferPointer<UInt8>, strict: Bool) {
        self.tables = tables
        self.p = p
        self.strict = strict
    }

    /// The unknown keys as `UnknownField`s.
    func unknownFields() -> [UnknownField] {
        stray.map { k in
            let key = String(decoding: UnsafeBufferPointer(rebasing: p[k.start..<k.end]), as: UTF8.self)
            if let list = k.list, tables.lists.indices.contains(list), let layout = tables.lists[list], layout.names.indices.contains(k.object) {
                return UnknownField(key: key, index: k.element, candidates: layout.names[k.object])
            }
            let names = tables.facts.names.indices.contains(k.object) ? tables.facts.names[k.object] : tables.facts.names[0]
            return UnknownField(key: key, index: nil, candidates: names)
        }
    }

    /// Records an unknown key of the current object (whose unknown keys start at `from` in
    /// `stray`); false when the reader must step aside: strict, a key given twice, or more
    /// unknown keys in one object than a scan should compare.
    mutating func noteStray(_ key: UnsafeBufferPointer<UInt8>, from: Int, list: Int?, element: Int, object: Int = 0) -> Bool {
        guard !strict, let base = p.baseAddress, let k = key.baseAddress else { return false }
        let start = k - base
        var inObject = 0
        for s in stray[from...] where s.list == list && s.element == element && s.object == object {
            inObject += 1
            if inObject >= 16 { return false }
            if s.end - s.start == key.count, UnsafeBufferPointer(rebasing: p[s.start..<s.end]).elementsEqual(key) { return false }
        }
        stray.append(StrayKey(start: start, end: start + key.count, list: list, element: element, object: object))
        return true
    }

    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    mutating func ws() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    mutating func eat(_ b: UInt8) -> Bool {
        ws()
        guard i < p.count, p[i] == b else { return false }
        i += 1
        return true
    }

    var byte: UInt8? { i < p.count ? p[i] : nil }

    mutating func applicant() -> Applicant? {
        let fields = tables.facts.codes
        guard fields.count <= 128 else { return nil }
        parts = ApplicantParts(facts: Array(repeating: Program.missing, count: fields.count))
        var seen = (UInt64(0), UInt64(0))
        if p.count >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { i = 3 } // a byte-order mark
        guard eat(UInt8(ascii: "{")) else { return nil }
        if !eat(UInt8(ascii: "}")) {
            while true {
                ws()
                guard let key = string(), eat(UInt8(ascii: ":")) else { return nil }
                ws()
                if let f = tables.top.id(of: key).map(Int.init) {
                    let bit = UInt64(1) << UInt64(f & 63)
                    if f < 64 { if seen.0 & bit != 0 { return nil }; seen.0 |= bit } else { if seen.1 & bit != 0 { return nil }; seen.1 |= bit }
                    let field = fields[f]
                    if case .list = field.kind {
                        guard let descriptor = list(field: f) else { return nil }
                        parts.facts[f] = descriptor
                    } else if case .record(let o) = field.kind {
                        guard record(o, field: f, seen: &seen, depth: 1) else { return nil }
                    } else {
                        guard let v = scalar(field) else { return nil }
                        parts.facts[f] = v
                    }
                } else if !noteStray(key, from: 0, list: nil, element: 0) || !skipValue(depth: 1) {
                    return nil
                }
                if eat(UInt8(ascii: ",")) { continue }
                guard eat(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        ws()
        guard i == p.count else { return nil }
        // Absent fields: optional scalars are missing; anything else is the full decoder's error.
        for (f, field) in fields.enumerated() {
            let given = f < 64 ? seen.0 & (1 << UInt64(f)) != 0 : seen.1 & (1 << UInt64(f & 63)) != 0
            if !given {
                // A field of an absent record is missing, as it should be.
                if field.parent >= 0, parts.facts[field.parent] == Program.missing { continue }
                if case .list = field.kind { return nil }
                if !field.optional { return nil }
            }
        }
        return Applicant(parts)
    }

    /// The record held by fact `field`, read as object `o` of the applicant's layout: `null`
    /// (when optional) leaves it and its fields missing, an object sets its register to 1.
    /// `depth` is how deep the object is nested; records nest at most 32 deep (E217).
    mutating func record(_ o: Int, field: Int, seen: inout (UInt64, UInt64), depth: Int) -> Bool {
        if byte == UInt8(ascii: "n") { return literal("null") && tables.facts.codes[field].optional }
        guard depth < 40, tables.facts.objects.indices.contains(o), eat(UInt8(ascii: "{")) else { return false }
        parts.facts[field] = 1
        if eat(UInt8(ascii: "}")) { return true }
        let table = tables.facts.objects[o]
        let strayFrom = stray.count
        while true {
            ws()
            guard let key = string(), eat(UInt8(ascii: ":")) else { return false }
            ws()
            if let f = table.id(of: key).map(Int.init) {
                let bit = UInt64(1) << UInt64(f & 63)
                if f < 64 { if seen.0 & bit != 0 { return false }; seen.0 |= bit } else { if seen.1 & bit != 0 { return false }; seen.1 |= bit }
                let code = tables.facts.codes[f]
                if case .record(let inner) = code.kind {
                    guard record(inner, field: f, seen: &seen, depth: depth + 1) else { return false }
                } else {
                    guard let v = scalar(code) else { return false }
                    parts.facts[f] = v
                }
            } else if !noteStray(key, from: strayFrom, list: nil, element: 0, object: o) || !skipValue(depth: depth + 1) {
                return false
            }
            if eat(UInt8(ascii: ",")) { continue }
            return eat(UInt8(ascii: "}"))
        }
    }

    /// A string without escapes or control characters, in well-formed UTF-8, as its bytes
    /// (quotes excluded).
    mutating func string() -> UnsafeBufferPointer<UInt8>? {
        guard byte == Self.quote else { return nil }
        i += 1
        let start = i
        var high: UInt8 = 0
        while i < p.count {
            let b = p[i]
            if b == Self.quote {
                i += 1
                let s = UnsafeBufferPointer(rebasing: p[start..<(i - 1)])
                // Only strings with non-ASCII bytes need the check (ASCII is always valid).
                if high & 0x80 != 0, !InputText.isValidUTF8(s) { return nil }
                return s
            }
            if b == Self.backslash || b < 0x20 { return nil }
            high |= b
            i += 1
        }
        return nil
    }

    /// A JSON number in the exact-decimal subset: `-?(0|[1-9][0-9]*)(.[0-9]+)?`, no exponent.
    mutating func number() -> UnsafeBufferPointer<UInt8>? {
        let start = i
        if byte == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while let b = byte, b >= 48, b <= 57 { i += 1 }
        guard i > intStart, !(i - intStart > 1 && p[intStart] == 48) else { return nil }
        if byte == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while let b = byte, b >= 48, b <= 57 { i += 1 }
            guard i > fracStart else { return nil }
        }
        if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
        return UnsafeBufferPointer(rebasing: p[start..<i])
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= p.count else { return false }
        let w = word.utf8Start
        for k in 0..<n where p[i + k] != w[k] { return false }
        i += n
        return true
    }

    /// One scalar field's raw value, or nil to leave the record to the full decoder.
    mutating func scalar(_ f: FieldCode) -> Int64? {
        if byte == UInt8(ascii: "n") {
            guard literal("null"), f.optional else { return nil }
            return Program.missing
        }
        let raw: Int64
        switch f.kind {
        case .bool:
            if literal("true") { raw = 1 } else if literal("false") { raw = 0 } else { return nil }
        case .integer:
            guard let text = number(), let d = FixedDecimal.parseRaw(text), d % FixedDecimal.scale == 0 else { return nil }
            raw = d / FixedDecimal.scale
        case .decimal, .money:
            guard let text = number(), let d = FixedDecimal.parseRaw(text) else { return nil }
            if f.kind == .money, FixedDecimal(raw: d).usedFractionDigits > 2 { return nil }
            raw = d
        case .string:
            guard let s = string() else { return nil }
            if let id = tables.strings.id(of: s) { raw = id } else {
                let text = String(decoding: s, as: UTF8.self)
                if let k = parts.unknownStrings.firstIndex(of: text) { raw = -Int64(k) - 2 } else {
                    parts.unknownStrings.append(text)
                    raw = -Int64(parts.unknownStrings.count) - 1
                }
            }
        case .date:
            guard let s = string(), let d = CivilDate.parse(bytes: s) else { return nil }
            raw = d
        case .enumeration(let e):
            guard let s = string(), tables.enums.indices.contains(e), let k = tables.enums[e].id(of: s) else { return nil }
            raw = k
        default:
            return nil
        }
        if let r = f.range, !r.contains(raw) { return nil }
        return raw
    }

    /// A list of records, appended to the elements; returns the list's descriptor.
    mutating func list(field: Int) -> Int64? {
        guard tables.lists.indices.contains(field), let layout = tables.lists[field] else { return nil }
        let record = layout.codes
        let width = record.count
        guard width <= 64, eat(UInt8(ascii: "[")) else { return nil }
        let first = parts.elements.count
        var count = 0
        if !eat(UInt8(ascii: "]")) {
            while true {
                guard eat(UInt8(ascii: "{")) else { return nil }
                let base = parts.elements.count
                parts.elements.append(contentsOf: repeatElement(Program.missing, count: width))
                var seen: UInt64 = 0
                let strayFrom = stray.count
                if !eat(UInt8(ascii: "}")) {
                    while true {
                        ws()
                        guard let key = string(), eat(UInt8(ascii: ":")) else { return nil }
                        ws()
                        if let j = layout.objects[0].id(of: key).map(Int.init) {
                            if seen & (1 << UInt64(j)) != 0 { return nil }
                            seen |= 1 << UInt64(j)
                            if case .record(let o) = record[j].kind {
                                guard elementRecord(o, field: j, layout, base: base, seen: &seen, list: field, element: count, depth: 4) else { return nil }
                            } else {
                                guard let v = scalar(record[j]) else { return nil }
                                parts.elements[base + j] = v
                            }
                        } else if !noteStray(key, from: strayFrom, list: field, element: count) || !skipValue(depth: 3) {
                            return nil
                        }
                        if eat(UInt8(ascii: ",")) { continue }
                        guard eat(UInt8(ascii: "}")) else { return nil }
                        break
                    }
                }
                for (j, field) in record.enumerated() where seen & (1 << UInt64(j)) == 0 && !field.optional {
                    // A field of an absent record is missing, as it should be.
                    if field.parent >= 0, parts.elements[base + field.parent] == Program.missing { continue }
                    return nil
                }
                count += 1
                if eat(UInt8(ascii: ",")) { continue }
                guard eat(UInt8(ascii: "]")) else { return nil }
                break
            }
        }
        guard count < 1 << 24, parts.elements.count < 1 << 31 else { return nil }
        return Int64(first) << 32 | Int64(count)
    }

    /// A record inside a list element (`c.issuer`): as `record`, with the element's registers.
    mutating func elementRecord(_ o: Int, field: Int, _ layout: FastLayout, base: Int, seen: inout UInt64, list: Int, element: Int, depth: Int) -> Bool {
        if byte == UInt8(ascii: "n") { return literal("null") && layout.codes[field].optional }
        guard depth < 40, layout.objects.indices.contains(o), eat(UInt8(ascii: "{")) else { return false }
        parts.elements[base + field] = 1
        if eat(UInt8(ascii: "}")) { return true }
        let table = layout.objects[o]
        let strayFrom = stray.count
        while true {
            ws()
            guard let key = string(), eat(UInt8(ascii: ":")) else { return false }
            ws()
            if let j = table.id(of: key).map(Int.init) {
                if seen & (1 << UInt64(j)) != 0 { return false }
                seen |= 1 << UInt64(j)
                let code = layout.codes[j]
                if case .record(let inner) = code.kind {
                    guard elementRecord(inner, field: j, layout, base: base, seen: &seen, list: list, element: element, depth: depth + 1) else { return false }
                } else {
                    guard let v = scalar(code) else { return false }
                    parts.elements[base + j] = v
                }
            } else if !noteStray(key, from: strayFrom, list: list, element: element, object: o) || !skipValue(depth: depth + 1) {
                return false
            }
            if eat(UInt8(ascii: ",")) { continue }
            return eat(UInt8(ascii: "}"))
        }
    }

    /// Skips any JSON value the full parser would accept; false when unsure.
    mutating func skipValue(depth: Int) -> Bool {
        guard depth < 32, let b = byte else { return false }
        switch b {
        case Self.quote: return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "["):
            i += 1
            if eat(UInt8(ascii: "]")) { return true }
            while true {
                ws()
                guard skipValue(depth: depth + 1) else { return false }
                if eat(UInt8(ascii: ",")) { continue }
                return eat(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "{"):
            i += 1
            if eat(UInt8(ascii: "}")) { return true }
            // Keys of this object, to refuse one given twice as the full parser does.
            var keys: [UnsafeBufferPointer<UInt8>] = []
            while true {
                ws()
                guard let key = string(), keys.count < 16, !keys.contains(where: { $0.elementsEqual(key) }),
                      eat(UInt8(ascii: ":")) else { return false }
                keys.append(key)
                ws()
                guard skipValue(depth: depth + 1) else { return false }
                if eat(UInt8(ascii: ",")) { continue }
                return eat(UInt8(ascii: "}"))
            }
        default:
            return number() != nil
        }
    }
}
