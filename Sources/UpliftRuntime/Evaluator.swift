import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// Evaluates applicants with a compiled program. Immutable and `Sendable`: one evaluator
/// serves every thread; each call keeps its registers on its own stack.
public struct Evaluator: Sendable {
    public let policy: CheckedPolicy
    public let program: Program
    public let decoder: ApplicantDecoder
    /// The tree-walking oracle, for differential tests and `uplift bench --engine reference`.
    public let reference: ReferenceInterpreter
    let currentLimitField: Int?

    public init(policy: CheckedPolicy, program: Program) {
        self.policy = policy
        self.program = program
        decoder = ApplicantDecoder(policy: policy)
        reference = ReferenceInterpreter(policy: policy, program: program)
        currentLimitField = policy.schema.facts.fields.firstIndex { $0.name == "current_limit" && $0.type == .money && !$0.optional }
    }

    public var identity: PolicyIdentity { PolicyIdentity(name: policy.name, version: policy.version, hash: policy.hash) }

    /// Evaluates with the chosen engine; both give identical decisions and explanations.
    public func evaluate(_ applicant: Applicant, engine: Engine) throws(EvaluationError) -> Decision {
        switch engine {
        case .vm: return try evaluate(applicant)
        case .reference: return decide(try reference.run(applicant), applicant, engine: .reference)
        }
    }

    public func evaluate(_ applicant: Applicant) throws(EvaluationError) -> Decision {
        let n = program.registerCount
        let result: (VM.Outcome, [Int64]) = withUnsafeTemporaryAllocation(of: Int64.self, capacity: n + program.stackSize) { buffer in
            guard let base = buffer.baseAddress else { return (VM.Outcome(fault: .overflow, pc: 0), []) }
            base.initialize(repeating: 0, count: n + program.stackSize)
            applicant.facts.withUnsafeBufferPointer { facts in
                for i in 0..<min(facts.count, program.layout.factCount) { base[i] = facts[i] }
            }
            let outcome = applicant.elements.withUnsafeBufferPointer { elements in
                VM.run(program, entry: 0, registers: base, stack: base + n, elements: elements)
            }
            return (outcome, Array(UnsafeBufferPointer(start: base, count: n)))
        }
        if let fault = result.0.fault {
            let region = program.region(at: result.0.pc)
            throw EvaluationError(fault: fault.message, rule: region?.what ?? "the policy",
                                  location: region.map { policy.sources.describe($0.span) } ?? "")
        }
        return decide(result.1, applicant, engine: .vm)
    }

    /// The engine's outcome precedence: decline > refer > no_change > approve. Policies state
    /// conditions; the order in which outcomes win is the engine's, the same for every policy.
    func decide(_ reg: [Int64], _ applicant: Applicant, engine: Engine) -> Decision {
        let layout = program.layout
        var declines: [ReasonCode] = [], refers: [ReasonCode] = [], holds: [ReasonCode] = []
        for (i, rule) in policy.rules.enumerated() where reg[layout.ruleSlots[i]] != 0 {
            let r = policy.reasons[rule.reason]
            let code = ReasonCode(code: r.code, message: r.message)
            switch rule.kind {
            case .decline: declines.append(code)
            case .refer: refers.append(code)
            case .noChange: holds.append(code)
            }
        }
        let bits = reg[layout.bindSlot]
        let binding = policy.caps.indices.filter { bits & (1 << Int64($0)) != 0 }.map { i -> ReasonCode in
            let r = policy.reasons[policy.caps[i].reason]
            return ReasonCode(code: r.code, message: r.message)
        }
        let computed = FixedDecimal(raw: reg[layout.upliftSlot])
        let outcome: Outcome
        var uplift = FixedDecimal(raw: 0)
        var reasons: [ReasonCode]
        if !declines.isEmpty {
            outcome = .decline; reasons = declines
        } else if !refers.isEmpty {
            outcome = .refer; reasons = refers + binding; uplift = computed
        } else if !holds.isEmpty || computed.raw <= 0 {
            outcome = .noChange; reasons = holds + binding
        } else {
            outcome = .approve; reasons = binding; uplift = computed
        }
        var newLimit: FixedDecimal?
        if let f = currentLimitField {
            let current = reg[f]
            newLimit = FixedDecimal(raw: outcome == .approve ? (FixedMath.add(current, uplift.raw) ?? current) : current)
        }
        let segments = policy.segments.enumerated().map { (i, s) in
            (table: s.name, segment: s.names.indices.contains(Int(reg[layout.segmentSlots[i]])) ? s.names[Int(reg[layout.segmentSlots[i]])] : "?")
        }
        let bands = policy.bands.enumerated().map { (i, b) in
            (table: b.name, band: b.labels.indices.contains(Int(reg[layout.bandSlots[i]])) ? b.labels[Int(reg[layout.bandSlots[i]])] : "?")
        }
        let formatter = ValueFormatter(policy: policy, applicant: applicant)
        let reported = policy.values.enumerated().filter { $0.element.reported }.map { (i, v) in
            let raw = reg[layout.valueSlots[i]]
            return ReportedValue(name: v.name, text: formatter.text(raw, v.type), json: formatter.json(raw, v.type))
        }
        return Decision(outcome: outcome, uplift: uplift, newLimit: newLimit, reasons: reasons, segments: segments, bands: bands,
                        reported: reported, policy: identity, trace: Trace(registers: reg, applicant: applicant, engine: engine))
    }
}

/// Formats raw register values by type, for explanations and reports.
struct ValueFormatter {
    let policy: CheckedPolicy
    let applicant: Applicant

    func text(_ raw: Int64, _ type: ValueType) -> String {
        if raw == Program.missing { return "missing" }
        switch type.unwrapped {
        case .bool: return raw != 0 ? "true" : "false"
        case .integer: return String(raw)
        case .decimal: return FixedDecimal(raw: raw).formatted()
        case .money: return FixedDecimal(raw: raw).formatted(minFractionDigits: 2)
        case .date: return CivilDate.format(raw)
        case .string: return "\"\(applicant.string(raw, in: policy.strings))\""
        case .enumeration(let e):
            let cases = policy.schema.enums[e].cases
            return cases.indices.contains(Int(raw)) ? cases[Int(raw)] : "?"
        default: return String(raw)
        }
    }

    func json(_ raw: Int64, _ type: ValueType) -> String {
        if raw == Program.missing { return "null" }
        switch type.unwrapped {
        case .bool: return raw != 0 ? "true" : "false"
        case .integer: return String(raw)
        case .decimal, .money: return FixedDecimal(raw: raw).formatted()
        case .date: return JSONWriter.quote(CivilDate.format(raw))
        case .string: return JSONWriter.quote(applicant.string(raw, in: policy.strings))
        default: return JSONWriter.quote(text(raw, type))
        }
    }
}
