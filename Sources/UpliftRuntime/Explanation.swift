import UpliftBundle
import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// Why a decision came out as it did: every gate, referral, band, segment and cap the policy
/// evaluated, with its result and the values it read, and which list elements (certificates)
/// each named filter kept or left out and why.
///
/// Building one decides everything (which rules fired, which caps bound, which segment tests
/// ran, which certificates were kept and the first test each failed); the texts of rules and
/// locations are the policy's own, shared by every explanation; values are formatted when read.
/// That keeps an explanation at about a microsecond, so services can afford one per decision.
public struct Explanation: Sendable {
    /// A value a rule, table or cap read, as people and JSON show it.
    public struct Value: Sendable, Equatable {
        /// The name the rule read (a fact, a named value, `count(accepted)`).
        public let name: String
        let raw: Int64
        let format: ValueFormat
        let snapshot: Snapshot
        /// The index of the named value when it is a grouped aggregate (see `contributions`).
        var groups: Int? = nil

        /// The value as people read it.
        public var text: String { snapshot.text(raw, format) }
        /// The value as JSON.
        public var json: String { snapshot.json(raw, format) }
        /// What made up a grouped total, group by group (`professional 70 (cpa), language 30
        /// (ielts)`); nil for other values.
        public var contributions: [Contribution]? { groups.map { snapshot.contributions(of: $0) } }
        /// The text with a grouped total's contributions: `70 (professional 70 (cpa))`.
        public var shown: String {
            guard let parts = contributions, !parts.isEmpty else { return text }
            return "\(text) (\(parts.map(\.text).joined(separator: ", ")))"
        }

        public static func == (a: Value, b: Value) -> Bool {
            a.name == b.name && a.text == b.text && a.json == b.json && a.contributions == b.contributions
        }
    }

    /// One group's part of a grouped total: the group (`professional`), its value (`70`) and
    /// the element that gave it (`cpa`, for `max`/`min`; nil for sums and counts).
    public struct Contribution: Sendable, Equatable {
        /// The group's name (a category or enum case).
        public let group: String
        /// The group's value as text (`70`).
        public let value: String
        /// The group's value as JSON.
        public let json: String
        /// The key of the element that gave the value (`cpa`), when one element did.
        public let from: String?
        /// `professional 70 (cpa)`.
        public var text: String { "\(group) \(value)\(from.map { " (\($0))" } ?? "")" }
    }

    /// A gate, referral or no-change rule: whether it fired, and what its condition read.
    public struct RuleResult: Sendable {
        let info: ExplanationTemplate.Rule
        let snapshot: Snapshot
        /// Whether its condition held.
        public let fired: Bool
        /// The values of the condition's comparison operands that are not plain reads.
        let derived: [Value]
        /// `decline` (a gate), `refer` or `no_change`.
        public var kind: String { info.kind }
        /// The reason code it gives.
        public var code: String { info.code }
        /// The condition as written in the rule file.
        public var condition: String { info.condition }
        /// Where the rule is declared (`path:line:column`).
        public var location: String { info.location }
        /// The names the condition reads and the other operands of its comparisons
        /// (`count(accepted)`), each with its value.
        public var reads: [Value] { snapshot.values(info.reads) + derived }
    }

    /// A band table's lookup: the input, its value and the band it fell in, with that row's columns.
    public struct BandResult: Sendable {
        let info: ExplanationTemplate.Band
        let snapshot: Snapshot
        let row: Int
        /// The table's name.
        public var table: String { info.table }
        /// The input expression as written.
        public var input: String { info.input }
        /// The input's value (each input's, named, when it reads several).
        public var inputValue: String {
            let inputs = snapshot.values(info.inputReads)
            return inputs.count == 1 ? inputs[0].shown : inputs.map { "\($0.name) = \($0.shown)" }.joined(separator: ", ")
        }
        /// The band's label.
        public var band: String { info.labels.indices.contains(row) ? info.labels[row] : "?" }
        /// The band's columns (its amounts, rates).
        public var columns: [Value] { snapshot.row(info.columns, info.rows, row) }
    }

    /// One row of a segment or decision table tried: whether it matched and what it read.
    public struct SegmentTest: Sendable {
        let info: ExplanationTemplate.Segments
        let snapshot: Snapshot
        let index: Int
        /// Whether the row matched.
        public let matched: Bool
        let derived: [Value]
        /// The row's name (a segment, or a decision table row's id).
        public var name: String { info.names.indices.contains(index) ? info.names[index] : "?" }
        /// The row's condition: a segment's `when`, or a decision table row's cells.
        public var condition: String { info.conditions.indices.contains(index) ? info.conditions[index] : "?" }
        /// The values the condition read.
        public var reads: [Value] { (info.reads.indices.contains(index) ? snapshot.values(info.reads[index]) : []) + derived }
    }

    /// A segment table's or a decision table's result: the rows tried, in order, and the
    /// outputs that followed.
    public struct SegmentResult: Sendable {
        let info: ExplanationTemplate.Segments
        let snapshot: Snapshot
        let row: Int
        /// The rows tested in order: a first-match table's up to and including the one that
        /// matched; every row of a `unique` or `collect` table. A decision table's row shows
        /// its cells as its condition and the inputs' values as what it read.
        public let tested: [SegmentTest]
        /// The table's name.
        public var table: String { info.table }
        /// `segments` or `decision_table`.
        public var kind: String { info.kind.rawValue }
        /// `first`, `unique`, `collect sum`, …
        public var hitPolicy: String { info.hit.name }
        /// The matched row's name (`(no row)` when none matched); for `collect`, the matched rows joined.
        public var segment: String {
            if case .collect = info.hit { return matchedRows.isEmpty ? "(no row)" : matchedRows.joined(separator: ", ") }
            return info.names.indices.contains(row) ? info.names[row] : "?"
        }
        /// The names of every matched row.
        public var matchedRows: [String] { tested.filter(\.matched).map(\.name) }
        /// The outputs: the matched row's values, or for `collect`, each output combined.
        public var columns: [Value] {
            // `collect count` and `collect list` fold no output: the matched rows are the result.
            if case .collect(let op) = info.hit, op == .count || op == .list { return [] }
            if case .collect = info.hit {
                return zip(info.columns, info.collectSlots).map { Value(name: $0.0.name, raw: snapshot.raw($0.1), format: .typed($0.0.type), snapshot: snapshot) }
            }
            return snapshot.row(info.columns, info.rows, row)
        }
    }

    /// A cap or floor: whether it applied, its bound's value, and whether it bound.
    public struct CapResult: Sendable {
        let info: ExplanationTemplate.Cap
        let snapshot: Snapshot
        let raw: Int64
        /// Whether it bound (changed the amount).
        public let binds: Bool
        let derived: [Value]
        /// The reason code given when it binds.
        public var code: String { info.code }
        /// The bound as written.
        public var bound: String { info.bound }
        /// A `floor`: it binds when its bound is above the (negative) amount.
        public var isFloor: Bool { info.isFloor }
        /// nil when the cap's `when` did not hold (the cap does not apply).
        public var value: String? { raw == Program.missing ? nil : snapshot.text(raw, .typed(.money)) }
        /// The names the bound and its `when` read, and the `when`'s other comparison operands.
        public var reads: [Value] { snapshot.values(info.reads) + derived }
    }

    /// One element of a list (a certificate): whether the list's filter kept it, and if not, why.
    public struct ElementResult: Sendable {
        let list: ExplanationTemplate.List
        let snapshot: Snapshot
        let offset: Int
        /// Its position in the applicant's list, from 0.
        public let index: Int
        /// Whether the filter kept it.
        public let kept: Bool
        /// The first `and`-part of the filter that was false.
        public let failed: String?
        let failedTest: TExpr?
        /// Why that part was false, in the values that made it so (`confidence 0.80 <
        /// min_confidence 0.85 (language)`).
        public var because: String? {
            failedTest.map { snapshot.evidence(whyFalse: $0, variables: list.variables, element: offset) }
        }
        /// The element's fields, personal data left out.
        public var fields: [Value] {
            list.fields.map { f in
                let i = offset + f.index
                let raw = snapshot.applicant.elements.indices.contains(i) ? snapshot.applicant.elements[i] : Program.missing
                return Value(name: f.name, raw: raw, format: .typed(f.type), snapshot: snapshot)
            }
        }
    }

    /// A named filter over a list (`accepted = certificates where …`) and each element's fate.
    public struct ListResult: Sendable {
        /// The filter's name.
        public let name: String
        /// The list it filters (`certificates`).
        public let source: String
        /// Every element, in the applicant's order.
        public let elements: [ElementResult]
    }

    let snapshot: Snapshot
    /// The gates (decline rules), in policy order.
    public let gates: [RuleResult]
    /// The referral rules, in policy order.
    public let referrals: [RuleResult]
    /// The no-change rules, in policy order.
    public let holds: [RuleResult]
    /// The named list filters and each element they kept or left out.
    public let lists: [ListResult]
    /// The band tables' lookups, in bundle order.
    public let bands: [BandResult]
    /// The segment and decision tables' results, in bundle order.
    public let segments: [SegmentResult]
    /// The caps and floors, in policy order.
    public let caps: [CapResult]

    /// The amount the policy computed before caps and rounding, named as in the rules.
    public var amount: Value? {
        snapshot.template.amount.map { Value(name: $0, raw: snapshot.raw(snapshot.template.amountSlot), format: .typed(.money), snapshot: snapshot) }
    }
    /// The values the amount's expression read.
    public var amountReads: [Value] { snapshot.values(snapshot.template.amountReads) }
    /// How the amount is rounded, as written (`round down to 100`); nil when it is not.
    public var rounding: String? { snapshot.template.rounding }
    /// The policy allows decreases (`allow decrease`).
    public var allowsDecrease: Bool { snapshot.template.policy.allowsDecrease }
    /// A decrease was bounded by the current limit: a limit never goes below 0.
    public var limitFloorBinds: Bool { allowsDecrease && snapshot.raw(snapshot.template.bindSlot) < 0 }
    /// The amount after caps, floors and rounding, as text: before the outcome applies (a
    /// decline or no-change decision's `uplift` is 0 whatever this says).
    public var uplift: String { snapshot.text(snapshot.raw(snapshot.template.upliftSlot), .typed(.money)) }
    /// Every named value that is a grouped total (`score`), with each group's part.
    public var groupedValues: [(name: String, value: Value)] {
        snapshot.template.groupedValues.keys.sorted().map { i in
            let v = snapshot.template.policy.values[i]
            let slot = snapshot.template.valueSlots.indices.contains(i) ? snapshot.template.valueSlots[i] : -1
            return (v.name, Value(name: v.name, raw: snapshot.raw(slot), format: .typed(v.type), snapshot: snapshot, groups: i))
        }
    }
}

/// The values of the parts of conditions an explanation shows (`count(accepted)`), each
/// worked out once per explanation: a count of a named list is the number of elements its
/// explanation kept (found by the decision's own engine); anything else is evaluated again
/// over the decision's registers.
struct DerivedValues {
    let snapshot: Snapshot
    var known: [(name: String, raw: Int64)]
    var writer: EvidenceWriter?

    init(snapshot: Snapshot, lists: [Explanation.ListResult]) {
        self.snapshot = snapshot
        known = lists.map { l in ("count(\(l.name))", Int64(l.elements.reduce(0) { $0 + ($1.kept ? 1 : 0) })) }
    }

    mutating func values(_ derived: [ExplanationTemplate.Derived]) -> [Explanation.Value] {
        derived.map { d in Explanation.Value(name: d.name, raw: raw(d), format: .typed(d.type), snapshot: snapshot) }
    }

    mutating func raw(_ d: ExplanationTemplate.Derived) -> Int64 {
        if let k = known.first(where: { $0.name == d.name }) { return k.raw }
        if writer == nil { writer = snapshot.writer() }
        let r = writer?.raw(d.expr) ?? Program.missing
        known.append((d.name, r))
        return r
    }
}

/// How a register value is shown.
enum ValueFormat: Sendable {
    case typed(ValueType)
    /// A schema-marked personal field: never shown.
    case masked
    case bandLabel(Int)
    case segmentName(Int)
}

/// What one explanation reads from: the decision's registers and applicant, and the policy's
/// shared texts. One allocation per explanation; every part refers to it.
final class Snapshot: Sendable {
    let template: ExplanationTemplate
    let registers: [Int64]
    let applicant: Applicant

    init(template: ExplanationTemplate, registers: [Int64], applicant: Applicant) {
        self.template = template
        self.registers = registers
        self.applicant = applicant
    }

    func raw(_ slot: Int) -> Int64 { registers.indices.contains(slot) ? registers[slot] : Program.missing }

    func values(_ reads: [ExplanationTemplate.ReadSlot]) -> [Explanation.Value] {
        reads.map { Explanation.Value(name: $0.name, raw: raw($0.slot), format: $0.format, snapshot: self, groups: $0.groups) }
    }

    func writer() -> EvidenceWriter {
        EvidenceWriter(template: template, formatter: formatter, env: template.interpreter.environment(registers: registers, applicant: applicant))
    }


    func evidence(whyFalse test: TExpr, variables: [Int], element offset: Int) -> String {
        var w = writer()
        for v in variables { w.env.elementOf[v] = offset }
        return w.whyFalse(test)
    }

    /// Each group's part of the grouped value `value` (an index into the policy's values),
    /// worked out when read, like every formatted value: explaining stays cheap for callers
    /// that never render the contributions.
    func contributions(of value: Int) -> [Explanation.Contribution] {
        guard let agg = template.groupedValues[value], let g = agg.group else { return [] }
        var w = writer()
        let describer = template.describer
        let groupType = describer.type(g.key), valueType = describer.type(agg.body ?? .constant(1))
        var key: TExpr?
        if let body = agg.body {
            switch body {
            case .catalogueLookup(_, _, let k), .toFixed(.catalogueLookup(_, _, let k)): key = k
            default: key = nil
            }
        }
        return template.interpreter.contributions(agg, &w.env, kept: nil).map { c in
            var from: String?
            if let element = c.element {
                w.env.elementOf[agg.variable] = element
                for f in agg.source.filters { w.env.elementOf[f.variable] = element }
                if let key { from = w.text(w.raw(key), describer.type(key)).replacingOccurrences(of: "\"", with: "") }
            }
            return Explanation.Contribution(group: w.text(Int64(c.group), groupType), value: w.text(c.value, valueType),
                                            json: formatter.json(c.value, valueType), from: from)
        }
    }

    func row(_ columns: [(name: String, type: ValueType)], _ rows: [[Int64]], _ k: Int) -> [Explanation.Value] {
        let row = rows.indices.contains(k) ? rows[k] : []
        return zip(columns, row).map { Explanation.Value(name: $0.0.name, raw: $0.1, format: .typed($0.0.type), snapshot: self) }
    }

    var formatter: ValueFormatter { ValueFormatter(vocabulary: template.vocabulary, applicant: applicant) }

    func text(_ raw: Int64, _ format: ValueFormat) -> String {
        switch format {
        case .typed(let t): formatter.text(raw, t)
        case .masked: "***"
        case .bandLabel(let i): template.label(band: i, raw)
        case .segmentName(let i): template.label(segment: i, raw)
        }
    }

    func json(_ raw: Int64, _ format: ValueFormat) -> String {
        switch format {
        case .typed(let t): formatter.json(raw, t)
        case .masked: "\"***\""
        case .bandLabel, .segmentName: JSONWriter.quote(text(raw, format))
        }
    }
}

extension Evaluator {
    /// The caps and floors that bind in `decision`, with their values, exactly as
    /// `explain(decision).caps` gives them, without working out the rest of the explanation
    /// (a what-if names the ceiling that then applies for every suggestion).
    package func bindingCaps(_ decision: Decision) -> [(code: String, value: String)] {
        let t = template
        let snapshot = Snapshot(template: t, registers: decision.trace.registers, applicant: decision.trace.applicant)
        let bind = snapshot.raw(t.bindSlot)
        return t.caps.enumerated().compactMap { (i, c) -> (code: String, value: String)? in
            let raw = snapshot.raw(c.slot)
            guard bind & (1 << Int64(i)) != 0, raw != Program.missing else { return nil }
            return (c.code, snapshot.text(raw, .typed(.money)))
        }
    }

    /// Explains `decision` from its trace.
    package func explain(_ decision: Decision) -> Explanation {
        let t = template
        let reg = decision.trace.registers
        let snapshot = Snapshot(template: t, registers: reg, applicant: decision.trace.applicant)
        var gates: [Explanation.RuleResult] = [], referrals: [Explanation.RuleResult] = [], holds: [Explanation.RuleResult] = []
        let lists = explainLists(snapshot, decision.trace.engine)
        var derived = DerivedValues(snapshot: snapshot, lists: lists)
        for rule in t.rules {
            let result = Explanation.RuleResult(info: rule, snapshot: snapshot, fired: snapshot.raw(rule.slot) != 0,
                                                derived: derived.values(rule.derived))
            switch rule.ruleKind {
            case .decline: gates.append(result)
            case .refer: referrals.append(result)
            case .noChange: holds.append(result)
            }
        }
        let bands = t.bands.map { b in Explanation.BandResult(info: b, snapshot: snapshot, row: Int(truncatingIfNeeded: snapshot.raw(b.slot))) }
        let segments = t.segments.map { s -> Explanation.SegmentResult in
            let k = Int(truncatingIfNeeded: snapshot.raw(s.slot))
            let rowCount = s.conditions.count
            // First match: the rows up to the match (all of them when none matched); otherwise every row.
            let shown = s.hit == .first ? min(rowCount, max(0, k + 1)) : rowCount
            let tested = (0..<shown).map { j in
                let matched = s.flagSlots.isEmpty ? j == k : snapshot.raw(s.flagSlots[j]) != 0
                return Explanation.SegmentTest(info: s, snapshot: snapshot, index: j, matched: matched,
                                               derived: s.derived.indices.contains(j) ? derived.values(s.derived[j]) : [])
            }
            return .init(info: s, snapshot: snapshot, row: k, tested: tested)
        }
        let bind = snapshot.raw(t.bindSlot)
        let caps = t.caps.enumerated().map { (i, c) in
            Explanation.CapResult(info: c, snapshot: snapshot, raw: snapshot.raw(c.slot), binds: bind & (1 << Int64(i)) != 0,
                                  derived: derived.values(c.derived))
        }
        return Explanation(snapshot: snapshot, gates: gates, referrals: referrals, holds: holds,
                           lists: lists, bands: bands, segments: segments, caps: caps)
    }

    /// For each named filtered list, runs the filter's parts per element to find the first that
    /// fails. Runs the probes on the decision's own engine, so the two engines explain alike.
    func explainLists(_ snapshot: Snapshot, _ engine: Engine) -> [Explanation.ListResult] {
        let t = snapshot.template
        guard !t.lists.isEmpty else { return [] }
        let reg = snapshot.registers, applicant = snapshot.applicant
        let n = program.registerCount
        return withUnsafeTemporaryAllocation(of: Int64.self, capacity: n + program.stackSize) { scratch in
            guard let base = scratch.baseAddress else { return [] }
            scratch.initialize(repeating: 0)
            reg.withUnsafeBufferPointer { r in
                if let rb = r.baseAddress { base.update(from: rb, count: min(r.count, n)) }
            }
            return applicant.elements.withUnsafeBufferPointer { el in
                t.lists.map { list in
                    let descriptor = snapshot.raw(list.field)
                    let first = Int(truncatingIfNeeded: descriptor >> 32), count = Int(truncatingIfNeeded: descriptor & 0xFFFF_FFFF)
                    var elements: [Explanation.ElementResult] = []
                    elements.reserveCapacity(count)
                    for k in 0..<max(0, count) {
                        let offset = first &+ k &* list.width
                        var failed: String?, failedTest: TExpr?
                        for p in list.probes {
                            let passed: Bool
                            if engine == .reference {
                                passed = reference.passes(p.test, variables: list.variables, element: offset, registers: reg, applicant: applicant)
                            } else {
                                for s in p.probe.variableSlots { base[s] = Int64(offset) }
                                let r = VM.run(program, entry: p.probe.entry, registers: base, stack: base + n, elements: el,
                                               memo: UnsafeMutableBufferPointer(start: nil, count: 0))
                                passed = r.fault == nil && base[n] != 0
                            }
                            if !passed { failed = p.text; failedTest = p.test; break }
                        }
                        elements.append(.init(list: list, snapshot: snapshot, offset: offset, index: k, kept: failed == nil, failed: failed,
                                              failedTest: failedTest))
                    }
                    return .init(name: list.name, source: list.source, elements: elements)
                }
            }
        }
    }
}
