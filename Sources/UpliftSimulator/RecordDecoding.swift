import Uplift

/// How `simulate` and `diff` turn one raw record into an applicant: JSON Lines through the
/// byte-level reader, CSV through the header; a record the reader could not cut is its problem;
/// fields the schema does not know are collected (or refused, when strict).
struct RecordDecoding: Sendable {
    let format: PopulationFormat
    let options: ApplicantOptions

    /// A CSV header as one policy reads it: worked out once per share, not per row.
    func csvHeader(_ header: [String], _ policy: Policy) -> CSVHeader? {
        format == .csv ? policy.csvHeader(header) : nil
    }

    func applicant(_ r: RawRecord, _ text: UnsafeBufferPointer<UInt8>, header: CSVHeader?,
                   policy: Policy, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        if let problem = r.problem { throw problem }
        guard let header else { return try policy.applicant(utf8: text, options: options, unknown: &unknown) }
        let cells: [String]
        switch CSVRecord.validatedCells(text) {
        case .success(let c): cells = c
        case .failure(let bad):
            throw ApplicantError(path: bad.index < header.names.count ? header.names[bad.index] : "", message: "not valid UTF-8")
        }
        return try policy.applicant(csvCells: cells, header: header, options: options, unknown: &unknown)
    }
}
