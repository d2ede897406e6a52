import UpliftChecker
import UpliftCompiler
import UpliftSyntax

/// What would change a decision: each action the bundle declares, tried on one applicant by the
/// production VM, with the exact decision it would give.
///
/// Every promise is a real evaluation of a changed applicant (`WhatIfSuggestion.applicant`), so
/// `uplift eval` on that record gives the promised decision. A continuous action (a confidence, a
/// ceiling, months) is tried on the values where the policy can change its mind (its own
/// constants and table values, one unit either side, and the ends of the field's range); then,
/// between the last value that does not reach a result and the first that does, bisection in the
/// field's unit finds the lowest value that reaches it: one unit less does not.
final class WhatIfSession {
    let evaluator: Evaluator
    let applicant: JSONValue
    let base: Decision
    let baseline: Standing
    /// The applicant as decoded, which each action's changes are laid into (`Placement`).
    let parts: ApplicantParts
    let decoded: Applicant
    /// The checked policy, copied out of the evaluator once (reading `evaluator.policy` copies it).
    let policy: CheckedPolicy
    /// The baseline's reason codes, in order.
    let baseCodes: [String]
    /// JSON paths of dotted field names, split once per what-if.
    private var paths: [String: [PathStep]] = [:]

    /// Each `add` action's element template, by the action's position (nil inside: none).
    private var templates: [Int: Placement.AddTemplate?] = [:]

    func addTemplate(_ action: CheckedAction, _ order: Int) -> Placement.AddTemplate? {
        guard case .add = action.kind else { return nil }
        if let t = templates[order] { return t }
        let t = Placement.AddTemplate(action, decoder: evaluator.decoder, policy: policy)
        templates[order] = .some(t)
        return t
    }

    func jsonPath(_ dotted: String) -> [PathStep] {
        if let p = paths[dotted] { return p }
        let p = WhatIfJSON.path(dotted)
        paths[dotted] = p
        return p
    }

    /// A class, not a struct: every search and every register placement refers to it, and a
    /// struct this size (the policy, the applicant, the baseline) would be copied each time.
    init(evaluator: Evaluator, applicant: JSONValue, base: Decision, baseline: Standing, parts: ApplicantParts, decoded: Applicant, policy: CheckedPolicy) {
        self.evaluator = evaluator; self.applicant = applicant; self.base = base; self.baseline = baseline
        self.parts = parts; self.decoded = decoded; self.policy = policy
        baseCodes = base.reasons.map(\.code)
    }

    /// The decision for a changed applicant, or nil when the change makes a record the schema
    /// refuses (it is then not a suggestion).
    func decide(_ json: JSONValue) -> Decision? {
        guard let a = try? evaluator.decoder.decode(json) else { return nil }
        return try? evaluator.evaluate(a)
    }

    // MARK: Instances

    /// One concrete way to take an action: its fixed changes and the field it searches.
    struct Instance {
        let action: CheckedAction
        let order: Int
        var fixed: [([PathStep], JSONValue)]
        var searched: Searched?
        /// What `{field}` and `{n}` become in the sentence.
        var fill: [String: String]
        /// Which element a re-read raises, or the value `each` gives an added element.
        var element: Element? = nil

        enum Element {
            case elementIndex(Int)
            case eachValue(CheckedAction.Value)
        }

        struct Searched {
            var path: [PathStep]
            var type: ValueType
            var range: ClosedRange<Int64>
            /// For a wait: the facts that advance together and their current values.
            var advances: [([PathStep], Int64)] = []
        }

        /// Whether the sentence shows the searched value (`{value}`, `{months}`).
        var showsValue: Bool { action.showsValue }

        /// One sentence for the instances of one action that change nothing, their `{field}` or
        /// `{n}` values joined (`if you hold a cet4, toefl or jlpt_n1 certificate`).
        static func summary(_ idle: [Instance]) -> [String] {
            guard let first = idle.first else { return [] }
            guard idle.count > 1, let key = first.fill.keys.first, first.fill.count == 1, idle.allSatisfy({ $0.fill.keys.first == key && $0.fill.count == 1 }) else {
                return idle.map(\.idleWords)
            }
            let values = idle.compactMap { $0.fill[key] }
            let joined = values.dropLast().joined(separator: ", ") + " or " + (values.last ?? "")
            var single = first
            single.fill[key] = joined
            return [single.idleWords]
        }

        /// The sentence for an instance that changes nothing: a searched value not shown.
        var idleWords: String {
            var upTo = "any value"
            if case .wait(_, let n) = action.kind { upTo = "up to \(n)" }
            return words(upTo)
        }

        /// The sentence with its placeholders filled in one pass: `{value}` and `{months}` by
        /// `value` (left as written when nil), the others from `fill`.
        func words(_ value: String?) -> String {
            var out: [UInt8] = [], name: [UInt8] = [], inside = false
            out.reserveCapacity(action.says.utf8.count + 16)
            for b in action.says.utf8 {
                if inside {
                    if b == UInt8(ascii: "}") {
                        inside = false
                        let key = String(decoding: name, as: UTF8.self)
                        if key == "value" || key == "months", let value { out += value.utf8 } else if let v = fill[key] { out += v.utf8 } else {
                            out.append(UInt8(ascii: "{")); out += name; out.append(UInt8(ascii: "}"))
                        }
                    } else {
                        name.append(b)
                    }
                } else if b == UInt8(ascii: "{") {
                    inside = true
                    name.removeAll(keepingCapacity: true)
                } else {
                    out.append(b)
                }
            }
            if inside { out.append(UInt8(ascii: "{")); out += name }
            return String(decoding: out, as: UTF8.self)
        }
    }

    func instances(of action: CheckedAction, order: Int) -> [Instance] {
        let facts = policy.schema.facts
        switch action.kind {
        case .add(let l, let r):
            let rec = policy.schema.records[r], list = facts.fields[l].name
            let fixed = action.set.map { s -> ([PathStep], JSONValue) in ([.key(list), .append, .key(rec.fields[s.field].name)], WhatIfJSON.value(s.value)) }
            let searched = action.lowest.map { low in
                Instance.Searched(path: [.key(list), .append, .key(rec.fields[low].name)], type: rec.fields[low].type,
                                  range: rec.fields[low].range ?? WhatIfJSON.defaultRange(rec.fields[low].type))
            }
            guard let each = action.each else { return [Instance(action: action, order: order, fixed: fixed, searched: searched, fill: [:])] }
            let name = rec.fields[each.field].name
            return each.values.map { v in
                var fill: [String: String] = [:]
                switch v {
                case .text(let t): fill[name] = t
                case .bool(let b): fill[name] = b ? "true" : "false"
                default: break
                }
                return Instance(action: action, order: order, fixed: fixed + [([.key(list), .append, .key(name)], WhatIfJSON.value(v))], searched: searched, fill: fill,
                                element: .eachValue(v))
            }
        case .raise(let f):
            let field = facts.fields[f], path = jsonPath(field.name)
            let range = field.range ?? WhatIfJSON.defaultRange(field.type)
            // An absent value (no ceiling chosen) has nothing to raise: setting one only restricts.
            guard let now = WhatIfJSON.raw(WhatIfJSON.get(applicant, path), field.type) else { return [] }
            let from = now &+ WhatIfJSON.unit(field.type)
            guard from <= range.upperBound else { return [] }
            return [Instance(action: action, order: order, fixed: [], searched: .init(path: path, type: field.type, range: max(from, range.lowerBound)...range.upperBound), fill: [:])]
        case .raiseElements(let l, let r, let f):
            let list = facts.fields[l].name, field = policy.schema.records[r].fields[f]
            guard case .array(let items)? = applicant[list] else { return [] }
            let range = field.range ?? WhatIfJSON.defaultRange(field.type)
            let fieldPath = jsonPath(field.name)  // a nested record's field by its dotted path
            return items.indices.compactMap { i in
                // An absent value is not raised: the element does not have it.
                guard let now = WhatIfJSON.raw(WhatIfJSON.get(items[i], fieldPath), field.type) else { return nil }
                let from = now &+ WhatIfJSON.unit(field.type)
                guard from <= range.upperBound else { return nil }
                return Instance(action: action, order: order, fixed: [],
                                searched: .init(path: [.key(list), .index(i)] + fieldPath, type: field.type, range: max(from, range.lowerBound)...range.upperBound),
                                fill: ["n": String(i + 1)], element: .elementIndex(i))
            }
        case .wait(let fs, let upTo):
            let advances: [([PathStep], Int64)] = fs.compactMap { f in
                let path = jsonPath(facts.fields[f].name)
                return WhatIfJSON.raw(WhatIfJSON.get(applicant, path), .integer).map { (path, $0) }
            }
            guard !advances.isEmpty else { return [] }
            // No fact may pass the top of its range: the decoder would refuse the record.
            var months = Int64(upTo)
            for f in fs {
                let field = facts.fields[f]
                if let top = field.range?.upperBound, let now = WhatIfJSON.raw(WhatIfJSON.get(applicant, jsonPath(field.name)), .integer) { months = min(months, top &- now) }
            }
            guard months >= 1 else { return [] }
            return [Instance(action: action, order: order, fixed: [], searched: .init(path: [], type: .integer, range: 1...months, advances: advances), fill: [:])]
        }
    }

    // MARK: Search

    /// An instance's changes with its searched field at `v`, `.append` steps unresolved.
    func changedSteps(_ instance: Instance, _ v: Int64?) -> [([PathStep], JSONValue)] {
        var changes = instance.fixed
        if let s = instance.searched, let v {
            if s.advances.isEmpty { changes.append((s.path, WhatIfJSON.write(v, s.type))) } else {
                for (path, now) in s.advances { changes.append((path, .number(String(now &+ v)))) }
            }
        }
        return changes
    }

    /// The applicant with an instance's changes, its searched field at `v`.
    func changed(_ instance: Instance, at v: Int64?) -> JSONValue {
        WhatIfJSON.apply(changedSteps(instance, v), to: applicant)
    }

    /// The results an instance reaches that are better than the baseline: the lowest value that
    /// reaches the best of them and, when it is a different result, the lowest that first helps.
    ///
    /// Pieces are followed by `IntervalVM`; each result it finds is then decided again by the VM
    /// itself, and should the two ever disagree the search is redone on points (`byPieces`
    /// false), so what is promised is always the production VM's decision.
    func search(_ instance: Instance, byPieces: Bool = true) -> [WhatIfSuggestion] {
        guard let s = instance.searched else {
            let json = changed(instance, at: nil)
            guard let d = decide(json), Standing(d).improves(on: baseline) else { return [] }
            return [suggestion(instance, value: nil, decision: d)]
        }
        // The search runs on whole units of the field (a fen, 10^-6, one, a month): a value is
        // `k * unit`, and the range's ends are rounded inwards to whole units.
        let unit = s.advances.isEmpty ? WhatIfJSON.unit(s.type) : 1
        let kLo = s.range.lowerBound / unit + (s.range.lowerBound % unit > 0 ? 1 : 0)
        let kHi = s.range.upperBound / unit - (s.range.upperBound % unit < 0 ? 1 : 0)
        guard kLo <= kHi else { return [] }
        // The searched registers laid into the decoded applicant, or found by decoding the changed
        // record at both ends of the range.
        let slots = Placement(instance, base: parts, decoder: evaluator.decoder, policy: policy, template: addTemplate(instance.action, instance.order)).map { RegisterSlots(self, $0, from: kLo &* unit, to: kHi &* unit) }
            ?? RegisterSlots(self, instance, at: kHi &* unit, and: kLo &* unit)
        /// The decision at `k` units: the searched registers set directly when they could be found
        /// (a decision, no decoding), else the changed record decoded.
        func decideAt(_ k: Int64) -> Decision? { slots?.decide(at: k &* unit) ?? decide(changed(instance, at: k &* unit)) }
        // The range in pieces on which the decision is the same (one run each), or, when a value
        // cannot be followed exactly, the points where the policy can change its mind.
        let tried = (byPieces ? slots.flatMap { pieces($0, kLo, kHi, unit) } : nil) ?? points(instance, s, kLo, kHi, unit).map { (k: $0, end: $0, decision: decideAt($0)) }
        // The best result any point reaches (more credit, then an outcome further along).
        var best: Standing?
        for case let (_, _, d?) in tried {
            let st = Standing(d)
            if st.improves(on: baseline), best.map({ st.realised > $0.realised || (st.realised == $0.realised && st.rank > $0.rank) }) ?? true { best = st }
        }
        guard let best else { return [] }
        /// The lowest value whose decision `reaches`: the first piece or point that does. A piece
        /// starts there and the one below ends one unit lower; between two points, bisection in
        /// units back to the point below, which does not (the decision is taken to switch once).
        func lowest(_ reaches: (Standing) -> Bool) -> (Int64, Decision)? {
            guard let i = tried.firstIndex(where: { $0.decision.map { reaches(Standing($0)) } ?? false }), let first = tried[i].decision else { return nil }
            var hit = tried[i].k, hitDecision = first
            var miss = i > 0 ? tried[i - 1].end : kLo &- 1
            // `hit - miss` as an unsigned distance: no range is too wide to halve.
            while UInt64(bitPattern: hit &- miss) > 1 {
                let mid = miss &+ Int64(bitPattern: UInt64(bitPattern: hit &- miss) / 2)
                if let d = decideAt(mid), reaches(Standing(d)) { hit = mid; hitDecision = d } else { miss = mid }
            }
            return (hit &* unit, hitDecision)
        }
        var found: [(Int64, Decision)] = []
        if let hit = lowest({ $0 == best }) { found.append(hit) }
        // A lower value that already helps, when the sentence shows the value (a ceiling, months);
        // a hidden one (a recogniser's confidence) is only ever used at the best result.
        if instance.showsValue, let hit = lowest({ $0.improves(on: baseline) }), Standing(hit.1) != best { found.append(hit) }
        var out: [WhatIfSuggestion] = []
        for (v, d) in found {
            // The VM's own decision at the value (the registers set directly, else the record decoded).
            // A fault where the pieces promised a decision is a disagreement too.
            guard let checked = decideAt(v / unit) else {
                if byPieces { return search(instance, byPieces: false) }
                continue
            }
            if byPieces, Standing(checked) != Standing(d) { return search(instance, byPieces: false) }
            out.append(suggestion(instance, value: v, decision: checked))
        }
        return out
    }

    /// The points where the policy can change its mind, one unit either side, in units: its
    /// constants and table values, and (for amounts) those plus or minus each amount of the
    /// applicant's, since a rule may compare this value less another fact with a constant
    /// (`self_set_cap - current_limit >= 2500`); a wait tries every month. Used when the value
    /// cannot be followed piece by piece.
    func points(_ instance: Instance, _ s: Instance.Searched, _ kLo: Int64, _ kHi: Int64, _ unit: Int64) -> [Int64] {
        var points: Set<Int64> = [kLo, kHi]
        if s.advances.isEmpty {
            var anchors = evaluator.program.constants + evaluator.program.tableData
            if s.type.unwrapped == .money || s.type.unwrapped == .decimal {
                let amounts = policy.schema.facts.fields.filter { $0.type == .money || $0.type == .decimal }
                    .compactMap { WhatIfJSON.raw(WhatIfJSON.get(applicant, WhatIfJSON.path($0.name)), $0.type) }
                let base = anchors
                for f in amounts { for c in base { anchors += [c &+ f, f &- c] } }
            }
            for c in anchors {
                let k = c / unit
                for v in [k &- 1, k, k &+ 1, k &+ 2] where v >= kLo && v <= kHi { points.insert(v) }
            }
        } else {
            for m in kLo...min(kHi, kLo &+ 1_200) { points.insert(m) }
        }
        return points.sorted()
    }

    /// The searched range `kLo...kHi` (in units) cut into the pieces on which the decision is
    /// the same, each with its first unit, its last and its decision: one `IntervalVM` run per
    /// piece. Nil when some value cannot be followed exactly, a run faults, or the range falls
    /// into more than `maxPieces` pieces (the caller then tries points).
    func pieces(_ slots: RegisterSlots, _ kLo: Int64, _ kHi: Int64, _ unit: Int64) -> [(k: Int64, end: Int64, decision: Decision?)]? {
        let entry = IntervalVM.Entry(facts: slots.facts, elements: slots.elements, factSlots: slots.factSlots, elementSlots: slots.elementSlots)
        var out: [(k: Int64, end: Int64, decision: Decision?)] = []
        var tracer = IntervalVM.Tracer(evaluator.program, entry, anchor: slots.v1)
        var k = kLo
        while k <= kHi {
            guard out.count < Self.maxPieces else { return nil }
            let v = k &* unit
            let run = tracer.run(at: v, within: v, kHi &* unit)
            guard run.supported, run.upliftSlope == 0, run.lo <= v, run.hi >= v else { return nil }
            // The last whole unit in the piece (a piece always holds `k` itself).
            let end = min(kHi, max(k, run.hi >= 0 ? run.hi / unit : -((-run.hi &+ unit &- 1) / unit)))
            out.append((k, end, slots.decision(registers: run.registers)))
            if end == kHi { break }
            k = end &+ 1
        }
        return out
    }

    /// Pieces one search may take before it tries points instead: a ceiling rounded to 100
    /// yuan between 0 and 50,000 is 500.
    static let maxPieces = 1_024

    /// A suggestion promising `d`, the VM's decision on the applicant with the instance's
    /// changes at `value` (its registers set directly or the changed record decoded: the tests
    /// hold the two to be the same). The changed record itself is built only when asked for.
    func suggestion(_ instance: Instance, value: Int64?, decision d: Decision) -> WhatIfSuggestion {
        let shown: String? = value.map { v in
            guard let s = instance.searched else { return "" }
            return s.advances.isEmpty ? WhatIfJSON.text(v, s.type) : String(v)
        }
        let (cleared, added) = reasonChange(d)
        // A searched value the sentence does not show (a recogniser's confidence) stays out of the text.
        return WhatIfSuggestion(action: instance.action.name, says: instance.words(instance.showsValue ? shown : nil), value: shown,
                                valueIsShown: instance.showsValue, original: applicant, batches: [changedSteps(instance, value)],
                                decision: d, gain: Standing(d).realised &- baseline.realised,
                                cleared: cleared, added: added, order: instance.order)
    }

    /// The baseline's reason codes a decision no longer has, and the ones it adds, each in order.
    func reasonChange(_ d: Decision) -> (cleared: [String], added: [String]) {
        let before = baseCodes, after = d.reasons.map(\.code)
        return (before.filter { !after.contains($0) }, after.filter { !before.contains($0) })
    }

    /// Pairs of suggestions from different instances that together give more than either alone.
    func pairs(_ singles: [WhatIfSuggestion]) -> [WhatIfSuggestion] {
        let top = Array(singles.prefix(8))
        var out: [WhatIfSuggestion] = []
        for i in top.indices {
            for j in top.indices where j > i && top[i].says != top[j].says {
                // Each single's own changes in turn, so two added elements are two elements.
                let batches = top[i].batches + top[j].batches
                let json = batches.reduce(applicant) { WhatIfJSON.apply($1, to: $0) }
                guard let d = decide(json) else { continue }
                let gain = Standing(d).realised &- baseline.realised
                guard gain > max(top[i].gainRaw, top[j].gainRaw) else { continue }
                let (cleared, added) = reasonChange(d)
                out.append(WhatIfSuggestion(action: "\(top[i].action)+\(top[j].action)", says: "\(top[i].says), and \(top[j].says)", value: nil,
                                            valueIsShown: false, original: applicant, batches: batches, decision: d, gain: gain,
                                            cleared: cleared, added: added, order: min(top[i].order, top[j].order)))
            }
        }
        return out
    }
}

/// A decision's standing for the person: the credit they actually get (an approval's or a
/// decrease's uplift; nothing for a referral, a no-change or a decline) and how far the outcome
/// got (approve, then refer, no change, decline).
struct Standing: Equatable {
    let realised: Int64
    let rank: Int
    let outcome: Outcome
    let uplift: Int64
    /// The reasons as indices into the policy's reason codes, caps marked negative (`~i`).
    let reasons: [Int]

    init(_ d: Decision) {
        outcome = d.outcome
        uplift = d.uplift.raw
        (realised, rank) = Self.credit(d)
        var rs: [Int] = []
        d.forEachReason { r, isCap in rs.append(isCap ? ~r : r) }
        reasons = rs
    }

    /// The credit a decision realises and how far its outcome got, without its reasons (for
    /// sorting, which asks often).
    static func credit(_ d: Decision) -> (realised: Int64, rank: Int) {
        let rank = switch d.outcome { case .approve: 3; case .refer: 2; case .noChange, .decrease: 1; case .decline: 0 }
        return (d.outcome == .approve || d.outcome == .decrease ? d.uplift.raw : 0, rank)
    }

    /// Better for the person: more credit. An outcome further along without more credit (a
    /// referral instead of no change, because a certificate was read less clearly) is not: the
    /// question a what-if answers is what would raise the limit.
    func improves(on other: Standing) -> Bool { realised > other.realised }

    static func == (a: Standing, b: Standing) -> Bool { a.outcome == b.outcome && a.uplift == b.uplift && a.reasons == b.reasons }
}

extension Evaluator {
    /// Every action the bundle declares, tried on `applicant`: see `WhatIfSession`.
    package func whatIf(_ applicant: JSONValue, options: WhatIfOptions) throws(WhatIfError) -> WhatIfReport {
        let base: Decision, decoded: Applicant
        do { decoded = try decoder.decode(applicant); base = try evaluate(decoded) } catch let e as ApplicantError { throw .applicant(e) } catch let e as EvaluationError { throw .evaluation(e) } catch {
            throw .evaluation(EvaluationError(fault: "\(error)", rule: "", location: ""))
        }
        let parts = ApplicantParts(facts: decoded.facts, elements: decoded.elements, unknownStrings: decoded.unknownStrings)
        let session = WhatIfSession(evaluator: self, applicant: applicant, base: base, baseline: Standing(base), parts: parts, decoded: decoded, policy: policy)
        var found: [WhatIfSuggestion] = [], idle: [String] = []
        for (k, action) in policy.actions.enumerated() {
            var unhelpful: [WhatIfSession.Instance] = []
            for instance in session.instances(of: action, order: k) {
                let results = session.search(instance)
                if results.isEmpty { unhelpful.append(instance) } else { found += results }
            }
            idle += WhatIfSession.Instance.summary(unhelpful)
        }
        // Most credit first, then the outcome furthest along, then fewer new reasons, then the
        // bundle's order: a total order, so the same applicant always gets the same list.
        let rank = { (a: WhatIfSuggestion, b: WhatIfSuggestion) -> Bool in
            let sa = Standing.credit(a.decision), sb = Standing.credit(b.decision)
            if sa.realised != sb.realised { return sa.realised > sb.realised }
            if sa.rank != sb.rank { return sa.rank > sb.rank }
            // One action before a pair that gives no more.
            let pa = a.action.utf8.contains(UInt8(ascii: "+")), pb = b.action.utf8.contains(UInt8(ascii: "+"))
            if pa != pb { return !pa }
            if a.added.count != b.added.count { return a.added.count < b.added.count }
            return a.order != b.order ? a.order < b.order : a.says < b.says
        }
        found.sort(by: rank)
        if options.depth >= 2 { found = (session.pairs(found) + found).sorted(by: rank) }
        let shown = Array(found.prefix(max(0, options.top))).map { s in
            var s = s
            // The ceiling that then applies: the lowest binding cap (several may bind at once).
            let binding = bindingCaps(s.decision)
            s.binding = binding.min { (FixedDecimal(parsing: $0.value)?.raw ?? 0) < (FixedDecimal(parsing: $1.value)?.raw ?? 0) }.map { [$0] } ?? []
            return s
        }
        return WhatIfReport(baseline: base, suggestions: shown, noEffect: idle, notShown: max(0, found.count - shown.count))
    }
}

/// Where a searched value lands in the decoded applicant: the registers (facts or list element
/// slots) that differ between two decodings at different values. A value `v` is then those
/// registers moved by `v - v1` (every searched field is read raw: amounts in 10^-6, integers,
/// days; a wait moves each of its facts by the months), so each point costs a decision, not a
/// decoding. Used only when both decodings succeed and the registers move by exactly the value.
struct RegisterSlots {
    let session: WhatIfSession
    let facts: [Int64], elements: [Int64], unknownStrings: [String]
    let factSlots: [Int], elementSlots: [Int]
    let v1: Int64
    let lo: Int64, hi: Int64

    /// The registers of a placed change, good for values `lo...hi`.
    init(_ session: WhatIfSession, _ placement: Placement, from lo: Int64, to hi: Int64) {
        self.session = session
        facts = placement.parts.facts; elements = placement.parts.elements; unknownStrings = placement.parts.unknownStrings
        factSlots = placement.factSlots; elementSlots = placement.elementSlots
        v1 = placement.anchor
        self.lo = lo; self.hi = hi
    }

    init?(_ session: WhatIfSession, _ instance: WhatIfSession.Instance, at v1: Int64, and v2: Int64) {
        guard v1 != v2, let a = try? session.evaluator.decoder.decode(session.changed(instance, at: v1)),
              let b = try? session.evaluator.decoder.decode(session.changed(instance, at: v2)),
              a.facts.count == b.facts.count, a.elements.count == b.elements.count, a.unknownStrings == b.unknownStrings else { return nil }
        let fs = a.facts.indices.filter { a.facts[$0] != b.facts[$0] }, es = a.elements.indices.filter { a.elements[$0] != b.elements[$0] }
        // Each moved register must move by exactly the value's change.
        let delta = v1 &- v2
        guard !(fs.isEmpty && es.isEmpty), fs.allSatisfy({ a.facts[$0] &- b.facts[$0] == delta }), es.allSatisfy({ a.elements[$0] &- b.elements[$0] == delta }) else { return nil }
        self.session = session
        facts = a.facts; elements = a.elements; unknownStrings = a.unknownStrings
        factSlots = fs; elementSlots = es
        self.v1 = v1
        lo = min(v1, v2); hi = max(v1, v2)
    }

    /// The decision read from registers a run left, for ranking (its outcome, uplift and
    /// reasons); its trace names the baseline applicant, so it is never what is promised:
    /// that is the VM's decision at the value (`search`).
    func decision(registers: [Int64]) -> Decision {
        session.evaluator.decide(registers, session.decoded, engine: .vm)
    }

    /// The applicant's parts with the searched registers at `v`.
    func parts(at v: Int64) -> ApplicantParts {
        var parts = ApplicantParts(facts: facts, elements: elements, unknownStrings: unknownStrings)
        let shift = v &- v1
        for i in factSlots { parts.facts[i] = facts[i] &+ shift }
        for i in elementSlots { parts.elements[i] = elements[i] &+ shift }
        return parts
    }

    /// The decision with the searched registers at `v` (within the two decoded values' span,
    /// which is the searched range, so the decoder's range checks would pass).
    func decide(at v: Int64) -> Decision? {
        guard v >= lo, v <= hi else { return nil }
        return try? session.evaluator.evaluate(Applicant(parts(at: v)))
    }
}
