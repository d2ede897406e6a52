import ArgumentParser
import Foundation
import Uplift

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide one applicant and, with --explain, say why.",
        discussion: """
        The applicant is a JSON object with the schema's field names; optional fields may be \
        absent or null, unknown fields are ignored. Exits 0 with a decision, 1 when the bundle \
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

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        guard let text = readInput(applicant) else {
            writeError("error: cannot read applicant file `\(applicant)`")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        let decision: Decision
        do {
            decision = try policy.evaluate(json: text)
        } catch {
            switch error {
            case .applicant(let e):
                writeError("error: bad applicant in \(applicant == "-" ? "standard input" : applicant): \(e)")
                throw ExitCode(ExitStatus.badInput.rawValue)
            case .evaluation(let e):
                writeError("error: \(e)")
                throw ExitCode(ExitStatus.evaluationFailed.rawValue)
            }
        }
        let explanation = explain ? policy.explain(decision) : nil
        switch format {
        case .text: print(DecisionRenderer.text(decision, explanation), terminator: "")
        case .json: print(DecisionRenderer.json(decision, explanation))
        }
    }

    func readInput(_ path: String) -> String? {
        let data: Data?
        if path == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { return nil }
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else { return nil }
        // Invalid UTF-8 is a bad applicant, reported by the JSON reader, not a failure to read.
        return String(decoding: data, as: UTF8.self)
    }
}
