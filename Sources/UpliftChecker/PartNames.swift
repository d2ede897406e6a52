import UpliftSyntax

/// How each part of a policy is named in evaluation errors, shared by every evaluator so the
/// same fault reads the same whichever engine found it.
extension CheckedPolicy {
    package func part(_ step: EvaluationStep) -> (what: String, span: Span) {
        switch step {
        case .value(let i): ("value `\(values[i].name)`", values[i].span)
        case .band(let i): ("band table `\(bands[i].name)`", bands[i].inputSpan)
        case .segment(let i):
            ("\(segments[i].kind == .decisionTable ? "decision table" : "segment table") `\(segments[i].name)`",
             segments[i].kind == .decisionTable ? (segments[i].rowSpans.first ?? .none) : .none)
        case .amount, .uplift: (step == .amount ? "the amount" : "the uplift", amountSpan ?? .none)
        case .cap(let i): ("\(caps[i].isFloor ? "floor" : "cap") `\(reasons[caps[i].reason].code)`", caps[i].span)
        }
    }

    package func rulePart(_ i: Int) -> (what: String, span: Span) {
        ("rule `\(rules[i].kind.rawValue) \(reasons[rules[i].reason].code)`", rules[i].span)
    }
}
