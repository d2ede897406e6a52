import Foundation
import Uplift
import Yams

/// Reads a bundle's `tests/*.yaml`. Every mistake is a located diagnostic (E4xx), like the
/// policy's own files, so authors fix tests the way they fix rules.
///
/// ```yaml
/// tests:
///   - name: a CPA holder aged 27 is approved
///     applicant: examples/approve-young-professional.json   # relative to the bundle
///     expect: { outcome: approve, uplift: 2100, reasons: [], segment: young_professional }
///   - name: 61 is too old
///     applicant: examples/approve-young-professional.json
///     with: { age: 61 }                                     # fields replaced for this case
///     expect: { outcome: decline, reasons: { includes: [AGE_OUT_OF_RANGE] } }
/// ```
///
/// A top-level `applicants:` mapping may hold shared applicants to reuse with YAML anchors.
package enum PolicyTestLoader {
    package struct Loaded: Sendable {
        package var cases: [PolicyTestCase]
        package var diagnostics: [Diagnostic]
        package var sources: SourceMap
        package var files: [String]
    }

    /// Reads every test file of the bundle at `directory`. With the policy's `tables`
    /// (`Policy.tables`), every table and row a case names is checked against them, so a
    /// misspelt name is an error at its line (E405, E406) rather than a case that always fails.
    package static func load(bundle directory: String, tables: [PolicyTable]? = nil) -> Loaded {
        let dir = URL(fileURLWithPath: directory).appendingPathComponent("tests")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var loaded = Loaded(cases: [], diagnostics: [], sources: SourceMap(), files: [])
        for name in names {
            let path = dir.appendingPathComponent(name).path
            let display = "tests/\(name)"
            loaded.files.append(display)
            if case .outside(let real) = BundlePath.resolve(display, in: directory) {
                loaded.diagnostics.append(Diagnostic(.error, "E311", "\(display) resolves to `\(real)`, outside the bundle directory; it is not read",
                                                     at: .none, help: "copy the test file into the bundle's tests/ instead of linking to it"))
                continue
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                loaded.diagnostics.append(Diagnostic(.error, "E400", "cannot read \(display) as UTF-8 text", at: .none, help: "save the file as UTF-8"))
                continue
            }
            let file = loaded.sources.add(SourceFile(path: display, text: text))
            var reader = FileReader(yaml: YAMLReader(file: file, source: loaded.sources.files[file]), bundle: directory, tables: tables)
            loaded.cases += reader.cases()
            loaded.diagnostics += reader.yaml.diagnostics.all
        }
        return loaded
    }

    struct FileReader {
        var yaml: YAMLReader
        let bundle: String
        /// The policy's tables, when known: names in `tables:`, `segment:` and `band:` are checked.
        let tables: [PolicyTable]?

        mutating func cases() -> [PolicyTestCase] {
            guard let root = yaml.root(ifEmpty: .tests), let top = yaml.mapping(root, "a test file") else { return [] }
            // `applicants:` holds shared applicants for YAML anchors (`&base`, then `applicant: *base`).
            yaml.rejectUnknown(top, allowed: ["tests", "applicants"], in: "a test file")
            guard let list = yaml.require(top, "tests", in: "a test file", at: yaml.span(root),
                                          help: "start the file with `tests:` and a list of cases"),
                  let items = yaml.sequence(list, "`tests`") else { return [] }
            var out: [PolicyTestCase] = []
            for item in items { if let c = testCase(item) { out.append(c) } }
            return out
        }

        mutating func testCase(_ node: Node) -> PolicyTestCase? {
            guard let entries = yaml.mapping(node, "a test case") else { return nil }
            yaml.rejectUnknown(entries, allowed: ["name", "applicant", "with", "expect"], in: "a test case")
            let at = yaml.span(node)
            guard let nameNode = yaml.require(entries, "name", in: "this test case", at: at, help: "give every case a `name:` that says what it checks"),
                  let name = yaml.string(nameNode, "the test's name"),
                  let applicantNode = yaml.require(entries, "applicant", in: "test `\(name)`", at: at,
                                                   help: "give a file (`applicant: examples/x.json`) or the fields inline"),
                  var applicant = self.applicant(applicantNode, test: name),
                  let expectNode = yaml.require(entries, "expect", in: "test `\(name)`", at: at,
                                                help: "say what the policy should decide, e.g. `expect: { outcome: approve }`"),
                  let expect = expectation(expectNode, test: name) else { return nil }
            if let with = entries.first(where: { $0.key == "with" })?.value {
                guard let overrides = yaml.mapping(with, "`with` (fields to replace)"), case .object = applicant else { return nil }
                for o in overrides {
                    // `account.payment_history.late_payments_last_12_months: 1` replaces one field of a nested record.
                    let path = o.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                    guard !path.contains(""), let replaced = Self.replacing(path[...], with: json(o.value), in: applicant) else {
                        yaml.diagnostics.error("E408", "test `\(name)`: `with` cannot set `\(o.key)`: \(path.contains("") ? "a path has no empty parts" : "a part before the last is not a record in the applicant")",
                                               at: o.keySpan, help: "name a field, or a field of a nested record by its dotted path (`account.utilization.current_percentage`)")
                        return nil
                    }
                    applicant = replaced
                }
            }
            let loc = yaml.source.location(of: at.start)
            return PolicyTestCase(name: name, location: "\(yaml.source.path):\(loc.line)", span: at, applicant: applicant, expect: expect)
        }

        /// `value` at `path` in `object`, replacing or adding the last part; nil when a part
        /// before the last is not an object.
        static func replacing(_ path: ArraySlice<String>, with value: JSONValue, in object: JSONValue) -> JSONValue? {
            guard case .object(var fields) = object, let key = path.first else { return nil }
            let rest = path.dropFirst()
            let i = fields.firstIndex { $0.0 == key }
            if rest.isEmpty {
                if let i { fields[i].1 = value } else { fields.append((key, value)) }
                return .object(fields)
            }
            guard let i, let inner = replacing(rest, with: value, in: fields[i].1) else { return nil }
            fields[i].1 = inner
            return .object(fields)
        }

        mutating func applicant(_ node: Node, test: String) -> JSONValue? {
            if case .mapping = node { return json(node) }
            guard let path = yaml.string(node, "the applicant (a file, or the fields inline)") else { return nil }
            let full = URL(fileURLWithPath: bundle).appendingPathComponent(path).path
            if case .outside(let real) = BundlePath.resolve(path, in: bundle) {
                yaml.diagnostics.error("E401", "test `\(test)`: the applicant file `\(path)` leads to `\(real)`, outside the bundle directory; it is not read",
                                       at: yaml.span(node), help: "keep applicant files inside the bundle, e.g. `examples/approve-young-professional.json`")
                return nil
            }
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                yaml.diagnostics.error("E401", "test `\(test)`: cannot read the applicant file `\(path)`", at: yaml.span(node),
                                       help: "paths are relative to the bundle directory, e.g. `examples/approve-young-professional.json`")
                return nil
            }
            do { return try JSONParser.parse(text) } catch {
                yaml.diagnostics.error("E402", "test `\(test)`: `\(path)` is not valid JSON (\(error))", at: yaml.span(node),
                                       help: "fix the file, or write the applicant's fields inline")
                return nil
            }
        }

        /// YAML as JSON: plain scalars that read as numbers, booleans or null are those; quoted
        /// scalars and everything else are strings.
        func json(_ node: Node) -> JSONValue {
            switch node {
            case .scalar(let s):
                if s.style == .singleQuoted || s.style == .doubleQuoted { return .string(s.string) }
                switch s.string {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null", "~", "": return .null
                default:
                    return FixedDecimal(parsing: Substring(s.string)) != nil && !s.string.hasPrefix("+") ? .number(s.string) : .string(s.string)
                }
            case .mapping(let m): return .object(m.map { (k, v) in (k.string ?? "", json(v)) })
            case .sequence(let xs): return .array(xs.map(json))
            default: return .null
            }
        }

        mutating func expectation(_ node: Node, test: String) -> Expectation? {
            guard let entries = yaml.mapping(node, "`expect`") else { return nil }
            let keys = ["outcome", "uplift", "new_limit", "reasons", "segment", "band", "tables", "reported"]
            yaml.rejectUnknown(entries, allowed: keys, in: "`expect`")
            if entries.isEmpty {
                yaml.diagnostics.error("E403", "test `\(test)` expects nothing", at: yaml.span(node),
                                       help: "give at least one of \(keys.joined(separator: ", "))")
                return nil
            }
            var e = Expectation()
            for entry in entries {
                switch entry.key {
                case "outcome":
                    guard let o = yaml.string(entry.value, "the outcome") else { return nil }
                    guard Outcome(rawValue: o) != nil else {
                        let all = Outcome.allCases.map(\.rawValue)
                        yaml.diagnostics.error("E404", "`\(o)` is not an outcome", at: yaml.span(entry.value),
                                               help: Suggestions.closest(to: o, in: all).map { "did you mean `\($0)`?" } ?? "outcomes: \(all.joined(separator: ", "))")
                        return nil
                    }
                    e.outcome = o
                case "uplift", "new_limit":
                    guard let cell = yaml.number(entry.value, "`\(entry.key)`", as: .money) else { return nil }
                    if entry.key == "uplift" { e.uplift = cell.value.raw } else { e.newLimit = cell.value.raw }
                case "segment":
                    guard let name = yaml.string(entry.value, "the segment"),
                          knownRow(name, at: yaml.span(entry.value), ofFirst: "segments", what: "segment", test: test) else { return nil }
                    e.segment = name
                case "band":
                    guard let name = yaml.string(entry.value, "the band"),
                          knownRow(name, at: yaml.span(entry.value), ofFirst: "bands", what: "band", test: test) else { return nil }
                    e.band = name
                case "tables":
                    guard let m = yaml.mapping(entry.value, "`tables` (table name: its matched row, or `none`)") else { return nil }
                    for t in m {
                        guard let expected = tableExpectation(t.key, t.keySpan, t.value, test: test) else { return nil }
                        e.tables.append(expected)
                    }
                case "reasons":
                    if case .sequence = entry.value {
                        e.reasons = .exactly(codes(entry.value))
                    } else if let m = yaml.mapping(entry.value, "`reasons` (a list, or `includes:`/`excludes:`)") {
                        yaml.rejectUnknown(m, allowed: ["includes", "excludes"], in: "`reasons`")
                        e.reasons = .includes(m.first { $0.key == "includes" }.map { codes($0.value) } ?? [],
                                              excludes: m.first { $0.key == "excludes" }.map { codes($0.value) } ?? [])
                    }
                case "reported":
                    guard let m = yaml.mapping(entry.value, "`reported` (value name: expected value)") else { return nil }
                    e.reported = m.map { ($0.key, JSONWriter.encode(json($0.value))) }
                default: break
                }
            }
            return e
        }

        /// `payment: top`, `bonus: [row 1, row 3]`, `utilization: none` (or `[]`), checked
        /// against the policy's tables when they are known.
        mutating func tableExpectation(_ name: String, _ nameSpan: Span, _ node: Node, test: String) -> TableExpectation? {
            var rows: [String] = [], spans: [Span] = []
            let written: String
            if case .sequence = node {
                for item in yaml.sequence(node, "the rows of `\(name)`") ?? [] {
                    guard let label = yaml.string(item, "a row of `\(name)`") else { return nil }
                    rows.append(label); spans.append(yaml.span(item))
                }
                written = rows.isEmpty ? "none" : "[" + rows.joined(separator: ", ") + "]"
            } else {
                guard let label = yaml.string(node, "the row of `\(name)` (its label, a list of labels, or `none`)") else { return nil }
                written = label
                rows = [label]; spans = [yaml.span(node)]
            }
            guard let tables else {
                if written == "none", case .scalar = node { rows = []; spans = [] }
                return TableExpectation(table: name, tableSpan: nameSpan, rows: rows, rowSpans: spans, written: written)
            }
            guard let table = tables.first(where: { $0.name == name }) else {
                let names = tables.map(\.name)
                let help = Suggestions.closest(to: name, in: names).map { "did you mean `\($0)`?" }
                    ?? (names.isEmpty ? "the policy has no band, segment or decision table" : "the policy's tables are \(Self.list(names))")
                yaml.diagnostics.error("E405", "test `\(test)`: the policy has no table `\(name)`", at: nameSpan, help: help)
                return nil
            }
            // A bare `none` means no row matched, unless the table has a row of that name.
            if case .scalar = node, written == "none", !table.rows.contains("none") { rows = []; spans = [] }
            for (label, span) in zip(rows, spans) where !table.rows.contains(label) {
                yaml.diagnostics.error("E406", "test `\(test)`: table `\(name)` has no row `\(label)`", at: span, help: Self.rowHelp(label, table))
                return nil
            }
            if Set(rows).count > 1, !table.selectsMany {
                yaml.diagnostics.error("E407", "test `\(test)`: table `\(name)` matches at most one row (hit policy \(table.hitPolicy)), but \(rows.count) are expected",
                                       at: spans.indices.contains(1) ? spans[1] : nameSpan,
                                       help: "expect one row, or `none`; only `collect` tables match several")
                return nil
            }
            return TableExpectation(table: name, tableSpan: nameSpan, rows: rows, rowSpans: spans, written: written)
        }

        /// Whether `label` is a row of the policy's first table of `kind` (`segment:` and
        /// `band:` read the first segment table and the first band table); reports it if not.
        mutating func knownRow(_ label: String, at: Span, ofFirst kind: String, what: String, test: String) -> Bool {
            guard let tables else { return true }
            guard let table = tables.first(where: { $0.kind == kind }) else {
                yaml.diagnostics.error("E405", "test `\(test)`: the policy has no \(kind == "bands" ? "band" : "segment") table, so it decides no \(what)",
                                       at: at, help: "remove `\(what):`, or name a table under `tables:`")
                return false
            }
            guard table.rows.contains(label) else {
                yaml.diagnostics.error("E406", "test `\(test)`: \(what) table `\(table.name)` has no row `\(label)`", at: at, help: Self.rowHelp(label, table))
                return false
            }
            return true
        }

        static func rowHelp(_ label: String, _ table: PolicyTable) -> String {
            if let near = Suggestions.closest(to: label, in: table.rows) { return "did you mean `\(near)`?" }
            let none = table.rows.contains("none") ? "" : "; `none` when no row matches"
            return "its rows are \(list(table.rows))\(none)"
        }

        /// The first names of a long list, for help lines.
        static func list(_ names: [String]) -> String {
            let shown = names.prefix(12).map { "`\($0)`" }.joined(separator: ", ")
            return names.count > 12 ? shown + ", … (\(names.count) in all)" : shown
        }

        mutating func codes(_ node: Node) -> [String] {
            var out: [String] = []
            for item in yaml.sequence(node, "reason codes") ?? [] { if let c = yaml.string(item, "a reason code") { out.append(c) } }
            return out
        }
    }
}
