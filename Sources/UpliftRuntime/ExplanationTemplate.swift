import UpliftBundle
import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// The parts of every explanation that depend only on the policy — rule texts, locations,
/// which register each read comes from, table labels, filter tests — worked out once when the
/// policy is compiled and shared by every explanation it gives.
final class ExplanationTemplate: Sendable {
    /// Where a read value lives and how it is shown.
    struct ReadSlot: Sendable {
        let name: String
        let slot: Int
        let format: ValueFormat
        /// For a named value that is a grouped aggregate (`score`): the value's index, so the
        /// explanation can show each group's contribution.
        var groups: Int? = nil
    }

    /// A part of a condition shown with its value (`count(accepted) = 1`).
    struct Derived: Sendable {
        let name: String
        let expr: TExpr
        let type: ValueType
    }

    final class Rule: Sendable {
        let ruleKind: RuleKind
        let kind: String
        let code: String
        let condition: String
        let location: String
        let slot: Int
        let reads: [ReadSlot]
        let derived: [Derived]
        init(ruleKind: RuleKind, code: String, condition: String, location: String, slot: Int, reads: [ReadSlot], derived: [Derived]) {
            self.ruleKind = ruleKind
            kind = ruleKind.rawValue
            self.code = code
            self.condition = condition
            self.location = location
            self.slot = slot
            self.reads = reads
            self.derived = derived
        }
    }

    final class Band: Sendable {
        let table: String
        let input: String
        let inputReads: [ReadSlot]
        let labels: [String]
        let columns: [(name: String, type: ValueType)]
        let rows: [[Int64]]
        let slot: Int
        init(table: String, input: String, inputReads: [ReadSlot], labels: [String], columns: [(name: String, type: ValueType)], rows: [[Int64]], slot: Int) {
            self.table = table
            self.input = input
            self.inputReads = inputReads
            self.labels = labels
            self.columns = columns
            self.rows = rows
            self.slot = slot
        }
    }

    final class Segments: Sendable {
        let table: String
        let names: [String]
        let conditions: [String]
        let reads: [[ReadSlot]]
        let derived: [[Derived]]
        let columns: [(name: String, type: ValueType)]
        let rows: [[Int64]]
        let slot: Int
        /// `segments` or `decision_table`, and how rows are tried.
        let kind: RowTableKind
        let hit: HitPolicy
        /// `collect`: each row's match flag and each output's combined value.
        let flagSlots: [Int]
        let collectSlots: [Int]
        init(table: String, names: [String], conditions: [String], reads: [[ReadSlot]], derived: [[Derived]], columns: [(name: String, type: ValueType)], rows: [[Int64]], slot: Int,
             kind: RowTableKind, hit: HitPolicy, flagSlots: [Int], collectSlots: [Int]) {
            self.kind = kind
            self.hit = hit
            self.flagSlots = flagSlots
            self.collectSlots = collectSlots
            self.table = table
            self.names = names
            self.conditions = conditions
            self.reads = reads
            self.derived = derived
            self.columns = columns
            self.rows = rows
            self.slot = slot
        }
    }

    final class Cap: Sendable {
        let code: String
        let bound: String
        let reads: [ReadSlot]
        /// Operands of the `when` condition's comparisons that are not plain reads.
        let derived: [Derived]
        let slot: Int
        /// A `floor` (a lower bound on a decrease) rather than a cap.
        let isFloor: Bool
        init(code: String, bound: String, reads: [ReadSlot], derived: [Derived], slot: Int, isFloor: Bool = false) {
            self.isFloor = isFloor
            self.code = code
            self.bound = bound
            self.reads = reads
            self.derived = derived
            self.slot = slot
        }
    }

    /// A named filtered list: its element fields (personal ones left out) and one test per
    /// `and`-part of its filters, each with the text shown when it fails.
    final class List: Sendable {
        struct Probe: Sendable {
            let probe: Program.Probe
            let test: TExpr
            let text: String
        }
        let name: String
        let source: String
        let field: Int
        let width: Int
        let variables: [Int]
        let fields: [(index: Int, name: String, type: ValueType)]
        let probes: [Probe]
        init(name: String, source: String, field: Int, width: Int, variables: [Int], fields: [(index: Int, name: String, type: ValueType)], probes: [Probe]) {
            self.name = name
            self.source = source
            self.field = field
            self.width = width
            self.variables = variables
            self.fields = fields
            self.probes = probes
        }
    }

    let vocabulary: DecisionVocabulary
    let rules: [Rule]
    let bands: [Band]
    let segments: [Segments]
    let caps: [Cap]
    let lists: [List]
    let amount: String?
    let amountReads: [ReadSlot]
    let amountSlot: Int
    let rounding: String?
    let upliftSlot: Int
    let bindSlot: Int
    /// Names and types of the parts of conditions an explanation shows with their values.
    let describer: ExpressionDescriber
    /// Evaluates those parts again over a decision's registers (for both engines alike).
    let interpreter: ExplanationInterpreter
    /// The grouped aggregate of each named value that is one (`score`), by value index.
    let groupedValues: [Int: CheckedAggregate]
    /// The register of each named value.
    let valueSlots: [Int]

    init(policy: CheckedPolicy, program: Program, vocabulary: DecisionVocabulary) {
        self.vocabulary = vocabulary
        let layout = program.layout, src = policy.sources
        let describer = ExpressionDescriber(policy: policy)
        self.describer = describer
        interpreter = ExplanationInterpreter(ReferenceInterpreter(policy: policy, program: program))
        var grouped: [Int: CheckedAggregate] = [:]
        for (i, v) in policy.values.enumerated() {
            if case .aggregate(let a)? = v.expr, a.group != nil { grouped[i] = a }
        }
        groupedValues = grouped
        valueSlots = layout.valueSlots
        func slots(_ reads: [Read]) -> [ReadSlot] {
            reads.map { r in
                switch r.target {
                case .fact(let i):
                    let f = policy.schema.facts.fields[i]
                    return ReadSlot(name: r.name, slot: i, format: f.pii ? .masked : .typed(f.fullType))
                case .value(let i):
                    return ReadSlot(name: r.name, slot: layout.valueSlots[i], format: .typed(policy.values[i].type), groups: grouped[i] == nil ? nil : i)
                case .uplift:
                    return ReadSlot(name: r.name, slot: layout.upliftSlot, format: .typed(.money))
                case .band(let i):
                    return ReadSlot(name: r.name, slot: layout.bandSlots[i], format: .bandLabel(i))
                case .segment(let i):
                    return ReadSlot(name: r.name, slot: layout.segmentSlots[i], format: .segmentName(i))
                }
            }
        }
        rules = policy.rules.enumerated().map { (i, r) in
            Rule(ruleKind: r.kind, code: policy.reasons[r.reason].code, condition: src.text(r.conditionSpan),
                 location: src.describe(r.span), slot: layout.ruleSlots[i], reads: slots(r.reads),
                 derived: Self.derivedOperands(r.condition, describer))
        }
        bands = policy.bands.enumerated().map { (i, b) in
            Band(table: b.name, input: src.text(b.inputSpan), inputReads: slots(b.inputReads), labels: b.labels,
                 columns: b.columns, rows: b.values, slot: layout.bandSlots[i])
        }
        segments = policy.segments.enumerated().map { (i, s) in
            Segments(table: s.name, names: s.names, conditions: s.conditionText, reads: s.reads.map(slots),
                     derived: s.conditions.map { Self.derivedOperands($0, describer) },
                     columns: s.columns, rows: s.values, slot: layout.segmentSlots[i], kind: s.kind, hit: s.hit,
                     flagSlots: layout.rowFlagSlots.indices.contains(i) ? layout.rowFlagSlots[i] : [],
                     collectSlots: layout.collectSlots.indices.contains(i) ? layout.collectSlots[i] : [])
        }
        caps = policy.caps.enumerated().map { (i, c) in
            Cap(code: policy.reasons[c.reason].code, bound: src.text(c.boundSpan), reads: slots(c.reads),
                derived: c.condition.map { Self.derivedOperands($0, describer) } ?? [], slot: layout.capSlots[i], isFloor: c.isFloor)
        }
        lists = policy.values.enumerated().compactMap { (i, v) -> List? in
            guard let list = v.list, !list.filters.isEmpty else { return nil }
            let record = policy.schema.records[list.record]
            let probes = program.probes.filter { $0.value == i }.map { p in
                List.Probe(probe: p, test: list.filters[p.filter].conjuncts[p.conjunct].test, text: src.text(p.span))
            }
            let fields = record.fields.enumerated().filter { !$0.element.pii }.map { (index: $0.offset, name: $0.element.name, type: $0.element.fullType) }
            return List(name: v.name, source: policy.schema.facts.fields[list.field].name, field: list.field,
                        width: record.fields.count, variables: list.variables, fields: fields, probes: probes)
        }
        amount = policy.amount.map { _ in policy.amountSpan.map { src.text($0) } ?? "amount" }
        amountReads = slots(policy.amountReads)
        amountSlot = layout.amountSlot
        rounding = policy.rounding.map { "\($0.mode.rawValue) to a multiple of \(FixedDecimal(raw: $0.step).formatted())" }
        upliftSlot = layout.upliftSlot
        bindSlot = layout.bindSlot
    }

    var policy: CheckedPolicy { vocabulary.policy }

    func label(band i: Int, _ raw: Int64) -> String {
        let labels = bands[i].labels, k = Int(truncatingIfNeeded: raw)
        return labels.indices.contains(k) ? labels[k] : "?"
    }

    func label(segment i: Int, _ raw: Int64) -> String {
        let names = segments[i].names, k = Int(truncatingIfNeeded: raw)
        return names.indices.contains(k) ? names[k] : "?"
    }
}
