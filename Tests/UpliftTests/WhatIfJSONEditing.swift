import UpliftRuntime

/// The what-if tests' own JSON editing: their brute forces build changed applicants from the
/// record alone, without the engine's helpers, so a bug there cannot hide one in the engine.
enum JSONEdit {
    /// An object's members in order (none for anything else).
    static func members(_ v: JSONValue) -> [(String, JSONValue)] { if case .object(let m) = v { m } else { [] } }

    /// `v` with `key` set to `value`, in place when present, appended when not.
    static func with(_ v: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue {
        var m = members(v)
        if let i = m.firstIndex(where: { $0.0 == key }) { m[i].1 = value } else { m.append((key, value)) }
        return .object(m)
    }

    /// The elements of list `key` (none when absent or not a list).
    static func list(_ v: JSONValue, _ key: String) -> [JSONValue] { if case .array(let xs)? = v[key] { xs } else { [] } }

    /// A number as the decoder takes it: a JSON number or a string.
    static func number(_ v: JSONValue?) -> Double? { switch v { case .number(let n)?: Double(n); case .string(let s)?: Double(s); default: nil } }
}
