import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// Why a decision came out as it did: every gate, referral, band, segment and cap the policy
/// evaluated, with its result and the values it read, and which list elements (certificates)
/// each named filter kept or left out and why.
public struct Explanation: Sendable {
    public struct Value: Sendable, Equatable {
        public var name: String
        public var text: String
        public var json: String
    }
    public struct RuleResult: Sendable {
        /// `decline` (a gate), `refer` or `no_change`.
        public var kind: String
        public var code: String
        public var condition: String
        public var location: String
        public var fired: Bool
        public var reads: [Value]
    }
    public struct BandResult: Sendable {
        public var table: String
        public var input: String
        public var inputValue: String
        public var band: String
        public var columns: [Value]
    }
    public struct SegmentTest: Sendable {
        public var name: String
        public var condition: String
        public var matched: Bool
        public var reads: [Value]
    }
    public struct SegmentResult: Sendable {
        public var table: String
        public var tested: [SegmentTest]
        public var segment: String
        public var columns: [Value]
    }
    public struct CapResult: Sendable {
        public var code: String
        public var bound: String
        /// nil when the cap's `when` did not hold (the cap does not apply).
        public var value: String?
        public var binds: Bool
        public var reads: [Value]
    }
    public struct ElementResult: Sendable {
        public var index: Int
        public var fields: [Value]
        public var kept: Bool
        /// The first `and`-part of the filter that was false.
        public var failed: String?
    }
    public struct ListResult: Sendable {
        public var name: String
        public var source: String
        public var elements: [ElementResult]
    }

    public var gates: [RuleResult]
    public var referrals: [RuleResult]
    public var holds: [RuleResult]
    public var lists: [ListResult]
    public var bands: [BandResult]
    public var segments: [SegmentResult]
    public var amount: Value?
    public var amountReads: [Value]
    public var caps: [CapResult]
    public var rounding: String?
    public var uplift: String
}

extension Evaluator {
    /// Renders the explanation of `decision` from its trace.
    public func explain(_ decision: Decision) -> Explanation {
        let reg = decision.trace.registers
        let applicant = decision.trace.applicant
        let f = ValueFormatter(policy: policy, applicant: applicant)
        let layout = program.layout
        let src = policy.sources

        func value(_ r: Read) -> Explanation.Value {
            switch r.target {
            case .fact(let i):
                let t = policy.schema.facts.fields[i].fullType
                if policy.schema.facts.fields[i].pii { return .init(name: r.name, text: "***", json: "\"***\"") }
                return .init(name: r.name, text: f.text(reg[i], t), json: f.json(reg[i], t))
            case .value(let i):
                let v = policy.values[i]
                let raw = reg[layout.valueSlots[i]]
                return .init(name: r.name, text: f.text(raw, v.type), json: f.json(raw, v.type))
            case .uplift:
                let raw = reg[layout.upliftSlot]
                return .init(name: r.name, text: f.text(raw, .money), json: f.json(raw, .money))
            case .band(let i):
                let b = policy.bands[i]
                let k = Int(reg[layout.bandSlots[i]])
                let label = b.labels.indices.contains(k) ? b.labels[k] : "?"
                return .init(name: r.name, text: label, json: JSONWriter.quote(label))
            case .segment(let i):
                let s = policy.segments[i]
                let k = Int(reg[layout.segmentSlots[i]])
                let name = s.names.indices.contains(k) ? s.names[k] : "?"
                return .init(name: r.name, text: name, json: JSONWriter.quote(name))
            }
        }

        var gates: [Explanation.RuleResult] = [], referrals: [Explanation.RuleResult] = [], holds: [Explanation.RuleResult] = []
        for (i, rule) in policy.rules.enumerated() {
            let result = Explanation.RuleResult(
                kind: rule.kind.rawValue, code: policy.reasons[rule.reason].code, condition: src.text(rule.conditionSpan),
                location: src.describe(rule.span), fired: reg[layout.ruleSlots[i]] != 0, reads: rule.reads.map(value))
            switch rule.kind {
            case .decline: gates.append(result)
            case .refer: referrals.append(result)
            case .noChange: holds.append(result)
            }
        }

        let bands = policy.bands.enumerated().map { (i, b) -> Explanation.BandResult in
            let k = Int(reg[layout.bandSlots[i]])
            let row = b.values.indices.contains(k) ? b.values[k] : []
            let inputs = b.inputReads.map(value)
            return .init(table: b.name, input: src.text(b.inputSpan),
                         inputValue: inputs.count == 1 ? inputs[0].text : inputs.map { "\($0.name) = \($0.text)" }.joined(separator: ", "),
                         band: b.labels.indices.contains(k) ? b.labels[k] : "?",
                         columns: zip(b.columns, row).map { .init(name: $0.0.name, text: f.text($0.1, $0.0.type), json: f.json($0.1, $0.0.type)) })
        }
        let segments = policy.segments.enumerated().map { (i, s) -> Explanation.SegmentResult in
            let k = Int(reg[layout.segmentSlots[i]])
            let tested = (0...max(0, min(k, s.names.count - 1))).map { j in
                Explanation.SegmentTest(name: s.names[j], condition: s.conditionText[j], matched: j == k, reads: s.reads[j].map(value))
            }
            let row = s.values.indices.contains(k) ? s.values[k] : []
            return .init(table: s.name, tested: s.names.isEmpty ? [] : tested, segment: s.names.indices.contains(k) ? s.names[k] : "?",
                         columns: zip(s.columns, row).map { .init(name: $0.0.name, text: f.text($0.1, $0.0.type), json: f.json($0.1, $0.0.type)) })
        }
        let caps = policy.caps.enumerated().map { (i, c) -> Explanation.CapResult in
            let raw = reg[layout.capSlots[i]]
            return .init(code: policy.reasons[c.reason].code, bound: src.text(c.boundSpan),
                         value: raw == Program.missing ? nil : f.text(raw, .money),
                         binds: reg[layout.bindSlot] & (1 << Int64(i)) != 0, reads: c.reads.map(value))
        }
        let amount = policy.amount.map { _ in
            Explanation.Value(name: policy.amountSpan.map { src.text($0) } ?? "amount",
                              text: f.text(reg[layout.amountSlot], .money), json: f.json(reg[layout.amountSlot], .money))
        }
        let rounding = policy.rounding.map { "\($0.mode.rawValue) to a multiple of \(FixedDecimal(raw: $0.step).formatted())" }
        return Explanation(gates: gates, referrals: referrals, holds: holds, lists: explainLists(reg, applicant, f, decision.trace.engine), bands: bands,
                           segments: segments, amount: amount, amountReads: policy.amountReads.map(value), caps: caps,
                           rounding: rounding, uplift: f.text(reg[layout.upliftSlot], .money))
    }

    /// For each named filtered list, runs the filter's parts per element to find the first that fails.
    func explainLists(_ reg: [Int64], _ applicant: Applicant, _ f: ValueFormatter, _ decisionEngine: Engine) -> [Explanation.ListResult] {
        var out: [Explanation.ListResult] = []
        for (i, v) in policy.values.enumerated() {
            guard let list = v.list, !list.filters.isEmpty else { continue }
            let field = policy.schema.facts.fields[list.field]
            let record = policy.schema.records[list.record]
            let descriptor = reg[list.field]
            let first = Int(descriptor >> 32), count = Int(descriptor & 0xFFFF_FFFF)
            let probes = program.probes.filter { $0.value == i }
            var elements: [Explanation.ElementResult] = []
            var scratch = reg
            scratch.append(contentsOf: repeatElement(0, count: program.stackSize))
            for n in 0..<count {
                let offset = first + n * record.fields.count
                let fields = record.fields.enumerated().filter { !$0.element.pii }.map { (j, rf) -> Explanation.Value in
                    let raw = applicant.elements.indices.contains(offset + j) ? applicant.elements[offset + j] : Program.missing
                    return .init(name: rf.name, text: f.text(raw, rf.fullType), json: f.json(raw, rf.fullType))
                }
                var failed: String?
                for p in probes {
                    if decisionEngine == .reference {
                        let part = list.filters[p.filter].conjuncts[p.conjunct]
                        if !reference.passes(part.test, variables: list.variables, element: offset, registers: reg, applicant: applicant) {
                            failed = policy.sources.text(p.span)
                            break
                        }
                        continue
                    }
                    for s in p.variableSlots { scratch[s] = Int64(offset) }
                    let passed = scratch.withUnsafeMutableBufferPointer { buf -> Bool in
                        guard let base = buf.baseAddress else { return false }
                        let r = applicant.elements.withUnsafeBufferPointer { el in
                            VM.run(program, entry: p.entry, registers: base, stack: base + program.registerCount, elements: el,
                                   memo: UnsafeMutableBufferPointer(start: nil, count: 0))
                        }
                        return r.fault == nil && base[program.registerCount] != 0
                    }
                    if !passed { failed = policy.sources.text(p.span); break }
                }
                elements.append(.init(index: n, fields: fields, kept: failed == nil, failed: failed))
            }
            out.append(.init(name: v.name, source: field.name, elements: elements))
        }
        return out
    }
}
