import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two policy versions over a population: who swaps in, who swaps out.",
        discussion: """
        Decides every row with both bundles and reports the outcome transition matrix (base × \
        candidate), swap-ins and swap-outs, the change in new credit overall and per segment, \
        reason codes that appear or vanish, and a few example applicants per kind of change with \
        both decisions explained side by side. Input as for `uplift simulate`.

        Exit codes: 0 every row decided by both; 1 a bundle has errors; 2 some rows were bad (all \
        reported), or bad usage.

        Example:
          uplift diff policies/certificate-uplift candidate/ --population applicants.jsonl --report diff.html
        """)

    @Argument(help: "The current (champion) bundle.")
    var base: String

    @Argument(help: "The proposed (challenger) bundle.")
    var candidate: String

    @Option(help: "The population file, or - for standard input.")
    var population: String

    @Option(help: "jsonl or csv (default: by the file's extension; jsonl for -).")
    var inputFormat: PopulationFormatOption?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Write a self-contained HTML report (the swap matrix as a heat map) to this file.")
    var report: String?

    @Option(help: "Stop after the batch in which this many bad rows were found.")
    var maxErrors: Int?

    @Option(help: "Worker threads (default: all cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress line on standard error.")
    var quiet = false

    @Flag(help: "Progress lines on standard error even when it is not a terminal (for logs).")
    var progress = false

    func validate() throws {
        guard workers >= 1, workers <= 256 else { throw ValidationError("--workers must be between 1 and 256") }
        if let m = maxErrors, m < 1 { throw ValidationError("--max-errors must be at least 1") }
    }

    func run() throws {
        let basePolicy = try loadPolicy(base, format: format)
        let candidatePolicy = try loadPolicy(candidate, format: format)
        var options = DiffOptions()
        options.format = inputFormat?.format ?? (population == "-" ? .jsonl : PopulationFormat.guess(path: population))
        options.workers = workers
        options.maxErrors = maxErrors
        let input = try openInput(population)
        let size = population == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: population)[.size] as? Int) ?? nil
        let progressLine = ProgressLine(enabled: !quiet && (progress || isatty(STDERR_FILENO) != 0), totalBytes: size, terminal: isatty(STDERR_FILENO) != 0)
        let result = try PolicyDiff(base: basePolicy, candidate: candidatePolicy, options: options).run(input: input, progress: progressLine.update)
        progressLine.finish()
        if let report { try write(DiffRendering.html(result), to: report) }
        print(format == .json ? DiffRendering.json(result) : DiffRendering.text(result), terminator: format == .json ? "\n" : "")
        if result.badRowCount > 0 { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
