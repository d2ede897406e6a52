import UpliftSyntax
import Yams

/// Reads a Yams node tree with locations, turning every shape mismatch into a located diagnostic.
package struct YAMLReader {
    package let file: Int
    package let source: SourceFile
    package var diagnostics = Diagnostics()

    package init(file: Int, source: SourceFile) { self.file = file; self.source = source }

    /// What an empty file of one kind is told: each kind of YAML file starts differently.
    package struct EmptyFile: Sendable {
        package var message: String
        package var help: String
        package init(message: String, help: String) { self.message = message; self.help = help }
        package static let table = EmptyFile(message: "this table file is empty",
                                             help: "a table file starts with `kind:` (catalogue, bands or segments) and `name:`")
        package static let manifest = EmptyFile(message: "bundle.yaml is empty",
                                                help: "give the policy's `name`, `version`, `schema`, `rules` and `tables`, e.g. `name: my-policy`")
        package static let actions = EmptyFile(message: "this actions file is empty",
                                               help: "start it with `actions:` and a list, each with `name`, one of `add`, `raise` or `wait`, and `says`")
        package static let tests = EmptyFile(message: "this test file is empty",
                                             help: "start it with `tests:` and a list of cases, each with `name`, `applicant` and `expect`")
    }

    /// Parses the file; a syntax error becomes a diagnostic at libyaml's mark. The tree is
    /// refused when its aliases expand it past `YAMLBounds.nodeLimit` (a "billion laughs"
    /// file is a few hundred bytes that expand to billions of nodes), so every reader of the
    /// tree after this does work proportional to the file.
    package mutating func root(ifEmpty empty: EmptyFile = .table) -> Node? {
        if let deep = YAMLBounds.tooDeep(source.text) {
            diagnostics.error("E313", "this YAML file nests more than \(YAMLBounds.maxFlowDepth) levels of `[` and `{`",
                              at: Span(file: file, start: deep, end: deep + 1), help: "flatten the file: tables and tests need a few levels only")
            return nil
        }
        do {
            guard let node = try YAMLBounds.compose(source.text) else {
                diagnostics.error("E300", empty.message, at: Span(file: file, start: 0, end: 0), help: empty.help)
                return nil
            }
            let limit = YAMLBounds.nodeLimit(textBytes: source.text.utf8.count)
            if YAMLBounds.mayHaveAliases(source.text), let at = YAMLBounds.firstNodePast(limit, in: node) {
                diagnostics.error("E313", "this YAML file's aliases (`*name`) expand it to more than \(limit) values", at: span(at),
                                  help: "repeat an anchor (`&name`) a few times at most; write large data out, without nested aliases")
                return nil
            }
            return node
        } catch let e as YamlError {
            let (mark, problem, context) = Self.describe(e)
            let offset = mark.map { source.offset(line: $0.line, column: $0.column) } ?? 0
            var help = "check the indentation: entries of one mapping start in the same column, and nested entries are indented further"
            if problem.contains("tab") { help = "YAML does not allow tabs for indentation; use spaces" }
            if problem.contains("duplicate") { help = "each key may appear once in a mapping" }
            diagnostics.error("E301", "malformed YAML: \(problem)\(context.map { " (\($0))" } ?? "")",
                              at: Span(file: file, start: offset, end: offset + 1), help: help)
            return nil
        } catch {
            diagnostics.error("E301", "malformed YAML: \(error)", at: Span(file: file, start: 0, end: 0),
                              help: "check that the file is UTF-8 text laid out as YAML mappings and lists")
            return nil
        }
    }

    static func describe(_ e: YamlError) -> (Mark?, String, String?) {
        switch e {
        case .scanner(let c, let p, let m, _), .parser(let c, let p, let m, _), .composer(let c, let p, let m, _):
            return (m, p, c?.text)
        case .duplicatedKeysInMapping(let d, let c):
            return (c.mark, "duplicate key \(d.joined(separator: ", "))", nil)
        case .reader(let p, _, _, _):
            return (nil, p, nil)
        default:
            return (nil, "\(e)", nil)
        }
    }

    package func span(_ node: Node) -> Span {
        // One match on the node: every `node.mark` and `case let` copies its payload.
        let mark: Mark?
        switch node {
        case .scalar(let s): return span(s)
        case .mapping(let m): mark = m.mark
        case .sequence(let q): mark = q.mark
        case .alias(let a): mark = a.mark
        }
        guard let m = mark else { return Span(file: file, start: 0, end: 0) }
        let start = source.offset(line: m.line, column: m.column)
        return Span(file: file, start: start, end: start + 1)
    }

    /// A scalar's span, quotes included.
    func span(_ s: Node.Scalar) -> Span {
        guard let m = s.mark else { return Span(file: file, start: 0, end: 0) }
        let start = source.offset(line: m.line, column: m.column)
        let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
        return Span(file: file, start: start, end: start + s.string.utf8.count + (quoted ? 2 : 0))
    }

    /// The offset where a scalar's text begins (after an opening quote), for embedded expressions.
    package func contentOffset(_ node: Node) -> Int {
        guard let m = node.mark else { return 0 }
        let start = source.offset(line: m.line, column: m.column)
        if case .scalar(let s) = node, s.style == .singleQuoted || s.style == .doubleQuoted { return start + 1 }
        return start
    }

    package mutating func mapping(_ node: Node, _ what: @autoclosure () -> String) -> [(key: String, keySpan: Span, value: Node)]? {
        guard case .mapping(let m) = node else {
            diagnostics.error("E302", "expected \(what()) as a mapping of `key: value` lines", at: span(node),
                              help: "write each entry on its own line as `key: value`")
            return nil
        }
        // Labelled like the result: an unlabelled array would be copied element by element to return it.
        var out: [(key: String, keySpan: Span, value: Node)] = []
        out.reserveCapacity(m.count)
        for (k, v) in m {
            guard case .scalar(let ks) = k else {
                diagnostics.error("E302", "a key in \(what()) must be a plain word", at: span(k), help: "write the key as a single word followed by `:`")
                continue
            }
            out.append((key: ks.string, keySpan: span(ks), value: v))
        }
        return out
    }

    package mutating func sequence(_ node: Node, _ what: @autoclosure () -> String) -> [Node]? {
        guard case .sequence(let s) = node else {
            diagnostics.error("E302", "expected \(what()) as a list of `- ` items", at: span(node),
                              help: "start each item of \(what()) with `- ` on its own line")
            return nil
        }
        return Array(s)
    }

    package mutating func string(_ node: Node, _ what: @autoclosure () -> String) -> String? {
        guard case .scalar(let s) = node, !s.string.isEmpty else {
            diagnostics.error("E302", "expected \(what()) as a single value", at: span(node),
                              help: "write it on the same line after the `:`, not as a list or a nested mapping")
            return nil
        }
        return s.string
    }

    /// A name or version shown in every output (decision lines, reports, SARIF): a single
    /// value without control characters, which would break lines or fake terminal output.
    package mutating func label(_ node: Node, _ what: @autoclosure () -> String) -> String? {
        guard let s = string(node, what()) else { return nil }
        if let bad = s.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(bad.value, radix: 16, uppercase: true)
            diagnostics.error("E314", "\(what()) contains a control character (U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code))", at: span(node),
                              help: "use printable characters only, e.g. `name: my-policy`, `version: 1.0.0`")
            return nil
        }
        return s
    }

    /// Whether `s` is a name rules can write: ASCII letters, digits and `_`, starting with a
    /// letter or `_`, as the lexer reads names, and not a reserved word. Table names, decision
    /// table inputs and enum cases of a column all follow it.
    package static func isName(_ s: String) -> Bool {
        let ok = s.unicodeScalars.first.map { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) } ?? false
            && s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
        return ok && !Parser.reserved.contains(s)
    }

    package mutating func identifier(_ node: Node, _ what: @autoclosure () -> String) -> Identifier? {
        guard let s = string(node, what()) else { return nil }
        if !Self.isName(s) {
            diagnostics.error("E303", "`\(s)` is not a valid name for \(what())", at: span(node),
                              help: "names use letters, digits and `_`, start with a letter, and are not reserved words")
            return nil
        }
        return Identifier(s, span(node))
    }

    package mutating func number(_ node: Node, _ what: @autoclosure () -> String, as type: ColumnType) -> Cell? {
        guard case .scalar(let s) = node, let v = FixedDecimal(parsing: Substring(s.string)) else {
            diagnostics.error("E304", "expected a number for \(what())", at: span(node),
                              help: "write a plain number such as 500 or 0.85, without units or quotes")
            return nil
        }
        let at = span(s)
        switch type {
        case .integer where !v.isInteger:
            diagnostics.error("E304", "\(what()) is an integer column, but `\(s.string)` has a fraction", at: at,
                              help: "write a whole number")
            return nil
        case .money where v.usedFractionDigits > 2:
            diagnostics.error("E304", "\(what()) is money, which has at most 2 decimal places; `\(s.string)` has more", at: at,
                              help: "round the amount to fen (0.01)")
            return nil
        default: return Cell(value: v, span: at)
        }
    }

    /// Reports keys that are not among `allowed`, with a did-you-mean.
    package mutating func rejectUnknown(_ entries: [(key: String, keySpan: Span, value: Node)], allowed: [String], in what: @autoclosure () -> String) {
        for e in entries where !allowed.contains(e.key) {
            let help = Suggestions.closest(to: e.key, in: allowed).map { "did you mean `\($0)`?" }
                ?? "allowed keys here: \(allowed.joined(separator: ", "))"
            diagnostics.error("E305", "unknown key `\(e.key)` in \(what())", at: e.keySpan, help: help)
        }
    }

    package mutating func require(_ entries: [(key: String, keySpan: Span, value: Node)], _ key: String, in what: @autoclosure () -> String, at: Span, help: String) -> Node? {
        if let e = entries.first(where: { $0.key == key }) { return e.value }
        diagnostics.error("E306", "\(what()) has no `\(key)`", at: at, help: help)
        return nil
    }
}

/// Limits every YAML tree the project reads, whatever reads it (manifests, tables, tests, the
/// table formatter): one place decides how much alias expansion and nesting is accepted.
package enum YAMLBounds {
    /// Nesting of flow collections (`[[[[…`) past which a file is refused before it is parsed:
    /// the parser descends once per level.
    package static let maxFlowDepth = 500

    /// Values a tree may have once aliases are expanded: what the text could spell without
    /// aliases, plus room for reusing anchors (shared test applicants) a fair number of times.
    package static func nodeLimit(textBytes: Int) -> Int { 4 * textBytes + 100_000 }

    /// Composes a YAML text into nodes without resolving tags: Uplift reads every scalar itself
    /// (numbers as exact decimals, `true`/`false` and `null` by their text), so Yams' default
    /// resolver, which matches each scalar against regular expressions and did so again for
    /// every key its duplicate-key check hashed, took two thirds of reading a 100,000-band
    /// table for nothing. Duplicate keys are still Yams' (located) error; with every scalar a
    /// string, `1:` and `"1":` are the same key, as they are to every reader here.
    package static func compose(_ text: String) throws -> Node? {
        try Yams.compose(yaml: text, .basic)
    }

    /// Whether the text could hold an alias (`*name`). Without one, every node stands for a
    /// byte or more of the text, so the tree is within `nodeLimit` and walking it is skipped.
    package static func mayHaveAliases(_ text: String) -> Bool {
        text.utf8.contains(UInt8(ascii: "*"))
    }

    /// The node at which a walk of the expanded tree passes `limit` values, or nil when the
    /// whole tree is within it. The walk stops there, so it costs at most `limit` steps, and it
    /// keeps its own stack, so deep trees cannot exhaust the thread's.
    package static func firstNodePast(_ limit: Int, in root: Node) -> Node? {
        var stack = [root]
        var count = 0
        while let node = stack.popLast() {
            count += 1
            if count > limit { return node }
            switch node {
            case .mapping(let m):
                for (k, v) in m { stack.append(k); stack.append(v) }
            case .sequence(let s):
                stack.append(contentsOf: s)
            case .scalar, .alias:
                break
            }
        }
        return nil
    }

    /// The byte offset where `[`/`{` nesting first passes `maxFlowDepth`, or nil. Brackets in
    /// quoted scalars and comments are skipped; brackets in plain scalars (`catalogue[c.type]`)
    /// are counted, which only ever overestimates the depth of real files by a level or two.
    package static func tooDeep(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { tooDeep(bytes: $0) }
    }

    /// `tooDeep` over the text's UTF-8 storage (indexing a `String.UTF8View` byte by byte cost
    /// more than the scan itself).
    static func tooDeep(bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var depth = 0
        var quote: UInt8?
        var comment = false
        var previous: UInt8 = 0x0A
        for i in bytes.indices {
            let b = bytes[i]
            defer { previous = b }
            if comment { if b == 0x0A { comment = false }; continue }
            if let q = quote {
                if b == q { quote = nil }
                continue
            }
            switch b {
            case 0x22, 0x27: quote = (previous == 0x20 || previous == 0x0A || previous == 0x3A || previous == 0x5B || previous == 0x7B || previous == 0x2C) ? b : nil
            case 0x23 where previous == 0x20 || previous == 0x0A || previous == 0x09: comment = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > maxFlowDepth { return i }
            case 0x5D, 0x7D: depth = max(0, depth - 1)
            case 0x0A: if quote == nil && depth == 0 { comment = false }
            default: break
            }
        }
        return nil
    }
}
