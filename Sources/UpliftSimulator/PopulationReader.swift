import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The input formats of a population.
public enum PopulationFormat: String, Sendable, CaseIterable {
    /// JSON Lines: one applicant object per line.
    case jsonl
    /// CSV with a header row; list fields hold a JSON array in their cell.
    case csv

    /// By file extension: `.csv` is CSV, anything else JSON Lines.
    public static func guess(path: String) -> PopulationFormat {
        path.lowercased().hasSuffix(".csv") ? .csv : .jsonl
    }
}

/// One record of the input: its bytes and the line it starts on.
struct RawRecord {
    var start: Int
    var end: Int
    var line: Int
}

/// Reads a population in chunks and cuts it into records, so memory stays constant whatever the
/// input's size. A CSV record may span lines inside quotes; JSON Lines records never do.
/// Blank lines are not records.
struct PopulationReader {
    let handle: FileHandle
    let format: PopulationFormat
    static let chunkSize = 1 << 20
    /// Unconsumed bytes: the tail of the last chunk, not yet a whole record.
    var pending: [UInt8] = []
    var line = 1
    var finished = false
    /// Bytes read so far, for progress against a known file size.
    var bytesRead = 0

    init(handle: FileHandle, format: PopulationFormat) {
        self.handle = handle
        self.format = format
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
            let data = try handle.read(upToCount: Self.chunkSize) ?? Data()
            if data.isEmpty { finished = true } else { bytesRead += data.count; pending.append(contentsOf: data) }
        }
        return out
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
            let startLine = line, from = head
            line += lines
            head = e + 1
            scanFrom = head
            if blank { continue }
            let start = buffer.count
            buffer.append(contentsOf: pending[from..<e])
            return RawRecord(start: start, end: buffer.count, line: startLine)
        }
    }
}
