import ArgumentParser
import Foundation
import Uplift

struct Fmt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Format rule and schema files (.uplift), and the expressions in YAML tables, in the one canonical layout.",
        discussion: """
        Keeps every comment and the line breaks inside declarations; normalises spaces, \
        indentation and blank lines, and aligns runs of reason, rule and cap declarations and \
        trailing comments. Only whitespace changes, so meaning never does. In YAML tables, a \
        segment's `when:` and a band table's `input:` are formatted in place when they are plain \
        one-line values; the YAML around them is not touched. Directories are searched for \
        .uplift files and YAML tables.

        Exit codes: 0 formatted (with --check: already formatted); 1 with --check, some file is \
        not formatted (a diff is printed), or a file does not parse; 2 bad usage.

        Examples:
          uplift fmt policies/certificate-uplift
          uplift fmt --check policies/
        """)

    @Flag(help: "Change nothing; print a diff and exit 1 when a file is not formatted.")
    var check = false

    @Argument(help: "Files or directories.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file or directory") }
    }

    func files() throws -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                writeError("error: no such file or directory: \(p)")
                throw ExitCode(ExitStatus.badInput.rawValue)
            }
            if isDir.boolValue {
                let found = FileManager.default.enumerator(atPath: p)?.compactMap { $0 as? String }
                    .filter { ($0.hasSuffix(".uplift") || $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.contains(".build/") } ?? []
                out += found.sorted().map { (p as NSString).appendingPathComponent($0) }
            } else {
                out.append(p)
            }
        }
        return out
    }

    func run() throws {
        var unformatted = 0, broken = 0
        for path in try files() {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                writeError("error: cannot read \(path)")
                broken += 1
                continue
            }
            let formatted: String
            if !path.hasSuffix(".uplift") {
                // YAML: only segment, band and decision tables hold expressions.
                let isTable = text.split(separator: "\n").contains {
                    $0.hasPrefix("kind: segments") || $0.hasPrefix("kind: bands") || $0.hasPrefix("kind: decision_table")
                }
                guard isTable else { continue }
                formatted = TableFormatter.format(text)
            } else { do { formatted = try RuleFormatter.format(text, path: path) } catch {
                switch error {
                case .doesNotParse(let d):
                    var sources = SourceMap()
                    _ = sources.add(SourceFile(path: path, text: text))
                    writeError("error: \(path) does not parse; fix it first (nothing was changed):\n" + DiagnosticRenderer.render(d.all, in: sources))
                }
                broken += 1
                continue
            } }
            guard formatted != text else { continue }
            unformatted += 1
            if check {
                try emit(LineDiff.unified(text, formatted, path: path), terminator: "")
            } else {
                try writeOutput(formatted, to: path)
                try emit("formatted \(path)")
            }
        }
        if broken > 0 || (check && unformatted > 0) { throw ExitCode(ExitStatus.bundleErrors.rawValue) }
    }
}
