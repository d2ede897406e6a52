import UpliftSyntax

/// Minimal deterministic JSON output: keys in the order given, numbers as exact decimal text.
package enum JSONWriter {
    package static func quote(_ s: String) -> String { JSONText.quote(s) }

    /// Compact JSON text of a value (one line: the JSON Lines form).
    package static func encode(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n
        case .string(let s): quote(s)
        case .array(let xs): "[" + xs.map(encode).joined(separator: ",") + "]"
        case .object(let fs): "{" + fs.map { quote($0.0) + ":" + encode($0.1) }.joined(separator: ",") + "}"
        }
    }

    /// `{"a": 1, "b": [..]}` from already-encoded member values.
    package static func object(_ members: [(String, String)], indent: Int? = nil) -> String {
        guard let indent else { return "{" + members.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}" }
        if members.isEmpty { return "{}" }
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        return "{\n" + members.map { "\(pad)\(quote($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n\(close)}"
    }

    package static func array(_ items: [String], indent: Int? = nil) -> String {
        guard let indent, !items.isEmpty else { return "[" + items.joined(separator: indent == nil ? "," : ", ") + "]" }
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        return "[\n" + items.map { pad + $0 }.joined(separator: ",\n") + "\n\(close)]"
    }
}

extension JSONValue {
    /// The value as compact JSON text (what `uplift synth` writes a line of): keys in the order
    /// given, numbers exactly as held.
    public var jsonText: String { JSONWriter.encode(self) }
}
