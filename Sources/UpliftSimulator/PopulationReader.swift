import Foundation
import Uplift
#if canImport(Glibc)
import Glibc
#endif

/// The input formats of a population.
package enum PopulationFormat: String, Sendable, CaseIterable {
    /// JSON Lines: one applicant object per line.
    case jsonl
    /// CSV with a header row; list fields hold a JSON array in their cell.
    case csv

    /// By file extension: `.csv` is CSV, anything else JSON Lines.
    package static func guess(path: String) -> PopulationFormat {
        path.lowercased().hasSuffix(".csv") ? .csv : .jsonl
    }
}

/// How large one record (a JSON Lines line, a CSV record) may be: generous, but bounded, so a
/// hostile or broken input (a 512 MB line of NUL bytes) cannot exhaust memory.
package enum RecordLimit {
    /// 64 MiB.
    package static let defaultBytes = 64 << 20
}

/// A population that cannot be read at all (its CSV header is broken): no row could be decided
/// with the right columns, so the run stops before deciding any.
package struct PopulationError: Error, Sendable, CustomStringConvertible {
    package let line: Int
    package let message: String
    package var description: String { "line \(line): \(message)" }
}

/// One record of the input: its bytes and the line it starts on, or what made it unreadable.
struct RawRecord {
    var start: Int
    var end: Int
    var line: Int
    /// Set when the reader could not cut a record here (too long, an unclosed quote): the row is
    /// reported bad with this error instead of being decoded.
    var problem: ApplicantError? = nil
}

/// Reads a population in chunks and cuts it into records, so memory stays constant whatever the
/// input's size. A CSV record may span lines inside quotes; JSON Lines records never do.
/// Blank lines are not records. A byte-order mark at the start of the input is skipped.
///
/// Every physical line ends up in a record, a reported problem, or the count of lines not read:
/// - a record longer than `maxRecordBytes` is reported (its first line) and skipped to the next
///   line break, without holding more than the limit in memory;
/// - a CSV quote that is never closed would swallow the rest of the input: when the record it
///   starts spans lines and has not the header's number of cells (or runs to the end of the
///   input or over the size limit), its first line is reported and reading resumes on the next.
struct PopulationReader {
    let handle: FileHandle
    let format: PopulationFormat
    static let chunkSize = 1 << 20
    let maxRecordBytes: Int
    /// The header's cell count, once known (CSV): a record spanning lines must have as many.
    var expectedCells: Int?
    /// Skipping the rest of an over-long line: bytes up to the next line break are dropped.
    var skipping = false
    var startOfInput = true
    /// Unconsumed bytes: the tail of the last chunk, not yet a whole record.
    var pending: [UInt8] = []
    var line = 1
    var finished = false
    /// Bytes read so far, for progress against a known file size.
    var bytesRead = 0

    init(handle: FileHandle, format: PopulationFormat, maxRecordBytes: Int = RecordLimit.defaultBytes) {
        self.handle = handle
        self.format = format
        self.maxRecordBytes = max(1, maxRecordBytes)
    }

    /// Fills `buffer` with up to `limit` whole records (appending their bytes) and returns them.
    /// An empty result means the input is exhausted.
    mutating func next(limit: Int, into buffer: inout [UInt8]) throws -> [RawRecord] {
        var out: [RawRecord] = []
        buffer.removeAll(keepingCapacity: true)
        while out.count < limit {
            if let r = cut(into: &buffer) { out.append(r); continue }
            // Drop what has been consumed before reading more.
            pending.removeSubrange(0..<head)
            scanFrom -= head
            head = 0
            if finished {
                // An unclosed quote ran to the end: report its line, read on from the next.
                if inQuotes, let r = resynchronise(into: &buffer) { out.append(r); continue }
                // The last record may have no newline.
                if !pending.isEmpty {
                    let text = pending
                    pending.removeAll()
                    scanFrom = 0
                    if !text.allSatisfy(Self.isBlank) {
                        let start = buffer.count
                        buffer.append(contentsOf: text)
                        out.append(RawRecord(start: start, end: buffer.count, line: line))
                    }
                }
                break
            }
            if pending.count > maxRecordBytes {
                if inQuotes, let r = resynchronise(into: &buffer) { out.append(r); continue }
                out.append(tooLong(into: &buffer))
                continue
            }
            let data = try handle.read(upToCount: Self.chunkSize) ?? Data()
            if data.isEmpty { finished = true; continue }
            bytesRead += data.count
            var from = data.startIndex
            if startOfInput {
                startOfInput = false
                if data.starts(with: [0xEF, 0xBB, 0xBF]) { from += 3 }
            }
            if skipping {
                guard let nl = data[from...].firstIndex(of: 0x0A) else { continue }
                skipping = false
                line += 1
                from = nl + 1
            }
            pending.append(contentsOf: data[from...])
        }
        return out
    }

    /// Reports the over-long record at the front of `pending` and skips to the end of its line.
    mutating func tooLong(into buffer: inout [UInt8]) -> RawRecord {
        let r = RawRecord(start: buffer.count, end: buffer.count, line: line, problem: Self.tooLongProblem(maxRecordBytes))
        pending.removeAll(keepingCapacity: true)
        head = 0
        scanFrom = 0
        inQuotes = false
        skipping = !finished
        if finished { line += 1 }
        return r
    }

    /// Reports the first line of a record whose quote is never closed and resumes reading on the
    /// next line; nil when that line has not ended yet (it is then too long or the last line).
    mutating func resynchronise(into buffer: inout [UInt8]) -> RawRecord? {
        guard let nl = pending[head...].firstIndex(of: 0x0A) else {
            if finished && head < pending.count {
                // The last line itself holds the open quote.
                let r = RawRecord(start: buffer.count, end: buffer.count, line: line, problem: Self.unclosedQuote)
                pending.removeAll()
                head = 0
                scanFrom = 0
                inQuotes = false
                line += 1
                return r
            }
            return nil
        }
        let r = RawRecord(start: buffer.count, end: buffer.count, line: line, problem: Self.unclosedQuote)
        line += 1
        head = nl + 1
        scanFrom = head
        inQuotes = false
        return r
    }

    static func tooLongProblem(_ limit: Int) -> ApplicantError {
        ApplicantError(path: "", message: "the record is longer than \(limit) bytes (the limit; see --max-record-bytes); skipped to the next line")
    }

    static let unclosedQuote = ApplicantError(path: "", message: "a quote opened on this line is never closed (the record it starts does not have the header's cells); the line is skipped and reading resumes on the next")

    /// Reads the rest of the input only to count its lines: what a run that stopped early did
    /// not read, so no line goes unaccounted for.
    mutating func countRemainingLines() throws -> Int {
        var count = 0
        var sawBytes = false
        var lastWasNewline = true
        // The over-long line being skipped was reported already: its end is not an unread line.
        if skipping { count -= 1 }
        // What was read but not cut yet.
        let tail = pending[min(head, pending.count)...]
        if !tail.isEmpty { sawBytes = true; count += tail.lazy.filter { $0 == 0x0A }.count; lastWasNewline = tail.last == 0x0A }
        pending.removeAll()
        head = 0
        scanFrom = 0
        while !finished {
            let data = try handle.read(upToCount: Self.chunkSize) ?? Data()
            if data.isEmpty { finished = true; break }
            bytesRead += data.count
            sawBytes = true
            count += data.lazy.filter { $0 == 0x0A }.count
            lastWasNewline = data.last == 0x0A
        }
        return max(0, count + (sawBytes && !lastWasNewline ? 1 : 0))
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    /// Where the unconsumed bytes of `pending` start.
    var head = 0
    /// Where the search for the record's end resumes (bytes before it hold no record end).
    var scanFrom = 0
    var inQuotes = false

    /// Cuts one record off the front of `pending` when a whole one is there.
    mutating func cut(into buffer: inout [UInt8]) -> RawRecord? {
        while true {
            var end: Int? = nil
            let csv = format == .csv
            pending.withUnsafeBufferPointer { p in
                var k = max(scanFrom, head)
                if !csv, let base = p.baseAddress, k < p.count {
                    // JSON Lines: a record ends at the next newline, found by memchr.
                    if let hit = memchr(base + k, 0x0A, p.count - k) {
                        end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    } else { k = p.count }
                } else {
                    while k < p.count {
                        let b = p[k]
                        if b == 0x0A && !inQuotes { end = k; break }
                        if csv && b == UInt8(ascii: "\"") { inQuotes.toggle() }
                        k += 1
                    }
                }
                scanFrom = end ?? k
            }
            guard let e = end else { return nil }
            // Only a quoted CSV cell can hold line breaks inside a record.
            var lines = 1, blank = true
            for k in head..<e where !Self.isBlank(pending[k]) { blank = false; break }
            if csv { for k in head..<e where pending[k] == 0x0A { lines += 1 } }
            if lines > 1, let expected = expectedCells,
               pending.withUnsafeBufferPointer({ CSVRecord.cellCount(UnsafeBufferPointer(rebasing: $0[head..<e])) }) != expected,
               let r = resynchronise(into: &buffer) {
                return r
            }
            let startLine = line, from = head
            line += lines
            head = e + 1
            scanFrom = head
            if blank { continue }
            if e - from > maxRecordBytes {
                // Whole in memory already (it came in one read), but over the limit all the same.
                return RawRecord(start: buffer.count, end: buffer.count, line: startLine, problem: Self.tooLongProblem(maxRecordBytes))
            }
            let start = buffer.count
            buffer.append(contentsOf: pending[from..<e])
            return RawRecord(start: start, end: buffer.count, line: startLine)
        }
    }
}
