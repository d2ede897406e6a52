/// Renders diagnostics the way policy authors read them: location, the line, a caret, and a fix.
public enum DiagnosticRenderer {
    /// One diagnostic: `error[E201]: message`, then `--> path:line:column`, the line, a caret
    /// under the span, its notes and its help.
    public static func render(_ d: Diagnostic, in sources: SourceMap) -> String {
        var out = "\(d.severity.rawValue)[\(d.code)]: \(d.message)\n"
        out += snippet(d.span, in: sources)
        for (text, span) in d.notes {
            out += "  = note: \(text)\n"
            if sources.file(span) != nil { out += snippet(span, in: sources) }
        }
        if let help = d.help { out += "  = help: \(help)\n" }
        return out
    }

    /// Several diagnostics in order, then a count (`2 errors, 1 warning`).
    public static func render(_ ds: [Diagnostic], in sources: SourceMap) -> String {
        var out = ds.map { render($0, in: sources) }.joined(separator: "\n")
        let e = ds.filter { $0.severity == .error }.count, w = ds.count - e
        if !ds.isEmpty { out += "\n" }
        out += "\(e) error\(e == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s")\n"
        return out
    }

    static func snippet(_ span: Span, in sources: SourceMap) -> String {
        guard let file = sources.file(span) else { return "" }
        let loc = file.location(of: span.start)
        let endLoc = file.location(of: span.end)
        let line = file.lineText(loc.line)
        let gutter = String(repeating: " ", count: String(loc.line).count)
        // Carets under the span on its first line; at least one.
        let prefix = line.unicodeScalars.prefix(loc.column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
        let width = endLoc.line == loc.line ? max(1, endLoc.column - loc.column) : max(1, line.unicodeScalars.count - loc.column + 1)
        var out = "\(gutter)--> \(file.path):\(loc.line):\(loc.column)\n"
        out += "\(gutter) |\n"
        out += "\(loc.line) | \(line)\n"
        out += "\(gutter) | \(prefix)\(String(repeating: "^", count: width))\n"
        return out
    }
}

/// "Did you mean" suggestions: the closest known name within a small edit distance.
package enum Suggestions {
    package static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        let limit = max(2, name.count / 3)
        let length = name.lowercased().unicodeScalars.count
        for c in candidates {
            // The distance is at least the difference in length: skip the quadratic work when
            // that alone rules a candidate out (a hostile record's long keys cost nothing).
            guard abs(c.lowercased().unicodeScalars.count - length) <= limit else { continue }
            let d = distance(name, c)
            guard d <= limit else { continue }
            if let b = best, d > b.1 || (d == b.1 && c >= b.0) { continue }
            best = (c, d)
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }
}
