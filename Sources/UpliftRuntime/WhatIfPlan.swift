import UpliftChecker
@_spi(Engine) import UpliftCompiler
import UpliftSyntax

/// What a what-if needs of each action that is the same for every applicant, worked out once
/// per compiled policy: an `add` action's element template and its instances (one per `each`
/// value). A what-if then starts from them instead of rebuilding them per applicant.
struct WhatIfPlan: Sendable {
    /// By the action's position: its template (nil for an action that adds nothing, or an
    /// element that cannot be laid into registers exactly).
    let templates: [Placement.AddTemplate?]
    /// By the action's position: an `add` action's instances; empty for the others.
    let instances: [[WhatIfSession.Instance]]
    /// Each fact's JSON path, by the fact's index (a dotted name split once).
    let factPaths: [[PathStep]]
    /// Each record field's JSON path within its element, by record and field.
    let fieldPaths: [[[PathStep]]]
    /// By the action's position, for an `add` action with `each`: each instance's
    /// representative, the first instance the program cannot tell from it (empty: each its own).
    /// The program reads the `each` field only through catalogue lookups, and the two values'
    /// rows give every lookup the same answer, so the two decide alike at every searched value
    /// (the certificate types ielts and toefl, both language and 30 points). A what-if searches
    /// the representative and has the VM confirm each result on the other.
    let representatives: [[Int]]

    init(policy: CheckedPolicy, decoder: ApplicantDecoder, program: Program) {
        factPaths = policy.schema.facts.fields.map { WhatIfJSON.path($0.name) }
        fieldPaths = policy.schema.records.map { $0.fields.map { WhatIfJSON.path($0.name) } }
        templates = policy.actions.map { Placement.AddTemplate($0, decoder: decoder, policy: policy) }
        instances = policy.actions.enumerated().map { order, action in
            guard case .add(let l, let r) = action.kind, policy.schema.records.indices.contains(r), policy.schema.facts.fields.indices.contains(l) else { return [] }
            return Self.addInstances(action, order, list: l, record: r, policy)
        }
        let templates = templates
        representatives = policy.actions.indices.map { order in
            guard let t = templates[order], let f = t.eachField else { return [] }
            return Self.representatives(t.eachRaws, field: f, program)
        }
    }

    /// For each raw value of an element field, the first value the program cannot tell from
    /// it, or its own index; all their own when the program reads the field in any way other
    /// than a catalogue lookup (a comparison, a table key, a value on the stack) in the code a
    /// decision runs.
    static func representatives(_ raws: [Int64?], field f: Int, _ program: Program) -> [Int] {
        let own = Array(raws.indices)
        // The catalogue lookups of the field: (index base, size) for membership, plus the row
        // base, stride and column for a column read.
        var lookups: [(index: Int, n: Int, rows: Int, stride: Int, column: Int)] = [], targets: [Int] = []
        let code = program.code, data = program.tableData
        // A decision runs from the first instruction to the first `halt`; what follows are the
        // explanation's own entries. Every jump of the decision must stay inside it.
        var pc = 0, end = Int.max
        while pc < code.count && pc < end {
            guard let op = Opcode(rawValue: code[pc]) else { return own }
            let operands = op.operandCount
            guard pc + operands < code.count else { return own }
            func o(_ i: Int) -> Int { Int(code[pc + 1 + i]) }
            if op == .halt { end = pc; break }
            switch op {
            case .element, .jumpIfElementTrue, .jumpIfElementFalse, .jumpIfElementMissing, .jumpIfElementPresent:
                if o(1) == f { return own }
            case .jumpIfElementInCatalogue, .jumpIfElementNotInCatalogue:
                if o(1) == f { lookups.append((o(2), o(3), -1, 0, 0)) }
            case .catalogueGetElement:
                if o(1) == f { lookups.append((o(2), o(3), o(4), o(5), o(6))) }
            default: break
            }
            targets.append(contentsOf: op.targetOperands.map { o($0) })
            pc += 1 + operands
        }
        guard end < Int.max, targets.allSatisfy({ $0 >= 0 && $0 <= end }) else { return own }
        func d(_ i: Int) -> Int64? { i >= 0 && i < data.count ? data[i] : nil }
        /// What every lookup gives for `key`: found or not, and the column read.
        func answers(_ key: Int64) -> [Int64?] {
            lookups.flatMap { l -> [Int64?] in
                guard key >= 0, key < Int64(l.n), let row = d(l.index &+ Int(key)), row >= 0 else { return [nil, nil] }
                return [1, l.rows < 0 ? 0 : d(l.rows &+ Int(row) &* l.stride &+ l.column)]
            }
        }
        var firsts: [[Int64?]: Int] = [:]
        return raws.enumerated().map { i, raw in
            guard let raw else { return i }
            let a = answers(raw)
            if let j = firsts[a] { return j }
            firsts[a] = i
            return i
        }
    }

    /// An `add` action's instances: one element of the record, its fixed fields set, its `each`
    /// field at each value in turn, its `lowest` field searched over the field's range.
    static func addInstances(_ action: CheckedAction, _ order: Int, list l: Int, record r: Int, _ policy: CheckedPolicy) -> [WhatIfSession.Instance] {
        typealias Instance = WhatIfSession.Instance
        let facts = policy.schema.facts
        let rec = policy.schema.records[r], list = facts.fields[l].name
        let fixed = action.set.map { s -> ([PathStep], JSONValue) in ([.key(list), .append, .key(rec.fields[s.field].name)], WhatIfJSON.value(s.value)) }
        let searched = action.lowest.map { low in
            Instance.Searched(path: [.key(list), .append, .key(rec.fields[low].name)], type: rec.fields[low].type,
                              range: rec.fields[low].range ?? WhatIfJSON.defaultRange(rec.fields[low].type))
        }
        guard let each = action.each else { return [Instance(action: action, order: order, fixed: fixed, searched: searched, fill: nil)] }
        let name = rec.fields[each.field].name, path: [PathStep] = [.key(list), .append, .key(name)]
        return each.values.enumerated().map { i, v in
            var fill: Instance.Fill?
            switch v {
            case .text(let t): fill = .init(key: name, value: t)
            case .bool(let b): fill = .init(key: name, value: b ? "true" : "false")
            default: break
            }
            return Instance(action: action, order: order, fixed: fixed, searched: searched, fill: fill, element: .eachValue(index: i, value: v, path: path))
        }
    }
}
