import Benchmark
import Foundation
import Uplift

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let referenceBundle = root.appendingPathComponent("policies/certificate-uplift").path

/// A bundle with `rules` gates, for compile-time scaling.
func writeLargeBundle(rules: Int) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-bench-\(rules)")
    try? FileManager.default.removeItem(at: dir)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var text = ""
    for i in 0..<rules {
        text += "reason R\(i) \"rule \(i)\"\n"
        text += "decline R\(i) when n > \(i) and (m < \(i * 3) or flag)\n"
    }
    let files = [
        "bundle.yaml": "name: large\nversion: 1\nschema: schema.uplift\nrules: [policy.uplift]\n",
        "schema.uplift": "facts A {\n  n: integer\n  m: money\n  flag: bool\n}\n",
        "policy.uplift": text,
    ]
    for (n, t) in files { try t.write(to: dir.appendingPathComponent(n), atomically: true, encoding: .utf8) }
    return dir.path
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(3))
    guard let policy = try? Policy.load(bundle: referenceBundle) else { fatalError("reference bundle does not load") }
    let synthetic = policy.syntheticPopulation(count: 1000, seed: 1)
    let population = (try? synthetic.map { try policy.applicant($0) }) ?? []
    // The hand-written function decides the very same applicants, and must agree with the VM.
    let handWritten = synthetic.compactMap(HandWrittenPolicy.applicant)
    let codes: [Outcome: Int] = [.approve: 0, .decline: 1, .refer: 2, .noChange: 3]
    var disagreements = 0
    for (a, h) in zip(population, handWritten) {
        guard let d = try? policy.evaluate(a) else { disagreements += 1; continue }
        let (o, uplift) = HandWrittenPolicy.decide(h)
        if codes[d.outcome] != o || Int(d.uplift.raw / 10_000) != uplift { disagreements += 1 }
    }
    if handWritten.count != population.count || disagreements > 0 {
        fatalError("the hand-written policy disagrees with the VM on \(disagreements) of \(population.count) applicants")
    }
    let json = (try? String(contentsOfFile: referenceBundle + "/examples/approve-young-professional.json", encoding: .utf8)) ?? "{}"

    // The steady-state path of a simulation or a request handler: one buffer reused per thread.
    Benchmark("evaluate (VM, no explanation)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var buffer = EvaluationBuffer()
        for i in benchmark.scaledIterations { blackHole(try? policy.evaluate(population[i % population.count], reusing: &buffer)) }
    }
    Benchmark("evaluate (VM, fresh registers per call)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for i in benchmark.scaledIterations { blackHole(try? policy.evaluate(population[i % population.count])) }
    }
    Benchmark("evaluate + explanation", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var buffer = EvaluationBuffer()
        for i in benchmark.scaledIterations {
            if let d = try? policy.evaluate(population[i % population.count], reusing: &buffer) { blackHole(policy.explain(d)) }
        }
    }
    Benchmark("evaluate + explanation rendered as JSON", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var buffer = EvaluationBuffer()
        for i in benchmark.scaledIterations {
            if let d = try? policy.evaluate(population[i % population.count], reusing: &buffer) {
                blackHole(DecisionRenderer.json(d, policy.explain(d), pretty: false))
            }
        }
    }
    Benchmark("evaluate (reference interpreter)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for i in benchmark.scaledIterations { blackHole(try? policy.evaluate(population[i % population.count], engine: .reference)) }
    }
    Benchmark("hand-written Swift policy", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for i in benchmark.scaledIterations { blackHole(HandWrittenPolicy.decide(handWritten[i % handWritten.count])) }
    }
    // Every single-action suggestion for one applicant (all of them kept, as `uplift bench
    // --whatif` does), from the applicant's JSON as a service receives it; each sample walks
    // the 1,000 synthetic applicants, and figures are per applicant.
    Benchmark("what-if, every single action", configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
        for i in benchmark.scaledIterations { blackHole(try? policy.whatIf(synthetic[i % synthetic.count], options: WhatIfOptions(top: 1000))) }
    }
    Benchmark("decode applicant JSON") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? policy.applicant(json: json)) }
    }
    Benchmark("compile reference bundle") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? Policy.load(bundle: referenceBundle)) }
    }
    for rules in [1_000, 10_000] {
        let dir = (try? writeLargeBundle(rules: rules)) ?? ""
        Benchmark("compile \(rules)-rule bundle", configuration: .init(maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try? Policy.load(bundle: dir)) }
        }
    }
    // Issue 9: the sizes that were exponential or quadratic; each should take about a second.
    for (name, dir) in (try? LargeBundles.all()) ?? [] {
        Benchmark(name, configuration: .init(maxDuration: .seconds(10), maxIterations: 5)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try? Policy.load(bundle: dir)) }
        }
    }
}
