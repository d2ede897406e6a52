/// A JSON document with numbers kept as their text, so `1100.10` is read digit for digit and
/// never passes through a binary floating-point value.
public indirect enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, kept as its exact text (`1200.50` stays exact; it becomes an amount only
    /// against the schema).
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object's members in the order given (a key given twice is kept twice; the decoder
    /// refuses it).
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// An object's member by key (the last, if given twice); nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields.last { $0.0 == key }?.1 }
        return nil
    }
}

/// Why a text is not a JSON document Uplift accepts, and where.
package struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var line: Int
    package var column: Int
    /// The field path of a document that is well-formed JSON but ambiguous (a duplicate key,
    /// text that is not valid UTF-8): `certificates[0].type`, `""` at the top level; nil for
    /// plain syntax errors. An applicant decoder reports these against the field.
    package var path: String?
    /// An error at `line` and `column` (1-based, columns in characters), with a field path when
    /// the text is JSON but not one Uplift accepts.
    package init(message: String, line: Int, column: Int, path: String? = nil) {
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }
    package var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 parser with a nesting limit, so hostile input cannot exhaust the stack.
///
/// Stricter than the RFC where the RFC leaves room for two readers to disagree: a key given twice
/// in one object and text that is not well-formed UTF-8 are errors (with the field path), never
/// "last one wins" or a silent U+FFFD. A UTF-8 byte-order mark before the document is skipped.
package struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0
    /// Where the parser is, for errors about a field: keys and list positions from the root.
    var path: [PathStep] = []
    package static let maxDepth = 64

    enum PathStep {
        case key(String)
        case index(Int)
    }

    package init(_ text: String) { bytes = Array(text.utf8) }
    package init(bytes: [UInt8]) { self.bytes = bytes }

    package static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var p = JSONParser(text)
        return try p.document()
    }

    package mutating func document() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skip()
        let v = try value()
        skip()
        if i < bytes.count { throw error("unexpected text after the JSON value") }
        return v
    }

    func error(_ message: String) -> JSONSyntaxError {
        var line = 1, col = 1
        for b in bytes[0..<min(i, bytes.count)] {
            if b == 10 { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
        }
        return JSONSyntaxError(message: message, line: line, column: col)
    }

    /// An error about the field at the current path (`key` appended when given).
    func fieldError(_ message: String, key: String? = nil) -> JSONSyntaxError {
        var e = error(message)
        var out = ""
        for step in path {
            switch step {
            case .key(let k): out += out.isEmpty ? InputText.fieldName(k) : "." + InputText.fieldName(k)
            case .index(let n): out += "[\(n)]"
            }
        }
        if let key { out += out.isEmpty ? InputText.fieldName(key) : "." + InputText.fieldName(key) }
        e.path = out
        return e
    }

    mutating func skip() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    mutating func literal(_ word: String, _ v: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw error("unexpected character") }
        i += w.count
        return v
    }

    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), 48...57: return try number()
        default:
            let b = bytes[i]
            let shown = b >= 0x20 && b < 0x7F ? "`\(Character(Unicode.Scalar(b)))`" : "byte 0x\(String(b, radix: 16, uppercase: true))"
            throw error("unexpected character \(shown)")
        }
    }

    mutating func nest() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try nest()
        i += 1
        var fields: [(String, JSONValue)] = []
        // Keys by their bytes (not by Swift's canonical equivalence, which the byte-level reader
        // cannot match); a set once the object is large enough for a scan to cost.
        var keys: [[UInt8]] = []
        var keySet = Set<[UInt8]>()
        skip()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(fields) }
        while true {
            skip()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a field name in double quotes") }
            let keyStart = i
            let keyBytes = try stringBytes(isKey: true)
            let key = String(decoding: keyBytes, as: UTF8.self)
            let duplicate: Bool
            if keys.count < 16 {
                duplicate = keys.contains(keyBytes)
                keys.append(keyBytes)
                if keys.count == 16 { keySet = Set(keys) }
            } else {
                duplicate = !keySet.insert(keyBytes).inserted
            }
            if duplicate {
                i = keyStart
                throw fieldError("duplicate key", key: key)
            }
            skip()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected `:` after the field name") }
            i += 1
            skip()
            path.append(.key(key))
            let v = try value()
            path.removeLast()
            fields.append((key, v))
            skip()
            guard i < bytes.count else { throw error("unexpected end of input inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(fields) }
            throw error("expected `,` or `}` in an object")
        }
    }

    mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try nest()
        i += 1
        var items: [JSONValue] = []
        skip()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
        while true {
            skip()
            path.append(.index(items.count))
            let v = try value()
            path.removeLast()
            items.append(v)
            skip()
            guard i < bytes.count else { throw error("unexpected end of input inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
            throw error("expected `,` or `]` in an array")
        }
    }

    mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let s = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let d = i; while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }; return i - d }
        let intStart = i
        guard digits() > 0 else { throw error("a number needs digits") }
        if i - intStart > 1, bytes[intStart] == 48 { throw error("numbers do not start with 0") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw error("a number needs digits after the decimal point") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        return .number(String(decoding: bytes[s..<i], as: UTF8.self))
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        String(decoding: try stringBytes(isKey: false), as: UTF8.self)
    }

    /// A string's bytes after escapes, checked to be well-formed UTF-8.
    mutating func stringBytes(isKey: Bool) throws(JSONSyntaxError) -> [UInt8] {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return out }
            if b < 0x20 { throw error("control character inside a string") }
            if b >= 0x80 {
                guard let n = InputText.sequenceLength(bytes, at: i) else {
                    throw isKey ? fieldError("a field name is not valid UTF-8") : fieldError("not valid UTF-8")
                }
                out.append(contentsOf: bytes[i..<i + n])
                i += n
                continue
            }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                switch bytes[i] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw error("invalid escape in a string")
                }
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 < bytes.count else { throw error("incomplete \\u escape") }
        var v: UInt32 = 0
        for k in 1...4 {
            let c = bytes[i + k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
        }
        i += 4
        return v
    }
}
