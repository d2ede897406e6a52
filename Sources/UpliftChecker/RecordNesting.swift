import UpliftSyntax

/// How records hold records: the graph the schema's record-valued fields form, checked to be
/// finite before anything is flattened.
///
/// Every pass here is iterative (no recursion per level), so a hostile schema nested thousands
/// deep, or a cycle thousands of records long, is refused without exhausting the stack, and
/// sizes are counted before they are built, so a schema whose records hold each other twice per
/// level (2^n fields from n records) is refused before any of them is made.
struct RecordNesting {
    /// Record levels a field may hold, counting the outermost: the JSON reader nests at most
    /// `JSONParser.maxDepth` (64) objects and lists, and an element of a list is two of them.
    static let maxDepth = 32
    /// Fields one register layout (the applicant, or one list element) may expand to.
    static let maxFields = 200_000

    /// Each record's declared fields.
    let declared: [[FieldInfo]]
    let names: [String]

    /// A record field closing a cycle: the record holding it, the field's position, and the chain
    /// of record names from the record the cycle starts at.
    struct Cycle { let record: Int; let field: Int; let chain: [String] }

    /// The fields closing a cycle (depth-first from every record, in declaration order), and the
    /// records in an order where each comes after every record it holds (cycle edges left out).
    func cycles() -> (cycles: [Cycle], order: [Int]) {
        var state = [UInt8](repeating: 0, count: declared.count) // 0 new, 1 on the path, 2 done
        var found: [Cycle] = []
        var order: [Int] = []
        var path: [(record: Int, next: Int)] = []
        for start in declared.indices where state[start] == 0 {
            path.append((start, 0))
            state[start] = 1
            while let top = path.last {
                let fields = declared[top.record]
                guard top.next < fields.count else {
                    state[top.record] = 2
                    order.append(top.record)
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                guard let child = fields[top.next].record, declared.indices.contains(child) else { continue }
                switch state[child] {
                case 0:
                    state[child] = 1
                    path.append((child, 0))
                case 1:
                    // The path from `child` to here, then back to `child`.
                    let from = path.lastIndex { $0.record == child } ?? 0
                    var chain = path[from...].map { names[$0.record] }
                    chain.append(names[child])
                    found.append(Cycle(record: top.record, field: top.next, chain: chain))
                default: break
                }
            }
        }
        return (found, order)
    }

    /// Levels of records each record spans (itself included) and the fields it expands to, both
    /// capped just above their limits; `order` puts held records first.
    func measure(_ order: [Int], skipping cut: Set<[Int]>) -> (depth: [Int], size: [Int]) {
        var depth = [Int](repeating: 1, count: declared.count)
        var size = [Int](repeating: 0, count: declared.count)
        for r in order {
            var d = 1, n = 0
            for (k, f) in declared[r].enumerated() {
                n = min(Self.maxFields + 1, n + 1)
                guard let c = f.record, declared.indices.contains(c), !cut.contains([r, k]) else { continue }
                d = max(d, min(Self.maxDepth + 1, depth[c] + 1))
                n = min(Self.maxFields + 1, n + size[c])
            }
            depth[r] = d
            size[r] = n
        }
        return (depth, size)
    }

    /// `top`'s fields with every record-valued field followed by its record's fields, named by
    /// their dotted path, in declaration order (a record's fields right after the field holding
    /// it). A field of an optional record is optional (it is missing when the record is absent);
    /// `pii`, `protected` and `immutable` on a record-valued field hold for all of its fields.
    static func flatten(_ top: [FieldInfo], _ declared: [[FieldInfo]]) -> [FieldInfo] {
        struct Level { var fields: [FieldInfo]; var next: Int; var parent: Int?; var prefix: String; var optional, pii, protected: Bool; var immutable = false }
        var out: [FieldInfo] = []
        var stack = [Level(fields: top, next: 0, parent: nil, prefix: "", optional: false, pii: false, protected: false)]
        while let level = stack.last {
            guard level.next < level.fields.count else { stack.removeLast(); continue }
            stack[stack.count - 1].next += 1
            var f = level.fields[level.next]
            f.name = level.prefix + f.name
            f.optional = f.optional || level.optional
            f.pii = f.pii || level.pii
            f.protected = f.protected || level.protected
            f.immutable = f.immutable || level.immutable
            f.parent = level.parent
            out.append(f)
            if let r = f.record, declared.indices.contains(r) {
                stack.append(Level(fields: declared[r], next: 0, parent: out.count - 1, prefix: f.name + ".",
                                   optional: f.optional, pii: f.pii, protected: f.protected, immutable: f.immutable))
            }
        }
        return out
    }
}

extension Checker {
    /// A field holding one record (`account: Account`, `employer: Employer optional`): its
    /// presence register, typed `bool` (see `FieldInfo.record`). Ranges, keys and samples other
    /// than `absent` belong to the record's fields.
    func recordField(_ f: FieldDecl, record r: Int, owner: String, allowLists: Bool) -> FieldInfo? {
        let name = schema.records.indices.contains(r) ? schema.records[r].name : "the record"
        if let (lo, hi) = f.range {
            diags.error("E205", "`\(f.name.name)` holds a record (\(name)), which has no range", at: lo.span.to(hi.span),
                        help: "put `between` on the fields of `\(name)`")
        }
        if f.key {
            diags.error("E213", "the key `\(f.name.name)` must be a required string or integer, not a record", at: f.span,
                        help: "mark the applicant's identifier, e.g. `id: string pii key`")
        }
        var info = FieldInfo(name: f.name.name, type: .bool, optional: f.optional, pii: f.pii, protected: f.protected, range: nil, span: f.name.span)
        info.record = r
        info.declaredOptional = f.optional
        info.immutable = f.immutable
        if let s = f.sample {
            if s.range != nil || !s.values.isEmpty || s.length != nil {
                diags.error("E215", "`\(f.name.name)` holds a record (\(name)): it samples only how often it is `absent`", at: s.span,
                            help: "give the fields of `\(name)` their own `sample`")
            } else {
                info.hint = generationHint(s, field: f, type: .bool)
            }
        }
        return info
    }

    /// Refuses records that hold themselves (E216), nest deeper than JSON records can (E217) or
    /// expand to too many fields (E218); the fields at fault are dropped, so what is left can be
    /// flattened.
    func refuseUnboundedNesting(_ nesting: RecordNesting, _ declared: inout [[FieldInfo]], _ top: inout [FieldInfo], facts: Identifier) {
        let (cycles, order) = nesting.cycles()
        var cut = Set<[Int]>()
        for c in cycles {
            let f = declared[c.record][c.field]
            let chain = c.chain.count <= 8 ? c.chain.joined(separator: " → ")
                : (c.chain.prefix(4) + ["… \(c.chain.count - 7) more …"] + c.chain.suffix(3)).joined(separator: " → ")
            diags.error("E216", "record `\(c.chain.first ?? "")` holds itself: \(chain)", at: f.span,
                        help: "a record cannot contain itself, directly or through other records; make `\(f.name)` a field of another type, or remove it")
            cut.insert([c.record, c.field])
        }
        let (depth, size) = nesting.measure(order, skipping: cut)
        for r in Set(cut.map { $0[0] }) {
            declared[r] = declared[r].enumerated().filter { !cut.contains([r, $0.offset]) }.map(\.element)
        }
        var total = 0
        top = top.filter { f in
            let held: Int? = if let r = f.record { r } else if case .list(let r) = f.type { r } else { nil }
            guard let r = held, declared.indices.contains(r) else { total += 1; return true }
            if depth[r] > RecordNesting.maxDepth {
                diags.error("E217", "`\(f.name)` holds records nested more than \(RecordNesting.maxDepth) levels deep", at: f.span,
                            help: "records may nest at most \(RecordNesting.maxDepth) levels (a JSON record nests at most 64 levels); flatten the inner records")
                return false
            }
            if f.record != nil {
                total = min(RecordNesting.maxFields + 1, total + 1 + size[r])
            } else if size[r] > RecordNesting.maxFields {
                diags.error("E218", "an element of `\(f.name)` expands to more than \(RecordNesting.maxFields) fields", at: f.span,
                            help: "a record's fields, with those of the records it holds, may number at most \(RecordNesting.maxFields)")
                return false
            } else {
                total = min(RecordNesting.maxFields + 1, total + 1)
            }
            return true
        }
        if total > RecordNesting.maxFields {
            diags.error("E218", "`\(facts.name)` expands to more than \(RecordNesting.maxFields) fields", at: facts.span,
                        help: "a record's fields, with those of the records it holds, may number at most \(RecordNesting.maxFields)")
            top = []
        }
    }
}
