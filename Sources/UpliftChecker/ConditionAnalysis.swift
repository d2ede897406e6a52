import UpliftBundle
import UpliftSyntax

/// Findings about what conditions can and cannot do, from interval reasoning over literals and
/// the schema's declared ranges: rules and caps that never or always apply, segments that never
/// match or hide the ones after them, exclusive segments that overlap (with an applicant that
/// matches both), and bands the input can never reach.
extension Checker {
    /// Reasoning steps the overlap check of one exclusive segment table may take in all.
    static let overlapSteps = 1_000_000

    func analyseConditions(_ p: CheckedPolicy) {
        let reasoning = IntervalReasoning(domain: { self.domain(of: $0, in: p) })
        for r in p.rules {
            let code = p.reasons[r.reason].code
            let what = r.kind == .decline ? "gate" : r.kind == .refer ? "referral" : "no-change rule"
            if reasoning.neverTrue(r.condition) {
                diags.warning("W270", "the \(what) `\(code)` can never apply: no applicant satisfies its condition", at: r.conditionSpan,
                              help: "check the comparisons: two of them exclude each other, or one lies outside the field's declared range")
            } else if reasoning.alwaysTrue(r.condition) {
                let effect = r.kind == .decline ? "every applicant is declined" : r.kind == .refer ? "every applicant is referred" : "no applicant is ever approved"
                diags.warning("W271", "the \(what) `\(code)` always applies: \(effect)", at: r.conditionSpan,
                              help: "check the comparisons: the condition holds for every value the fields can take")
            }
        }
        for c in p.caps {
            guard let w = c.condition else { continue }
            let code = p.reasons[c.reason].code, word = c.isFloor ? "floor" : "cap"
            if reasoning.neverTrue(w) {
                diags.warning("W276", "the \(word) `\(code)` never applies: its `when` is never true", at: c.span,
                              help: "fix the condition, or remove the \(word)")
            } else if reasoning.alwaysTrue(w) {
                diags.warning("W277", "the \(word) `\(code)` always applies: its `when` is always true", at: c.span,
                              help: "remove `when …`, or fix the condition")
            }
        }
        for (t, seg) in p.segments.enumerated() {
            if seg.kind == .decisionTable { analyseDecisionTable(t, seg, reasoning, p); continue }
            let spans = seg.rowSpans
            for (j, cond) in seg.conditions.enumerated() where spans.indices.contains(j) {
                let isCatchAll: Bool = if case .constant(let v) = cond { v != 0 } else { false }
                if reasoning.neverTrue(cond) {
                    diags.warning("W272", "segment `\(seg.names[j])` can never match", at: spans[j],
                                  help: "no applicant satisfies its `when`; fix the condition or remove the segment")
                } else if j < seg.conditions.count - 1 && (isCatchAll || reasoning.alwaysTrue(cond)) {
                    // At most five names: listing every later segment for each would be quadratic.
                    let later = seg.names[(j + 1)...]
                    let hidden = later.prefix(5).map { "`\($0)`" }.joined(separator: ", ") + (later.count > 5 ? " and \(later.count - 5) more" : "")
                    diags.warning("W273", "segment `\(seg.names[j])` always matches, so \(hidden) after it can never be reached", at: spans[j],
                                  help: "segments are tried in order: move the catch-all to the end")
                }
            }
            if seg.exclusive { overlaps(seg, spans, reasoning, p) }
        }
        for (i, b) in p.bands.enumerated() { unreachableBands(b, i, reasoning, p) }
    }

    /// In a table marked `exclusive: true`, no two segments (other than a final catch-all) may
    /// match the same applicant; each overlap is reported with one.
    ///
    /// Only the pairs `SegmentOverlap` finds might overlap are checked exactly, in the order of
    /// the table (all others provably share no applicant), so 10,000 disjoint segments cost a
    /// sort, not 50 million pair checks. Everything together gets a bounded number of reasoning
    /// steps (`overlapSteps`); a table too large to finish is reported (W278) rather than
    /// checked for minutes or passed in silence.
    func overlaps(_ seg: CheckedSegments, _ spans: [Span], _ reasoning: IntervalReasoning, _ p: CheckedPolicy) {
        var budget = Self.overlapSteps
        let last = seg.conditions.count - 1
        var boxes: [[IntervalReasoning.Box]?] = []
        for (j, c) in seg.conditions.enumerated() {
            let catchAll: Bool = if case .constant(let v) = c { v != 0 } else { false }
            boxes.append(catchAll && j == last ? [] : reasoning.satisfy(c, true, in: .init(), &budget))
        }
        guard budget >= 0, let pairs = SegmentOverlap(domain: reasoning.domain).candidates(boxes, &budget) else {
            return pairwise(seg, spans, reasoning, p)
        }
        for (i, j) in pairs {
            guard overlap(i, j, seg, spans, reasoning, p, &budget) else { return }
        }
    }

    /// The check of every pair, for a table whose candidates could not be found within the
    /// budget: it reports the overlaps it reaches, then W278.
    func pairwise(_ seg: CheckedSegments, _ spans: [Span], _ reasoning: IntervalReasoning, _ p: CheckedPolicy) {
        var budget = Self.overlapSteps
        for i in seg.conditions.indices {
            for j in seg.conditions.indices where j > i {
                let catchAll: Bool = if case .constant(let v) = seg.conditions[j] { v != 0 } else { false }
                if catchAll && j == seg.conditions.count - 1 { continue }
                guard overlap(i, j, seg, spans, reasoning, p, &budget) else { return }
            }
        }
    }

    /// Checks segments `i` and `j` exactly and reports an overlap (W274) with an example; false,
    /// after reporting W278, once `budget` is spent.
    func overlap(_ i: Int, _ j: Int, _ seg: CheckedSegments, _ spans: [Span], _ reasoning: IntervalReasoning, _ p: CheckedPolicy,
                 _ budget: inout Int) -> Bool {
        let boxes = reasoning.satisfy(.and(seg.conditions[i], seg.conditions[j]), true, in: .init(), &budget)
        if budget < 0 {
            let at = spans.indices.contains(i) ? spans[i] : (spans.first ?? .none)
            diags.warning("W278", "exclusive table `\(seg.name)` is too large to check every pair of segments; checked those before `\(seg.names[i])`",
                          at: at, help: "split the table, or remove `exclusive: true` and rely on the first match")
            return false
        }
        guard let boxes, let box = boxes.first else { return true }
        let example = witness(box, p)
        diags.warning("W274", "segments `\(seg.names[i])` and `\(seg.names[j])` of exclusive table `\(seg.name)` overlap: \(example.isEmpty ? "some applicants" : "for example \(example)") match both",
                      at: spans[j], help: "make the conditions exclude each other, or remove `exclusive: true` to let the first match win")
        return true
    }

    /// One value per constrained fact, for "for example age = 25, occupation = employee".
    func witness(_ box: IntervalReasoning.Box, _ p: CheckedPolicy) -> String {
        var parts: [String] = []
        for (v, r) in box.ranges {
            let field: (name: String, type: ValueType)
            switch v {
            case .fact(let f) where p.schema.facts.fields.indices.contains(f): field = (p.schema.facts.fields[f].name, p.schema.facts.fields[f].type)
            case .value(let i) where p.values.indices.contains(i): field = (p.values[i].name, p.values[i].type.unwrapped)
            default: continue
            }
            // A string's raw value is an id, not a text a person could type: leave it out.
            if field.type == .string { continue }
            let full = domain(of: v, in: p)
            // A bound the conditions set, not the type's extreme: `age < 25` gives 24, `age >= 16` gives 16.
            let x = r.lowerBound != full.lowerBound ? r.lowerBound : r.upperBound != full.upperBound ? r.upperBound : min(max(0, r.lowerBound), r.upperBound)
            let text: String = switch field.type {
            case .enumeration(let e): p.schema.enums[e].cases.indices.contains(Int(x)) ? p.schema.enums[e].cases[Int(x)] : String(x)
            case .bool: x != 0 ? "true" : "false"
            case .decimal, .money: FixedDecimal(raw: x).formatted()
            case .date: CivilDate.format(x)
            default: String(x)
            }
            parts.append("\(field.name) = \(text)")
        }
        return parts.sorted().joined(separator: ", ")
    }

    /// Bands wholly outside the range the input can take (a fact with a declared range).
    func unreachableBands(_ b: CheckedBands, _ i: Int, _ reasoning: IntervalReasoning, _ p: CheckedPolicy) {
        guard let v = reasoning.variable(b.input), bandTables.indices.contains(i) else { return }
        let r = reasoning.domain(v)
        let rows = bandTables[i].bands
        for (k, lower) in b.lower.enumerated() where rows.indices.contains(k) {
            let lo = lower ?? Int64.min
            let hi = b.upper.indices.contains(k) ? (b.upper[k] ?? Int64.max) : Int64.max
            if hi < r.lowerBound || lo > r.upperBound {
                diags.warning("W275", "band \(b.labels.indices.contains(k) ? b.labels[k] : String(k + 1)) of `\(b.name)` can never be reached: its input stays within \(describe(r, b.inputType))",
                              at: rows[k].span, help: "remove the band, or widen the input's declared range in the schema")
            }
        }
    }

    func describe(_ r: ClosedRange<Int64>, _ t: ValueType) -> String {
        let f = { (x: Int64) -> String in t == .integer ? String(x) : t == .date ? CivilDate.format(x) : FixedDecimal(raw: x).formatted() }
        return "\(f(r.lowerBound)) to \(f(r.upperBound))"
    }

    /// The values a register can take, from its type and the schema's declared range.
    func domain(of v: IntervalReasoning.Variable, in p: CheckedPolicy) -> ClosedRange<Int64> {
        let full = (Int64.min + 1)...Int64.max
        func byType(_ t: ValueType, _ range: ClosedRange<Int64>?) -> ClosedRange<Int64> {
            if let range { return range }
            switch t.unwrapped {
            case .bool: return 0...1
            case .enumeration(let e): return 0...Int64(max(0, p.schema.enums[e].cases.count - 1))
            case .money, .integer, .decimal, .date: return full
            default: return full
            }
        }
        switch v {
        case .fact(let f):
            guard p.schema.facts.fields.indices.contains(f) else { return full }
            let field = p.schema.facts.fields[f]
            return byType(field.type, field.range)
        case .value(let i):
            return p.values.indices.contains(i) ? byType(p.values[i].type, nil) : full
        case .segment(let t):
            return p.segments.indices.contains(t) ? 0...Int64(max(0, p.segments[t].names.count - 1)) : full
        case .uplift:
            return 0...Int64.max
        }
    }
}
