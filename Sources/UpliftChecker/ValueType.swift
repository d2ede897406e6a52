import UpliftSyntax

/// The type of a value in a policy. Money and decimals share an exact fixed-point representation
/// but are distinct types, so that adding money to a confidence is caught before it runs.
public indirect enum ValueType: Sendable, Hashable {
    case bool, integer, decimal, money, string, date
    /// An enum declared in the schema, or the categories of a catalogue, or the names of segments.
    case enumeration(Int)
    case optional(ValueType)
    /// A list of records of the given record type.
    case list(Int)
    /// One element of a list, bound by `for x in list`.
    case element(Int)
    /// A catalogue table itself (the right side of `key in table`).
    case catalogue(Int)
    /// The row of a catalogue a key selects: `catalogue[c.type]`.
    case catalogueEntry(Int)
    /// The band or segment table's matched row.
    case band(Int)
    case segment(Int)
    /// An expression already reported as wrong; it matches anything to avoid cascades.
    case error

    public var isOptional: Bool { if case .optional = self { true } else { false } }
    public var unwrapped: ValueType { if case .optional(let t) = self { t } else { self } }
    public var isNumeric: Bool { [.integer, .decimal, .money].contains(unwrapped) }
    /// Fixed-point values (decimal, money) are scaled by 10^6 in the VM.
    public var isFixed: Bool { self == .decimal || self == .money }
}

public struct EnumInfo: Sendable {
    public var name: String
    public var cases: [String]
}

public struct FieldInfo: Sendable {
    public var name: String
    /// The field's type without optionality.
    public var type: ValueType
    public var optional: Bool
    public var pii: Bool
    public var protected: Bool
    /// The applicant's identifier in simulation outputs.
    public var key: Bool = false
    /// How `uplift synth` generates the field (`sample …` in the schema).
    public var hint: GenerationHint?
    /// Allowed input range, in the field's raw representation.
    public var range: ClosedRange<Int64>?
    public var span: Span
    public var fullType: ValueType { optional ? .optional(type) : type }
}

/// A field's `sample` clause, resolved to raw values. Only synthetic populations read it.
public struct GenerationHint: Sendable {
    public var range: ClosedRange<Int64>?
    /// Values to pick (raw, or the text for string fields) with their weights.
    public var values: [(raw: Int64, text: String?, weight: Int)] = []
    public var absentPercent: Int?
    public var length: ClosedRange<Int>?
    public init() {}
}

public struct RecordInfo: Sendable {
    public var name: String
    public var fields: [FieldInfo]
    public var span: Span
    public func field(named n: String) -> Int? { fields.firstIndex { $0.name == n } }
}

/// Everything the schema declares: the applicant's facts and the record types of its lists.
public struct FactSchema: Sendable {
    public var records: [RecordInfo]
    /// The applicant record (`facts`): its fields are the VM's first registers.
    public var facts: RecordInfo
    public var enums: [EnumInfo]
    /// The fact marked `key`, which simulations print to say whose decision a line is.
    public var keyField: Int? { facts.fields.firstIndex { $0.key } }
}

extension FactSchema {
    public func describe(_ t: ValueType) -> String {
        switch t {
        case .bool: "bool"
        case .integer: "integer"
        case .decimal: "decimal"
        case .money: "money"
        case .string: "string"
        case .date: "date"
        case .enumeration(let e): enums.indices.contains(e) ? "enum \(enums[e].name)" : "enum"
        case .optional(let t): "optional \(describe(t))"
        case .list(let r): records.indices.contains(r) ? "list of \(records[r].name)" : "list"
        case .element(let r): records.indices.contains(r) ? records[r].name : "element"
        case .catalogue: "catalogue table"
        case .catalogueEntry: "catalogue entry"
        case .band: "band row"
        case .segment: "segment"
        case .error: "unknown"
        }
    }
}
