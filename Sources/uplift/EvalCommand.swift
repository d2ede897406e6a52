import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide one applicant and, with --explain, say why.",
        discussion: """
        The applicant is a JSON object with the schema's field names; optional fields may be \
        absent or null, unknown fields are ignored (a near miss of a schema field, such as \
        Monthly_Income, is warned about on standard error; --strict refuses any unknown field); \
        a key given twice or invalid UTF-8 is an error. Exits 0 with a decision, 1 when the bundle \
        has errors, 2 for a bad applicant (the message names the field, e.g. \
        certificates[1].confidence), 3 when evaluation fails.

        Example:
          uplift eval policies/certificate-uplift --applicant policies/certificate-uplift/examples/approve-young-professional.json --explain
          cat applicant.json | uplift eval policies/certificate-uplift --applicant - --format json
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml).")
    var bundle: String

    @Option(help: "The applicant JSON file, or - for standard input.")
    var applicant: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Add the explanation: every gate, band, segment and cap with the values it read.")
    var explain = false

    @Flag(help: "A field the schema does not know is an error (exit 2), not ignored.")
    var strict = false

    @Option(parsing: .unconditional, help: "Refuse an applicant larger than this many bytes.")
    var maxRecordBytes = RecordLimit.defaultBytes

    func validate() throws {
        guard maxRecordBytes >= 1 else { throw ValidationError("--max-record-bytes must be at least 1") }
    }

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        let bytes = try InputFile.read(applicant, what: "applicant file", limit: maxRecordBytes)
        // The raw bytes go to the reader: invalid UTF-8 is a bad applicant with its field path.
        let decision: Decision
        var unknown: [UnknownField] = []
        defer {
            // Near misses of schema fields are warned about even when the applicant is bad:
            // they are often why a required field is missing.
            var warned = 0
            for f in unknown where !strict && warned < 20 {
                if let meant = f.suggestion {
                    writeError("warning: unknown field `\(f.path)` ignored; did you mean `\(meant)`? (--strict refuses unknown fields)")
                    warned += 1
                }
            }
        }
        do {
            decision = try policy.evaluate(utf8: bytes, options: ApplicantOptions(strict: strict), unknown: &unknown)
        } catch {
            throw applicantFailure(error, applicant: applicant)
        }
        let explanation = explain ? policy.explain(decision) : nil
        switch format {
        case .text: try emit(DecisionRenderer.text(decision, explanation), terminator: "")
        case .json: try emit(DecisionRenderer.json(decision, explanation))
        }
    }
}

/// Reports a refused applicant (exit 2) or a faulting evaluation (exit 3) as `eval` and `whatif`
/// both do, and gives the exit to throw.
func applicantFailure(_ error: UpliftError, applicant: String) -> ExitCode {
    switch error {
    case .applicant(let e):
        writeError("error: bad applicant in \(applicant == "-" ? "standard input" : applicant): \(e)")
        return ExitCode(ExitStatus.badInput.rawValue)
    case .evaluation(let e):
        writeError("error: \(e)")
        return ExitCode(ExitStatus.evaluationFailed.rawValue)
    }
}
