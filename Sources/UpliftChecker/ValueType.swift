import UpliftSyntax

/// The type of a value in a policy. Money and decimals share an exact fixed-point representation
/// but are distinct types, so that adding money to a confidence is caught before it runs.
package indirect enum ValueType: Sendable, Hashable {
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

    package var isOptional: Bool { if case .optional = self { true } else { false } }
    package var unwrapped: ValueType { if case .optional(let t) = self { t } else { self } }
    package var isNumeric: Bool { [.integer, .decimal, .money].contains(unwrapped) }
    /// Fixed-point values (decimal, money) are scaled by 10^6 in the VM.
    package var isFixed: Bool { self == .decimal || self == .money }
}

package struct EnumInfo: Sendable {
    package var name: String
    package var cases: [String]
}

package struct FieldInfo: Sendable {
    package var name: String
    /// The field's type without optionality.
    package var type: ValueType
    package var optional: Bool
    package var pii: Bool
    package var protected: Bool
    /// The applicant's identifier in simulation outputs.
    package var key: Bool = false
    /// `immutable`: a fact the person cannot change, which no what-if action may touch.
    package var immutable = false
    /// How `uplift synth` generates the field (`sample …` in the schema).
    package var hint: GenerationHint?
    /// Allowed input range, in the field's raw representation.
    package var range: ClosedRange<Int64>?
    package var span: Span
    /// Set on a field that holds a record (`account: Account`): the record type. Nested records
    /// are flattened when the schema is loaded, so the VM, the compiler and explanations see
    /// plain fields: this field's own register is `true` when the record is given and missing
    /// when an optional record is absent (its `type` is `.bool`, but rules read it only through
    /// `is present` / `is missing`), and the record's fields follow it in the same field list,
    /// named by their dotted path (`account.payment_history.on_time_payment_percentage`).
    package var record: Int?
    /// For a field flattened out of a record: the index, in the same field list, of the field
    /// holding that record (`account.payment_history` for
    /// `account.payment_history.on_time_payment_percentage`); nil for a field declared at the
    /// list's own level. Parents come before their fields.
    package var parent: Int?
    /// `optional` as the field's record declares it. `optional` itself also holds for every field
    /// of an optional record, which is missing whenever the record is absent; the decoder needs
    /// this one to tell "absent record" from "missing required field of a given record".
    package var declaredOptional: Bool = false
    package var fullType: ValueType { optional ? .optional(type) : type }
    /// The field's own name inside its record: the last part of a dotted `name`.
    package var leafName: Substring {
        guard let dot = name.lastIndex(of: ".") else { return Substring(name) }
        return name[name.index(after: dot)...]
    }
}

/// A field's `sample` clause, resolved to raw values. Only synthetic populations read it.
package struct GenerationHint: Sendable {
    package var range: ClosedRange<Int64>?
    /// Values to pick (raw, or the text for string fields) with their weights.
    package var values: [(raw: Int64, text: String?, weight: Int)] = []
    package var absentPercent: Int?
    package var length: ClosedRange<Int>?
    package init() {}
}

/// A record type of the schema, or the applicant itself (`facts`).
///
/// The applicant's fields and those of every record used as a list element are flattened: a
/// field holding a record is followed by the record's fields, named by their dotted path (see
/// `FieldInfo.record`), so one field list is one register layout. A record that is only ever
/// held by other records keeps its own declared fields (a record-valued field without the
/// record's fields after it): it has no layout of its own.
package struct RecordInfo: Sendable {
    package var name: String
    package var fields: [FieldInfo] { didSet { index = Self.index(fields) } }
    package var span: Span
    /// Field names to positions, so reading a name costs the same however wide the schema is.
    var index: [String: Int]

    /// A record with its fields; assign `fields` as a whole (each assignment rebuilds the name index).
    package init(name: String, fields: [FieldInfo], span: Span) {
        self.name = name
        self.fields = fields
        self.span = span
        index = Self.index(fields)
    }

    static func index(_ fields: [FieldInfo]) -> [String: Int] {
        var out: [String: Int] = [:]
        out.reserveCapacity(fields.count)
        for (i, f) in fields.enumerated() where out[f.name] == nil { out[f.name] = i }
        return out
    }

    /// The position of the field called `n` (a dotted path for a field of a nested record).
    package func field(named n: String) -> Int? { index[n] }
}

/// Everything the schema declares: the applicant's facts and the record types of its lists.
package struct FactSchema: Sendable {
    package var records: [RecordInfo]
    /// The applicant record (`facts`): its fields are the VM's first registers.
    package var facts: RecordInfo
    package var enums: [EnumInfo]
    /// The fact marked `key`, which simulations print to say whose decision a line is.
    package var keyField: Int? { facts.fields.firstIndex { $0.key } }
}

extension FactSchema {
    package func describe(_ t: ValueType) -> String {
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
