import UpliftBundle
import UpliftSyntax

/// Checks a loaded bundle against its schema and produces the typed policy the compiler needs.
/// Every problem is reported, and checking goes on past errors wherever it can.
package enum PolicyChecker {
    package static func check(_ bundle: PolicyBundle) -> (CheckedPolicy?, Diagnostics) {
        let c = Checker(bundle)
        return c.run()
    }
}

/// Which part of the policy an expression belongs to; used for dependencies and messages.
enum Node: Hashable {
    case value(Int), band(Int), segment(Int), amount, cap(Int), uplift
    case rule(Int), report
}

final class Checker {
    let bundle: PolicyBundle
    var diags = Diagnostics()
    var schema = FactSchema(records: [], facts: RecordInfo(name: "Applicant", fields: [], span: .none), enums: [])
    var strings: [String] = []
    var stringIDs: [String: Int] = [:]

    // Declarations by name.
    var valueDecls: [(name: Identifier, expr: Expr, span: Span)] = []
    var valueIndex: [String: Int] = [:]
    var values: [NamedValue?] = []
    var valueState: [Int: Bool] = [:] // false = in progress, true = done
    var reasons: [ReasonInfo] = []
    var reasonIndex: [String: Int] = [:]
    var usedReasons: Set<Int> = []
    var tableKinds: [String: (kind: String, index: Int, span: Span)] = [:]
    var catalogues: [CheckedCatalogue] = []
    var catalogueSpans: [Span] = []
    var usedCatalogues: Set<Int> = []
    var bandTables: [BandTable] = []
    var bands: [CheckedBands?] = []
    var bandState: [Int: Bool] = [:]
    var segmentTables: [SegmentTable] = []
    /// The decision tables among `segmentTables`, by index (their cells live here).
    var decisionTables: [Int: DecisionTable] = [:]
    /// Decision tables whose checking failed: reported once, however often rules read them.
    var decisionTableFailed: Set<Int> = []
    /// Band and row tables in the bundle's order.
    var tableOrder: [TableRef] = []
    /// Each decision table's checked cells, row by row, for the masking and gap analysis.
    var decisionCells: [Int: [[(test: TExpr, span: Span)]]] = [:]
    var segments: [CheckedSegments?] = []
    var segmentState: [Int: Bool] = [:]
    var loopVariables = 0

    // Per-node bookkeeping while checking an expression.
    var current: Node = .report
    var deps: [Node: Set<Node>] = [:]
    var depSpans: [Node: [Node: Span]] = [:]
    var protectedReads: [Node: [(field: String, span: Span)]] = [:]
    var reads: [Read] = []
    var inProgress: [Node] = []

    init(_ bundle: PolicyBundle) { self.bundle = bundle }

    func intern(_ s: String) -> Int64 {
        if let id = stringIDs[s] { return Int64(id) }
        strings.append(s)
        stringIDs[s] = strings.count - 1
        return Int64(strings.count - 1)
    }

    func run() -> (CheckedPolicy?, Diagnostics) {
        loadSchema()
        loadTables()
        collectDeclarations()
        // Check every named value (order-independent: each is checked on first use).
        for i in valueDecls.indices { _ = valueType(i) }
        for i in bandTables.indices { _ = bandInfo(i) }
        for i in segmentTables.indices { _ = segmentInfo(i) }
        let currentLimit = declaredCurrentLimit()
        let (rules, caps, amount, rounding, reports, allowsDecrease) = checkStatements()
        analyseGraph(rules: rules, caps: caps, reports: reports)
        let actions = checkActions()
        if diags.hasErrors { return (nil, diags) }
        let order = evaluationOrder(capCount: caps.count, hasAmount: amount != nil)
        var vals = values.compactMap { $0 }
        for r in reports { vals[r].reported = true }
        let checkedBands = bands.compactMap { $0 }, checkedSegments = segments.compactMap { $0 }
        guard vals.count == valueDecls.count, checkedBands.count == bands.count, checkedSegments.count == segments.count else { return (nil, diags) }
        var policy = CheckedPolicy(
            name: bundle.name, version: bundle.version, hash: bundle.hash, sources: bundle.sources, schema: schema,
            values: vals, catalogues: catalogues, bands: checkedBands, segments: checkedSegments,
            reasons: reasons, rules: rules, caps: caps, amount: amount?.expr, amountSpan: amount?.span,
            amountReads: amount?.reads ?? [], rounding: rounding, order: order, loopVariables: loopVariables, strings: strings,
            tableOrder: tableOrder)
        policy.allowsDecrease = allowsDecrease
        policy.declaredCurrentLimit = currentLimit
        policy.actions = actions
        analyseConditions(policy)
        return (policy, diags)
    }

    // MARK: - Declarations

    func collectDeclarations() {
        for file in bundle.rules {
            for d in file.decls {
                switch d {
                case .record(let n, _, _), .facts(let n, _, _):
                    diags.error("E200", "`\(n.name)` declares schema in a rule file", at: n.span,
                                help: "move record and facts declarations to the bundle's schema file")
                case .reason(let code, let message, let span):
                    if let prev = reasonIndex[code.name] {
                        diags.error("E210", "reason code `\(code.name)` is declared twice", at: code.span,
                                    help: "keep one declaration; codes are declared once and used by name",
                                    notes: [("first declared here", reasons[prev].span)])
                    } else {
                        reasons.append(ReasonInfo(code: code.name, message: message, span: span))
                        reasonIndex[code.name] = reasons.count - 1
                    }
                case .value(let n, let e, let span):
                    if let prev = valueIndex[n.name] {
                        diags.error("E211", "`\(n.name)` is defined twice", at: n.span, help: "rename one of them",
                                    notes: [("first defined here", valueDecls[prev].name.span)])
                    } else if let clash = clash(n.name) {
                        diags.error("E211", "`\(n.name)` is already \(clash)", at: n.span, help: "choose another name for this value")
                    } else {
                        valueDecls.append((n, e, span))
                        valueIndex[n.name] = valueDecls.count - 1
                    }
                default: break
                }
            }
        }
        values = Array(repeating: nil, count: valueDecls.count)
    }

    func clash(_ name: String) -> String? {
        if name == "uplift" { return "the engine's computed uplift" }
        if schema.facts.field(named: name) != nil { return "a fact in the schema" }
        if tableKinds[name] != nil { return "a table name" }
        return nil
    }

    func reason(_ code: Identifier) -> Int? {
        if let i = reasonIndex[code.name] { usedReasons.insert(i); return i }
        let help = Suggestions.closest(to: code.name, in: reasonIndex.keys).map { "did you mean `\($0)`?" }
            ?? "declare it: `reason \(code.name) \"message a person reads\"`"
        diags.error("E212", "reason code `\(code.name)` is not declared", at: code.span, help: help)
        return nil
    }

    // MARK: - Named values

    /// The type of named value `i`, checking it on first use; reports cycles.
    func valueType(_ i: Int) -> ValueType {
        if let v = values[i] { return v.type }
        if valueState[i] == false {
            reportCycle(.value(i))
            return .error
        }
        valueState[i] = false
        let decl = valueDecls[i]
        let t = within(.value(i)) { check(decl.expr, Scope()) }
        values[i] = NamedValue(name: decl.name.name, type: t.type, expr: t.list == nil ? t.expr : nil, list: t.list,
                               span: decl.name.span, reported: false)
        valueState[i] = true
        return t.type
    }

    /// Runs `body` as part of `node`, collecting what it reads.
    func within<T>(_ node: Node, _ body: () -> T) -> T {
        let saved = (current, reads)
        current = node
        reads = []
        inProgress.append(node)
        defer { inProgress.removeLast(); (current, reads) = saved }
        if deps[node] == nil { deps[node] = [] }
        return body()
    }

    /// Records that the current node depends on `node`.
    func depend(on node: Node, at span: Span) {
        deps[current, default: []].insert(node)
        if depSpans[current]?[node] == nil { depSpans[current, default: [:]][node] = span }
    }

    func describe(_ n: Node) -> String {
        switch n {
        case .value(let i): "`\(valueDecls[i].name.name)`"
        case .band(let i): "band table `\(bandTables[i].name.name)`"
        case .segment(let i): "\(decisionTables[i] == nil ? "segment table" : "decision table") `\(segmentTables[i].name.name)`"
        case .amount: "the amount"
        case .cap(let i): "cap \(i + 1)"
        case .uplift: "`uplift`"
        case .rule: "a rule"
        case .report: "the report"
        }
    }

    func span(of n: Node) -> Span {
        switch n {
        case .value(let i): valueDecls[i].name.span
        case .band(let i): bandTables[i].input.span
        case .segment(let i): segmentTables[i].name.span
        default: .none
        }
    }

    func reportCycle(_ node: Node) {
        guard let start = inProgress.lastIndex(of: node) else { return }
        let cycle = Array(inProgress[start...]) + [node]
        let names = cycle.map(describe).joined(separator: " → ")
        diags.error("E220", "these definitions depend on each other in a cycle: \(names)", at: span(of: node),
                    help: "a value cannot be computed from itself; break the cycle by computing one of them from facts directly")
    }
}
