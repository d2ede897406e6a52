import UpliftBundle
import UpliftSyntax

/// An action resolved against the schema: what `uplift whatif` may change, and how.
package struct CheckedAction: Sendable {
    package enum Kind: Sendable {
        /// Adds one element to the list fact `list` (a field of the applicant), of record `record`.
        case add(list: Int, record: Int)
        /// Raises fact `fact` (a numeric field of the applicant) up to its range's top.
        case raise(fact: Int)
        /// Raises numeric field `field` of each element of list fact `list` (of record `record`).
        case raiseElements(list: Int, record: Int, field: Int)
        /// Advances integer facts together by 1…`upTo` months.
        case wait(facts: [Int], upTo: Int)
    }

    /// A value an added element's field is given.
    package enum Value: Sendable, Equatable {
        case absent, bool(Bool), number(String), text(String)
    }

    package var name: String
    package var kind: Kind
    /// The added element's field that takes each of `values` in turn (catalogue keys, enum
    /// cases or both bools), as JSON values are written.
    package var each: (field: Int, values: [Value])?
    /// The added element's fields that are fixed.
    package var set: [(field: Int, value: Value)]
    /// The added element's numeric field whose lowest useful value is searched for.
    package var lowest: Int?
    package var says: String
    package var span: Span

    /// Whether `says` shows the searched value (`{value}`, `{months}`): then suggestions name
    /// it; otherwise (a recogniser's confidence) it stays out of the text. Set by the checker's
    /// placeholder scan (E348), once: every search asks.
    package var showsValue = false

}

extension Checker {
    /// Resolves the bundle's actions. Refuses, at the YAML line: unknown fields (E341, with a
    /// did-you-mean), fields marked `protected` (E342), `pii` (E343) or `immutable` (E344), a
    /// field of the wrong kind for its action or an added element missing a required field
    /// (E345), a misused `each` or `lowest` (E347), a placeholder `says` cannot fill (E348) and
    /// a name given twice (E349). Removing information (E346) is refused by the reader.
    func checkActions() -> [CheckedAction] {
        var out: [CheckedAction] = []
        var seen: [String: Span] = [:]
        for a in bundle.actions {
            if seen[a.name.name] != nil {
                diags.error("E349", "two actions are called `\(a.name.name)`", at: a.name.span, help: "give each action its own name")
                continue
            }
            seen[a.name.name] = a.name.span
            if let action = checkAction(a) { out.append(action) }
        }
        return out
    }

    private func checkAction(_ a: ActionDecl) -> CheckedAction? {
        let facts = schema.facts
        /// A field the action may change: known, and neither protected, personal nor immutable.
        func usable(_ f: FieldInfo, _ shown: String, at span: Span) -> Bool {
            if f.protected {
                diags.error("E342", "action `\(a.name.name)` changes `\(shown)`, which is protected", at: span,
                            help: "a protected attribute must not influence a decision, so no action may change it")
                return false
            }
            if f.pii {
                diags.error("E343", "action `\(a.name.name)` changes `\(shown)`, which is personal data (`pii`)", at: span,
                            help: "personal data never drives a suggestion; act on the facts the policy decides on")
                return false
            }
            if f.immutable {
                diags.error("E344", "action `\(a.name.name)` changes `\(shown)`, which is marked `immutable`", at: span,
                            help: "a person cannot change this fact; remove it from the action, or drop `immutable` in the schema if they can")
                return false
            }
            return true
        }
        func fact(_ id: Identifier) -> Int? {
            if let f = facts.field(named: id.name) { return f }
            diags.error("E341", "action `\(a.name.name)` names `\(id.name)`, which is not a fact of the schema", at: id.span,
                        help: Suggestions.closest(to: id.name, in: facts.fields.map(\.name)).map { "did you mean `\($0)`?" } ?? "name a fact of the schema")
            return nil
        }
        func elementField(_ id: Identifier, of record: Int, list: String) -> Int? {
            let rec = schema.records[record]
            if let f = rec.field(named: id.name) { return f }
            diags.error("E341", "`\(id.name)` is not a field of `\(list)`'s elements (\(rec.name))", at: id.span,
                        help: Suggestions.closest(to: id.name, in: rec.fields.map(\.name)).map { "did you mean `\($0)`?" } ?? "fields: \(rec.fields.map(\.name).joined(separator: ", "))")
            return nil
        }
        func numeric(_ t: ValueType) -> Bool { [.integer, .decimal, .money].contains(t) }
        let placeholders: Set<String>
        var kind: CheckedAction.Kind
        var each: (field: Int, values: [CheckedAction.Value])?
        var set: [(field: Int, value: CheckedAction.Value)] = []
        var lowest: Int?
        switch a.kind {
        case .add(let listID):
            guard let l = fact(listID) else { return nil }
            let list = facts.fields[l]
            guard case .list(let r) = list.type, schema.records.indices.contains(r) else {
                diags.error("E345", "action `\(a.name.name)` adds to `\(listID.name)`, which is \(schema.describe(list.fullType)), not a list", at: listID.span,
                            help: "`add:` names a `list of Record` fact, e.g. `certificates`")
                return nil
            }
            guard usable(list, listID.name, at: listID.span) else { return nil }
            let rec = schema.records[r]
            var covered = Set<Int>()
            if let e = a.each {
                guard let f = elementField(e.field, of: r, list: listID.name) else { return nil }
                let field = rec.fields[f]
                guard usable(field, "\(listID.name).\(e.field.name)", at: e.field.span) else { return nil }
                var values: [CheckedAction.Value]
                switch field.type {
                case _ where field.record != nil:
                    diags.error("E347", "`each` varies a string (with a catalogue), an enum or a bool; `\(e.field.name)` holds a record", at: e.field.span,
                                help: "vary the element's kind, e.g. `each: { type: catalogue }`")
                    return nil
                case .string:
                    guard let c = e.catalogue else {
                        diags.error("E347", "`each: \(e.field.name)` varies a string; name the catalogue whose keys it takes", at: e.field.span,
                                    help: "write `each: { \(e.field.name): \(catalogues.first?.name ?? "catalogue") }`")
                        return nil
                    }
                    guard let cat = catalogues.first(where: { $0.name == c.name }) else {
                        diags.error("E341", "`\(c.name)` is not a catalogue of the bundle", at: c.span,
                                    help: Suggestions.closest(to: c.name, in: catalogues.map(\.name)).map { "did you mean `\($0)`?" } ?? "name a `kind: catalogue` table")
                        return nil
                    }
                    values = cat.entries.map { .text($0.key) }
                case .enumeration(let en) where e.catalogue == nil:
                    values = schema.enums[en].cases.map { .text($0) }
                case .bool where e.catalogue == nil:
                    values = [.bool(true), .bool(false)]
                default:
                    diags.error("E347", "`each` varies a string (with a catalogue), an enum or a bool; `\(e.field.name)` is \(schema.describe(field.fullType))", at: e.field.span,
                                help: "vary the element's kind, e.g. `each: { type: catalogue }`")
                    return nil
                }
                each = (f, values)
                covered.insert(f)
            }
            for s in a.set {
                guard let f = elementField(s.field, of: r, list: listID.name) else { return nil }
                let field = rec.fields[f]
                guard usable(field, "\(listID.name).\(s.field.name)", at: s.field.span) else { return nil }
                guard let v = settingValue(s, field, in: a.name.name) else { return nil }
                set.append((f, v))
                covered.insert(f)
            }
            if let low = a.lowest {
                guard let f = elementField(low, of: r, list: listID.name) else { return nil }
                let field = rec.fields[f]
                guard usable(field, "\(listID.name).\(low.name)", at: low.span) else { return nil }
                guard numeric(field.type) || field.type == .date else {
                    diags.error("E347", "`lowest: \(low.name)` searches a number or a date; `\(low.name)` is \(schema.describe(field.fullType))", at: low.span,
                                help: "name a numeric field such as `confidence`")
                    return nil
                }
                lowest = f
                covered.insert(f)
            }
            // Only the element's own fields: a nested record's fields follow it in the list.
            for (i, f) in rec.fields.enumerated() where f.parent == nil && !f.declaredOptional && !covered.contains(i) {
                diags.error("E345", "action `\(a.name.name)` adds a \(rec.name) without `\(f.name)`, which is required", at: a.span,
                            help: "give it in `set:` (e.g. `set: { \(f.name): … }`), vary it with `each:` or search it with `lowest:`")
                return nil
            }
            kind = .add(list: l, record: r)
            placeholders = Set(a.each.map { [$0.field.name] } ?? [])
        case .raise(let path):
            if let dot = path.name.firstIndex(of: "."), let l = facts.field(named: String(path.name[..<dot])),
               case .list(let r) = facts.fields[l].type, schema.records.indices.contains(r) {
                let fieldName = String(path.name[path.name.index(after: dot)...])
                guard let f = elementField(Identifier(fieldName, path.span), of: r, list: facts.fields[l].name) else { return nil }
                let field = schema.records[r].fields[f]
                guard usable(facts.fields[l], facts.fields[l].name, at: path.span), usable(field, path.name, at: path.span) else { return nil }
                guard numeric(field.type) else {
                    diags.error("E345", "action `\(a.name.name)` raises `\(path.name)`, which is \(schema.describe(field.fullType)), not a number", at: path.span,
                                help: "`raise:` names an integer, decimal or money field")
                    return nil
                }
                kind = .raiseElements(list: l, record: r, field: f)
                placeholders = ["n", "value"]
            } else {
                guard let f = fact(path) else { return nil }
                let field = facts.fields[f]
                guard usable(field, path.name, at: path.span) else { return nil }
                guard numeric(field.type) else {
                    diags.error("E345", "action `\(a.name.name)` raises `\(path.name)`, which is \(schema.describe(field.fullType)), not a number", at: path.span,
                                help: "`raise:` names an integer, decimal or money field")
                    return nil
                }
                kind = .raise(fact: f)
                placeholders = ["value"]
            }
        case .wait(let ids, let upTo):
            var fs: [Int] = []
            for id in ids {
                guard let f = fact(id) else { return nil }
                let field = facts.fields[f]
                guard usable(field, id.name, at: id.span) else { return nil }
                guard field.type == .integer else {
                    diags.error("E345", "action `\(a.name.name)` lets `\(id.name)` advance, which is \(schema.describe(field.fullType)); waiting advances integer counts of months",
                                at: id.span, help: "name facts counted in months, such as `account_age_months`")
                    return nil
                }
                fs.append(f)
            }
            guard !fs.isEmpty else {
                diags.error("E340", "action `\(a.name.name)` lets no fact advance", at: a.span, help: "write `wait: [account_age_months]`")
                return nil
            }
            kind = .wait(facts: fs, upTo: upTo)
            placeholders = ["months"]
        }
        if case .add = a.kind {} else if a.each != nil || !a.set.isEmpty || a.lowest != nil {
            diags.error("E347", "`each`, `set` and `lowest` describe an added element; action `\(a.name.name)` adds none", at: a.span,
                        help: "use them with `add:`")
            return nil
        }
        // `{name}` placeholders the action can fill.
        var used = Set<String>()
        var rest = Substring(a.says)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            used.insert(name)
            if !placeholders.contains(name) {
                diags.error("E348", "`{\(name)}` in what action `\(a.name.name)` says is not something it can fill", at: a.saysSpan,
                            help: placeholders.isEmpty ? "this action fills no placeholder: write the sentence without `{…}`"
                                : "this action fills \(placeholders.sorted().map { "`{\($0)}`" }.joined(separator: ", "))")
                return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        var checked = CheckedAction(name: a.name.name, kind: kind, each: each, set: set, lowest: lowest, says: a.says, span: a.span)
        checked.showsValue = used.contains("value") || used.contains("months")
        return checked
    }

    /// A `set:` value typed by its field.
    private func settingValue(_ s: ActionDecl.Setting, _ field: FieldInfo, in action: String) -> CheckedAction.Value? {
        guard let text = s.text else {
            if field.declaredOptional { return .absent }
            diags.error("E345", "`\(s.field.name)` is required, so action `\(action)` cannot leave it absent", at: s.span, help: "give it a value")
            return nil
        }
        var ok: Bool
        var value = CheckedAction.Value.text(text)
        // Numbers are written back in one canonical form (`+5`, `007` and `1.` are not JSON), and
        // must lie in the field's range, with at most two decimals for money.
        switch field.type {
        case _ where field.record != nil: ok = false
        case .bool: ok = text == "true" || text == "false"; value = .bool(text == "true")
        case .integer:
            let n = Int64(text)
            ok = n.map { field.range?.contains($0) ?? true } ?? false
            value = .number(n.map { String($0) } ?? text)
        case .decimal, .money:
            let d = FixedDecimal(parsing: Substring(text))
            ok = d.map { (field.range?.contains($0.raw) ?? true) && (field.type != .money || $0.usedFractionDigits <= 2) } ?? false
            value = .number(d?.formatted() ?? text)
        case .date:
            let day = CivilDate.parse(Substring(text))
            ok = day.map { field.range?.contains($0) ?? true } ?? false
        case .string: ok = true
        case .enumeration(let e): ok = schema.enums[e].cases.contains(text)
        default: ok = false
        }
        if !ok {
            diags.error("E345", "`\(text)` is not a value of `\(s.field.name)` (\(field.record != nil ? "a record" : schema.describe(field.fullType)))", at: s.span,
                        help: field.record != nil ? "a record's fields are not set one by one here; add elements without nested records" : "give a \(schema.describe(field.type)) value within the field's range")
            return nil
        }
        return value
    }
}
