import Foundation
import XCTest
@testable import Uplift
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// `evaluate(_:reusing:)` is the allocation-free path of simulations and request handlers: it
/// must give exactly the decisions of `evaluate(_:)`, and a decision the caller keeps must not
/// change when the buffer is reused for the next applicant.
final class EvaluationBufferTests: XCTestCase {
    static var policy: Policy { ReferencePolicyTests.policy }

    func render(_ d: Decision) -> String { DecisionRenderer.json(d, Self.policy.explain(d), pretty: false) }

    func testReusedBufferGivesTheSameDecisions() throws {
        let policy = Self.policy
        let applicants = try SyntheticApplicants(policy: policy.checked).population(count: 2_000, seed: 7).map { try policy.applicant($0) }
        var buffer = EvaluationBuffer()
        for (i, a) in applicants.enumerated() {
            let fresh = try policy.evaluate(a), reused = try policy.evaluate(a, reusing: &buffer)
            XCTAssertEqual(render(reused), render(fresh), "applicant \(i)")
        }
    }

    func testKeptDecisionsSurviveReuse() throws {
        let policy = Self.policy
        let applicants = try SyntheticApplicants(policy: policy.checked).population(count: 300, seed: 11).map { try policy.applicant($0) }
        var buffer = EvaluationBuffer()
        // Keep every decision (and explanation) while the same buffer evaluates the others.
        let kept = try applicants.map { try policy.evaluate($0, reusing: &buffer) }
        let explanations = kept.map { policy.explain($0) }
        for (i, a) in applicants.enumerated() {
            let fresh = try policy.evaluate(a)
            XCTAssertEqual(render(kept[i]), render(fresh), "applicant \(i)")
            XCTAssertEqual(DecisionRenderer.json(explanations[i]), DecisionRenderer.json(policy.explain(fresh)), "applicant \(i)")
        }
        // Outcomes vary, so a stale register would have shown up above.
        XCTAssertGreaterThan(Set(kept.map(\.outcome)).count, 2)
    }

    func testReferencePolicyMemoisesTheAcceptedFilter() {
        // `accepted` is read by `score` and by two `count(accepted)`: its filter runs once per
        // certificate and is remembered (see FilterMemo).
        XCTAssertEqual(Self.policy.program.memoizedFilters, 1)
    }
}
