import UpliftChecker
@_spi(Engine) import UpliftCompiler
import UpliftSyntax

/// Evaluates applicants with a compiled program. Immutable and `Sendable`: one evaluator
/// serves every thread; each call keeps its registers on its own stack.
@usableFromInline package struct Evaluator: Sendable {
    package let policy: CheckedPolicy
    package let program: Program
    package let decoder: ApplicantDecoder
    /// The tree-walking oracle, for differential tests and `uplift bench --engine reference`.
    package let reference: ReferenceInterpreter
    let currentLimitField: Int?
    /// The schema's `key` field, and whether it is a string.
    let keyField: Int?
    package let keyIsString: Bool
    let vocabulary: DecisionVocabulary
    let template: ExplanationTemplate
    /// The what-if's per-action groundwork, the same for every applicant.
    let whatIfPlan: WhatIfPlan

    package init(policy: CheckedPolicy, program: Program) {
        self.policy = policy
        self.program = program
        decoder = ApplicantDecoder(policy: policy)
        reference = ReferenceInterpreter(policy: policy, program: program)
        vocabulary = DecisionVocabulary(policy: policy, layout: program.layout)
        template = ExplanationTemplate(policy: policy, program: program, vocabulary: vocabulary)
        whatIfPlan = WhatIfPlan(policy: policy, decoder: decoder)
        currentLimitField = policy.currentLimitField
        keyField = policy.schema.keyField
        keyIsString = keyField.map { policy.schema.facts.fields[$0].type == .string } ?? false
    }

    package var identity: PolicyIdentity { vocabulary.identity }

    /// Every reason code, by the index `Decision.forEachReason` passes.
    package var reasonCodes: [ReasonCode] { vocabulary.reasonCodes }

    /// The applicant's key as text (see `Policy.key(of:)`); reads the shared vocabulary, never
    /// a copy of the policy, so a simulation can call it per row.
    package func key(of applicant: Applicant) -> String? {
        guard let k = keyField else { return nil }
        let facts = applicant.facts
        guard facts.indices.contains(k), facts[k] != Program.missing else { return nil }
        return keyIsString ? applicant.string(facts[k], in: vocabulary.policy.strings) : String(facts[k])
    }

    /// Evaluates with the chosen engine; both give identical decisions and explanations.
    package func evaluate(_ applicant: Applicant, engine: Engine) throws(EvaluationError) -> Decision {
        switch engine {
        case .vm: return try evaluate(applicant)
        case .reference: return decide(try reference.run(applicant), applicant, engine: .reference)
        }
    }

    /// Evaluates one applicant: one allocation (the registers the decision keeps as its trace).
    @usableFromInline package func evaluate(_ applicant: Applicant) throws(EvaluationError) -> Decision {
        var buffer = EvaluationBuffer()
        return try evaluate(applicant, reusing: &buffer)
    }

    /// Evaluates into `buffer`'s registers. The decision shares them copy-on-write: a caller that
    /// lets go of each decision before the next call (a simulation, a benchmark, a request
    /// handler) evaluates with no heap allocation at all; one that keeps decisions pays one
    /// allocation per evaluation, as with `evaluate(_:)`.
    @usableFromInline package func evaluate(_ applicant: Applicant, reusing buffer: inout EvaluationBuffer) throws(EvaluationError) -> Decision {
        let n = program.registerCount, factCount = program.layout.factCount
        if buffer.registers.count != n { buffer.registers = [Int64](repeating: 0, count: n) }
        let outcome = buffer.registers.withUnsafeMutableBufferPointer { regs -> VM.Outcome in
            guard let base = regs.baseAddress else { return VM.Outcome(fault: .overflow, pc: 0) }
            // Zeroed every time: nothing of the previous applicant can reach this decision.
            base.update(repeating: 0, count: n)
            applicant.facts.withUnsafeBufferPointer { facts in
                if let f = facts.baseAddress { base.update(from: f, count: min(facts.count, factCount)) }
            }
            return withUnsafeTemporaryAllocation(of: Int64.self, capacity: program.stackSize) { stack in
                guard let stackBase = stack.baseAddress else { return VM.Outcome(fault: .overflow, pc: 0) }
                return applicant.elements.withUnsafeBufferPointer { elements in
                    let memoCount = program.memoizedFilters > 0 ? elements.count : 0
                    return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: memoCount) { memo in
                        memo.initialize(repeating: 0)
                        return VM.run(program, entry: 0, registers: base, stack: stackBase, elements: elements, memo: memo)
                    }
                }
            }
        }
        if let fault = outcome.fault {
            let region = program.region(at: outcome.pc)
            throw EvaluationError(fault: fault.message, rule: region?.what ?? "the policy",
                                  location: region.map { policy.sources.describe($0.span) } ?? "")
        }
        return decide(buffer.registers, applicant, engine: .vm)
    }

    /// The engine's outcome precedence: decline > refer > no_change > approve or decrease (by
    /// the sign of the uplift; 0 is no_change). Policies state
    /// conditions; the order in which outcomes win is the engine's, the same for every policy.
    func decide(_ reg: [Int64], _ applicant: Applicant, engine: Engine) -> Decision {
        let (outcome, uplift) = reg.withUnsafeBufferPointer { vocabulary.outcome($0) }
        let changes = outcome == .approve || outcome == .decrease
        var newLimit: FixedDecimal?
        if let f = currentLimitField {
            let current = reg[f]
            newLimit = FixedDecimal(raw: changes ? (FixedMath.add(current, uplift) ?? current) : current)
        }
        return Decision(outcome: outcome, uplift: FixedDecimal(raw: uplift), newLimit: newLimit,
                        trace: Trace(registers: reg, applicant: applicant, engine: engine), vocabulary: vocabulary)
    }
}

extension DecisionVocabulary {
    /// The outcome and the decision's uplift (the computed one for an approval, a decrease or a
    /// referral; 0 otherwise) that a finished run's registers give, by the precedence `decide`
    /// states. Read in place, so a what-if can rank the registers a tracer left.
    func outcome(_ r: UnsafeBufferPointer<Int64>) -> (outcome: Outcome, uplift: Int64) {
        var declined = false, referred = false, held = false
        // Flat arrays of the shared vocabulary, read in place: copying the layout struct, or
        // iterating the rules themselves, would retain and release arrays and strings.
        let v = self
        v.ruleSlots.withUnsafeBufferPointer { slots in
            v.ruleKinds.withUnsafeBufferPointer { kinds in
                for i in 0..<min(slots.count, kinds.count) where r.indices.contains(slots[i]) && r[slots[i]] != 0 {
                    switch kinds[i] {
                    case .decline: declined = true
                    case .refer: referred = true
                    case .noChange: held = true
                    }
                }
            }
        }
        let computed = r.indices.contains(v.upliftSlot) ? r[v.upliftSlot] : 0
        // A negative uplift exists only when the policy allows decreases (otherwise it is ≥ 0).
        let outcome: Outcome = declined ? .decline : referred ? .refer : held || computed == 0 ? .noChange : computed > 0 ? .approve : .decrease
        let changes = outcome == .approve || outcome == .decrease
        return (outcome, changes || outcome == .refer ? computed : 0)
    }
}

/// Registers one thread reuses from one evaluation to the next (see
/// `Policy.evaluate(_:reusing:)`). Cheap to create; not shared between threads.
public struct EvaluationBuffer: Sendable {
    var registers: [Int64] = []
    /// An empty buffer; it grows to the policy's size on first use and is reused after.
    public init() {}
}

/// Formats raw register values by type, for explanations and reports.
struct ValueFormatter {
    /// The shared vocabulary rather than a copy of the policy: a formatter is made per value.
    let vocabulary: DecisionVocabulary
    let applicant: Applicant

    func text(_ raw: Int64, _ type: ValueType) -> String {
        if raw == Program.missing { return "missing" }
        switch type.unwrapped {
        case .bool: return raw != 0 ? "true" : "false"
        case .integer: return String(raw)
        case .decimal: return FixedDecimal(raw: raw).formatted()
        case .money: return FixedDecimal(raw: raw).formatted(minFractionDigits: 2)
        case .date: return CivilDate.format(raw)
        case .string: return "\"\(applicant.string(raw, in: vocabulary.policy.strings))\""
        case .enumeration(let e):
            let cases = vocabulary.policy.schema.enums[e].cases
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
        case .string: return JSONWriter.quote(applicant.string(raw, in: vocabulary.policy.strings))
        default: return JSONWriter.quote(text(raw, type))
        }
    }
}
