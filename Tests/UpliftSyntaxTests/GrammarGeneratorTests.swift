import Foundation
import XCTest
import UpliftSyntax

/// Reads `grammar/uplift.ebnf`, generates random programs from it, and checks that the parser
/// accepts every one: the grammar file and the parser agree.
final class GrammarGeneratorTests: XCTestCase {
    indirect enum Rule {
        case terminal(String)
        case nonterminal(String)
        case sequence([Rule])
        case choice([Rule])
        case optional(Rule)
        case repeated(Rule)
    }

    /// A minimal ISO-EBNF reader for the subset the grammar file uses.
    struct EBNF {
        var tokens: [String] = []
        var i = 0

        static func parse(_ text: String) -> [String: Rule] {
            var t = EBNF()
            var s = Substring(text)
            while let c = s.first {
                if s.hasPrefix("(*") {
                    s = s.range(of: "*)").map { s[$0.upperBound...] } ?? ""
                } else if c == "\"" || c == "'" {
                    let rest = s.dropFirst()
                    let end = rest.firstIndex(of: c) ?? rest.endIndex
                    t.tokens.append(String(c) + rest[..<end])
                    s = rest[end...].dropFirst()
                } else if c.isLetter || c == "_" {
                    let word = s.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                    t.tokens.append(String(word))
                    s = s.dropFirst(word.count)
                } else if s.hasPrefix("..") {
                    t.tokens.append("..")
                    s = s.dropFirst(2)
                } else if c.isWhitespace {
                    s = s.dropFirst()
                } else {
                    t.tokens.append(String(c))
                    s = s.dropFirst()
                }
            }
            var rules: [String: Rule] = [:]
            while t.i < t.tokens.count {
                let name = t.tokens[t.i]
                t.i += 2 // name "="
                rules[name] = t.choice()
                t.i += 1 // ";"
            }
            return rules
        }

        mutating func choice() -> Rule {
            var alts = [sequence()]
            while i < tokens.count, tokens[i] == "|" { i += 1; alts.append(sequence()) }
            return alts.count == 1 ? alts[0] : .choice(alts)
        }

        mutating func sequence() -> Rule {
            var items: [Rule] = []
            while i < tokens.count, ![";", "|", ")", "]", "}"].contains(tokens[i]) {
                let t = tokens[i]
                i += 1
                switch t {
                case "(": items.append(choice()); i += 1
                case "[": items.append(.optional(choice())); i += 1
                case "{": items.append(.repeated(choice())); i += 1
                case ",": continue
                default:
                    if t.hasPrefix("\"") || t.hasPrefix("'") { items.append(.terminal(String(t.dropFirst()))) } else { items.append(.nonterminal(t)) }
                }
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }
    }

    struct Generator {
        let rules: [String: Rule]
        var rng: SystemRandomNumberGeneratorFree
        var out: [String] = []
        var depth = 0
        let maxDepth = 9

        /// Tokens the lexer defines: generated directly, valid by construction.
        mutating func lexical(_ name: String) -> String? {
            switch name {
            case "NAME": return "x"
            case "NUMBER": return ["0", "7", "42", "1100.10", "0.5"][rng.next(5)]
            case "DATE": return ["2024-12-23", "2000-02-29"][rng.next(2)]
            case "STRING": return ["\"a\"", "\"\"", "\"q \\\" q\""][rng.next(3)]
            default: return nil
            }
        }

        /// The least number of tokens each nonterminal can produce, found once by fixed-point
        /// iteration; at the depth limit the generator takes the cheapest way out.
        let minimum: [String: Int]

        init(rules: [String: Rule], rng: SystemRandomNumberGeneratorFree) {
            self.rules = rules
            self.rng = rng
            var m: [String: Int] = [:]
            var changed = true
            while changed {
                changed = false
                for (name, rule) in rules {
                    let c = Self.cost(rule, m)
                    if c < (m[name] ?? Int.max) { m[name] = c; changed = true }
                }
            }
            minimum = m
        }

        static func cost(_ r: Rule, _ m: [String: Int]) -> Int {
            switch r {
            case .terminal: return 1
            case .nonterminal(let n):
                if ["NAME", "NUMBER", "DATE", "STRING"].contains(n) { return 1 }
                return m[n].map { $0 + 1 } ?? 1_000_000
            case .sequence(let xs): return min(1_000_000, xs.reduce(0) { $0 + cost($1, m) })
            case .choice(let xs): return xs.map { cost($0, m) }.min() ?? 1_000_000
            case .optional, .repeated: return 0
            }
        }

        func cost(_ r: Rule) -> Int { Self.cost(r, minimum) }

        mutating func emit(_ r: Rule) {
            switch r {
            case .terminal(let t): out.append(t)
            case .nonterminal(let n):
                if let lex = lexical(n) { out.append(lex); return }
                guard let rule = rules[n] else { return out.append("?\(n)?") }
                depth += 1
                defer { depth -= 1 }
                emit(rule)
            case .sequence(let xs): xs.forEach { emit($0) }
            case .choice(let xs):
                if depth > maxDepth, let cheapest = xs.min(by: { cost($0) < cost($1) }) { return emit(cheapest) }
                emit(xs[rng.next(xs.count)])
            case .optional(let x):
                if depth <= maxDepth && rng.next(2) == 0 { emit(x) }
            case .repeated(let x):
                guard depth <= maxDepth else { return }
                for _ in 0..<rng.next(2) { emit(x) }
            }
        }
    }

    /// A tiny deterministic generator (no dependency on the runtime module).
    struct SystemRandomNumberGeneratorFree {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    func testParserAcceptsEveryGeneratedProgram() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let rules = EBNF.parse(try String(contentsOf: root.appendingPathComponent("grammar/uplift.ebnf"), encoding: .utf8))
        XCTAssertNotNil(rules["file"])
        let count = ProcessInfo.processInfo.environment["UPLIFT_LONG_TESTS"] == "1" ? 20_000 : 2_000
        var declarations = 0, characters = 0
        for seed in 0..<UInt64(count) {
            var g = Generator(rules: rules, rng: SystemRandomNumberGeneratorFree(state: seed))
            // One declaration per line, as policy authors write them.
            var lines: [String] = []
            for _ in 0..<(1 + g.rng.next(4)) {
                g.out = []
                g.emit(.nonterminal("declaration"))
                lines.append(g.out.joined(separator: " "))
            }
            declarations += lines.count
            let text = lines.joined(separator: "\n") + "\n"
            characters += text.count
            let (file, d) = Parser.parseFile(SourceFile(path: "generated.uplift", text: text), file: 0)
            var map = SourceMap()
            _ = map.add(SourceFile(path: "generated.uplift", text: text))
            if d.hasErrors {
                return XCTFail("seed \(seed): the grammar generated a program the parser rejects:\n\(text)\n\(DiagnosticRenderer.render(d.all, in: map))")
            }
            XCTAssertEqual(file.decls.count, lines.count, text)
            // The formatter round-trips every generated program: same tokens, and stable.
            let formatted = try Formatter.format(text)
            XCTAssertEqual(FormatterTests.tokens(formatted), FormatterTests.tokens(text), "seed \(seed)")
            XCTAssertEqual(try Formatter.format(formatted), formatted, "seed \(seed): formatting twice differs")
        }
        XCTAssertGreaterThan(declarations, count)
        print("grammar generator: \(count) programs, \(declarations) declarations, \(characters) characters")
    }
}
