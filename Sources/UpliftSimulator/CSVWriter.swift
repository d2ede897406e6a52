import Uplift

/// Applicants as CSV rows in schema order: the form `uplift simulate` reads back.
public enum CSVWriter {
    /// A cell, quoted when it holds a comma, a quote or a line break.
    public static func cell(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The header's column names: the schema's fields, a nested record's by dotted path
    /// (`account.payment_history.on_time_payment_percentage`).
    public static func header(_ schema: FactSchema) -> [String] { CSVRecord.columns(schema) }

    /// One applicant's row, in `header`'s order.
    public static func row(_ applicant: JSONValue, schema: FactSchema) -> String {
        CSVRecord.columns(schema).map { name -> String in
            switch CSVRecord.value(applicant, column: name, schema: schema) {
            case .null: return ""
            case .bool(let b): return b ? "true" : "false"
            case .number(let n): return n
            case .string(let s): return cell(s)
            case let v: return cell(JSONWriter.encode(v))
            }
        }.joined(separator: ",")
    }
}
