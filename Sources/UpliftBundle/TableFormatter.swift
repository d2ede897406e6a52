import UpliftSyntax
import Yams

/// Formats the rule-language expressions inside YAML tables — a segment's `when:`, a band
/// table's `input:`, a decision table's `inputs:` and the cells of its `~` columns — without
/// rewriting the YAML around them. For segment and band tables only a plain scalar on its own
/// `key: value` line is replaced; for decision tables see `formatDecisionTable`. Either way the
/// file must still read as the same YAML with the same expressions (token for token)
/// afterwards. Everything else, comments and cell tests (`">= 95"`) included, is left exactly
/// as written.
package enum TableFormatter {
    static let keys = ["when", "input"]

    /// `text` with its expressions formatted; `text` itself when there is nothing to change or
    /// the change cannot be made safely.
    package static func format(_ text: String) -> String {
        // In a decision table `when` and `input` are only names an author chose.
        if isDecisionTable(text) { return formatDecisionTable(text) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var changed = false
        for (i, line) in lines.enumerated() {
            guard let edit = formattedLine(line), edit != line else { continue }
            lines[i] = edit
            changed = true
        }
        guard changed else { return text }
        let result = lines.joined(separator: "\n")
        return sameDocument(text, result) ? result : text
    }

    /// `    when:   occupation==student  # note` → `    when: occupation == student  # note`.
    static func formattedLine(_ line: String) -> String? {
        var rest = Substring(line)
        let indent = rest.prefix { $0 == " " || $0 == "-" }
        rest = rest.dropFirst(indent.count)
        guard let key = keys.first(where: { rest.hasPrefix($0 + ":") }) else { return nil }
        var value = rest.dropFirst(key.count + 1)
        guard value.first == " " else { return nil }
        value = value.drop { $0 == " " }
        // A comment starts at ` #` outside quotes; expressions here use `"` strings only.
        var comment = ""
        var inString = false, prev: Character = " "
        for idx in value.indices {
            let c = value[idx]
            if c == "\"" { inString.toggle() }
            if c == "#", !inString, prev == " " {
                comment = String(value[idx...])
                value = value[..<idx]
                break
            }
            prev = c
        }
        let expression = value.trimmingCharacters(in: .whitespaces)
        // Only plain scalars: quoted, flow and block scalars are left alone.
        guard let first = expression.first, !"\"'{[|>&*!%@`".contains(first), !expression.contains(": ") else { return nil }
        guard let formatted = try? Formatter.formatExpression(expression), !formatted.contains(": "), !formatted.contains(" #") else { return nil }
        return String(indent) + key + ": " + formatted + (comment.isEmpty ? "" : "  " + comment)
    }

    /// The two texts compose to the same YAML, except that `when`/`input` scalars may differ in
    /// spacing but not in tokens.
    static func sameDocument(_ a: String, _ b: String) -> Bool {
        // Bounded like every YAML read (`YAMLBounds`): comparing an alias bomb node by node
        // would never finish. A file past the bounds is left as it is.
        guard YAMLBounds.tooDeep(a) == nil, YAMLBounds.tooDeep(b) == nil,
              let x = try? YAMLBounds.compose(a), let y = try? YAMLBounds.compose(b),
              YAMLBounds.firstNodePast(YAMLBounds.nodeLimit(textBytes: a.utf8.count), in: x) == nil,
              YAMLBounds.firstNodePast(YAMLBounds.nodeLimit(textBytes: b.utf8.count), in: y) == nil else { return false }
        return same(x, y, key: nil)
    }

    static func same(_ x: Node, _ y: Node, key: String?) -> Bool {
        switch (x, y) {
        case (.scalar(let s), .scalar(let t)):
            if let key, keys.contains(key) { return tokens(s.string) == tokens(t.string) }
            return s.string == t.string && s.style == t.style
        case (.mapping(let m), .mapping(let n)):
            guard m.count == n.count else { return false }
            for ((k1, v1), (k2, v2)) in zip(m, n) {
                guard k1 == k2, same(v1, v2, key: k1.string) else { return false }
            }
            return true
        case (.sequence(let m), .sequence(let n)):
            return m.count == n.count && zip(m, n).allSatisfy { same($0, $1, key: nil) }
        default:
            return false
        }
    }

    static func tokens(_ text: String) -> [String] {
        var d = Diagnostics()
        return Lexer.tokenize(SourceFile(path: "x", text: text), file: 0, diagnostics: &d).map { "\($0.kind) \($0.text)" }
    }
}
