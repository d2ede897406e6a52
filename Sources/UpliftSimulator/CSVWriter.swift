import Uplift

/// Applicants as CSV rows in schema order: the form `uplift simulate` reads back.
public enum CSVWriter {
    /// A cell, quoted when it holds a comma, a quote or a line break.
    public static func cell(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ applicant: JSONValue, schema: FactSchema) -> String {
        schema.facts.fields.map { f -> String in
            switch applicant[f.name] ?? .null {
            case .null: return ""
            case .bool(let b): return b ? "true" : "false"
            case .number(let n): return n
            case .string(let s): return cell(s)
            case let v: return cell(JSONWriter.encode(v))
            }
        }.joined(separator: ",")
    }
}
