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
          uplift check policies/certificate-uplift --format sarif > uplift.sarif
          uplift check policies/certificate-uplift --bytecode
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @Option(help: "Output format: text, json, or sarif (SARIF 2.1.0 for code-review tools).")
    var format: CheckFormat = .text

    @Flag(help: "Also print the compiled bytecode listing (for performance work).")
    var bytecode = false

    func run() throws {
        if format == .sarif {
            // Findings, errors or not, go to standard output for the review tool.
            let policy: Policy
            do { policy = try Policy.load(bundle: bundle) } catch {
                try emit(SARIFRenderer.render(error.diagnostics, in: error.sources))
                throw ExitCode(ExitStatus.bundleErrors.rawValue)
            }
            try emit(SARIFRenderer.render(policy.warnings, in: policy.sources))
            return
        }
        let policy = try loadPolicy(bundle, format: format == .json ? .json : .text)
        if bytecode { try emit(policy.disassembly(), terminator: "") }
        switch format {
        case .json, .sarif:
            try emit(DiagnosticJSON.render(policy.warnings, in: policy.sources))
        case .text:
            if !policy.warnings.isEmpty { writeError(DiagnosticRenderer.render(policy.warnings, in: policy.sources)) }
            let id = policy.identity, outline = policy.outline
            try emit("\(id.name) \(id.version): ok (\(outline.rules.count) rules, \(outline.caps.count) caps, sha256 \(id.hash))")
        }
    }
}

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
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
