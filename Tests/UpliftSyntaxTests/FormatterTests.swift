import Foundation
import XCTest
@testable import UpliftSyntax

final class FormatterTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What a file means to the parser: its tokens' kinds and texts.
    static func tokens(_ text: String) -> [String] {
        var d = Diagnostics()
        return Lexer.tokenize(SourceFile(path: "x", text: text), file: 0, diagnostics: &d).map { "\($0.kind) \($0.text)" }
    }

    static func comments(_ text: String) -> [String] {
        // Outside strings, `#` starts a comment (strings in these files hold no `#`).
        text.split(separator: "\n").compactMap { line in line.firstIndex(of: "#").map { String(line[$0...]).trimmingCharacters(in: .whitespaces) } }
    }

    /// Every .uplift file of the repository that parses (the broken-bundle fixture does not, on
    /// purpose).
    static func repositoryFiles() -> [(String, String)] {
        let e = FileManager.default.enumerator(atPath: root.path)
        var out: [(String, String)] = []
        while let p = e?.nextObject() as? String {
            guard p.hasSuffix(".uplift"), !p.hasPrefix(".build"), !p.contains("/.build/"), !p.hasPrefix("Fuzz/") else { continue }
            guard let text = try? String(contentsOfFile: root.appendingPathComponent(p).path, encoding: .utf8) else { continue }
            if !Parser.parseFile(SourceFile(path: p, text: text), file: 0).1.hasErrors { out.append((p, text)) }
        }
        return out
    }

    func testEveryRuleFileInTheRepositoryIsFormatted() throws {
        let files = Self.repositoryFiles()
        XCTAssertGreaterThanOrEqual(files.count, 2)
        for (path, text) in files {
            XCTAssertEqual(try Formatter.format(text, path: path), text, "\(path) is not formatted: run `uplift fmt \(path)`")
        }
    }

    func testFormattingKeepsTokensAndCommentsAndIsIdempotent() throws {
        for (path, text) in Self.repositoryFiles() {
            let once = try Formatter.format(text, path: path)
            XCTAssertEqual(Self.tokens(once), Self.tokens(text), path)
            XCTAssertEqual(Self.comments(once), Self.comments(text), path)
            XCTAssertEqual(try Formatter.format(once, path: path), once, path)
        }
    }

    /// Extra spaces and tabs between tokens, odd indentation, piles of blank lines: each messy
    /// copy comes back to the canonical text, comments intact.
    func testMessyCopiesAreRestored() throws {
        var rng = UInt64(12345)
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        for (path, canonical) in Self.repositoryFiles() {
            for _ in 0..<5 {
                var messy = ""
                for line in canonical.split(separator: "\n", omittingEmptySubsequences: false) {
                    // Code only: comments are kept as written.
                    let hash = line.firstIndex(of: "#") ?? line.endIndex
                    var l = String(line[..<hash])
                    let comment = String(line[hash...])
                    // Re-indent, widen or close gaps between tokens, add trailing blanks.
                    let trimmed = l.drop { $0 == " " }
                    l = String(repeating: next(2) == 0 ? "\t" : " ", count: next(7)) + trimmed
                    l = l.replacingOccurrences(of: ", ", with: next(2) == 0 ? " ,  " : ",   ")
                    l = l.replacingOccurrences(of: " == ", with: next(2) == 0 ? "==" : "  ==   ")
                    l = l.replacingOccurrences(of: "(", with: next(2) == 0 ? "( " : "(")
                    messy += l + String(repeating: " ", count: next(3)) + comment + "\n"
                    // A blank line becomes a pile of them.
                    if line.isEmpty && next(2) == 0 { messy += "\n\n" }
                }
                XCTAssertNotEqual(messy, canonical)
                let restored = try Formatter.format(messy, path: path)
                XCTAssertEqual(restored, canonical, "\(path): \(Self.firstDifference(restored, canonical))")
            }
        }
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, (l, r)) in zip(x, y).enumerated() where l != r { return "line \(i + 1): got `\(l)`, expected `\(r)`" }
        return "lengths \(x.count) and \(y.count)"
    }

    func testTheCanonicalLayout() throws {
        let messy = """
        # Gates
        reason  A   "a"
        reason LONGER_CODE "b"   # trailing
        decline A when age<18 or age>60
        decline LONGER_CODE when count( [c for c in certificates where c.verified] )==0
        let x = - 5 +catalogue [ c ] .points
        cap A = 50000-current_limit   when monthly_income is present



        record R {
              a: integer   # one
          bb: bool optional # two
        }
        """
        let expected = """
        # Gates
        reason A           "a"
        reason LONGER_CODE "b"  # trailing
        decline A           when age < 18 or age > 60
        decline LONGER_CODE when count([c for c in certificates where c.verified]) == 0
        let x = -5 + catalogue[c].points
        cap A = 50000 - current_limit when monthly_income is present

        record R {
          a: integer         # one
          bb: bool optional  # two
        }

        """
        XCTAssertEqual(try Formatter.format(messy), expected)
    }

    func testAFileThatDoesNotParseIsRefused() {
        XCTAssertThrowsError(try Formatter.format("decline A when (age < 18\n"))
    }
}
