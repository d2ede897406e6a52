/// Diagnostics as SARIF 2.1.0, the format code-review tools (GitHub code scanning, Azure DevOps,
/// IDEs) read: the same findings, codes and locations as the text output, with the help line
/// as the fix text and notes as related locations.
package enum SARIFRenderer {
    package static func render(_ ds: [Diagnostic], in sources: SourceMap, toolVersion: String = "1.0.0") -> String {
        let q = JSONText.quote
        func location(_ span: Span, message: String? = nil) -> String? {
            guard let file = sources.file(span) else { return nil }
            let start = file.location(of: span.start), end = file.location(of: max(span.start, span.end))
            var region = "\"startLine\": \(start.line), \"startColumn\": \(start.column)"
            region += ", \"endLine\": \(end.line), \"endColumn\": \(max(end.column, end.line == start.line ? start.column + 1 : end.column))"
            let msg = message.map { ", \"message\": {\"text\": \(q($0))}" } ?? ""
            return "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \(q(file.path))}, \"region\": {\(region)}}\(msg)}"
        }
        var ruleIDs: [String] = []
        for d in ds where !ruleIDs.contains(d.code) { ruleIDs.append(d.code) }
        let rules = ruleIDs.sorted().map { id in
            "{\"id\": \(q(id)), \"helpUri\": \(q("docs/diagnostics.md#\(id.lowercased())"))}"
        }
        let results = ds.map { d -> String in
            var r = "{\"ruleId\": \(q(d.code)), \"level\": \(q(d.severity == .error ? "error" : "warning")), "
            r += "\"message\": {\"text\": \(q(d.message + (d.help.map { " Fix: \($0)" } ?? "")))}"
            if let loc = location(d.span) { r += ", \"locations\": [\(loc)]" }
            let related = d.notes.compactMap { location($0.1, message: $0.0) }
            if !related.isEmpty { r += ", \"relatedLocations\": [\(related.joined(separator: ", "))]" }
            return r + "}"
        }
        return """
        {
          "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
          "version": "2.1.0",
          "runs": [{
            "tool": {"driver": {"name": "uplift", "version": \(q(toolVersion)), "rules": [\(rules.joined(separator: ", "))]}},
            "columnKind": "unicodeCodePoints",
            "results": [
              \(results.joined(separator: ",\n      "))
            ]
          }]
        }
        """
    }
}
