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
    let vocabulary: DecisionVocabulary

    public init(policy: CheckedPolicy, program: Program) {
        self.policy = policy
        self.program = program
        decoder = ApplicantDecoder(policy: policy)
        reference = ReferenceInterpreter(policy: policy, program: program)
        vocabulary = DecisionVocabulary(policy: policy, layout: program.layout)
        currentLimitField = policy.schema.facts.fields.firstIndex { $0.name == "current_limit" && $0.type == .money && !$0.optional }
    }

    public var identity: PolicyIdentity { vocabulary.identity }

    /// Evaluates with the chosen engine; both give identical decisions and explanations.
    public func evaluate(_ applicant: Applicant, engine: Engine) throws(EvaluationError) -> Decision {
        switch engine {
        case .vm: return try evaluate(applicant)
        case .reference: return decide(try reference.run(applicant), applicant, engine: .reference)
        }
    }

    public func evaluate(_ applicant: Applicant) throws(EvaluationError) -> Decision {
        let n = program.registerCount
        var outcome = VM.Outcome(fault: nil, pc: 0)
        // The registers become the decision's trace: the one allocation of an evaluation.
        let registers = [Int64](unsafeUninitializedCapacity: n) { regs, initialized in
            initialized = n
            guard let base = regs.baseAddress else { outcome = VM.Outcome(fault: .overflow, pc: 0); return }
            base.initialize(repeating: 0, count: n)
            applicant.facts.withUnsafeBufferPointer { facts in
                for i in 0..<min(facts.count, program.layout.factCount) { base[i] = facts[i] }
            }
            outcome = withUnsafeTemporaryAllocation(of: Int64.self, capacity: program.stackSize) { stack in
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
        return decide(registers, applicant, engine: .vm)
    }

    /// The engine's outcome precedence: decline > refer > no_change > approve. Policies state
    /// conditions; the order in which outcomes win is the engine's, the same for every policy.
    func decide(_ reg: [Int64], _ applicant: Applicant, engine: Engine) -> Decision {
        let layout = program.layout
        var declined = false, referred = false, held = false
        for (i, rule) in vocabulary.rules.enumerated() where reg[layout.ruleSlots[i]] != 0 {
            switch rule.kind {
            case .decline: declined = true
            case .refer: referred = true
            case .noChange: held = true
            }
        }
        let computed = reg[layout.upliftSlot]
        let outcome: Outcome = declined ? .decline : referred ? .refer : held || computed <= 0 ? .noChange : .approve
        let uplift: Int64 = outcome == .approve || outcome == .refer ? computed : 0
        var newLimit: FixedDecimal?
        if let f = currentLimitField {
            let current = reg[f]
            newLimit = FixedDecimal(raw: outcome == .approve ? (FixedMath.add(current, uplift) ?? current) : current)
        }
        return Decision(outcome: outcome, uplift: FixedDecimal(raw: uplift), newLimit: newLimit,
                        trace: Trace(registers: reg, applicant: applicant, engine: engine), vocabulary: vocabulary)
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
