import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a deterministic synthetic population that fits a bundle's schema.",
        discussion: """
        The same bundle, count and seed give the same file on every machine. Values follow the \
        schema's generation hints where it has them (see docs/language.md, "Generation hints") \
        and otherwise cover every enum case, missing optional values, empty and longer lists, \
        and numbers near small thresholds.

        Examples:
          uplift synth policies/certificate-uplift --count 1000000 --seed 1 > population.jsonl
          uplift synth policies/certificate-uplift --count 1000 --format csv > population.csv
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @Option(parsing: .unconditional, help: "How many applicants.")
    var count = 1_000

    @Option(parsing: .unconditional, help: "The generator's seed.")
    var seed: UInt64 = 1

    @Option(help: "jsonl or csv.")
    var format: PopulationFormatOption = PopulationFormatOption(.jsonl)

    func validate() throws {
        guard count >= 0, count <= 1_000_000_000 else { throw ValidationError("--count must be between 0 and 1,000,000,000") }
    }

    func run() throws {
        let policy = try loadPolicy(bundle, format: .text)
        let out = OutputSink.standardOutput
        var text = ""
        if format.format == .csv { text += CSVWriter.header(policy) + "\n" }
        var i = 0
        try policy.forEachSyntheticApplicant(count: count, seed: seed) { a in
            switch format.format {
            case .jsonl: text += JSONWriter.encode(a) + "\n"
            case .csv: text += CSVWriter.row(a, policy: policy) + "\n"
            }
            if i % 10_000 == 9_999 { try out.write(text); text = "" }
            i += 1
        }
        try out.write(text)
    }
}
