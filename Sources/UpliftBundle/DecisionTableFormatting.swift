import UpliftSyntax
import Yams

/// The expressions of a decision table for `uplift fmt`: each input's expression under
/// `inputs:` and each cell of a `~` column (a whole condition). Cell tests such as `">= 95"` or
/// `"[30..50)"` are not expressions and are never touched. Each expression is replaced where it
/// is written, in any YAML layout (block or flow, plain or quoted), only when its text there is
/// exactly the scalar's value on one line; the file must then read as the same YAML with the
/// same expressions, token for token, or it is left as it was. Comments stay.
extension TableFormatter {
    /// One scalar to rewrite: its line and column (1-based, in characters, as Yams marks
    /// them), the text written there and the text to write instead.
    struct Edit {
        var line: Int
        var column: Int
        var old: String
        var new: String
    }

    /// Whether `text` is a decision table file (`kind: decision_table` at the top level).
    static func isDecisionTable(_ text: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix("kind: decision_table") || $0.hasPrefix("kind: \"decision_table\"") }
    }

    /// `text` with its decision table's expressions formatted, or `text` unchanged.
    static func formatDecisionTable(_ text: String) -> String {
        guard let root = boundedCompose(text), case .mapping(let top) = root, top["kind"]?.string == "decision_table" else { return text }
        let (nodes, _) = expressionNodes(top)
        // One edit per place: a scalar reached twice (through an alias) is written once.
        var seen = Set<[Int]>()
        let edits = nodes.compactMap(edit).filter { seen.insert([$0.line, $0.column]).inserted }
        guard !edits.isEmpty else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        var byLine: [Int: [Edit]] = [:]
        for e in edits { byLine[e.line, default: []].append(e) }
        // Each edited line is rebuilt once, left to right (a one-line flow table may hold
        // thousands of cells: splicing them in one by one would copy the line each time).
        for (number, lineEdits) in byLine {
            guard lines.indices.contains(number - 1) else { return text }
            let line = lines[number - 1]
            var rebuilt: [Unicode.Scalar] = []
            rebuilt.reserveCapacity(line.count + lineEdits.count * 4)
            var cursor = 0
            for e in lineEdits.sorted(by: { $0.column < $1.column }) {
                let start = e.column - 1, old = Array(e.old.unicodeScalars)
                // Skipped unless the scalar is written exactly there, as Yams marked it.
                guard start >= cursor, start + old.count <= line.count, line[start..<(start + old.count)].elementsEqual(old) else { continue }
                rebuilt += line[cursor..<start]
                rebuilt += e.new.unicodeScalars
                cursor = start + old.count
            }
            rebuilt += line[cursor...]
            lines[number - 1] = rebuilt
        }
        var out = ""
        for (i, l) in lines.enumerated() {
            if i > 0 { out += "\n" }
            out.unicodeScalars.append(contentsOf: l)
        }
        guard out != text, let after = boundedCompose(out), sameDecisionTable(root, after) else { return text }
        return out
    }

    /// The scalars that hold expressions: the non-`~` values under `inputs:` and, in each row,
    /// the cells of the `~` columns; and the names of those `~` columns.
    static func expressionNodes(_ top: Node.Mapping) -> (nodes: [Node.Scalar], conditionColumns: Set<String>) {
        var nodes: [Node.Scalar] = [], conditions = Set<String>()
        if case .mapping(let inputs)? = top["inputs"] {
            for (k, v) in inputs {
                guard case .scalar(let s) = v, let name = k.string else { continue }
                if ["~", "null", ""].contains(s.string) { conditions.insert(name) } else { nodes.append(s) }
            }
        }
        if case .sequence(let rows)? = top["rows"] {
            for row in rows {
                guard case .mapping(let cells) = row else { continue }
                for (k, v) in cells {
                    guard let name = k.string, conditions.contains(name), case .scalar(let s) = v else { continue }
                    nodes.append(s)
                }
            }
        }
        return (nodes, conditions)
    }

    /// How `s` is written and how it would be written formatted; nil when it is already
    /// formatted, is not an expression (`-`, a typo), or cannot be rewritten in its style.
    static func edit(_ s: Node.Scalar) -> Edit? {
        guard let mark = s.mark, !s.string.contains("\n"), let formatted = try? Formatter.formatExpression(s.string),
              formatted != s.string, !formatted.contains("\n") else { return nil }
        switch s.style {
        case .plain:
            // A plain scalar ends at `: ` and ` #`, and inside a flow collection at `,[]{}`.
            let flowSensitive = formatted.contains { ",[]{}".contains($0) } && !s.string.contains { ",[]{}".contains($0) }
            guard !formatted.contains(": "), !formatted.contains(" #"), !flowSensitive else { return nil }
            return Edit(line: mark.line, column: mark.column, old: s.string, new: formatted)
        case .doubleQuoted:
            // Only when no escape was needed, before or after.
            guard !s.string.contains("\""), !s.string.contains("\\"), !formatted.contains("\""), !formatted.contains("\\") else { return nil }
            return Edit(line: mark.line, column: mark.column, old: "\"" + s.string + "\"", new: "\"" + formatted + "\"")
        case .singleQuoted:
            guard !s.string.contains("'"), !formatted.contains("'") else { return nil }
            return Edit(line: mark.line, column: mark.column, old: "'" + s.string + "'", new: "'" + formatted + "'")
        default:
            return nil
        }
    }

    /// The two documents are the same YAML, except that the expressions may differ in spacing
    /// (same tokens, same style).
    static func sameDecisionTable(_ a: Node, _ b: Node) -> Bool {
        guard case .mapping(let x) = a, case .mapping(let y) = b, x.count == y.count else { return false }
        let (_, conditions) = expressionNodes(x)
        for ((k1, v1), (k2, v2)) in zip(x, y) {
            guard k1 == k2 else { return false }
            switch k1.string {
            case "inputs":
                guard case .mapping(let m) = v1, case .mapping(let n) = v2, m.count == n.count else { return false }
                for ((i1, e1), (i2, e2)) in zip(m, n) where i1 != i2 || !sameExpression(e1, e2) { return false }
            case "rows":
                guard case .sequence(let r1) = v1, case .sequence(let r2) = v2, r1.count == r2.count else { return false }
                for (row1, row2) in zip(r1, r2) {
                    guard case .mapping(let m) = row1, case .mapping(let n) = row2, m.count == n.count else {
                        if same(row1, row2, key: nil) { continue }
                        return false
                    }
                    for ((c1, e1), (c2, e2)) in zip(m, n) {
                        guard c1 == c2 else { return false }
                        let ok = c1.string.map(conditions.contains) == true ? sameExpression(e1, e2) : same(e1, e2, key: nil)
                        if !ok { return false }
                    }
                }
            default:
                guard same(v1, v2, key: nil) else { return false }
            }
        }
        return true
    }

    static func sameExpression(_ a: Node, _ b: Node) -> Bool {
        guard case .scalar(let s) = a, case .scalar(let t) = b else { return same(a, b, key: nil) }
        return s.style == t.style && tokens(s.string) == tokens(t.string)
    }

    /// Composes `text` within the bounds every YAML read keeps (`YAMLBounds`); nil past them.
    static func boundedCompose(_ text: String) -> Node? {
        guard YAMLBounds.tooDeep(text) == nil, let node = try? YAMLBounds.compose(text),
              YAMLBounds.firstNodePast(YAMLBounds.nodeLimit(textBytes: text.utf8.count), in: node) == nil else { return nil }
        return node
    }
}
