import ArgumentParser
import Foundation
import Uplift

/// Exit codes, documented in `uplift --help` and README.
enum ExitStatus: Int32 {
    case ok = 0
    /// The bundle has errors.
    case bundleErrors = 1
    /// Bad input: a malformed applicant, or bad usage.
    case badInput = 2
    /// The policy could not finish evaluating an applicant (overflow, division by zero).
    case evaluationFailed = 3
}

@main
struct UpliftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uplift",
        abstract: "Check and run Uplift credit-limit policies.",
        discussion: """
        Exit codes: 0 success; 1 the bundle has errors; 2 bad applicant input or bad usage; \
        3 the policy failed while evaluating (overflow, division by zero).

        Example:
          uplift check policies/certificate-uplift
          uplift eval policies/certificate-uplift --applicant policies/certificate-uplift/examples/approve-young-professional.json --explain
        """,
        subcommands: [Check.self, Test.self, Fmt.self, Eval.self, Simulate.self, Diff.self, Summary.self, Synth.self, Bench.self])

    /// Usage errors exit with 2, as the documentation promises, not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == ExitStatus.bundleErrors.rawValue || code.rawValue == ExitStatus.evaluationFailed.rawValue {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            if code == .validationFailure || code.rawValue == 64 || code.rawValue == ExitStatus.badInput.rawValue {
                Foundation.exit(ExitStatus.badInput.rawValue)
            }
            Foundation.exit(code.rawValue)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

func writeError(_ s: String) {
    FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
}

/// Loads a bundle or exits 1 with every diagnostic.
func loadPolicy(_ path: String, format: OutputFormat) throws -> Policy {
    do {
        return try Policy.load(bundle: path)
    } catch {
        if format == .json {
            print(DiagnosticJSON.render(error.diagnostics, in: error.sources))
        } else {
            writeError(error.description)
        }
        throw ExitCode(ExitStatus.bundleErrors.rawValue)
    }
}
