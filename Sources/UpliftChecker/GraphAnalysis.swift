import UpliftBundle
import UpliftSyntax

extension Checker {
    /// Whole-policy checks on the dependency graph: protected attributes must not reach a
    /// decision by any path, and values and tables nothing uses are reported.
    func analyseGraph(rules: [CheckedRule], caps: [CheckedCap], reports: [Int]) {
        // The nodes that decide: rules, caps, the amount, uplift, and reported values.
        let roots: [Node] = rules.indices.map { Node.rule($0) } + caps.indices.map { Node.cap($0) } + [.amount, .uplift, .report]
        func reach(_ from: [Node]) -> Set<Node> {
            var reachable = Set<Node>()
            var stack = from
            while let n = stack.popLast() {
                guard reachable.insert(n).inserted else { continue }
                stack.append(contentsOf: deps[n] ?? [])
                if n == .uplift { stack.append(.amount); stack.append(contentsOf: caps.indices.map { .cap($0) }) }
            }
            return reachable
        }
        let reachable = reach(roots)
        // Every decision reports its band and segment, so tables decide too.
        let tableRoots = bandTables.indices.map { Node.band($0) } + segmentTables.indices.map { Node.segment($0) }
        let deciding = reach(roots + tableRoots)
        // Protected attributes: report each read in a node that reaches a decision, with the path.
        for (node, list) in protectedReads.sorted(by: { "\($0.key)" < "\($1.key)" }) where deciding.contains(node) {
            for (field, span) in list {
                let notes = usePath(to: node, roots: roots + tableRoots).map { ("\(describe($0.user)) uses \(describe($0.used)) here", $0.span) }
                diags.error("E298", "`\(field)` is a protected attribute and must not influence a decision", at: span,
                            help: "remove `\(field)` from this \(nodeNoun(node)); protected attributes (schema-marked `protected`) may be present in data but never used",
                            notes: notes)
            }
        }
        for (i, v) in valueDecls.enumerated() where !reachable.contains(.value(i)) {
            diags.warning("W220", "`\(v.name.name)` is never used by a rule, cap, amount or report", at: v.name.span,
                          help: "use it, report it with `report \(v.name.name)`, or remove it")
        }
        for (i, t) in bandTables.enumerated() where !reachable.contains(.band(i)) {
            diags.warning("W230", "band table `\(t.name.name)` is never used", at: t.name.span, help: "read it as `\(t.name.name).<column>` or remove it from the bundle")
        }
        for (i, c) in catalogues.enumerated() where !usedCatalogues.contains(i) {
            diags.warning("W232", "catalogue `\(c.name)` is never used", at: catalogueSpans[i], help: "look entries up as `\(c.name)[key]` or remove it from the bundle")
        }
        for (i, t) in segmentTables.enumerated() where !reachable.contains(.segment(i)) {
            diags.warning("W231", "\(describe(.segment(i))) is never used", at: t.name.span, help: "read it as `\(t.name.name).<column>` or remove it from the bundle")
        }
    }

    func nodeNoun(_ n: Node) -> String {
        switch n {
        case .value: "value"
        case .band: "band input"
        case .segment: "segment condition"
        case .amount: "amount"
        case .cap: "cap"
        case .uplift: "uplift"
        case .rule: "rule"
        case .report: "report"
        }
    }

    /// A chain of uses from a deciding node down to `target`, for the protected-attribute note.
    func usePath(to target: Node, roots: [Node]) -> [(user: Node, used: Node, span: Span)] {
        var parent: [Node: Node] = [:]
        var queue = roots
        var seen = Set(roots)
        var k = 0
        while k < queue.count, parent[target] == nil {
            let n = queue[k]; k += 1
            for d in (deps[n] ?? []).sorted(by: { "\($0)" < "\($1)" }) where seen.insert(d).inserted {
                parent[d] = n
                queue.append(d)
            }
        }
        var chain: [(user: Node, used: Node, span: Span)] = []
        var cur = target
        while let p = parent[cur] {
            if let s = depSpans[p]?[cur], s != .none { chain.append((p, cur, s)) }
            cur = p
        }
        return chain.reversed()
    }

    /// Values and tables in an order where each comes after everything it reads.
    func evaluationOrder(capCount: Int, hasAmount: Bool) -> [EvaluationStep] {
        var order: [EvaluationStep] = []
        var done = Set<Node>()
        func visit(_ n: Node) {
            guard done.insert(n).inserted else { return }
            for d in (deps[n] ?? []).sorted(by: { "\($0)" < "\($1)" }) { visit(d) }
            if n == .uplift {
                if hasAmount { visit(.amount) }
                for c in 0..<capCount { visit(.cap(c)) }
            }
            switch n {
            case .value(let i): if values[i]?.list == nil { order.append(.value(i)) }
            case .band(let i): order.append(.band(i))
            case .segment(let i): order.append(.segment(i))
            case .amount: if hasAmount { order.append(.amount) }
            case .cap(let i): order.append(.cap(i))
            case .uplift: order.append(.uplift)
            case .rule, .report: break
            }
        }
        // Everything is evaluated, so every decision reports its segment and reported values.
        for i in valueDecls.indices { visit(.value(i)) }
        for i in bandTables.indices { visit(.band(i)) }
        for i in segmentTables.indices { visit(.segment(i)) }
        if hasAmount { visit(.amount) }
        for c in 0..<capCount { visit(.cap(c)) }
        visit(.uplift)
        return order
    }
}
