import UpliftBundle
import UpliftSyntax

/// What interval reasoning proves about a decision table: cells that match every value (in a
/// cell a comma means *or*, so `>= 30, < 50` matches everything), rows earlier rows hide,
/// rows of a `unique` table that share an input, and inputs no row covers, each with an example.
/// Everything a table asks shares one bounded budget, so a huge table is reported as too large
/// to check (W333), never checked for minutes.
extension Checker {
    func analyseDecisionTable(_ t: Int, _ seg: CheckedSegments, _ reasoning: IntervalReasoning, _ p: CheckedPolicy) {
        guard let cells = decisionCells[t] else { return }
        var budget = Self.overlapSteps
        let spans = seg.rowSpans
        func spent(_ what: String) -> Bool {
            guard budget < 0 else { return false }
            diags.warning("W333", "decision table `\(seg.name)` is too large to check \(what) within the checker's budget",
                          at: spans.first ?? .none, help: "split the table; its rows are still decided by its hit policy")
            // `complete: true` makes the outputs count as always present: unproven, that is an error.
            if seg.complete {
                diags.error("E336", "decision table `\(seg.name)` is marked `complete: true`, but the checker cannot prove that a row matches every input",
                            at: spans.first ?? .none, help: "add a last row of `-` cells or a `default:` row")
            }
            return true
        }
        for row in cells {
            for cell in row {
                let falseBoxes = reasoning.satisfy(cell.test, false, in: .init(), &budget)
                if spent("every cell") { return }
                if let falseBoxes, falseBoxes.isEmpty, bundle.sources.text(cell.span).contains(",") {
                    diags.warning("W331", "this cell matches every value: in a cell a comma means *or*", at: cell.span,
                                  help: "for a range write `[30..50)` or `30..49`; keep the comma only when either test should match")
                }
            }
        }
        let rows = seg.conditions.count
        do {
            // Row j is unreachable when it cannot hold (any hit policy), or (first match) unless
            // an earlier row holds too.
            for j in 0..<rows {
                let alone = reasoning.satisfy(seg.conditions[j], true, in: .init(), &budget)
                if spent("for unreachable rows") { return }
                if let alone, alone.isEmpty {
                    diags.warning("W330", "row `\(seg.names[j])` of `\(seg.name)` can never match", at: spans[j],
                                  help: "no input satisfies all of its cells; fix the cells or remove the row")
                    continue
                }
                guard j > 0, seg.hit == .first else { continue }
                let rest = Self.balanced([seg.conditions[j]] + seg.conditions[0..<j].map { TExpr.not($0) })
                let boxes = reasoning.satisfy(rest, true, in: .init(), &budget)
                if spent("for unreachable rows") { return }
                guard let boxes, boxes.isEmpty else { continue }
                var by = "the rows before it"
                for i in 0..<j {
                    let b = reasoning.satisfy(.and(seg.conditions[j], .not(seg.conditions[i])), true, in: .init(), &budget)
                    if spent("for unreachable rows") { return }
                    if let b, b.isEmpty { by = "row `\(seg.names[i])`"; break }
                }
                diags.warning("W330", "row `\(seg.names[j])` of `\(seg.name)` can never be reached: \(by) matches every input it matches",
                              at: spans[j], help: "rows are tried in order (`hit: first`): move this row up, narrow the earlier cells, or remove it")
            }
        }
        if seg.hit == .unique {
            for i in 0..<rows where Self.exact(seg.conditions[i]) {
                for j in (i + 1)..<max(i + 1, rows) where Self.exact(seg.conditions[j]) {
                    let both = reasoning.satisfy(.and(seg.conditions[i], seg.conditions[j]), true, in: .init(), &budget)
                    if spent("every pair of rows") { return }
                    guard let both, let box = both.first else { continue }
                    let example = witness(box, p)
                    diags.error("E335", "rows `\(seg.names[i])` and `\(seg.names[j])` of unique table `\(seg.name)` both match \(example.isEmpty ? "some inputs" : "for example \(example)")",
                                at: spans[j], help: "make the cells exclude each other, or use `hit: first` to let the earlier row win",
                                notes: [("the other row", spans[i])])
                }
            }
        }
        // Gaps matter only where a missing output would follow: not with a default row or a catch-all.
        guard !seg.hasDefault, seg.noMatchRow != nil, !(seg.isCollect && !seg.complete) else { return }
        let none = rows == 0 ? TExpr.constant(1) : Self.balanced(seg.conditions.map { TExpr.not($0) })
        let gaps = reasoning.satisfy(none, true, in: .init(), &budget)
        if budget < 0 || gaps == nil {
            if seg.complete {
                diags.error("E336", "decision table `\(seg.name)` is marked `complete: true`, but the checker cannot prove that a row matches every input",
                            at: spans.first ?? .none, help: "add a last row of `-` cells or a `default:` row")
            }
            return
        }
        guard let gaps, let box = gaps.first else { return }
        // A box is a proof of a gap only when every test was reasoned about exactly.
        guard seg.conditions.allSatisfy(Self.exact) else {
            if seg.complete {
                diags.error("E336", "decision table `\(seg.name)` is marked `complete: true`, but the checker cannot prove that a row matches every input",
                            at: spans.first ?? .none, help: "add a last row of `-` cells or a `default:` row")
            }
            return
        }
        let example = witness(box, p)
        let shown = example.isEmpty ? "some inputs" : "for example \(example)"
        if seg.complete {
            diags.error("E336", "decision table `\(seg.name)` is marked `complete: true`, but no row matches \(shown)",
                        at: spans.last ?? .none, help: "add a row for these inputs, a last row of `-` cells, or a `default:` row")
        } else {
            diags.warning("W332", "no row of decision table `\(seg.name)` matches \(shown); its outputs are then missing",
                          at: spans.last ?? .none, help: "add a last row of `-` cells or a `default:` row, or read the outputs with `otherwise`")
        }
    }

    /// Whether interval reasoning decides `e` exactly: comparisons of a fact or value with a
    /// constant, boolean facts, and `and`/`or`/`not` of those. Only then does a box it finds
    /// prove an input exists (an overlap, a gap); for anything else a box only means "maybe".
    static func exact(_ e: TExpr) -> Bool {
        switch e {
        case .constant: return true
        case .fact, .value: return true
        case .not(let a): return exact(a)
        case .and(let a, let b), .or(let a, let b): return exact(a) && exact(b)
        case .compare(_, let a, let b):
            switch (a, b) {
            case (.fact, .constant), (.value, .constant), (.constant, .fact), (.constant, .value): return true
            default: return false
            }
        default: return false
        }
    }

    /// `a and b and c …` as a balanced tree, so reasoning over thousands of rows stays shallow.
    static func balanced(_ parts: [TExpr]) -> TExpr {
        guard parts.count > 1 else { return parts.first ?? .constant(1) }
        let mid = parts.count / 2
        return .and(balanced(Array(parts[..<mid])), balanced(Array(parts[mid...])))
    }
}
