import Uplift

/// Applicants as CSV rows in schema order: the form `uplift simulate` reads back.
package enum CSVWriter {
    /// A cell, quoted when it holds a comma, a quote or a line break.
    package static func cell(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The header: the policy's CSV columns, a nested record's fields by dotted path
    /// (`account.payment_history.on_time_payment_percentage`).
    package static func header(_ policy: Policy) -> String { policy.csvColumns.map(cell).joined(separator: ",") }

    /// One applicant's row, in `header`'s order.
    package static func row(_ applicant: JSONValue, policy: Policy) -> String {
        policy.csvValues(of: applicant).map { value -> String in
            switch value {
            case .null: return ""
            case .bool(let b): return b ? "true" : "false"
            case .number(let n): return n
            case .string(let s): return cell(s)
            case let v: return cell(JSONWriter.encode(v))
            }
        }.joined(separator: ",")
    }
}
