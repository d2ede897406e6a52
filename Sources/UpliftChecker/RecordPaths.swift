import UpliftSyntax

/// Paths through nested records: `account.payment_history.on_time_payment_percentage` on the
/// applicant, `c.issuer.country` on a list element.
///
/// The schema is flattened when loaded (see `RecordInfo`), so a path names one flattened field:
/// it resolves part by part, each unknown part reported at that part with a did-you-mean, and
/// the field is read as any other (a fact register, or an element's field). A field is optional
/// when it, or any record on its path, is optional, unless the surrounding condition proved that
/// record present (`account.employer is present and account.employer.name == "x"`).
extension Checker {
    /// Where a path starts: the applicant's fields, or a loop variable's record.
    struct PathRoot {
        var record: RecordInfo
        /// The loop variable, when the path starts at a list element.
        var variable: Scope.Variable?
    }

    /// `base.field` when `base` is a path from a fact holding a record or from a loop variable;
    /// nil for anything else (tables, catalogue rows), which `member` resolves.
    func recordPath(_ base: Expr, _ field: Identifier, _ scope: Scope) -> Typed? {
        var parts = [field]
        var e = base
        while case .member(let b, let f) = e.kind {
            parts.append(f)
            e = b
        }
        guard case .name(let rootName) = e.kind else { return nil }
        parts.reverse()
        if let v = scope.variable(rootName) {
            guard schema.records.indices.contains(v.record) else { return nil }
            return resolve(parts, root: PathRoot(record: schema.records[v.record], variable: v), start: nil, span: e.span.to(field.span), scope)
        }
        // Named values and `uplift` come before facts, as in `name`.
        if rootName == "uplift" || valueIndex[rootName] != nil { return nil }
        guard let f = schema.facts.field(named: rootName), schema.facts.fields[f].record != nil else { return nil }
        return resolve(parts, root: PathRoot(record: schema.facts, variable: nil), start: f, span: e.span.to(field.span), scope)
    }

    /// A fact holding a record, named alone (`employer is missing`): its presence.
    func recordValue(_ f: Int, _ span: Span) -> Typed {
        let info = schema.facts.fields[f]
        let r = info.record ?? 0
        reads.append(Read(name: info.name, target: .fact(f)))
        return Typed(type: info.declaredOptional ? .optional(.element(r)) : .element(r), expr: .fact(f), list: nil)
    }

    /// A record held in a named value or chosen by `if`: its fields are read through their path.
    func recordFieldOfValue(_ base: Expr, _ field: Identifier, record r: Int) -> Typed {
        let name = schema.records.indices.contains(r) ? schema.records[r].name : "a record"
        diags.error("E261", "`\(bundle.sources.text(base.span))` is a record (\(name)) held in a value, so `\(field.name)` cannot be read from it", at: field.span,
                    help: "read the field through its path from the applicant or the list element, e.g. `account.\(field.name)`")
        return .error
    }

    /// Resolves `parts` below `start` (a record-valued field of `root`, or the root itself when
    /// nil); `span` is the whole path's.
    func resolve(_ parts: [Identifier], root: PathRoot, start: Int?, span: Span, _ scope: Scope) -> Typed {
        let fields = root.record.fields
        var at = start
        for (k, part) in parts.enumerated() {
            let prefix = at.map { fields[$0].name + "." } ?? ""
            guard let next = root.record.field(named: prefix + part.name), fields[next].parent == at else {
                unknownPart(part, below: at, root)
                return .error
            }
            at = next
            // A part before the last must hold a record.
            if k + 1 < parts.count, fields[next].record == nil {
                unknownPart(parts[k + 1], below: next, root)
                return .error
            }
        }
        guard let leaf = at else { return .error }
        let info = fields[leaf]
        let path = pathText(info.name, root)
        if info.protected {
            protectedReads[current, default: []].append((root.variable == nil ? path : "\(root.record.name).\(info.name)", span))
        }
        if info.pii, root.variable == nil {
            diags.warning("W252", "`\(path)` is personal data (pii); rules should not need it", at: span,
                          help: "decide on attributes of the application, not on identifiers")
        }
        // Optional when the field is, or a record above it is and is not proven present here.
        var optional = info.declaredOptional
        var up = info.parent
        while let p = up, !optional {
            let proof = root.variable.map { "$\($0.root).\(fields[p].name)" } ?? fields[p].name
            if fields[p].declaredOptional && !scope.proven.contains(proof) { optional = true }
            up = fields[p].parent
        }
        let plain: ValueType = info.record.map { .element($0) } ?? info.type
        let type: ValueType = optional ? .optional(plain) : plain
        if let v = root.variable { return Typed(type: type, expr: .element(variable: v.id, field: leaf), list: nil) }
        reads.append(Read(name: info.name, target: .fact(leaf)))
        return Typed(type: type, expr: .fact(leaf), list: nil)
    }

    /// `account.employer` as a rule writes it; `c.issuer` for an element's field.
    func pathText(_ flattened: String, _ root: PathRoot) -> String {
        root.variable.map { "\($0.name).\(flattened)" } ?? flattened
    }

    /// An unknown part of a path, with the names the record at that point has.
    func unknownPart(_ part: Identifier, below at: Int?, _ root: PathRoot) {
        let fields = root.record.fields
        if let a = at, fields[a].record == nil {
            diags.error("E261", "`\(pathText(fields[a].name, root))` is \(schema.describe(fields[a].fullType)) and has no field `\(part.name)`",
                        at: part.span, help: "only records have fields; `\(pathText(fields[a].name, root))` is a value")
            return
        }
        let owner: String
        var names: [String] = []
        if let a = at, let r = fields[a].record, schema.records.indices.contains(r) {
            owner = "`\(pathText(fields[a].name, root))` (\(schema.records[r].name))"
            names = schema.records[r].fields.filter { $0.parent == nil }.map(\.name)
        } else {
            owner = root.record.name
            names = fields.filter { $0.parent == nil }.map(\.name)
        }
        unknownField(part, in: names, of: owner)
    }
}
