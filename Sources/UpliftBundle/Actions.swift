import UpliftSyntax
import Yams

/// What a person can do about their decision, as the bundle's `actions:` file declares it:
/// `uplift whatif` tries each and reports exactly what it would change. Read here with spans;
/// the checker resolves the fields against the schema and refuses what a what-if must never
/// suggest (touching protected, personal or immutable facts; removing information).
package struct ActionDecl: Sendable {
    package enum Kind: Sendable {
        /// Adds one element to a list fact (`add: certificates`).
        case add(list: Identifier)
        /// Raises a numeric fact, or a numeric field of every element of a list
        /// (`raise: self_set_cap`, `raise: certificates.confidence`), up to its range's top.
        case raise(path: Identifier)
        /// Advances integer facts together by the same number of months, up to `upTo`
        /// (`wait: [account_age_months, months_since_last_uplift]`).
        case wait(facts: [Identifier], upTo: Int)
    }

    /// A value an added element's field is given (`set: { verified: true }`), typed by the checker.
    package struct Setting: Sendable {
        package var field: Identifier
        /// The YAML scalar as written; nil for `~` (the field left absent).
        package var text: String?
        package var span: Span
    }

    package var name: Identifier
    package var kind: Kind
    /// `each: { type: catalogue }` or `each: kind`: the added element's field that takes, in turn,
    /// every key of the named catalogue (or every case of its enum, or both bools).
    package var each: (field: Identifier, catalogue: Identifier?)?
    package var set: [Setting]
    /// `lowest: confidence`: the added element's numeric field whose lowest value giving the best
    /// result the engine finds.
    package var lowest: Identifier?
    /// The sentence a person reads, with `{field}` (the `each` field's value), `{value}` (a raised
    /// value), `{months}` (a wait) and `{n}` (an element's position, from 1) filled in.
    package var says: String
    package var saysSpan: Span
    package var span: Span
}

extension YAMLReader {
    /// The actions file: `actions:` and a list of actions. Keys are checked here; fields are
    /// resolved by the checker.
    package mutating func actions(_ root: Node) -> [ActionDecl] {
        guard let top = mapping(root, "the actions file") else { return [] }
        rejectUnknown(top, allowed: ["actions"], in: "the actions file")
        guard let list = require(top, "actions", in: "the actions file", at: span(root), help: "list the actions: `actions: [{ name: …, add: certificates, says: \"…\" }]`"),
              let items = sequence(list, "the actions") else { return [] }
        var out: [ActionDecl] = []
        for item in items {
            guard let entries = mapping(item, "an action") else { continue }
            let at = span(item)
            rejectUnknown(entries, allowed: ["name", "add", "raise", "wait", "up_to", "each", "set", "lowest", "says", "remove"], in: "an action")
            if let remove = entries.first(where: { $0.key == "remove" }) {
                diagnostics.error("E346", "an action may not remove information", at: remove.keySpan,
                                  help: "a what-if never suggests withholding data or deleting a record (a certificate suspected of forgery stays); declare what a person can add or raise")
                continue
            }
            guard let nameNode = require(entries, "name", in: "an action", at: at, help: "give it a name: `name: add_certificate`"),
                  let name = identifier(nameNode, "an action's name"),
                  let saysNode = require(entries, "says", in: "action `\(name.name)`", at: at, help: "say what it means for the person: `says: \"if you hold a {type} certificate\"`"),
                  let says = string(saysNode, "what action `\(name.name)` says") else { continue }
            let kinds = entries.filter { ["add", "raise", "wait"].contains($0.key) }
            guard kinds.count == 1, let k = kinds.first else {
                diagnostics.error("E340", "action `\(name.name)` needs exactly one of `add`, `raise` or `wait`", at: kinds.count > 1 ? kinds[1].keySpan : name.span,
                                  help: "`add: certificates` adds an element, `raise: self_set_cap` raises a number, `wait: [account_age_months]` lets months pass")
                continue
            }
            var kind: ActionDecl.Kind
            switch k.key {
            case "add":
                guard let list = identifier(k.value, "the list action `\(name.name)` adds to") else { continue }
                kind = .add(list: list)
            case "raise":
                guard let text = string(k.value, "the field action `\(name.name)` raises") else { continue }
                kind = .raise(path: Identifier(text, span(k.value)))
            default:
                let nodes: [Node]
                if case .scalar = k.value { nodes = [k.value] } else { nodes = sequence(k.value, "the facts action `\(name.name)` lets advance") ?? [] }
                let facts = nodes.compactMap { identifier($0, "a fact that advances with time") }
                var upTo = 24
                if let u = entries.first(where: { $0.key == "up_to" }) {
                    guard case .scalar(let s) = u.value, let n = Int(s.string), (1...1200).contains(n) else {
                        diagnostics.error("E340", "`up_to` is a number of months from 1 to 1200", at: span(u.value), help: "write e.g. `up_to: 24`")
                        continue
                    }
                    upTo = n
                }
                kind = .wait(facts: facts, upTo: upTo)
            }
            var each: (field: Identifier, catalogue: Identifier?)?
            if let e = entries.first(where: { $0.key == "each" }) {
                if case .scalar = e.value, let f = identifier(e.value, "the field `each` varies") { each = (f, nil) } else if let m = mapping(e.value, "`each`"), m.count == 1,
                          let f = Identifier.named(m[0].key, m[0].keySpan), let c = identifier(m[0].value, "the catalogue `each` takes keys from") {
                    each = (f, c)
                } else {
                    diagnostics.error("E340", "`each` names one field, or one field and the catalogue whose keys it takes: `each: { type: catalogue }`", at: e.keySpan,
                                      help: "write `each: { type: catalogue }` or `each: kind`")
                }
            }
            var settings: [ActionDecl.Setting] = []
            if let s = entries.first(where: { $0.key == "set" }), let m = mapping(s.value, "`set`") {
                for entry in m {
                    guard let field = Identifier.named(entry.key, entry.keySpan) else {
                        diagnostics.error("E303", "`\(entry.key)` is not a field name", at: entry.keySpan, help: "name a field of the element")
                        continue
                    }
                    guard case .scalar(let v) = entry.value else {
                        diagnostics.error("E302", "expected one value for `\(entry.key)`", at: span(entry.value), help: "write `\(entry.key): true`, a number, a date or `~`")
                        continue
                    }
                    let absent = v.tag.description.hasSuffix(":null") || v.string == "~" || v.string.isEmpty || v.string == "null"
                    settings.append(.init(field: field, text: absent && v.style == .plain ? nil : v.string, span: span(v)))
                }
            }
            let lowest = entries.first(where: { $0.key == "lowest" }).flatMap { identifier($0.value, "the field whose lowest useful value is found") }
            out.append(ActionDecl(name: name, kind: kind, each: each, set: settings, lowest: lowest, says: says, saysSpan: span(saysNode), span: at))
        }
        return out
    }
}

extension Identifier {
    /// `text` as a name at `span`, or nil when it is not one.
    static func named(_ text: String, _ span: Span) -> Identifier? {
        YAMLReader.isName(text) ? Identifier(text, span) : nil
    }
}
