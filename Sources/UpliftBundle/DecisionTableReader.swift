import UpliftSyntax
import Yams

extension DecisionTable {
    /// The keys a decision table file may hold.
    static let keys = ["kind", "name", "hit", "complete", "inputs", "outputs", "rows", "default"]
}

/// Reads `kind: decision_table` files, and table cells of every column type.
extension YAMLReader {
    /// One cell of a column: a number for number columns, `true`/`false` for bool, one of the
    /// listed names for an enum, any text for a string.
    mutating func cell(_ node: Node, _ what: @autoclosure () -> String, as type: ColumnType) -> Cell? {
        if type.isNumber { return number(node, what(), as: type) }
        guard case .scalar(let s) = node else {
            diagnostics.error("E304", "expected a single value for \(what())", at: span(node),
                              help: "write the value on one line, e.g. `excellent`")
            return nil
        }
        let at = span(s)
        switch type {
        case .bool where s.string != "true" && s.string != "false":
            diagnostics.error("E304", "\(what()) is a bool column, but `\(s.string)` is not true or false", at: at, help: "write `true` or `false`")
            return nil
        case .enumeration(let cases) where !cases.contains(s.string):
            let help = Suggestions.closest(to: s.string, in: cases).map { "did you mean `\($0)`?" } ?? "the column's values are \(cases.joined(separator: ", "))"
            diagnostics.error("E304", "\(what()) is one of \(cases.joined(separator: ", ")), not `\(s.string)`", at: at, help: help)
            return nil
        default:
            return Cell(value: FixedDecimal(raw: 0), span: at, text: s.string)
        }
    }

    mutating func decisionTable(_ top: [(key: String, keySpan: Span, value: Node)], name: Identifier, at: Span) -> DecisionTable? {
        let hit = hitPolicy(top.first { $0.key == "hit" }?.value) ?? .first
        var complete = false
        if let c = top.first(where: { $0.key == "complete" })?.value {
            if case .scalar(let x) = c, x.string == "true" || x.string == "false" { complete = x.string == "true" } else {
                diagnostics.error("E309", "`complete` is true or false", at: span(c), help: "write `complete: true` when every input must match a row")
            }
        }
        guard let inputsNode = require(top, "inputs", in: "decision table `\(name.name)`", at: at,
                                       help: "name the values the cells test, e.g. `inputs: { score: total_score }`"),
              let inputEntries = mapping(inputsNode, "the inputs") else { return nil }
        var inputs: [DecisionTable.Input] = []
        for e in inputEntries {
            guard Self.isName(e.key) else {
                diagnostics.error("E303", "`\(e.key)` is not a valid name for an input", at: e.keySpan,
                                  help: "names use letters, digits and `_`, and start with a letter")
                continue
            }
            // `name: ~` (or null, or empty): the column's cells are whole conditions.
            if case .scalar(let s) = e.value, ["~", "null", ""].contains(s.string) {
                inputs.append(.init(name: Identifier(e.key, e.keySpan), expression: nil))
            } else if let x = expression(e.value, "the input `\(e.key)`") {
                inputs.append(.init(name: Identifier(e.key, e.keySpan), expression: x))
            }
        }
        let outputs = columns(top.first { $0.key == "outputs" }?.value, "outputs")
        for input in inputs where input.name.name == "id" {
            diagnostics.error("E332", "`id` is a row's own key, so it cannot name an input", at: input.name.span, help: "rename the input")
        }
        for o in outputs where inputs.contains(where: { $0.name.name == o.name.name }) || ["count", "row", "id"].contains(o.name.name) {
            diagnostics.error("E332", "`\(o.name.name)` names \(["count", "row", "id"].contains(o.name.name) ? "a built-in field of the table" : "an input and an output")",
                              at: o.name.span, help: "rename the output")
        }
        guard let rowsNode = require(top, "rows", in: "decision table `\(name.name)`", at: at, help: "list the rows under `rows:`"),
              let rowNodes = sequence(rowsNode, "the rows") else { return nil }
        var rows: [DecisionTable.Row] = []
        rows.reserveCapacity(rowNodes.count)
        for (i, r) in rowNodes.enumerated() {
            if let row = decisionRow(r, "row \(i + 1)", inputs: inputs, outputs: outputs, withInputs: true) { rows.append(row) }
        }
        var defaultRow: DecisionTable.Row?
        if let d = top.first(where: { $0.key == "default" })?.value {
            defaultRow = decisionRow(d, "the default row", inputs: inputs, outputs: outputs, withInputs: false)
        }
        return DecisionTable(name: name, hit: hit, inputs: inputs, outputs: outputs, rows: rows, defaultRow: defaultRow,
                             complete: complete, span: at)
    }

    mutating func hitPolicy(_ node: Node?) -> HitPolicy? {
        guard let node else { return nil }
        let known = ["first", "unique"] + CollectOperator.allCases.map { "collect \($0.rawValue)" }
        if case .scalar(let s) = node {
            let words = s.string.split(separator: " ").map(String.init)
            switch words.first {
            case "first" where words.count == 1: return .first
            case "unique" where words.count == 1: return .unique
            case "collect" where words.count <= 2:
                if let op = words.count == 1 ? .list : CollectOperator(rawValue: words[1]) { return .collect(op) }
            default: break
            }
            diagnostics.error("E331", "unknown hit policy `\(s.string)`", at: span(node),
                              help: Suggestions.closest(to: s.string, in: known).map { "did you mean `\($0)`?" } ?? "write one of: \(known.joined(separator: ", "))")
            return nil
        }
        diagnostics.error("E331", "the hit policy is one word or two", at: span(node), help: "write one of: \(known.joined(separator: ", "))")
        return nil
    }

    mutating func decisionRow(_ node: Node, _ label: String, inputs: [DecisionTable.Input], outputs: [ColumnDecl], withInputs: Bool) -> DecisionTable.Row? {
        guard let row = mapping(node, label) else { return nil }
        let at = span(node)
        rejectUnknown(row, allowed: (withInputs ? ["id"] + inputs.map(\.name.name) : []) + outputs.map(\.name.name), in: label)
        var id: Identifier?
        if withInputs, let n = row.first(where: { $0.key == "id" })?.value { id = identifier(n, "a row id") }
        let name = id.map { "row `\($0.name)`" } ?? label
        var tests: [Expr?] = [], texts: [String] = []
        if withInputs {
            for input in inputs {
                // An omitted cell, like `-`, matches any value.
                guard let cellNode = row.first(where: { $0.key == input.name.name })?.value else {
                    tests.append(nil); texts.append("-")
                    continue
                }
                guard case .scalar(let s) = cellNode else {
                    diagnostics.error("E302", "expected the `\(input.name.name)` cell of \(name) as a single-line test", at: span(cellNode),
                                      help: "write the test on one line, e.g. `\">= 95\"`, or `-` for any value")
                    tests.append(nil); texts.append("-")
                    continue
                }
                let (e, d) = CellParser.parse(s.string, input: input.expression, file: file, base: contentOffset(cellNode))
                diagnostics.append(contentsOf: d.all)
                tests.append(e); texts.append(s.string.isEmpty ? "-" : s.string)
            }
        }
        guard let values = cells(row, outputs, row: name, at: at) else { return nil }
        return DecisionTable.Row(id: id, tests: tests, cellText: texts, values: values, span: at)
    }
}
