import UpliftChecker

/// The JSON shape of one register layout (the applicant, or one list's element record): which
/// keys each object may hold. The schema is flattened (see `RecordInfo`), but a record is one
/// JSON object nested in another, so the readers walk these shapes: a key is looked up only in
/// its own object (`{"account.limit": 1}` at the top is an unknown key, not `account.limit`).
struct RecordShape: Sendable {
    /// One JSON object: the layout's top (shape 0), or the record a record-valued field holds.
    struct Object: Sendable {
        /// Key → position in the layout's fields.
        let keys: [String: Int]
        /// Its fields, in declaration order.
        let members: [Int]
        /// Its field names, for unknown-field suggestions.
        let names: FieldNameList
    }

    let fields: [FieldInfo]
    /// Each field's key in its object (`FieldInfo.leafName`).
    let keys: [String]
    let objects: [Object]
    /// For a record-valued field, the object its record is; -1 for any other field.
    let objectOf: [Int]
    /// Whether any field holds a record (a flat layout reads as Uplift always has).
    var nested: Bool { objects.count > 1 }

    /// `list` names the list field whose elements this is, nil for the applicant.
    init(_ fields: [FieldInfo], list: String?) {
        self.fields = fields
        let keys = fields.map { String($0.leafName) }
        self.keys = keys
        var members: [[Int]] = [[]]
        var objectOf = [Int](repeating: -1, count: fields.count)
        var paths: [String?] = [nil]
        for (i, f) in fields.enumerated() {
            let owner = f.parent.map { objectOf.indices.contains($0) ? objectOf[$0] : 0 } ?? 0
            members[max(0, owner)].append(i)
            if f.record != nil {
                objectOf[i] = members.count
                members.append([])
                paths.append(f.name)
            }
        }
        objects = members.enumerated().map { k, m in
            var index: [String: Int] = [:]
            index.reserveCapacity(m.count)
            for i in m where index[keys[i]] == nil { index[keys[i]] = i }
            return Object(keys: index, members: m, names: FieldNameList(list: list, within: paths[k], names: m.map { keys[$0] }))
        }
        self.objectOf = objectOf
    }

    /// The field `key` names in object `o`, matched byte for byte as the fast reader matches (a
    /// dictionary of `String` would also match canonically equivalent spellings).
    func field(_ key: String, in o: Int) -> Int? {
        guard let i = objects[o].keys[key], Self.sameBytes(keys[i], key) else { return nil }
        return i
    }

    /// Whether two strings are the same bytes, compared in their UTF-8 storage (iterating a
    /// `String.UTF8View` costs tens of instructions a byte; the applicant's keys are read often).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }
}
