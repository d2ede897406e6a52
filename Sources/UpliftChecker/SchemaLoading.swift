import UpliftBundle
import UpliftSyntax

extension Checker {
    /// Builds the fact schema from the schema file's `record` and `facts` declarations. Fields
    /// holding records are flattened (see `RecordInfo`) once the nesting is known to be finite.
    func loadSchema() {
        guard let file = bundle.schema else { return }
        var recordDecls: [(Identifier, [FieldDecl], Span)] = []
        var recordNames: [String: Int] = [:]
        var factsDecl: (Identifier, [FieldDecl], Span)?
        for d in file.decls {
            switch d {
            case .record(let n, let f, let s):
                if recordNames[n.name] != nil {
                    diags.error("E201", "record `\(n.name)` is declared twice", at: n.span, help: "keep one declaration")
                } else {
                    recordNames[n.name] = recordDecls.count
                    recordDecls.append((n, f, s))
                }
            case .facts(let n, let f, let s):
                if factsDecl != nil {
                    diags.error("E201", "the schema declares `facts` twice", at: n.span, help: "a bundle has one applicant record")
                } else { factsDecl = (n, f, s) }
            default:
                diags.error("E202", "the schema file holds only `record` and `facts` declarations", at: d.span,
                            help: "move rules, values and reason codes to a rule file listed under `rules:`")
            }
        }
        // Records first, so facts can refer to them by index.
        schema.records = recordDecls.map { RecordInfo(name: $0.0.name, fields: [], span: $0.0.span) }
        var declared = recordDecls.map { fields($0.1, owner: $0.0.name, allowLists: false, records: recordNames) }
        guard let factsDecl else {
            diags.error("E203", "the schema has no `facts` declaration", at: Span(file: file.file, start: 0, end: 0),
                        help: "declare the applicant's fields: `facts Applicant { age: integer ... }`")
            for (i, f) in declared.enumerated() { schema.records[i].fields = f }
            return
        }
        var top = fields(factsDecl.1, owner: factsDecl.0.name, allowLists: true, records: recordNames)
        let nesting = RecordNesting(declared: declared, names: schema.records.map(\.name))
        refuseUnboundedNesting(nesting, &declared, &top, facts: factsDecl.0)
        let facts = RecordNesting.flatten(top, declared)
        schema.facts = RecordInfo(name: factsDecl.0.name, fields: facts, span: factsDecl.0.span)
        var elementTypes = Set<Int>()
        for f in facts { if case .list(let r) = f.type { elementTypes.insert(r) } }
        for (i, f) in declared.enumerated() {
            schema.records[i].fields = elementTypes.contains(i) ? RecordNesting.flatten(f, declared) : f
        }
    }

    func fields(_ decls: [FieldDecl], owner: String, allowLists: Bool, records: [String: Int]) -> [FieldInfo] {
        var out: [FieldInfo] = []
        var names = Set<String>()
        for f in decls {
            if !names.insert(f.name.name).inserted {
                diags.error("E204", "field `\(f.name.name)` appears twice in `\(owner)`", at: f.name.span, help: "rename or remove one")
                continue
            }
            if case .named(let n) = f.type, let r = records[n.name] {
                if let info = recordField(f, record: r, owner: owner, allowLists: allowLists) { out.append(info) }
                continue
            }
            guard let type = fieldType(f, owner: owner, allowLists: allowLists, records: records) else { continue }
            var range: ClosedRange<Int64>?
            if let (lo, hi) = f.range {
                if let l = constantValue(lo, as: type), let h = constantValue(hi, as: type), l <= h {
                    range = l...h
                } else {
                    diags.error("E205", "the range of `\(f.name.name)` must be two constants of its type, low first", at: lo.span.to(hi.span),
                                help: "for example `between 0 and 1`")
                }
            }
            if f.optional, case .list = type {
                diags.error("E206", "a list cannot be optional", at: f.span, help: "an empty list already means \"none\"; remove `optional`")
            }
            if f.key {
                if !allowLists {
                    diags.error("E213", "only a field of the applicant (`facts`) can be the key, not a field of `\(owner)`", at: f.span,
                                help: "mark the applicant's identifier, e.g. `id: string pii key`, and remove `key` here")
                } else if f.optional || !(type == .string || type == .integer) {
                    diags.error("E213", "the key `\(f.name.name)` must be a required string or integer", at: f.span,
                                help: "use the applicant's identifier, e.g. `id: string pii key`")
                } else if out.contains(where: \.key) { // at most one key field: this runs at most twice
                    diags.error("E214", "the applicant has two key fields", at: f.span, help: "mark one field `key`")
                }
            }
            var info = FieldInfo(name: f.name.name, type: type, optional: f.optional, pii: f.pii, protected: f.protected, range: range, span: f.name.span)
            info.declaredOptional = f.optional
            info.immutable = f.immutable
            info.key = f.key && allowLists
            if let s = f.sample { info.hint = generationHint(s, field: f, type: type) }
            if let range, let hint = info.hint, let s = f.sample,
               hint.range.map({ !range.contains($0.lowerBound) || !range.contains($0.upperBound) }) ?? false
                || hint.values.contains(where: { $0.text == nil && !range.contains($0.raw) }) {
                // `uplift synth` would write records that the decoder then refuses.
                let show = { (x: Int64) in type == .integer ? String(x) : type == .date ? CivilDate.format(x) : FixedDecimal(raw: x).formatted() }
                diags.error("E215", "the sample of `\(f.name.name)` goes outside its range \(show(range.lowerBound)) to \(show(range.upperBound))",
                            at: s.span, help: "keep the sample's values and range between \(show(range.lowerBound)) and \(show(range.upperBound))")
                info.hint = nil
            }
            out.append(info)
        }
        return out
    }

    func fieldType(_ f: FieldDecl, owner: String, allowLists: Bool, records: [String: Int]) -> ValueType? {
        switch f.type {
        case .enumeration(let cases, _):
            var seen = Set<String>()
            for c in cases where !seen.insert(c.name).inserted {
                diags.error("E207", "enum case `\(c.name)` is listed twice", at: c.span, help: "remove the duplicate")
            }
            schema.enums.append(EnumInfo(name: f.name.name, cases: cases.map(\.name)))
            return .enumeration(schema.enums.count - 1)
        case .list(let r, _):
            guard allowLists else {
                diags.error("E208", "a record cannot hold a list: only the applicant's own fields (`facts`) can be lists", at: f.span,
                            help: "flatten the nested list into fields of `\(owner)`, or make it a list of the applicant")
                return nil
            }
            guard let idx = records[r.name] else {
                let help = Suggestions.closest(to: r.name, in: schema.records.map(\.name)).map { "did you mean `\($0)`?" }
                    ?? "declare it: `record \(r.name) { ... }`"
                diags.error("E209", "unknown record type `\(r.name)`", at: r.span, help: help)
                return nil
            }
            return .list(idx)
        case .named(let n):
            switch n.name {
            case "bool": return .bool
            case "integer": return .integer
            case "decimal": return .decimal
            case "money": return .money
            case "string": return .string
            case "date": return .date
            default:
                let known = ["bool", "integer", "decimal", "money", "string", "date"]
                let help = Suggestions.closest(to: n.name, in: known + records.keys.sorted()).map { "did you mean `\($0)`?" }
                    ?? "types are bool, integer, decimal, money, string, date, enum(...), a record's name and list of Record"
                diags.error("E209", "unknown type `\(n.name)`", at: n.span, help: help)
                return nil
            }
        }
    }

    /// Resolves a `sample` clause against the field's type; mistakes are E215 errors.
    func generationHint(_ s: SampleHint, field f: FieldDecl, type: ValueType) -> GenerationHint? {
        var hint = GenerationHint()
        var ok = true
        func bad(_ span: Span, _ message: String, _ help: String) {
            diags.error("E215", message, at: span, help: help)
            ok = false
        }
        let isList: Bool = if case .list = type { true } else { false }
        let numeric = type == .integer || type.isFixed || type == .date
        if let (lo, hi) = s.range {
            if !numeric {
                bad(lo.span.to(hi.span), "`sample between` needs a number or date field; `\(f.name.name)` is \(schema.describe(type))",
                    "give the values instead: `sample [a, b: 2]`")
            } else if let l = constantValue(lo, as: type), let h = constantValue(hi, as: type), l <= h {
                hint.range = l...h
            } else {
                bad(lo.span.to(hi.span), "the sample range of `\(f.name.name)` must be two constants of its type, low first", "for example `sample between 18 and 60`")
            }
        }
        for (v, w) in s.values {
            var weight = 1
            if let w {
                if let n = constantValue(w, as: .integer), n >= 0, n <= 1_000_000 { weight = Int(n) } else {
                    bad(w.span, "a sample weight is a whole number from 0 to 1,000,000", "for example `[employee: 3, rider: 1]`")
                }
            }
            switch (type, v.kind) {
            case (.bool, .bool(let b)): hint.values.append((b ? 1 : 0, nil, weight))
            case (.string, .string(let text)), (.string, .name(let text)): hint.values.append((0, text, weight))
            case (.enumeration(let e), .name(let n)):
                if let k = schema.enums[e].cases.firstIndex(of: n) { hint.values.append((Int64(k), nil, weight)) } else {
                    let help = Suggestions.closest(to: n, in: schema.enums[e].cases).map { "did you mean `\($0)`?" } ?? "use one of \(schema.enums[e].cases.joined(separator: ", "))"
                    bad(v.span, "`\(n)` is not a case of `\(f.name.name)`", help)
                }
            default:
                if numeric, let raw = constantValue(v, as: type) { hint.values.append((raw, nil, weight)) } else {
                    bad(v.span, "this sample value does not fit `\(f.name.name)` (\(schema.describe(type)))", "write a constant of the field's type")
                }
            }
        }
        if let a = s.absent {
            if !f.optional {
                bad(a.span, "`absent` needs an optional field; `\(f.name.name)` is required", "mark the field `optional`, or remove `absent`")
            } else if let n = constantValue(a, as: .integer), n >= 0, n <= 100 { hint.absentPercent = Int(n) } else {
                bad(a.span, "`absent` takes a whole percentage from 0 to 100", "for example `absent 20 percent`")
            }
        }
        if let (lo, hi) = s.length {
            if !isList {
                bad(lo.span.to(hi.span), "`length` is for list fields; `\(f.name.name)` is \(schema.describe(type))", "remove `length between …`")
            } else if let l = constantValue(lo, as: .integer), let h = constantValue(hi, as: .integer), l >= 0, l <= h, h <= 1_000 {
                hint.length = Int(l)...Int(h)
            } else {
                bad(lo.span.to(hi.span), "a list length is two whole numbers from 0 to 1,000, low first", "for example `length between 0 and 3`")
            }
        }
        if isList && (s.range != nil || !s.values.isEmpty) {
            bad(s.span, "a list field samples only its `length`", "give the element fields their own `sample` in their record")
        }
        if !hint.values.isEmpty && hint.values.allSatisfy({ $0.weight == 0 }) {
            bad(s.span, "every sample value has weight 0", "give at least one value a positive weight")
        }
        return ok ? hint : nil
    }

    /// The raw value of a constant expression (a number, possibly negative, or a date).
    func constantValue(_ e: Expr, as type: ValueType) -> Int64? {
        switch e.kind {
        case .negate(let x): return constantValue(x, as: type).map { -$0 }
        case .number(let text):
            guard let v = FixedDecimal(parsing: Substring(text)) else { return nil }
            if type == .integer { return v.isInteger ? v.raw / FixedDecimal.scale : nil }
            return type.isFixed ? v.raw : nil
        case .date(let text):
            return type == .date ? CivilDate.parse(Substring(text)) : nil
        default: return nil
        }
    }
}
