import UpliftChecker
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

    init(policy: CheckedPolicy, decoder: ApplicantDecoder) {
        factPaths = policy.schema.facts.fields.map { WhatIfJSON.path($0.name) }
        fieldPaths = policy.schema.records.map { $0.fields.map { WhatIfJSON.path($0.name) } }
        templates = policy.actions.map { Placement.AddTemplate($0, decoder: decoder, policy: policy) }
        instances = policy.actions.enumerated().map { order, action in
            guard case .add(let l, let r) = action.kind, policy.schema.records.indices.contains(r), policy.schema.facts.fields.indices.contains(l) else { return [] }
            return Self.addInstances(action, order, list: l, record: r, policy)
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
