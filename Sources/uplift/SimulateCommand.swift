import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dry-run a policy over a whole population and summarise the decisions.",
        discussion: """
        Reads applicants as JSON Lines (one object per line) or CSV (a header row; list fields \
        hold a JSON array in their cell), chosen by the file's extension or --input-format; `-` \
        reads standard input. Decides every row on all cores in constant memory and prints a \
        summary: outcomes, per-segment approval rates and uplift (total, mean, median, p90), \
        reason codes, bands, binding caps, new credit, and bad rows.

        Bad rows (malformed JSON, a wrong type, a missing field, a failed evaluation) are never \
        dropped: each is counted and reported with its line, field and message (the first \
        \(SimulationSummary.keptBadRows) in full), and gets an error line in --decisions.

        Exit codes: 0 every row decided; 1 the bundle has errors; 2 some rows were bad (all \
        reported), or bad usage.

        Examples:
          uplift simulate policies/certificate-uplift --population applicants.jsonl
          uplift simulate policies/certificate-uplift --population - --decisions - --summary part.json < part.jsonl
          uplift simulate policies/certificate-uplift --population applicants.csv --report report.html
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @OptionGroup var input: PopulationInput

    @Option(help: "Write the summary as JSON to this file (the form `uplift summary merge` reads).")
    var summary: String?

    @Option(help: "Write one JSON decision per row, in input order, to this file or - (standard output).")
    var decisions: String?

    @Flag(help: "Add each decision's explanation to its line in --decisions.")
    var explain = false

    @Flag(help: "Also try the bundle's actions on every decided applicant (JSON Lines input): per segment, who could get more credit, how much, and which actions help.")
    var whatif = false

    @Option(help: "Summary format on standard output: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Write a self-contained HTML report (charts as inline SVG) to this file.")
    var report: String?

    func validate() throws {
        if explain && decisions == nil { throw ValidationError("--explain adds explanations to --decisions; give --decisions FILE or -") }
        // A suggestion is a changed JSON record: a CSV row has none to change.
        if whatif && input.format == .csv { throw ValidationError("--whatif reads JSON Lines; convert the CSV population first (uplift synth writes JSON Lines)") }
    }

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        if whatif && policy.actionNames.isEmpty {
            writeError("error: \(bundle) declares no actions (add `actions:` to bundle.yaml; docs/language.md, \"Actions\")")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        var options = SimulationOptions()
        options.whatIf = whatif
        options.format = input.format
        options.workers = input.workers
        options.writeDecisions = decisions != nil
        options.explain = explain
        options.maxErrors = input.maxErrors
        options.maxRecordBytes = input.maxRecordBytes
        options.applicantOptions = input.applicantOptions
        // Every output is opened before anything is read, so a path that cannot be written fails
        // at once; files appear under their names only when the whole run has been written.
        let decisionSink = try decisions.map(OutputSink.open)
        let summarySink = try summary.map(OutputSink.open)
        let reportSink = try report.map(OutputSink.open)
        let handle = try InputFile.open(input.population, what: "population file")
        let progressLine = input.progressLine()
        let result = try Simulator(policy: policy, options: options).run(
            input: handle, decisions: { bytes throws(OutputError) in try decisionSink?.write(bytes) }, progress: progressLine.update)
        progressLine.finish()
        try decisionSink?.commit()
        try summarySink?.finish(with: SummaryJSON.render(result) + "\n")
        try reportSink?.finish(with: HTMLReport.simulation(result))
        warnNearMisses(result.unknownFields, result.unknownFieldSuggestions)
        // With decisions on standard output, the summary goes to standard error.
        let text = format == .json ? SummaryJSON.render(result) + "\n" : SummaryText.render(result)
        if decisions == "-" { writeError(text) } else { try emit(text, terminator: "") }
        if result.badRowCount > 0 { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}

/// The input options `simulate` and `diff` share.
struct PopulationInput: ParsableArguments {
    @Option(help: "The population file, or - for standard input.")
    var population: String

    @Option(help: "jsonl or csv (default: by the file's extension; jsonl for -).")
    var inputFormat: PopulationFormatOption?

    @Option(parsing: .unconditional, help: "Stop after the batch in which this many bad rows were found.")
    var maxErrors: Int?

    @Option(name: .customLong("workers"), parsing: .unconditional, help: "Worker threads (default: all cores).")
    var workerCount: Int?

    /// The worker threads to use: all cores unless told.
    var workers: Int { workerCount ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(parsing: .unconditional, help: "A record longer than this many bytes is reported as a bad row and skipped.")
    var maxRecordBytes = RecordLimit.defaultBytes

    @Flag(help: "A row with a field (or CSV column) the schema does not know is a bad row, not decided with the field ignored.")
    var strict = false

    @Flag(help: "No progress line on standard error.")
    var quiet = false

    @Flag(help: "Progress lines on standard error even when it is not a terminal (for logs).")
    var progress = false

    func validate() throws {
        if let w = workerCount, w < 1 || w > 256 { throw ValidationError("--workers must be between 1 and 256 (got \(w))") }
        if maxRecordBytes < 1 { throw ValidationError("--max-record-bytes must be at least 1 (got \(maxRecordBytes))") }
        if let m = maxErrors, m < 1 { throw ValidationError("--max-errors must be at least 1 (got \(m))") }
    }

    var applicantOptions: ApplicantOptions { ApplicantOptions(strict: strict) }

    var format: PopulationFormat {
        inputFormat?.format ?? (population == "-" ? .jsonl : PopulationFormat.guess(path: population))
    }

    func progressLine() -> ProgressLine {
        let size = population == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: population)[.size] as? Int) ?? nil
        let terminal = isatty(STDERR_FILENO) != 0
        return ProgressLine(enabled: !quiet && (progress || terminal), totalBytes: size, terminal: terminal)
    }
}

struct PopulationFormatOption: ExpressibleByArgument {
    let format: PopulationFormat
    init(_ format: PopulationFormat) { self.format = format }
    init?(argument: String) {
        guard let f = PopulationFormat(rawValue: argument) else { return nil }
        format = f
    }
    static var allValueStrings: [String] { PopulationFormat.allCases.map(\.rawValue) }
    /// Shown as the default in `--help` (`jsonl`, not the wrapper's structure).
    var defaultValueDescription: String { format.rawValue }
}

/// Warns on standard error about unknown fields that look like schema fields: a producer's typo
/// (`Monthly_Income`) silently skips a rule, so it must never pass unseen.
func warnNearMisses(_ counts: [String: Int], _ suggestions: [String: String]) {
    for (name, meant) in suggestions.sorted(by: { $0.key < $1.key }) {
        let n = counts[name] ?? 0
        writeError("warning: \(n) \(n == 1 ? "row has" : "rows have") the field `\(name)`, which the schema does not know (ignored); did you mean `\(meant)`? --strict makes such rows bad")
    }
}

/// Rows done, rows per second and, when the input's size is known, the time left; on one
/// terminal line, redrawn at most four times a second. Only when standard error is a terminal.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    let totalBytes: Int?
    /// On a terminal the line is redrawn in place; in a log each update is its own line.
    let terminal: Bool
    let start = DispatchTime.now().uptimeNanoseconds
    var last: UInt64 = 0
    var drawn = false

    init(enabled: Bool, totalBytes: Int?, terminal: Bool) {
        self.enabled = enabled
        self.totalBytes = totalBytes
        self.terminal = terminal
    }

    func update(_ p: SimulationProgress) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - last > (terminal ? 250_000_000 : 1_000_000_000) else { return }
        last = now
        let seconds = Double(now - start) / 1e9
        let rate = seconds > 0 ? Int(Double(p.rows) / seconds) : 0
        var line = "\(terminal ? "\r" : "")\(p.rows) rows, \(rate) rows/s"
        if let total = totalBytes, total > 0, p.bytesRead > 0 {
            let left = seconds * Double(max(0, total - p.bytesRead)) / Double(p.bytesRead)
            line += String(format: ", %d%%, ETA %.0f s", min(100, p.bytesRead * 100 / total), left)
        }
        writeStandardError(line + (terminal ? "   " : "\n"))
        drawn = terminal
    }

    func finish() {
        if drawn { writeStandardError("\n") }
    }
}
