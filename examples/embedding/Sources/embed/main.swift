// Embeds the reference policy the way a service would, through `import Uplift` alone, and
// prints what a service logs. Usage: embed BUNDLE_DIR EXAMPLES_DIR
import Foundation
import Uplift

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: embed BUNDLE_DIR EXAMPLES_DIR\n".utf8))
    exit(2)
}

// 1. A bundle that does not load: the same located diagnostics `uplift check` prints.
do {
    _ = try Policy.load(bundle: arguments[1] + "/does-not-exist")
    print("load: a missing bundle loaded")
} catch {
    let first = error.diagnostics.first
    print("load error: \(first?.code ?? "none") \(first?.message ?? "")")
}

// 2. Load once; `Policy` is immutable and Sendable.
let policy: Policy
do { policy = try Policy.load(bundle: arguments[1]) } catch {
    print(error.description)
    exit(1)
}
let id = policy.identity
print("policy: \(id.name) \(id.version) sha256 \(id.hash.prefix(12)) warnings \(policy.warnings.count)")
print("tables: \(policy.tables.map { "\($0.name) (\($0.kind), \($0.rows.count) rows)" }.joined(separator: ", "))")
print("outline: \(policy.outline.rules.count) rules, \(policy.outline.caps.count) caps, \(policy.reasonCodes.count) reason codes")

// 3. The README's example.
let applicant = try policy.applicant(json: """
    {"id": "u-1", "as_of": "2024-12-23", "age": 27, "gender": "female",
     "occupation": "employee", "job_tenure_months": 18, "account_age_months": 24,
     "current_limit": 8000, "monthly_income": 12000, "max_overdue_days_12m": 0,
     "fraud_flag": false, "certificates": [
       {"type": "cpa", "verified": true, "confidence": 0.95, "forgery_suspected": false}]}
    """)
let decision = try policy.evaluate(applicant)
print("readme:", decision.outcome.rawValue, decision.uplift, decision.reasons.map(\.code))
let explanation = policy.explain(decision)
print("explained: \(explanation.gates.count) gates, \(explanation.caps.count) caps, segment \(decision.segment ?? "none")")

// 4. Field by field, and a refused record with its field path.
let built = try policy.applicant([
    "id": .string("u-2"), "as_of": .date("2024-12-23"), "age": .integer(27), "gender": .string("male"),
    "occupation": .string("employee"), "job_tenure_months": .integer(18), "account_age_months": .integer(24),
    "current_limit": .decimal("8000"), "monthly_income": .decimal("12000"), "max_overdue_days_12m": .integer(0),
    "fraud_flag": .bool(false), "certificates": .list([]),
])
print("built:", try policy.evaluate(built).outcome.rawValue)
do {
    _ = try policy.applicant(json: """
        {"id": "u-3", "as_of": "2024-12-23", "age": 27, "gender": "female", "occupation": "employee",
         "job_tenure_months": 18, "account_age_months": 24, "current_limit": 8000, "monthly_income": 12000,
         "max_overdue_days_12m": 0, "fraud_flag": false,
         "certificates": [{"type": "cpa", "verified": true, "confidence": "high", "forgery_suspected": false}]}
        """)
    print("refused: nothing")
} catch {
    print("refused: \(error.path): \(error.message)")
}

// 5. Every example applicant, decided by 16 threads at once, each with its own buffer: the same
// decisions as one thread.
let dir = URL(fileURLWithPath: arguments[2])
let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
guard !names.isEmpty else { print("no example applicants in \(dir.path)"); exit(1) }
let records = try names.map { try Data(contentsOf: dir.appendingPathComponent($0)) }
let serial = try records.map { try DecisionRenderer.json(policy.evaluate(utf8: $0), pretty: false) }

final class Results: @unchecked Sendable {
    let lock = NSLock()
    var disagreements = 0, decided = 0
}
let results = Results(), threads = 16, rounds = 50
let done = DispatchSemaphore(value: 0)
for _ in 0..<threads {
    Thread {
        var buffer = EvaluationBuffer()
        var disagreements = 0
        for _ in 0..<rounds {
            for (k, record) in records.enumerated() {
                let line = (try? policy.applicant(utf8: record)).flatMap { try? policy.evaluate($0, reusing: &buffer) }
                    .map { DecisionRenderer.json($0, pretty: false) }
                if line != serial[k] { disagreements += 1 }
            }
        }
        results.lock.lock(); results.disagreements += disagreements; results.decided += rounds * records.count; results.lock.unlock()
        done.signal()
    }.start()
}
for _ in 0..<threads { done.wait() }
print("threads: \(threads) threads, \(results.decided) decisions, \(results.disagreements == 0 ? "all equal to the serial ones" : "\(results.disagreements) DIFFERENT from the serial ones")")
for (name, record) in zip(names, records) {
    let d = try policy.evaluate(utf8: record)
    print("\(name): \(d.outcome.rawValue) \(d.uplift) \(d.reasons.map(\.code).joined(separator: ","))")
}
exit(results.disagreements == 0 ? 0 : 1)
