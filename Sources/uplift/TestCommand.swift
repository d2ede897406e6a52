import ArgumentParser
import Foundation
import Uplift
import UpliftPolicyTests

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the test cases a bundle carries in tests/*.yaml.",
        discussion: """
        Each case gives an applicant (a file relative to the bundle, or the fields inline; \
        `with:` replaces fields) and what the policy should decide: outcome, uplift, new_limit, \
        reasons (an exact list, or includes/excludes), segment, band, the matched row of any \
        table (`tables: { payment_history: top, bonus: [row 1, row 3], utilization: none }`), \
        reported values. Prints every failing case with what differs and the explanation of the \
        actual decision, then `N passed, M failed`. See docs/testing-policies.md.

        Exit codes: 0 all cases pass; 1 the bundle or a test file has errors, or a case fails; \
        2 bad usage.

        Examples:
          uplift test policies/certificate-uplift
          uplift test policies/certificate-uplift --coverage
          uplift test policies/certificate-uplift --filter decline --junit results.xml
        """)

    @Argument(help: "The bundle directory (holding bundle.yaml and tests/).")
    var bundle: String

    @Option(help: "Run only cases whose name contains this text.")
    var filter: String?

    @Option(help: "Also write JUnit XML results to this file.")
    var junit: String?

    @Flag(help: "Report which gates, referrals, segments, bands, caps, reason codes and decision-table rows the cases exercised.")
    var coverage = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let policy = try loadPolicy(bundle, format: format)
        let loaded = PolicyTestLoader.load(bundle: bundle, tables: policy.tables)
        if loaded.diagnostics.contains(where: { $0.severity == .error }) {
            if format == .json { try emit(DiagnosticJSON.render(loaded.diagnostics, in: loaded.sources)) } else {
                writeError(DiagnosticRenderer.render(loaded.diagnostics, in: loaded.sources))
            }
            throw ExitCode(ExitStatus.bundleErrors.rawValue)
        }
        if loaded.cases.isEmpty {
            writeError("error: \(bundle)/tests holds no test cases; add tests/*.yaml (see `uplift test --help`)")
            throw ExitCode(ExitStatus.bundleErrors.rawValue)
        }
        // Opened before the cases run, so an unwritable path fails at once.
        let junitSink = try junit.map(OutputSink.open)
        let cases = loaded.cases.filter { c in filter.map { c.name.localizedCaseInsensitiveContains($0) } ?? true }
        let results = PolicyTestRunner.run(cases, policy: policy)
        var cov: PolicyCoverage?
        if coverage {
            var c = PolicyCoverage(policy: policy)
            for r in results { if let d = r.decision, let e = r.explanation { c.record(d, e) } }
            cov = c
        }
        try junitSink?.finish(with: PolicyTestReport.junit(results, policy: policy.identity))
        switch format {
        case .json: try emit(PolicyTestReport.json(results, coverage: cov))
        case .text:
            try emit(PolicyTestReport.text(results, files: loaded.files.count) + (cov.map(PolicyTestReport.coverageText) ?? ""), terminator: "")
        }
        if results.contains(where: { !$0.passed }) { throw ExitCode(ExitStatus.bundleErrors.rawValue) }
    }
}
