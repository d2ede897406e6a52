import ArgumentParser
import Foundation
import Uplift
import UpliftSimulator

/// Exit codes, documented in `uplift --help` and README.
enum ExitStatus: Int32 {
    case ok = 0
    /// The bundle has errors.
    case bundleErrors = 1
    /// Bad input: a malformed applicant, or bad usage.
    case badInput = 2
    /// The policy could not finish evaluating an applicant (overflow, division by zero).
    case evaluationFailed = 3
    /// An output could not be written (a full disk, a closed pipe, no permission); no partial
    /// file is left under the output's name.
    case outputFailed = 4
}

@main
struct UpliftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uplift",
        abstract: "Check and run Uplift credit-limit policies.",
        discussion: """
        Exit codes: 0 success; 1 the bundle has errors; 2 bad applicant input or bad usage; \
        3 the policy failed while evaluating (overflow, division by zero); 4 an output could \
        not be written (a full disk, a closed pipe).

        Example:
          uplift check policies/certificate-uplift
          uplift eval policies/certificate-uplift --applicant policies/certificate-uplift/examples/approve-young-professional.json --explain
        """,
        subcommands: [Check.self, Test.self, Fmt.self, Eval.self, Simulate.self, Diff.self, Summary.self, Synth.self, Bench.self, WhatIf.self])

    /// Usage errors exit with 2, as the documentation promises, not ArgumentParser's 64.
    static func main() {
        // A closed pipe or a file-size limit makes write(2) fail with an error the CLI reports,
        // instead of killing the process with a signal.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as OutputError {
            writeError(error.description)
            Foundation.exit(ExitStatus.outputFailed.rawValue)
        } catch let error as PopulationError {
            writeError("error: cannot read the population: \(error)")
            Foundation.exit(ExitStatus.badInput.rawValue)
        } catch let error as InputError {
            writeError(error.description)
            Foundation.exit(ExitStatus.badInput.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == ExitStatus.bundleErrors.rawValue || code.rawValue == ExitStatus.evaluationFailed.rawValue {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { writeError(message) }
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

/// Loads a bundle or exits 1 with every diagnostic.
func loadPolicy(_ path: String, format: OutputFormat) throws -> Policy {
    do {
        return try Policy.load(bundle: path)
    } catch {
        if format == .json {
            try emit(DiagnosticJSON.render(error.diagnostics, in: error.sources))
        } else {
            writeError(error.description)
        }
        throw ExitCode(ExitStatus.bundleErrors.rawValue)
    }
}
