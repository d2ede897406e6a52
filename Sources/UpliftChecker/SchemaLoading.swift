import UpliftBundle
import UpliftSyntax

extension Checker {
    /// Builds the fact schema from the schema file's `record` and `facts` declarations.
    func loadSchema() {
        guard let file = bundle.schema else { return }
        var recordDecls: [(Identifier, [FieldDecl], Span)] = []
        var factsDecl: (Identifier, [FieldDecl], Span)?
        for d in file.decls {
            switch d {
            case .record(let n, let f, let s):
                if recordDecls.contains(where: { $0.0.name == n.name }) {
                    diags.error("E201", "record `\(n.name)` is declared twice", at: n.span, help: "keep one declaration")
                } else { recordDecls.append((n, f, s)) }
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
        for (i, r) in recordDecls.enumerated() {
            schema.records[i].fields = fields(r.1, owner: r.0.name, allowLists: false)
        }
        guard let factsDecl else {
            diags.error("E203", "the schema has no `facts` declaration", at: Span(file: file.file, start: 0, end: 0),
                        help: "declare the applicant's fields: `facts Applicant { age: integer ... }`")
            return
        }
        schema.facts = RecordInfo(name: factsDecl.0.name, fields: fields(factsDecl.1, owner: factsDecl.0.name, allowLists: true), span: factsDecl.0.span)
    }

    func fields(_ decls: [FieldDecl], owner: String, allowLists: Bool) -> [FieldInfo] {
        var out: [FieldInfo] = []
        for f in decls {
            if out.contains(where: { $0.name == f.name.name }) {
                diags.error("E204", "field `\(f.name.name)` appears twice in `\(owner)`", at: f.name.span, help: "rename or remove one")
                continue
            }
            guard let type = fieldType(f, owner: owner, allowLists: allowLists) else { continue }
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
                } else if out.contains(where: \.key) {
                    diags.error("E214", "the applicant has two key fields", at: f.span, help: "mark one field `key`")
                }
            }
            var info = FieldInfo(name: f.name.name, type: type, optional: f.optional, pii: f.pii, protected: f.protected, range: range, span: f.name.span)
            info.key = f.key && allowLists
            out.append(info)
        }
        return out
    }

    func fieldType(_ f: FieldDecl, owner: String, allowLists: Bool) -> ValueType? {
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
                diags.error("E208", "records inside lists cannot hold lists", at: f.span,
                            help: "flatten the nested list into fields of `\(owner)`")
                return nil
            }
            guard let idx = schema.records.firstIndex(where: { $0.name == r.name }) else {
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
                if schema.records.contains(where: { $0.name == n.name }) {
                    diags.error("E209", "a field cannot hold a single record", at: n.span, help: "write `list of \(n.name)`")
                    return nil
                }
                let help = Suggestions.closest(to: n.name, in: known).map { "did you mean `\($0)`?" }
                    ?? "types are bool, integer, decimal, money, string, date, enum(...) and list of Record"
                diags.error("E209", "unknown type `\(n.name)`", at: n.span, help: help)
                return nil
            }
        }
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
