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

    @OptionGroup var input: PopulationInput

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Write a self-contained HTML report (the swap matrix as a heat map) to this file.")
    var report: String?


    func run() throws {
        let basePolicy = try loadPolicy(base, format: format)
        let candidatePolicy = try loadPolicy(candidate, format: format)
        var options = DiffOptions()
        options.format = input.format
        options.workers = input.workers
        options.maxErrors = input.maxErrors
        options.maxRecordBytes = input.maxRecordBytes
        options.applicantOptions = input.applicantOptions
        let reportSink = try report.map(OutputSink.open)
        let handle = try InputFile.open(input.population, what: "population file")
        let progressLine = input.progressLine()
        let result = try PolicyDiff(base: basePolicy, candidate: candidatePolicy, options: options).run(input: handle, progress: progressLine.update)
        progressLine.finish()
        try reportSink?.finish(with: DiffRendering.html(result))
        try emit(format == .json ? DiffRendering.json(result) : DiffRendering.text(result), terminator: format == .json ? "\n" : "")
        if result.badRowCount > 0 { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
