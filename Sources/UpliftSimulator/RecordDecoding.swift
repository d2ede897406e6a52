import Uplift

/// How `simulate` and `diff` turn one raw record into an applicant: JSON Lines through the
/// byte-level reader, CSV through the header; a record the reader could not cut is its problem;
/// fields the schema does not know are collected (or refused, when strict).
struct RecordDecoding: Sendable {
    let format: PopulationFormat
    let options: ApplicantOptions

    /// A CSV header as one policy sees it: each column's unknown field, nil for a schema field.
    /// Worked out once per share, not per row.
    func unknownColumns(_ header: [String], _ policy: Policy) -> [UnknownField?] {
        format == .csv ? header.map { policy.unknownField(named: $0) } : []
    }

    func applicant(_ r: RawRecord, _ text: UnsafeBufferPointer<UInt8>, header: [String], unknownColumns: [UnknownField?],
                   policy: Policy, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        if let problem = r.problem { throw problem }
        switch format {
        case .jsonl:
            return try policy.applicant(utf8: text, options: options, unknown: &unknown)
        case .csv:
            for case let column? in unknownColumns {
                if options.strict { throw ApplicantError(path: column.path, message: Self.strictMessage(column)) }
                unknown.append(column)
            }
            let cells: [String]
            switch CSVRecord.validatedCells(text) {
            case .success(let c): cells = c
            case .failure(let bad):
                throw ApplicantError(path: bad.index < header.count ? header[bad.index] : "", message: "not valid UTF-8")
            }
            return try policy.applicant(csvCells: cells, header: header, options: options, unknown: &unknown)
        }
    }

    /// A strict read's refusal of a CSV column, worded like the decoder's for a JSON field.
    static func strictMessage(_ f: UnknownField) -> String {
        "unknown field" + (f.suggestion.map { " (did you mean `\($0)`?)" } ?? " (not in the schema)")
    }
}
