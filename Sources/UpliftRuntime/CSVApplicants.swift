import UpliftChecker

/// Applicants as CSV rows, typed by the schema: a column per fact, named in the header; an empty
/// cell is an absent value; a list fact's cell holds a JSON array of objects. A field of a nested
/// record is a column named by its dotted path (`account.payment_history.on_time_payment_percentage`);
/// an optional record is absent when all of its cells are empty, and its own column
/// (`account.employer`, written `{}`) says it is given when its fields all are.
///
/// Cutting a file into records and cells is the simulator's job; giving cells their types is the
/// schema's, so it lives here beside the JSON decoder.
extension ApplicantDecoder {
    /// The CSV columns of the schema: every field by its dotted name, except a required record's
    /// own column (an optional record's says whether it is given).
    package var csvColumns: [String] {
        schema.facts.fields.filter { $0.record == nil || $0.declaredOptional }.map(\.name)
    }

    /// Reads a CSV file's header once: each column's schema field, or the unknown field it is.
    package func csvHeader(_ names: [String]) -> CSVHeader {
        CSVHeader(names: names, fields: names.map { schema.facts.field(named: $0) }, unknown: names.map { unknownField(named: $0) })
    }

    /// Reads one applicant from the cells of a CSV row. Columns the schema does not know are
    /// appended to `unknown`, or with `options.strict` refused, as unknown JSON fields are.
    package func decode(csvCells cells: [String], header: CSVHeader, options: ApplicantOptions,
                        unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        for case let column? in header.unknown {
            if options.strict { throw ApplicantError(path: column.path, message: Self.unknownFieldMessage(column)) }
            unknown.append(column)
        }
        return try decode(csvJSON(cells, header: header).get(), options: options, unknown: &unknown)
    }

    /// The applicant as JSON, typed by the schema, or the field and what is wrong.
    package func csvJSON(_ cells: [String], header: CSVHeader) -> Result<JSONValue, ApplicantError> {
        guard cells.count == header.names.count else {
            return .failure(ApplicantError(path: "", message: "expected \(header.names.count) cells as in the header, found \(cells.count)"))
        }
        var nested: [Int: JSONValue] = [:]
        var members: [(String, JSONValue)] = []
        for (k, cell) in cells.enumerated() {
            guard let f = header.fields[k] else { continue } // unknown columns are reported above
            let name = header.names[k], field = schema.facts.fields[f]
            var value: JSONValue
            if cell.isEmpty { value = .null } else {
                switch field.type {
                case _ where field.record != nil:
                    guard case .object(let given)? = try? JSONParser.parse(cell), given.isEmpty else {
                        return .failure(ApplicantError(path: name, message: "a record's own cell is `{}` (the record is given) or empty; its fields are columns of their own (`\(name).…`)"))
                    }
                    value = .object([])
                case .bool: value = cell == "true" ? .bool(true) : cell == "false" ? .bool(false) : .string(cell)
                case .integer, .decimal, .money: value = .number(cell)
                case .list:
                    do { value = try JSONParser.parse(cell) } catch {
                        return .failure(ApplicantError(path: name, message: "the cell is not a JSON list (\(error))"))
                    }
                default: value = .string(cell)
                }
            }
            if field.parent == nil && field.record == nil { members.append((name, value)) } else if value != .null { nested[f] = value }
        }
        if !schema.facts.fields.contains(where: { $0.record != nil }) { return .success(.object(members)) }
        return .success(.object(members + Self.records(nested, schema.facts.fields)))
    }

    /// The applicant's record-valued fields as JSON objects, from the cells of their fields
    /// (`nested`, by field; an empty cell is not there): a required record is always an object
    /// (so the decoder names its first missing field), an optional one only when a cell is given.
    static func records(_ nested: [Int: JSONValue], _ fields: [FieldInfo]) -> [(String, JSONValue)] {
        // Which records have a cell: children come after their record, so one backward pass.
        var given = [Bool](repeating: false, count: fields.count)
        var members = [[(String, JSONValue)]](repeating: [], count: fields.count + 1)
        for i in fields.indices.reversed() {
            let f = fields[i]
            if nested[i] != nil { given[i] = true }
            let holder = f.parent.map { $0 + 1 } ?? 0
            let key = String(f.leafName)
            if f.record != nil {
                if given[i] || !f.declaredOptional { members[holder].append((key, .object(members[i + 1].reversed()))) }
            } else if let v = nested[i], f.parent != nil {
                members[holder].append((key, v))
            }
            if given[i], let p = f.parent { given[p] = true }
        }
        return members[0].reversed()
    }

    /// The value of CSV column `name` in a (nested) applicant given as JSON: the field its dotted
    /// path reaches; a record's column holds `{}` when the record is given.
    package func csvValue(_ applicant: JSONValue, column name: String) -> JSONValue {
        guard let f = schema.facts.field(named: name) else { return .null }
        var path: [String] = []
        var at: Int? = f
        while let i = at { path.append(String(schema.facts.fields[i].leafName)); at = schema.facts.fields[i].parent }
        var v = applicant
        for key in path.reversed() { v = v[key] ?? .null }
        if schema.facts.fields[f].record != nil, case .object = v { return .object([]) }
        return v
    }
}

/// A CSV file's header as one policy reads it, worked out once for every row after it: each
/// column's schema field, and the columns the schema does not know (with their did-you-mean).
/// Make one with `Policy.csvHeader(_:)`; it belongs to that policy.
public struct CSVHeader: Sendable {
    /// The column names, as the file gives them.
    public let names: [String]
    /// Each column's field in the schema; nil for a column the schema does not know.
    let fields: [Int?]
    /// Each column the schema does not know, as an unknown field; nil for a schema field.
    public let unknown: [UnknownField?]
}
