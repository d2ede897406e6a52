import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

struct WhatIf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Say what the applicant could do to change their decision, and exactly what it would give.",
        discussion: """
        Tries every action the bundle declares (`actions:` in bundle.yaml: adding a certificate, \
        having one read again, waiting, raising one's own ceiling) on the applicant, with the same \
        engine as eval, and lists the ones that help, best first: the new outcome, the gain, the \
        new limit, the reasons cleared and added, and the cap that would then apply. Continuous \
        actions report the lowest value that reaches each result. In JSON each suggestion carries \
        the changed applicant, so `uplift eval` on it gives the promised decision. Exits 0 with a \
        report, 1 when the bundle has errors, 2 for a bad applicant or a bundle without actions, 3 \
        when evaluation fails.

        Example:
          uplift whatif policies/certificate-uplift --applicant policies/certificate-uplift/examples/no-change-no-certificate.json
          uplift whatif policies/certificate-uplift --applicant a.json --depth 2 --format json
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @Option(help: "The applicant JSON file, or - for standard input.")
    var applicant: String

    @Option(help: "How many suggestions to show, best first.")
    var top = 5

    @Option(help: "1: single actions; 2: also pairs that give more together than either alone.")
    var depth = 1

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Show each searched value (a confidence, a ceiling) in the text: for staff, not applicants.")
    var showValues = false

    @Option(parsing: .unconditional, help: "Refuse an applicant larger than this many bytes.")
    var maxRecordBytes = RecordLimit.defaultBytes

    func validate() throws {
        guard top >= 1, top <= 1000 else { throw ValidationError("--top must be between 1 and 1000") }
        guard depth == 1 || depth == 2 else { throw ValidationError("--depth must be 1 or 2") }
        guard maxRecordBytes >= 1 else { throw ValidationError("--max-record-bytes must be at least 1") }
    }

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        guard !policy.actionNames.isEmpty else {
            writeError("error: \(bundle) declares no actions; add `actions: actions.yaml` to its bundle.yaml (docs/language.md, \"Actions\")")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        let bytes = try InputFile.read(applicant, what: "applicant file", limit: maxRecordBytes)
        let report: WhatIfReport
        do {
            report = try policy.whatIf(utf8: bytes, options: WhatIfOptions(top: top, depth: depth))
        } catch {
            throw applicantFailure(error, applicant: applicant)
        }
        switch format {
        case .text: try emit(WhatIfRenderer.text(report, showValues: showValues), terminator: "")
        case .json: try emit(WhatIfRenderer.json(report, showValues: showValues))
        }
    }
}
