import ArgumentParser
import Foundation
import Uplift

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a policy bundle and report every error and warning.",
        discussion: """
        Exits 0 when the bundle has no errors (warnings allowed), 1 when it has errors.

        Example:
          uplift check policies/certificate-uplift
          uplift check policies/certificate-uplift --format json
          uplift check policies/certificate-uplift --bytecode
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Also print the compiled bytecode listing (for performance work).")
    var bytecode = false

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        if bytecode { print(policy.evaluator.program.disassembly(), terminator: "") }
        switch format {
        case .json:
            print(DiagnosticJSON.render(policy.warnings, in: policy.sources))
        case .text:
            if !policy.warnings.isEmpty { writeError(DiagnosticRenderer.render(policy.warnings, in: policy.sources)) }
            let id = policy.identity
            print("\(id.name) \(id.version): ok (\(policy.checked.rules.count) rules, \(policy.checked.caps.count) caps, sha256 \(id.hash))")
        }
    }
}

/// Diagnostics as JSON: one object per finding with its code and location.
enum DiagnosticJSON {
    static func render(_ ds: [Diagnostic], in sources: SourceMap) -> String {
        let items = ds.map { d -> String in
            let file = sources.file(d.span)
            let loc = file?.location(of: d.span.start)
            return JSONWriter.object([
                ("severity", JSONWriter.quote(d.severity.rawValue)), ("code", JSONWriter.quote(d.code)),
                ("message", JSONWriter.quote(d.message)), ("file", file.map { JSONWriter.quote($0.path) } ?? "null"),
                ("line", loc.map { String($0.line) } ?? "null"), ("column", loc.map { String($0.column) } ?? "null"),
                ("help", d.help.map(JSONWriter.quote) ?? "null"),
            ])
        }
        let errors = ds.filter { $0.severity == .error }.count
        return JSONWriter.object([("errors", String(errors)), ("warnings", String(ds.count - errors)),
                                  ("diagnostics", JSONWriter.array(items, indent: 1))], indent: 0)
    }
}
