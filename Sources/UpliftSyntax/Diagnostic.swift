/// A finding about a bundle. Errors stop compilation; warnings do not.
public struct Diagnostic: Sendable, Hashable {
    /// An error stops loading; a warning does not.
    public enum Severity: String, Sendable, Hashable { case error, warning }
    /// Error or warning.
    public var severity: Severity
    /// A stable code (`E…` error, `W…` warning) documented in docs/diagnostics.md.
    public var code: String
    /// What is wrong, in a sentence (docs/diagnostics.md lists every code).
    public var message: String
    /// Where: resolve it with `SourceMap.describe(_:)` or render it with `DiagnosticRenderer`.
    public var span: Span
    /// What the author can do about it.
    public var help: String?
    /// Further places worth looking at, with what to look for there.
    public var notes: [(String, Span)]

    package init(_ severity: Severity, _ code: String, _ message: String, at span: Span, help: String? = nil, notes: [(String, Span)] = []) {
        self.severity = severity; self.code = code; self.message = message; self.span = span; self.help = help; self.notes = notes
    }

    public static func == (a: Diagnostic, b: Diagnostic) -> Bool {
        a.severity == b.severity && a.code == b.code && a.message == b.message && a.span == b.span && a.help == b.help
    }
    public func hash(into h: inout Hasher) { h.combine(code); h.combine(message); h.combine(span) }
}

/// Collects diagnostics from every stage so one run shows everything that is wrong.
package struct Diagnostics: Sendable {
    package private(set) var all: [Diagnostic] = []
    package init() {}
    package mutating func append(_ d: Diagnostic) { all.append(d) }
    package mutating func append(contentsOf ds: [Diagnostic]) { all.append(contentsOf: ds) }
    package mutating func error(_ code: String, _ message: String, at span: Span, help: String? = nil, notes: [(String, Span)] = []) {
        all.append(Diagnostic(.error, code, message, at: span, help: help, notes: notes))
    }
    package mutating func warning(_ code: String, _ message: String, at span: Span, help: String? = nil) {
        all.append(Diagnostic(.warning, code, message, at: span, help: help))
    }
    package var hasErrors: Bool { all.contains { $0.severity == .error } }
    package var errors: [Diagnostic] { all.filter { $0.severity == .error } }
    package var warnings: [Diagnostic] { all.filter { $0.severity == .warning } }

    /// Sorted by file, then position, so output is stable whatever order stages ran in.
    package func sorted() -> [Diagnostic] {
        all.enumerated().sorted { a, b in
            let x = a.element.span, y = b.element.span
            if x.file != y.file { return x.file < y.file }
            if x.start != y.start { return x.start < y.start }
            return a.offset < b.offset
        }.map(\.element)
    }
}
