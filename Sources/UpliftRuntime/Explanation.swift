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
        public let name: String
        let raw: Int64
        let format: ValueFormat
        let snapshot: Snapshot

        public var text: String { snapshot.text(raw, format) }
        public var json: String { snapshot.json(raw, format) }

        public static func == (a: Value, b: Value) -> Bool { a.name == b.name && a.text == b.text && a.json == b.json }
    }

    public struct RuleResult: Sendable {
        let info: ExplanationTemplate.Rule
        let snapshot: Snapshot
        public let fired: Bool
        /// `decline` (a gate), `refer` or `no_change`.
        public var kind: String { info.kind }
        public var code: String { info.code }
        public var condition: String { info.condition }
        public var location: String { info.location }
        public var reads: [Value] { snapshot.values(info.reads) }
    }

    public struct BandResult: Sendable {
        let info: ExplanationTemplate.Band
        let snapshot: Snapshot
        let row: Int
        public var table: String { info.table }
        public var input: String { info.input }
        public var inputValue: String {
            let inputs = snapshot.values(info.inputReads)
            return inputs.count == 1 ? inputs[0].text : inputs.map { "\($0.name) = \($0.text)" }.joined(separator: ", ")
        }
        public var band: String { info.labels.indices.contains(row) ? info.labels[row] : "?" }
        public var columns: [Value] { snapshot.row(info.columns, info.rows, row) }
    }

    public struct SegmentTest: Sendable {
        let info: ExplanationTemplate.Segments
        let snapshot: Snapshot
        let index: Int
        public let matched: Bool
        public var name: String { info.names[index] }
        public var condition: String { info.conditions[index] }
        public var reads: [Value] { snapshot.values(info.reads[index]) }
    }

    public struct SegmentResult: Sendable {
        let info: ExplanationTemplate.Segments
        let snapshot: Snapshot
        let row: Int
        /// The segments tested in order, up to and including the one that matched.
        public let tested: [SegmentTest]
        public var table: String { info.table }
        public var segment: String { info.names.indices.contains(row) ? info.names[row] : "?" }
        public var columns: [Value] { snapshot.row(info.columns, info.rows, row) }
    }

    public struct CapResult: Sendable {
        let info: ExplanationTemplate.Cap
        let snapshot: Snapshot
        let raw: Int64
        public let binds: Bool
        public var code: String { info.code }
        public var bound: String { info.bound }
        /// nil when the cap's `when` did not hold (the cap does not apply).
        public var value: String? { raw == Program.missing ? nil : snapshot.text(raw, .typed(.money)) }
        public var reads: [Value] { snapshot.values(info.reads) }
    }

    public struct ElementResult: Sendable {
        let list: ExplanationTemplate.List
        let snapshot: Snapshot
        let offset: Int
        public let index: Int
        public let kept: Bool
        /// The first `and`-part of the filter that was false.
        public let failed: String?
        /// The element's fields, personal data left out.
        public var fields: [Value] {
            list.fields.map { f in
                let i = offset + f.index
                let raw = snapshot.applicant.elements.indices.contains(i) ? snapshot.applicant.elements[i] : Program.missing
                return Value(name: f.name, raw: raw, format: .typed(f.type), snapshot: snapshot)
            }
        }
    }

    public struct ListResult: Sendable {
        public let name: String
        public let source: String
        public let elements: [ElementResult]
    }

    let snapshot: Snapshot
    public let gates: [RuleResult]
    public let referrals: [RuleResult]
    public let holds: [RuleResult]
    public let lists: [ListResult]
    public let bands: [BandResult]
    public let segments: [SegmentResult]
    public let caps: [CapResult]

    public var amount: Value? {
        snapshot.template.amount.map { Value(name: $0, raw: snapshot.registers[snapshot.template.amountSlot], format: .typed(.money), snapshot: snapshot) }
    }
    public var amountReads: [Value] { snapshot.values(snapshot.template.amountReads) }
    public var rounding: String? { snapshot.template.rounding }
    public var uplift: String { snapshot.text(snapshot.registers[snapshot.template.upliftSlot], .typed(.money)) }
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
        reads.map { Explanation.Value(name: $0.name, raw: raw($0.slot), format: $0.format, snapshot: self) }
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
    /// Explains `decision` from its trace.
    public func explain(_ decision: Decision) -> Explanation {
        let t = template
        let reg = decision.trace.registers
        let snapshot = Snapshot(template: t, registers: reg, applicant: decision.trace.applicant)
        var gates: [Explanation.RuleResult] = [], referrals: [Explanation.RuleResult] = [], holds: [Explanation.RuleResult] = []
        for rule in t.rules {
            let result = Explanation.RuleResult(info: rule, snapshot: snapshot, fired: snapshot.raw(rule.slot) != 0)
            switch rule.ruleKind {
            case .decline: gates.append(result)
            case .refer: referrals.append(result)
            case .noChange: holds.append(result)
            }
        }
        let bands = t.bands.map { b in Explanation.BandResult(info: b, snapshot: snapshot, row: Int(truncatingIfNeeded: snapshot.raw(b.slot))) }
        let segments = t.segments.map { s -> Explanation.SegmentResult in
            let k = Int(truncatingIfNeeded: snapshot.raw(s.slot))
            let last = max(0, min(k, s.names.count - 1))
            let tested = s.names.isEmpty ? [] : (0...last).map { j in
                Explanation.SegmentTest(info: s, snapshot: snapshot, index: j, matched: j == k)
            }
            return .init(info: s, snapshot: snapshot, row: k, tested: tested)
        }
        let bind = snapshot.raw(t.bindSlot)
        let caps = t.caps.enumerated().map { (i, c) in
            Explanation.CapResult(info: c, snapshot: snapshot, raw: snapshot.raw(c.slot), binds: bind & (1 << Int64(i)) != 0)
        }
        return Explanation(snapshot: snapshot, gates: gates, referrals: referrals, holds: holds,
                           lists: explainLists(snapshot, decision.trace.engine), bands: bands, segments: segments, caps: caps)
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
                        var failed: String?
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
                            if !passed { failed = p.text; break }
                        }
                        elements.append(.init(list: list, snapshot: snapshot, offset: offset, index: k, kept: failed == nil, failed: failed))
                    }
                    return .init(name: list.name, source: list.source, elements: elements)
                }
            }
        }
    }
}
