import Crypto
import Foundation
import UpliftSyntax
import Yams

/// Reads a bundle directory: `bundle.yaml`, the schema, the rule files and the tables it names.
/// Everything wrong is reported as diagnostics; nothing here throws or traps.
package enum BundleLoader {
    package static let manifestName = "bundle.yaml"

    /// Returns nil only when there is no manifest to read; otherwise a bundle holding every file
    /// that could be read (so diagnostics can quote them), with diagnostics for the rest.
    package static func load(directory: String) -> (PolicyBundle?, Diagnostics) {
        var sources = SourceMap()
        var diags = Diagnostics()
        let root = URL(fileURLWithPath: directory)
        let manifestPath = root.appendingPathComponent(manifestName).path
        if case .outside(let real) = BundlePath.resolve(manifestName, in: directory) {
            diags.error("E311", "\(manifestName) resolves to `\(real)`, outside the bundle directory; it is not read", at: .none,
                        help: "put the manifest itself in the bundle directory, not a symbolic link to a file elsewhere")
            return (nil, diags)
        }
        guard let manifestText = read(manifestPath) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDir)
            let message = !exists ? "no bundle at `\(directory)`" : isDir.boolValue ? "`\(directory)` has no \(manifestName)" : "`\(directory)` is a file, not a bundle directory"
            diags.error("E310", message, at: .none, help: "a bundle is a directory holding \(manifestName), the schema, rule files and tables")
            return (nil, diags)
        }
        let displayRoot = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        func display(_ rel: String) -> String { "\(displayRoot)/\(rel)" }
        let manifestFile = SourceFile(path: display(manifestName), text: manifestText)
        let mid = sources.add(manifestFile)
        var reader = YAMLReader(file: mid, source: manifestFile)
        var hashed: [(String, String)] = [(manifestName, manifestText)]

        guard let node = reader.root(ifEmpty: .manifest), let top = reader.mapping(node, "the manifest") else {
            // Keep the manifest's text so its errors can be shown with their lines.
            diags.append(contentsOf: reader.diagnostics.all)
            let partial = PolicyBundle(name: "unnamed", version: "0", hash: contentHash(hashed), sources: sources, schema: nil, rules: [],
                                       tables: [], manifestSpan: Span(file: mid, start: 0, end: 0))
            return (partial, diags)
        }
        let at = reader.span(node)
        reader.rejectUnknown(top, allowed: ["name", "version", "schema", "rules", "tables", "current_limit", "actions"], in: "the manifest")
        let name = reader.require(top, "name", in: "the manifest", at: at, help: "add `name: my-policy`").flatMap { reader.label($0, "the policy name") }
        let version = reader.require(top, "version", in: "the manifest", at: at, help: "add `version: 1.0.0`").flatMap { reader.label($0, "the version") }
        let schemaRef = reader.require(top, "schema", in: "the manifest", at: at, help: "add `schema: schema.uplift`")
        let ruleRefs = reader.require(top, "rules", in: "the manifest", at: at, help: "list the rule files: `rules: [policy.uplift]`")
            .flatMap { reader.sequence($0, "the rule files") } ?? []
        let tableRefs = top.first { $0.key == "tables" }.flatMap { reader.sequence($0.value, "the tables") } ?? []

        /// Loads a file named by a manifest entry, reporting a missing file at that entry.
        func file(_ ref: Node, _ what: String, ext: String) -> (Int, SourceFile)? {
            guard let rel = reader.string(ref, what) else { return nil }
            if rel.hasPrefix("/") || rel.split(separator: "/").contains("..") {
                reader.diagnostics.error("E311", "\(what) `\(rel)` must be inside the bundle", at: reader.span(ref),
                                         help: "name files relative to the bundle directory, without `..`")
                return nil
            }
            if !rel.hasSuffix(ext) {
                reader.diagnostics.error("E311", "\(what) `\(rel)` should end in `\(ext)`", at: reader.span(ref),
                                         help: "rename the file to end in \(ext)")
                return nil
            }
            if case .outside(let real) = BundlePath.resolve(rel, in: directory) {
                reader.diagnostics.error("E311", "\(what) `\(rel)` resolves to `\(real)`, outside the bundle directory; it is not read",
                                         at: reader.span(ref), help: "copy the file into the bundle instead of linking to it")
                return nil
            }
            guard let text = read(root.appendingPathComponent(rel).path) else {
                reader.diagnostics.error("E312", "cannot read \(what) `\(rel)`", at: reader.span(ref),
                                         help: "check that the file exists in the bundle directory and is UTF-8 text")
                return nil
            }
            hashed.append((rel, text))
            let f = SourceFile(path: display(rel), text: text)
            return (sources.add(f), f)
        }

        var schema: RuleFile?
        if let schemaRef, let (id, f) = file(schemaRef, "the schema", ext: ".uplift") {
            let (parsed, d) = Parser.parseFile(f, file: id)
            schema = parsed
            diags.append(contentsOf: d.all)
        }
        var rules: [RuleFile] = []
        for r in ruleRefs {
            guard let (id, f) = file(r, "rule file", ext: ".uplift") else { continue }
            let (parsed, d) = Parser.parseFile(f, file: id)
            rules.append(parsed)
            diags.append(contentsOf: d.all)
        }
        var tables: [Table] = []
        var unreadable: [String] = []
        for t in tableRefs {
            guard let (id, f) = file(t, "table", ext: ".yaml") else { continue }
            var tr = YAMLReader(file: id, source: f)
            if let n = tr.root(), let table = tr.table(n) { tables.append(table) } else { unreadable.append(f.path) }
            diags.append(contentsOf: tr.diagnostics.all)
        }
        var actions: [ActionDecl] = []
        if let ref = top.first(where: { $0.key == "actions" })?.value, let (id, f) = file(ref, "the actions file", ext: ".yaml") {
            var ar = YAMLReader(file: id, source: f)
            if let n = ar.root(ifEmpty: .actions) { actions = ar.actions(n) }
            diags.append(contentsOf: ar.diagnostics.all)
        }
        diags.append(contentsOf: reader.diagnostics.all)
        var bundle = PolicyBundle(name: name ?? "unnamed", version: version ?? "0", hash: contentHash(hashed), sources: sources,
                                  schema: schema, rules: rules, tables: tables, manifestSpan: at)
        bundle.unreadableTables = unreadable
        bundle.actions = actions
        if let node = top.first(where: { $0.key == "current_limit" })?.value, let path = reader.string(node, "the current limit's field") {
            bundle.currentLimit = Identifier(path, reader.span(node))
        }
        return (bundle, diags)
    }

    static func read(_ path: String) -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// SHA-256 over (path, length, content) of each file, sorted by path.
    package static func contentHash(_ files: [(String, String)]) -> String {
        var h = SHA256()
        for (path, text) in files.sorted(by: { $0.0 < $1.0 }) {
            h.update(data: Data("\(path)\u{0}\(text.utf8.count)\u{0}".utf8))
            h.update(data: Data(text.utf8))
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
