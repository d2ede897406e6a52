/// A file a policy author wrote (rule file, YAML table, manifest), kept whole so that every
/// diagnostic can quote the line it points at.
package struct SourceFile: Sendable {
    package let path: String
    package let text: String
    /// UTF-8 offset of the first byte of each line.
    package let lineStarts: [Int]
    package let bytes: [UInt8]
    /// Whether each line is plain ASCII: there a column is a byte offset, so finding one costs
    /// nothing (a decision table's row of a thousand cells on one line would otherwise walk
    /// the line once per cell).
    let asciiLines: [Bool]

    package init(path: String, text: String) {
        self.path = path
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0], ascii = [true]
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "\n") { starts.append(i + 1); ascii.append(true) } else if b >= 0x80 { ascii[ascii.count - 1] = false }
        }
        self.lineStarts = starts
        self.asciiLines = ascii
    }

    /// 1-based line and column (in Unicode scalars, as YAML marks count them) of a UTF-8 offset.
    package func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        var column = 1
        var i = start
        while i < clamped {
            // Count only the first byte of each UTF-8 sequence.
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(line: lo + 1, column: column)
    }

    /// UTF-8 offset of a 1-based line and column; clamps to the file.
    package func offset(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return bytes.count }
        if asciiLines[line - 1] {
            let start = lineStarts[line - 1]
            let end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
            return start + min(max(0, column - 1), max(0, end - start))
        }
        var i = lineStarts[line - 1]
        var col = 1
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n"), col < column {
            i += 1
            while i < bytes.count, bytes[i] & 0xC0 == 0x80 { i += 1 }
            col += 1
        }
        return i
    }

    /// The text of a 1-based line without its line break.
    package func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, end <= bytes.count, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end >= start else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    package func slice(_ span: Span) -> String {
        let s = max(0, min(span.start, bytes.count)), e = max(s, min(span.end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

/// A 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The line, from 1.
    public let line: Int
    /// The column, from 1.
    public let column: Int
    package init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

/// A byte range in one file of a `SourceMap`.
public struct Span: Sendable, Hashable {
    package let file: Int
    package let start: Int
    package let end: Int
    package init(file: Int, start: Int, end: Int) { self.file = file; self.start = start; self.end = max(start, end) }
    package func to(_ other: Span) -> Span { Span(file: file, start: min(start, other.start), end: max(end, other.end)) }
    /// A span for things that have no place in a file (built-in names).
    package static let none = Span(file: -1, start: 0, end: 0)
}

/// Every file of a bundle, addressed by index, so spans stay small value types.
public struct SourceMap: Sendable {
    package private(set) var files: [SourceFile] = []
    package init() {}
    package mutating func add(_ file: SourceFile) -> Int {
        files.append(file)
        return files.count - 1
    }
    package func file(_ span: Span) -> SourceFile? {
        files.indices.contains(span.file) ? files[span.file] : nil
    }
    package func text(_ span: Span) -> String { file(span)?.slice(span) ?? "" }
    /// `path:line:column` of the span's start (`<built-in>` for a span from no file).
    public func describe(_ span: Span) -> String {
        guard let (path, start, _) = location(of: span) else { return "<built-in>" }
        return "\(path):\(start)"
    }

    /// The file and the lines and columns where the span starts and ends, for a caller that shows
    /// them its own way (an editor's range, a JSON error body); nil for a span from no file.
    public func location(of span: Span) -> (path: String, start: SourceLocation, end: SourceLocation)? {
        guard let f = file(span) else { return nil }
        return (f.path, f.location(of: span.start), f.location(of: span.end))
    }
}
