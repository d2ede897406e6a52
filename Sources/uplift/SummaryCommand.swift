import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with simulation summaries.",
        subcommands: [Merge.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add partial summaries (from `uplift simulate --summary`) into one.",
            discussion: """
            The merged counts and sums equal those of one run over the concatenated input; medians \
            and p90s are exact while each segment has at most \(UpliftHistogram.exactLimit) distinct \
            uplift amounts, and within 1% below otherwise. All parts must come from the same \
            bundle (same content hash). See docs/SCALE.md.

            Example:
              uplift summary merge part-*.json > total.json
            """)

        @Argument(help: "Summary files written by `uplift simulate --summary`.")
        var parts: [String]

        @Option(help: "Output format: json (default, mergeable again) or text.")
        var format: OutputFormat = .json

        func validate() throws {
            guard !parts.isEmpty else { throw ValidationError("give at least one summary file") }
        }

        func run() throws {
            var total: SimulationSummary?
            for path in parts {
                // A summary is small: 64 MiB is far beyond any real one.
                guard let text = String(validating: try InputFile.read(path, what: "summary file", limitOption: nil), as: UTF8.self) else {
                    writeError("error: \(path): not valid UTF-8; summaries are written by `uplift simulate --summary`")
                    throw ExitCode(ExitStatus.badInput.rawValue)
                }
                let s: SimulationSummary
                do { s = try SummaryJSON.parse(text) } catch {
                    writeError("error: \(path): \(error)")
                    throw ExitCode(ExitStatus.badInput.rawValue)
                }
                if let t = total, t.policy != s.policy {
                    writeError("error: \(path) summarises \(s.policy.name) \(s.policy.version) (sha256 \(s.policy.hash.prefix(12))), not \(t.policy.name) \(t.policy.version) (sha256 \(t.policy.hash.prefix(12))); merge parts of one run")
                    throw ExitCode(ExitStatus.badInput.rawValue)
                }
                do { if total == nil { total = s } else { try total?.merge(s) } } catch {
                    writeError("error: \(path): \(error)")
                    throw ExitCode(ExitStatus.badInput.rawValue)
                }
            }
            guard let total else { return }
            try emit(format == .json ? SummaryJSON.render(total) : SummaryText.render(total), terminator: format == .json ? "\n" : "")
        }
    }
}
