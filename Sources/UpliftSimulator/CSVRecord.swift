import Uplift

/// CSV records cut into cells (RFC 4180: commas, double quotes, "" inside quotes). Typing the
/// cells by the schema is the policy's job (`Policy.applicant(csvCells:header:options:unknown:)`).
struct CSVRecord {
    /// The cells of one record, or the first cell (by position) that is not valid UTF-8: a
    /// `String` would quietly replace such bytes with U+FFFD.
    static func validatedCells(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<[String], InvalidCell> {
        // Plain ASCII, the usual case, needs no check.
        if !bytes.contains(where: { $0 >= 0x80 }) { return .success(cells(bytes)) }
        var invalid: Int?
        let out = cells(bytes) { index, cell in
            if let s = String(validating: cell, as: UTF8.self) { return s }
            if invalid == nil { invalid = index }
            return ""
        }
        if let invalid { return .failure(InvalidCell(index: invalid)) }
        return .success(out)
    }

    /// A cell that is not valid UTF-8.
    struct InvalidCell: Error { let index: Int }

    /// The cells of one record, invalid UTF-8 replaced (for the reader's own cell counting).
    static func cells(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        cells(bytes) { _, cell in String(decoding: cell, as: UTF8.self) }
    }

    static func cells(_ bytes: UnsafeBufferPointer<UInt8>, _ make: (Int, [UInt8]) -> String) -> [String] {
        var out: [String] = []
        var cell: [UInt8] = []
        var quoted = false, k = 0
        while k < bytes.count {
            let b = bytes[k]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if k + 1 < bytes.count && bytes[k + 1] == UInt8(ascii: "\"") { cell.append(b); k += 1 } else { quoted = false }
                } else { cell.append(b) }
            } else if b == UInt8(ascii: "\"") {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                out.append(make(out.count, cell)); cell.removeAll(keepingCapacity: true)
            } else if b != 0x0D || k + 1 < bytes.count {
                cell.append(b)
            }
            k += 1
        }
        out.append(make(out.count, cell))
        return out
    }

    /// How many cells `cells(bytes)` would find, without building them: the reader's check that
    /// a record spanning lines is whole.
    static func cellCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 1, quoted = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { quoted.toggle() } else if b == UInt8(ascii: ",") && !quoted { count += 1 }
        }
        return count
    }
}
