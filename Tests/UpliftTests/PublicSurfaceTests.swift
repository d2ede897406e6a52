import Foundation
import XCTest

/// The embedding API stays small and documented, and the tools downstream of it use it rather
/// than the stages: checked on the sources themselves, so a new `public` or a stray
/// `import UpliftChecker` fails here with its file and line.
final class PublicSurfaceTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
    static let stages = ["UpliftSyntax", "UpliftBundle", "UpliftChecker", "UpliftCompiler", "UpliftRuntime"]
    static let downstream = ["UpliftSimulator", "UpliftPolicyTests", "uplift"]

    struct Line { let file: String; let number: Int; let text: String }

    static func lines(of module: String) throws -> [[Line]] {
        let dir = sources.appendingPathComponent(module)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertFalse(names.isEmpty, "no sources in \(dir.path)")
        return try names.map { name in
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                Line(file: "\(module)/\(name)", number: $0.offset + 1, text: String($0.element))
            }
        }
    }

    /// A declaration line whose access is `public` (after any attributes).
    static func isPublic(_ text: String) -> Bool {
        var t = text.drop { $0 == " " }
        if t.hasPrefix("//") { return false }
        while t.hasPrefix("@") {
            guard let space = t.firstIndex(of: " ") else { return false }
            t = t[space...].drop { $0 == " " }
        }
        return t.hasPrefix("public ")
    }

    func testTheToolsImportTheFacadeAndNoStage() throws {
        for module in Self.downstream {
            for file in try Self.lines(of: module) {
                for line in file {
                    let t = line.text.trimmingCharacters(in: .whitespaces)
                    for stage in Self.stages where t.hasSuffix("import \(stage)") {
                        XCTFail("\(line.file):\(line.number): `\(t)`: the tools read the public results through `import Uplift`, not a stage")
                    }
                }
            }
        }
    }

    func testNothingIsReExported() throws {
        for module in Self.stages + ["Uplift"] + Self.downstream {
            for file in try Self.lines(of: module) {
                for line in file where line.text.contains("@_exported") && !line.text.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                    XCTFail("\(line.file):\(line.number): `@_exported` re-exports a whole stage; name the type in Sources/Uplift/PublicTypes.swift")
                }
            }
        }
    }

    /// A public declaration without a doc comment: the line before it (attributes skipped) is
    /// not `///`. A protocol's own requirement (`==`, `<`, `hash(into:)`, `description`) is
    /// documented by the protocol.
    func testEveryPublicDeclarationHasADocComment() throws {
        var checked = 0
        for module in Self.stages + ["Uplift"] {
            for file in try Self.lines(of: module) {
                for (i, line) in file.enumerated() where Self.isPublic(line.text) {
                    checked += 1
                    let t = line.text
                    if t.contains("static func ==") || t.contains("static func <") || t.contains("func hash(into")
                        || t.contains("var description: String") { continue }
                    var j = i - 1
                    while j >= 0, file[j].text.trimmingCharacters(in: .whitespaces).hasPrefix("@") { j -= 1 }
                    let before = j >= 0 ? file[j].text.trimmingCharacters(in: .whitespaces) : ""
                    if !before.hasPrefix("///") && !before.hasPrefix("// MARK") {
                        XCTFail("\(line.file):\(line.number): public without a doc comment: \(t.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 100, "the scan found the public declarations")
    }

    /// The stages' public types are exactly the ones the facade names, so the surface an embedder
    /// sees is the list in PublicTypes.swift and nothing leaks by accident.
    func testTheStagesPublicTypesAreExactlyTheFacadesList() throws {
        var stageTypes = Set<String>()
        for module in Self.stages {
            for file in try Self.lines(of: module) {
                for line in file where line.text.hasPrefix("public ") {
                    let words = line.text.split(separator: " ")
                    guard let k = words.firstIndex(where: { ["struct", "enum", "class", "protocol", "actor", "typealias"].contains($0) }),
                          k + 1 < words.count else { continue }
                    stageTypes.insert(String(words[k + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" }))
                }
            }
        }
        var named = Set<String>()
        for file in try Self.lines(of: "Uplift") where file.first?.file == "Uplift/PublicTypes.swift" {
            for line in file where line.text.hasPrefix("public typealias ") {
                named.insert(String(line.text.split(separator: " ")[2]))
            }
        }
        XCTAssertFalse(named.isEmpty, "PublicTypes.swift names the public result types")
        XCTAssertEqual(stageTypes.subtracting(named).sorted(), [], "public in a stage but not named by the facade: make it `package`, or add it to PublicTypes.swift")
        XCTAssertEqual(named.subtracting(stageTypes).sorted(), [], "named by the facade but not a public type of a stage")
    }

    /// `@_spi(Engine) public` is for the few declarations the optimiser must see across modules
    /// (the VM's switch on instruction codes; see `Opcode`), not a way round the list above.
    func testEngineSPIIsOnlyTheInstructionCodes() throws {
        var found: [String] = []
        for module in Self.stages + ["Uplift"] {
            for file in try Self.lines(of: module) {
                for line in file where line.text.contains("@_spi(") && !line.text.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                    let words = line.text.split(separator: " ")
                    guard let k = words.firstIndex(where: { ["enum", "struct", "func", "class", "var", "let"].contains($0) }), k + 1 < words.count else { continue }
                    found.append(String(words[k + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" }))
                }
            }
        }
        XCTAssertEqual(found.sorted(), ["AggregateCode", "EvaluationFault", "Opcode", "applicantWithFullDecoder"])
    }

    func testTheToolsDeclareNothingPublic() throws {
        for module in ["UpliftSimulator", "UpliftPolicyTests"] {
            for file in try Self.lines(of: module) {
                for line in file where Self.isPublic(line.text) {
                    XCTFail("\(line.file):\(line.number): the simulator and policy tests are not a library product; use `package`")
                }
            }
        }
    }
}
