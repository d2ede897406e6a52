import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// Formatting never changes meaning: a messy copy of the reference bundle, formatted, compiles
/// to exactly the program of the original.
final class FormatterMeaningTests: XCTestCase {
    func testFormattedBundleCompilesToTheSameProgram() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-fmt-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: ReferencePolicyTests.bundle, toPath: dir.path)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["policy.uplift", "schema.uplift"] {
            let url = dir.appendingPathComponent(name)
            // Mess the layout of the code lines up (indentation, spaces around operators, trailing
            // blanks; strings and comments untouched), then format it back.
            let messy = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .map { line -> String in
                    if line.contains("#") || line.contains("\"") { return String(line) }
                    return "\t " + line.replacingOccurrences(of: " ", with: "  ").replacingOccurrences(of: "(", with: "( ") + "  "
                }.joined(separator: "\n")
            try Formatter.format(messy).write(to: url, atomically: true, encoding: .utf8)
        }
        let original = ReferencePolicyTests.policy, formatted = try Policy.load(bundle: dir.path)
        XCTAssertEqual(formatted.program.code, original.program.code)
        XCTAssertEqual(formatted.program.constants, original.program.constants)
        XCTAssertEqual(formatted.program.tableData, original.program.tableData)
        XCTAssertEqual(formatted.checked.strings, original.checked.strings)
        // And, the repository's files being formatted, the text itself comes back unchanged.
        for name in ["policy.uplift", "schema.uplift"] {
            XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8),
                           try String(contentsOfFile: "\(ReferencePolicyTests.bundle)/\(name)", encoding: .utf8), name)
        }
    }
}
