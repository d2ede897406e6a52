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

    /// A declaration line whose access is `public` or `open`, after any attributes (`@inlinable`,
    /// `@available(*, deprecated, message: "…")`, `@_spi(X)`) and modifiers (`static`, `final`, …).
    static func isPublic(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("//") { return false }
        return t.range(of: #"^(@\w+(\([^)]*\))?\s+)*((static|final|nonisolated|override|mutating|nonmutating|convenience|required|indirect|class)\s+)*(public|open)\s"#,
                       options: .regularExpression) != nil
    }

    /// The public declarations of a module, each as `Type.path: declaration` (`: declaration` at
    /// the top level) with its body left
    /// out, plus the enum cases inside public enums that lack a doc comment. Types are tracked by
    /// counting braces outside string literals and comments, which this code base's one-brace-per-
    /// line style keeps exact.
    static func surface(of module: String) throws -> (declarations: [String], undocumentedCases: [String]) {
        var out: [String] = [], cases: [String] = []
        for file in try lines(of: module) {
            var stack: [(name: String, depth: Int, publicEnum: Bool)] = []
            var depth = 0
            for (i, line) in file.enumerated() {
                let t = line.text.trimmingCharacters(in: .whitespaces)
                let code = strippingStringsAndComments(t)
                let head = code.components(separatedBy: " {").first ?? code
                if let top = stack.last, top.publicEnum, depth == top.depth + 1, t.hasPrefix("case "), !code.hasSuffix(":") {
                    let before = i > 0 ? file[i - 1].text.trimmingCharacters(in: .whitespaces) : ""
                    if !before.hasPrefix("///") { cases.append("\(line.file):\(line.number): \(t)") }
                }
                if isPublic(t) { out.append(stack.map(\.name).joined(separator: ".") + ": " + head.trimmingCharacters(in: .whitespaces)) }
                let opens = code.filter { $0 == "{" }.count, closes = code.filter { $0 == "}" }.count
                if opens > closes, let m = code.range(of: #"\b(struct|enum|class|actor|protocol|extension)\s+[A-Za-z_][A-Za-z0-9_.]*"#, options: .regularExpression) {
                    let name = String(code[m].split(separator: " ").last ?? "")
                    // An `@_spi` enum's cases are not API (the instruction set documents its own).
                    stack.append((name, depth, isPublic(t) && !t.contains("@_spi(") && code[m].hasPrefix("enum")))
                }
                depth += opens - closes
                while let top = stack.last, depth <= top.depth { stack.removeLast() }
            }
        }
        return (out, cases)
    }

    /// `text` with string literals and a trailing `//` comment removed, so braces in them do not count.
    static func strippingStringsAndComments(_ text: String) -> String {
        var out = "", inString = false, escaped = false
        var chars = Array(text)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" { inString = true; continue }
            if c == "/", chars.first == "/" { break }
            out.append(c)
        }
        return out
    }

    func testTheToolsImportTheFacadeAndNoStage() throws {
        for module in Self.downstream {
            for file in try Self.lines(of: module) {
                for line in file {
                    let t = line.text.trimmingCharacters(in: .whitespaces)
                    for stage in Self.stages where t.range(of: #"^(@[\w()]+\s+)*import\s+((typealias|struct|class|enum|protocol|let|var|func)\s+)?"# + stage + #"\b"#, options: .regularExpression) != nil {
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
                    if !before.hasPrefix("///") {
                        XCTFail("\(line.file):\(line.number): public without a doc comment: \(t.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 100, "the scan found the public declarations")
        for module in Self.stages + ["Uplift"] {
            for c in try Self.surface(of: module).undocumentedCases { XCTFail("\(c): a public enum's case without a doc comment") }
        }
    }

    /// The stages' public types are exactly the ones the facade names, so the surface an embedder
    /// sees is the list in PublicTypes.swift and nothing leaks by accident.
    func testTheStagesPublicTypesAreExactlyTheFacadesList() throws {
        var stageTypes: [String: String] = [:]  // type → module
        for module in Self.stages {
            for file in try Self.lines(of: module) {
                for line in file where Self.isPublic(line.text) && !line.text.hasPrefix(" ") && !line.text.contains("@_spi(") {
                    let words = line.text.split(separator: " ")
                    guard let k = words.firstIndex(where: { ["struct", "enum", "class", "protocol", "actor", "typealias"].contains($0) }),
                          k + 1 < words.count else { continue }
                    stageTypes[String(words[k + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" })] = module
                }
            }
        }
        var named = Set<String>()
        for file in try Self.lines(of: "Uplift") where file.first?.file == "Uplift/PublicTypes.swift" {
            for line in file where line.text.hasPrefix("public typealias ") {
                // `public typealias Decision = UpliftRuntime.Decision`: the same name, from its stage.
                let words = line.text.split(separator: " ")
                XCTAssertEqual(words.count, 5, line.text)
                guard words.count == 5 else { continue }
                let name = String(words[2])
                named.insert(name)
                XCTAssertEqual(String(words[4]), "\(stageTypes[name] ?? "<no stage>").\(name)", "\(line.file):\(line.number)")
            }
        }
        XCTAssertFalse(named.isEmpty, "PublicTypes.swift names the public result types")
        XCTAssertEqual(Set(stageTypes.keys).subtracting(named).sorted(), [], "public in a stage but not named by the facade: make it `package`, or add it to PublicTypes.swift")
        XCTAssertEqual(named.subtracting(stageTypes.keys).sorted(), [], "named by the facade but not a public type of a stage")
    }

    /// Every public declaration, listed in `PublicAPI.txt` beside this file: adding, changing or
    /// removing one is a reviewed change to that file, not an accident. Run with
    /// `UPLIFT_UPDATE_API=1` to rewrite the file after a deliberate change.
    func testThePublicAPIIsTheReviewedList() throws {
        var lines: [String] = []
        for module in Self.stages + ["Uplift"] { lines += try Self.surface(of: module).declarations.map { "\(module)\($0.hasPrefix(":") ? "" : " ")\($0)" } }
        lines.sort()
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("PublicAPI.txt")
        let text = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["UPLIFT_UPDATE_API"] == "1" { try text.write(to: url, atomically: true, encoding: .utf8) }
        let reviewed = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let added = Set(lines).subtracting(reviewed).sorted(), removed = Set(reviewed).subtracting(lines).sorted()
        XCTAssertEqual(added, [], "public declarations not in Tests/UpliftTests/PublicAPI.txt (review them, then UPLIFT_UPDATE_API=1)")
        XCTAssertEqual(removed, [], "declarations in PublicAPI.txt that are no longer public")
        XCTAssertGreaterThan(lines.count, 100)
    }

    /// `@_spi(Engine) public` is for the few declarations the optimiser must see across modules
    /// (the VM's switch on instruction codes; see `Opcode`), not a way round the list above.
    func testEngineSPIIsOnlyTheInstructionCodes() throws {
        XCTAssertEqual(try Self.declarations(marked: "@_spi("), ["AggregateCode", "EvaluationFault", "Opcode", "applicantWithFullDecoder"])
    }

    /// `@usableFromInline` puts a declaration into embedders' binaries (through `@inlinable`
    /// code), so it is listed like the API: only the evaluator behind `Policy.evaluate`.
    func testUsableFromInlineIsOnlyTheEvaluator() throws {
        XCTAssertEqual(try Self.declarations(marked: "@usableFromInline"), ["Evaluator", "evaluate", "evaluate", "evaluator"])
    }

    /// The names declared on lines carrying `marker`, in the stages and the facade; a marked line
    /// whose declaration this cannot read fails, so nothing hides in an unusual spelling.
    static func declarations(marked marker: String) throws -> [String] {
        var found: [String] = []
        for module in stages + ["Uplift"] {
            for file in try lines(of: module) {
                for line in file where line.text.contains(marker) && !line.text.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                    if line.text.range(of: #"^(@[\w()]+\s+)*import\s"#, options: .regularExpression) != nil { continue }  // an SPI import
                    let words = line.text.split(separator: " ")
                    guard let k = words.firstIndex(where: { ["enum", "struct", "func", "class", "var", "let", "init", "typealias", "subscript", "case", "extension"].contains($0) }) else {
                        XCTFail("\(line.file):\(line.number): cannot read the declaration marked \(marker)"); continue
                    }
                    found.append(k + 1 < words.count ? String(words[k + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" }) : String(words[k]))
                }
            }
        }
        return found.sorted()
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
