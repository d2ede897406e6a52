import Foundation
import XCTest

/// No statement in `Sources/` that can kill the process on bad input or a failed write: `try!`,
/// `fatalError`, `precondition`, force unwraps and casts (`x!`, `as!`), and Foundation's
/// `FileHandle.write(_: Data)`, which traps when the write fails. Comments and string literals
/// are skipped, so documentation may still name them.
final class NoTrapsInSourcesTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The code of a Swift file with comments and string literals blanked out (line breaks kept,
    /// so line numbers still match).
    static func code(_ text: String) -> [Character] {
        let s = Array(text)
        var out: [Character] = []
        out.reserveCapacity(s.count)
        var i = 0
        func blank(_ c: Character) { out.append(c == "\n" ? "\n" : " ") }
        while i < s.count {
            if s[i] == "/", i + 1 < s.count, s[i + 1] == "/" {
                while i < s.count, s[i] != "\n" { blank(s[i]); i += 1 }
            } else if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" {
                var depth = 0
                repeat {
                    if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" { depth += 1; blank(s[i]); blank(s[i + 1]); i += 2; continue }
                    if s[i] == "*", i + 1 < s.count, s[i + 1] == "/" { depth -= 1; blank(s[i]); blank(s[i + 1]); i += 2; continue }
                    blank(s[i]); i += 1
                } while i < s.count && depth > 0
            } else if s[i] == "\"" {
                // A string literal, single-line or multi-line ("""), with escapes; interpolations
                // are blanked too (they hold no traps in this code base's style).
                let triple = i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\""
                let width = triple ? 3 : 1
                for _ in 0..<width { blank(s[i]); i += 1 }
                while i < s.count {
                    if s[i] == "\\" { blank(s[i]); if i + 1 < s.count { blank(s[i + 1]) }; i += 2; continue }
                    if s[i] == "\"" && (!triple || (i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\"")) {
                        for _ in 0..<width { blank(s[i]); i += 1 }
                        break
                    }
                    blank(s[i]); i += 1
                }
            } else {
                out.append(s[i]); i += 1
            }
        }
        return out
    }

    /// Every trap in `text`, as `line: what`.
    static func traps(in text: String) -> [String] {
        let lines = String(code(text)).split(separator: "\n", omittingEmptySubsequences: false)
        var found: [String] = []
        let words = ["try!", "fatalError(", "precondition(", "preconditionFailure(", "as!", ".write(Data("]
        for (n, line) in lines.enumerated() {
            for w in words where line.contains(w) { found.append("\(n + 1): \(w)") }
            // A force unwrap: `!` right after a name, `)` or `]`, and not the start of `!=`.
            let chars = Array(line)
            for k in chars.indices.dropFirst() where chars[k] == "!" {
                let before = chars[k - 1]
                let next = k + 1 < chars.count ? chars[k + 1] : " "
                if (before.isLetter || before.isNumber || before == "_" || before == ")" || before == "]") && next != "=" {
                    let word = String(chars[..<k].reversed().prefix { $0.isLetter || $0 == "_" }.reversed())
                    if word == "try" || word == "as" { continue } // counted above
                    found.append("\(n + 1): force unwrap")
                }
            }
        }
        return found
    }

    func testTheScannerFindsEachKindOfTrap() {
        // A planted example of each kind is found; the same words in comments and strings are not.
        let planted = """
        let a = try! f()
        fatalError("x")
        precondition(x > 0)
        let b = dict["k"]!
        let c = f()!.g
        let d = x as! Int
        handle.write(Data(bytes))
        """
        XCTAssertEqual(Self.traps(in: planted).count, 7, "\(Self.traps(in: planted))")
        let clean = """
        // try! fatalError( x! as!
        /* precondition(x) */
        let s = "try! x! fatalError("
        let t = \"\"\"
            force! unwrap!
            \"\"\"
        if !ok && a != b && c !== d { }
        """
        XCTAssertEqual(Self.traps(in: clean), [])
    }

    func testSourcesHoldNoTraps() throws {
        let files = FileManager.default.enumerator(atPath: Self.sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        XCTAssertGreaterThan(files.count, 50, "Sources/ not found at \(Self.sources.path)")
        var all: [String] = []
        for f in files.sorted() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(f), encoding: .utf8)
            all += Self.traps(in: text).map { "Sources/\(f):\($0)" }
        }
        XCTAssertEqual(all, [], "traps reachable from input or a failed write:\n" + all.joined(separator: "\n"))
    }
}
