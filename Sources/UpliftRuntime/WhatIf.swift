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

    /// Each record's number of fields, the width of one element of it.
    let recordWidths: [Int]
    /// The tracer every search runs, made on first use and sized for the largest applicant a
    /// search has given it (`pieces`). Searches run one after another, never nested.
    private var tracer: IntervalVM.Tracer?
    /// The pieces one `add` action's instances have run so far, for its later instances
    /// (`piece`); the action they belong to (`Instance.order`). Actions are searched one after
    /// another, so only the current one's are kept.
    private var shared: [SharedRun] = [], sharedOrder = -1
    /// The program, copied out of the evaluator once.
    let program: Program

    func addTemplate(_ action: CheckedAction, _ order: Int) -> Placement.AddTemplate? {
        guard case .add = action.kind, evaluator.whatIfPlan.templates.indices.contains(order) else { return nil }
        return evaluator.whatIfPlan.templates[order]
    }

    /// The instance's change laid into the decoded registers, or nil (see `Placement`).
    func placement(_ instance: Instance) -> Placement? {
        Placement(instance, base: parts, widths: recordWidths, template: addTemplate(instance.action, instance.order))
    }

    /// A class, not a struct: every search and every register placement refers to it, and a
    /// struct this size (the policy, the applicant, the baseline) would be copied each time.
    init(evaluator: Evaluator, applicant: JSONValue, base: Decision, baseline: Standing, parts: ApplicantParts, decoded: Applicant, policy: CheckedPolicy) {
        self.evaluator = evaluator; self.applicant = applicant; self.base = base; self.baseline = baseline
        self.parts = parts; self.decoded = decoded; self.policy = policy
        baseCodes = base.reasons.map(\.code)
        program = evaluator.program
        recordWidths = policy.schema.records.map(\.fields.count)
    }

    /// The decision for a changed applicant, or nil when the change makes a record the schema
    /// refuses (it is then not a suggestion).
    func decide(_ json: JSONValue) -> Decision? {
        guard let a = try? evaluator.decoder.decode(json) else { return nil }
        return try? evaluator.evaluate(a)
    }

    // MARK: Instances

    /// One concrete way to take an action: its fixed changes and the field it searches.
    ///
    /// A class, immutable: instances are listed, searched, kept for pairs and summarised, and
    /// a struct holding a whole `CheckedAction` would be copied (a dozen reference counts) at
    /// each step.
    final class Instance: Sendable {
        let action: CheckedAction
        let order: Int
        /// The changes every instance of the action makes (shared, not copied per instance);
        /// an `each` value is added by `changedSteps`.
        let fixed: [([PathStep], JSONValue)]
        let searched: Searched?
        /// What `{field}` or `{n}` becomes in the sentence.
        let fill: Fill?
        /// Which element a re-read raises, or the value `each` gives an added element.
        let element: Element?

        init(action: CheckedAction, order: Int, fixed: [([PathStep], JSONValue)], searched: Searched?, fill: Fill?, element: Element? = nil) {
            self.action = action; self.order = order; self.fixed = fixed; self.searched = searched; self.fill = fill; self.element = element
        }

        struct Fill: Sendable { var key: String; var value: String }

        enum Element: Sendable {
            case elementIndex(Int)
            /// The `each` value by its position in the action's list, and its JSON path.
            case eachValue(index: Int, value: CheckedAction.Value, path: [PathStep])
        }

        struct Searched: Sendable {
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
            guard idle.count > 1, let key = first.fill?.key, idle.allSatisfy({ $0.fill?.key == key }) else {
                return idle.map(\.idleWords)
            }
            let values = idle.compactMap { $0.fill?.value }
            // Joined by hand: `joined(separator:)` on a slice is an unspecialised generic and
            // costs more than the rest of the summary.
            var joined = ""
            joined.reserveCapacity(values.reduce(0) { $0 + $1.utf8.count + 2 } + 2)
            for (i, v) in values.enumerated() {
                if i > 0 { joined += i == values.count - 1 ? " or " : ", " }
                joined += v
            }
            let single = Instance(action: first.action, order: first.order, fixed: first.fixed, searched: first.searched, fill: Fill(key: key, value: joined), element: first.element)
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
        ///
        /// The sentence is read from its UTF-8 storage: iterating a `String.UTF8View` costs
        /// tens of instructions a byte, and every suggestion and summary is worded.
        func words(_ value: String?) -> String {
            var says = action.says
            return says.withUTF8 { filled($0, value) }
        }

        /// `words` on the sentence's bytes: the text between placeholders copied in runs, each
        /// `{name}` replaced (an unknown name, or a `{` never closed, is left as written).
        private func filled(_ says: UnsafeBufferPointer<UInt8>, _ value: String?) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(says.count + 32)
            let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
            var i = 0, copied = 0
            while i < says.count {
                guard says[i] == open, let end = says[(i + 1)...].firstIndex(of: close) else { i += 1; continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: says[copied..<i]))
                let key = String(decoding: UnsafeBufferPointer(rebasing: says[(i + 1)..<end]), as: UTF8.self)
                if key == "value" || key == "months", let value {
                    out.append(contentsOf: value.utf8)
                } else if let f = fill, f.key == key {
                    out.append(contentsOf: f.value.utf8)
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: says[i...end]))
                }
                i = end + 1
                copied = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: says[copied...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    func instances(of action: CheckedAction, order: Int) -> [Instance] {
        let facts = policy.schema.facts, plan = evaluator.whatIfPlan
        switch action.kind {
        case .add:
            // The same for every applicant: made once per compiled policy.
            return evaluator.whatIfPlan.instances.indices.contains(order) ? evaluator.whatIfPlan.instances[order] : []
        case .raise(let f):
            let field = facts.fields[f], path = plan.factPaths[f]
            let range = field.range ?? WhatIfJSON.defaultRange(field.type)
            // An absent value (no ceiling chosen) has nothing to raise: setting one only restricts.
            guard let now = WhatIfJSON.raw(WhatIfJSON.get(applicant, path), field.type) else { return [] }
            let from = now &+ WhatIfJSON.unit(field.type)
            guard from <= range.upperBound else { return [] }
            return [Instance(action: action, order: order, fixed: [], searched: .init(path: path, type: field.type, range: max(from, range.lowerBound)...range.upperBound), fill: nil)]
        case .raiseElements(let l, let r, let f):
            let list = facts.fields[l].name, field = policy.schema.records[r].fields[f]
            guard case .array(let items)? = applicant[list] else { return [] }
            let range = field.range ?? WhatIfJSON.defaultRange(field.type)
            let fieldPath = plan.fieldPaths[r][f]  // a nested record's field by its dotted path
            return items.indices.compactMap { i in
                // An absent value is not raised: the element does not have it.
                guard let now = WhatIfJSON.raw(WhatIfJSON.get(items[i], fieldPath), field.type) else { return nil }
                let from = now &+ WhatIfJSON.unit(field.type)
                guard from <= range.upperBound else { return nil }
                return Instance(action: action, order: order, fixed: [],
                                searched: .init(path: [.key(list), .index(i)] + fieldPath, type: field.type, range: max(from, range.lowerBound)...range.upperBound),
                                fill: .init(key: "n", value: String(i + 1)), element: .elementIndex(i))
            }
        case .wait(let fs, let upTo):
            let advances: [([PathStep], Int64)] = fs.compactMap { f in
                let path = plan.factPaths[f]
                return WhatIfJSON.raw(WhatIfJSON.get(applicant, path), .integer).map { (path, $0) }
            }
            guard !advances.isEmpty else { return [] }
            // No fact may pass the top of its range: the decoder would refuse the record.
            var months = Int64(upTo)
            for f in fs {
                let field = facts.fields[f]
                if let top = field.range?.upperBound, let now = WhatIfJSON.raw(WhatIfJSON.get(applicant, plan.factPaths[f]), .integer) { months = min(months, top &- now) }
            }
            guard months >= 1 else { return [] }
            return [Instance(action: action, order: order, fixed: [], searched: .init(path: [], type: .integer, range: 1...months, advances: advances), fill: nil)]
        }
    }

    // MARK: Search

    /// An instance's changes with its searched field at `v`, `.append` steps unresolved.
    func changedSteps(_ instance: Instance, _ v: Int64?) -> [([PathStep], JSONValue)] {
        var changes = instance.fixed
        if case .eachValue(_, let value, let path)? = instance.element { changes.append((path, WhatIfJSON.value(value))) }
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
            // Nothing searched: one decision, on the registers when the change can be laid in.
            let d = placement(instance).flatMap { try? evaluator.evaluate(Applicant($0.parts)) } ?? decide(changed(instance, at: nil))
            guard let d, Standing(d).improves(on: baseline) else { return [] }
            return [suggestion(instance, value: nil, decision: d)]
        }
        // The search runs on whole units of the field (a fen, 10^-6, one, a month): a value is
        // `k * unit`, and the range's ends are rounded inwards to whole units.
        guard let (unit, kLo, kHi) = units(s) else { return [] }
        // The searched registers laid into the decoded applicant, or found by decoding the changed
        // record at both ends of the range.
        let placed = placement(instance)
        let slots = placed.map { RegisterSlots(self, $0, from: kLo &* unit, to: kHi &* unit) }
            ?? RegisterSlots(self, instance, at: kHi &* unit, and: kLo &* unit)
        /// The decision at `k` units: the searched registers set directly when they could be found
        /// (a decision, no decoding), else the changed record decoded.
        func decideAt(_ k: Int64) -> Decision? { slots?.decide(at: k &* unit) ?? decide(changed(instance, at: k &* unit)) }
        // The range in pieces on which the decision is the same (one run each), or, when a value
        // cannot be followed exactly, the points where the policy can change its mind.
        let share = placed.flatMap { sharing(instance, $0) }
        let tried = (byPieces ? slots.flatMap { pieces($0, kLo, kHi, unit, share: share) } : nil)
            ?? points(instance, s, kLo, kHi, unit).map { (k: $0, end: $0, standing: decideAt($0).map(Standing.init)) }
        // The best result any point reaches (more credit, then an outcome further along).
        var best: Standing?
        for case let (_, _, st?) in tried {
            if st.improves(on: baseline), best.map({ st.realised > $0.realised || (st.realised == $0.realised && st.rank > $0.rank) }) ?? true { best = st }
        }
        guard let best else { return [] }
        /// The lowest value (in units) whose standing `reaches`: the first piece or point that
        /// does. A piece starts there and the one below ends one unit lower; between two
        /// points, bisection in units back to the point below, which does not (the decision is
        /// taken to switch once).
        func lowest(_ reaches: (Standing) -> Bool) -> (k: Int64, standing: Standing)? {
            guard let i = tried.firstIndex(where: { $0.standing.map(reaches) ?? false }), let first = tried[i].standing else { return nil }
            var hit = tried[i].k, hitStanding = first
            var miss = i > 0 ? tried[i - 1].end : kLo &- 1
            // `hit - miss` as an unsigned distance: no range is too wide to halve.
            while UInt64(bitPattern: hit &- miss) > 1 {
                let mid = miss &+ Int64(bitPattern: UInt64(bitPattern: hit &- miss) / 2)
                if let d = decideAt(mid), case let st = Standing(d), reaches(st) { hit = mid; hitStanding = st } else { miss = mid }
            }
            return (hit, hitStanding)
        }
        var found: [(k: Int64, standing: Standing)] = []
        if let hit = lowest({ $0 == best }) { found.append(hit) }
        // A lower value that already helps, when the sentence shows the value (a ceiling, months);
        // a hidden one (a recogniser's confidence) is only ever used at the best result.
        if instance.showsValue, let hit = lowest({ $0.improves(on: baseline) }), hit.standing != best { found.append(hit) }
        var out: [WhatIfSuggestion] = []
        for (k, promised) in found {
            // The VM's own decision at the value (the registers set directly, else the record decoded).
            // A fault where the pieces promised a decision is a disagreement too.
            guard let checked = decideAt(k) else {
                if byPieces { return search(instance, byPieces: false) }
                continue
            }
            if byPieces, Standing(checked) != promised { return search(instance, byPieces: false) }
            out.append(suggestion(instance, value: k &* unit, decision: checked))
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
    /// the same, each with its first unit, its last and its standing: one `IntervalVM` run per
    /// piece. Nil when some value cannot be followed exactly, a run faults, or the range falls
    /// into more than `maxPieces` pieces (the caller then tries points).
    func pieces(_ slots: RegisterSlots, _ kLo: Int64, _ kHi: Int64, _ unit: Int64, share: Share? = nil) -> [(k: Int64, end: Int64, standing: Standing?)]? {
        pieces(IntervalVM.Entry(facts: slots.facts, elements: slots.elements, factSlots: slots.factSlots, elementSlots: slots.elementSlots, watch: share?.watch ?? -1),
               anchor: slots.v1, kLo, kHi, unit, share: share)
    }

    /// `pieces` of an entry whose slots hold `anchor` (and, with `share`, whose `watch` is its word).
    func pieces(_ entry: IntervalVM.Entry, anchor: Int64, _ kLo: Int64, _ kHi: Int64, _ unit: Int64, share: Share? = nil) -> [(k: Int64, end: Int64, standing: Standing?)]? {
        var out: [(k: Int64, end: Int64, standing: Standing?)] = []
        out.reserveCapacity(4)
        var k = kLo
        while k <= kHi {
            guard out.count < Self.maxPieces, let (end, standing) = piece(entry, anchor: anchor, from: k, kHi, unit, share: share) else { return nil }
            out.append((k, end, standing))
            if end == kHi { break }
            k = end &+ 1
        }
        return out
    }

    /// The piece that starts at `k` units: its last unit (at most `kHi`) and its standing, or
    /// nil when the value cannot be followed there.
    ///
    /// With `share` (and an entry watching its word), a piece an earlier instance of the same
    /// action ran from `k` is taken when this instance's `each` value gives every catalogue
    /// lookup that run made of it the same answer and the run read the value no other way: the
    /// two entries differ only in that word, so the runs are the same step for step (two
    /// certificate types of one category below its bar, or of one category and points above
    /// it). A new run is kept for the action's later instances.
    func piece(_ entry: IntervalVM.Entry, anchor: Int64, from k: Int64, _ kHi: Int64, _ unit: Int64, share: Share? = nil) -> (end: Int64, standing: Standing?)? {
        // A share only for an entry that watches its word: an unwatched run hears nothing
        // and would match every key.
        let share = share.flatMap { $0.watch == entry.watch && $0.watch >= 0 ? $0 : nil }
        if let share {
            if sharedOrder != share.order { shared.removeAll(keepingCapacity: true); sharedOrder = share.order }
            // Sorted by the piece's start and searched by halves: a range of many pieces never
            // compares every run (a dictionary costs more for the few runs a what-if keeps).
            let first = sharedIndex(k)
            let hit = shared.withUnsafeBufferPointer { runs -> (end: Int64, standing: Standing?)? in
                var i = first
                while i < runs.count && runs[i].k == k {
                    if runs[i].kHi == kHi && answersAlike(runs[i].heard, share.key) { return (runs[i].end, runs[i].standing) }
                    i += 1
                }
                return nil
            }
            if let hit { return hit }
        }
        makeRoom(for: entry)
        let v = k &* unit
        // Run in place: a copy of the tracer would retain everything it holds.
        guard let run = tracer?.run(entry, anchor: anchor, at: v, within: v, kHi &* unit), run.supported, run.upliftSlope == 0, run.lo <= v, run.hi >= v else { return nil }
        // The last whole unit in the piece (a piece always holds `k` itself).
        let end = min(kHi, max(k, run.hi >= 0 ? run.hi / unit : -((-run.hi &+ unit &- 1) / unit)))
        let standing = tracer?.withRegisters { Standing(registers: $0, evaluator.vocabulary) }
        // Read in place (`tracer?.…`): a copy of the tracer would retain everything it holds.
        if share != nil, tracer?.heardOtherwise == false, let heard = tracer?.heard {
            shared.insert(SharedRun(k: k, kHi: kHi, heard: heard, end: end, standing: standing), at: sharedIndex(k, after: true))
        }
        return (end, standing)
    }

    /// What lets an `add` instance share its runs: its action, its `each` value as the
    /// registers hold it, and the element word that holds it. Nil for any other instance.
    struct Share { let order: Int, key: Int64, watch: Int }

    /// A piece run for an `add` instance (`piece`): where it started, the range's top, the
    /// lookups of the `each` value it made with their answers, and what it found.
    struct SharedRun { let k: Int64, kHi: Int64, heard: [IntervalVM.Lookup], end: Int64, standing: Standing? }

    /// The first kept run that starts at `k` or later, or (`after`) later than `k`: `shared`
    /// is sorted by start.
    func sharedIndex(_ k: Int64, after: Bool = false) -> Int {
        var lo = 0, hi = shared.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if shared[mid].k < k || (after && shared[mid].k == k) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func sharing(_ instance: Instance, _ placed: Placement) -> Share? {
        placed.eachWord.map { Share(order: instance.order, key: $0.raw, watch: $0.at) }
    }

    /// Whether `key` gives each lookup in `heard` the answer it gave.
    func answersAlike(_ heard: [IntervalVM.Lookup], _ key: Int64) -> Bool {
        program.code.withUnsafeBufferPointer { code in
            program.tableData.withUnsafeBufferPointer { data in
                heard.allSatisfy { IntervalVM.Run.answer(at: $0.pc, key: key, code, data) == $0.answer }
            }
        }
    }

    /// One tracer per what-if, made on first use with room for the base applicant and two more
    /// elements (a pair's), and made again larger should an entry not fit.
    func makeRoom(for entry: IntervalVM.Entry) {
        if (tracer?.capacity ?? -1) < entry.elements.count {
            tracer = IntervalVM.Tracer(program, elements: max(entry.elements.count, parts.elements.count + 2 * (recordWidths.max() ?? 0)))
        }
    }

    /// Whether a run along `entry`'s slopes at its own values follows every step exactly (no
    /// two moving values multiplied, nothing unsupported): a pair's check that its pieces are
    /// convex (`pair`).
    func followable(_ entry: IntervalVM.Entry) -> Bool {
        makeRoom(for: entry)
        return tracer?.run(entry, anchor: 0, at: 0, within: 0, 0).supported ?? false
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
}

/// A decision's standing for the person: the credit they actually get (an approval's or a
/// decrease's uplift; nothing for a referral, a no-change or a decline) and how far the outcome
/// got (approve, then refer, no change, decline).
struct Standing: Equatable {
    let realised: Int64
    let rank: Int
    let outcome: Outcome
    let uplift: Int64
    /// The reasons as sets of indices into the policy's reason codes: the rules' below 64 as
    /// bits, any above in `moreReasons`, and the binding caps' bits as the VM leaves them.
    /// Sets, not arrays: a run's standing is taken per piece and must not allocate.
    let reasonBits: UInt64, capBits: Int64
    let moreReasons: [Int]

    init(_ d: Decision) { self.init(registers: d.trace.registers, d.vocabulary) }

    init(registers reg: [Int64], _ v: DecisionVocabulary) {
        self = reg.withUnsafeBufferPointer { Standing(registers: $0, v) }
    }

    /// The standing the registers of a finished run give, as `Standing(evaluator.decide(…))`
    /// would, read in place (a tracer's registers, with no decision built).
    init(registers r: UnsafeBufferPointer<Int64>, _ v: DecisionVocabulary) {
        (outcome, uplift) = v.outcome(r)
        (realised, rank) = Self.credit(outcome, uplift)
        var bits: UInt64 = 0, more: [Int] = []
        if let kind = outcome.ruleKind {
            // The vocabulary's flat arrays read in place, as `outcome` reads them: a standing is
            // taken for every piece.
            v.ruleKinds.withUnsafeBufferPointer { kinds in
                v.ruleSlots.withUnsafeBufferPointer { slots in
                    v.ruleReasons.withUnsafeBufferPointer { reasons in
                        for i in 0..<min(kinds.count, slots.count, reasons.count) where kinds[i] == kind && r.indices.contains(slots[i]) && r[slots[i]] != 0 {
                            let reason = reasons[i]
                            if reason >= 0 && reason < 64 { bits |= 1 << UInt64(reason) } else { more.append(reason) }
                        }
                    }
                }
            }
        }
        reasonBits = bits
        moreReasons = more
        let bindSlot = v.layout.bindSlot
        capBits = outcome != .decline && r.indices.contains(bindSlot) ? r[bindSlot] : 0
    }

    /// The credit a decision realises and how far its outcome got, without its reasons (for
    /// sorting, which asks often).
    static func credit(_ d: Decision) -> (realised: Int64, rank: Int) { credit(d.outcome, d.uplift.raw) }

    static func credit(_ outcome: Outcome, _ uplift: Int64) -> (realised: Int64, rank: Int) {
        let rank = switch outcome { case .approve: 3; case .refer: 2; case .noChange, .decrease: 1; case .decline: 0 }
        return (outcome == .approve || outcome == .decrease ? uplift : 0, rank)
    }

    /// Better for the person: more credit. An outcome further along without more credit (a
    /// referral instead of no change, because a certificate was read less clearly) is not: the
    /// question a what-if answers is what would raise the limit.
    func improves(on other: Standing) -> Bool { realised > other.realised }

    static func == (a: Standing, b: Standing) -> Bool {
        a.outcome == b.outcome && a.uplift == b.uplift && a.reasonBits == b.reasonBits && a.capBits == b.capBits && a.moreReasons == b.moreReasons
    }
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
        // Every instance and the most credit it gains alone, for pairs.
        var tried: [(instance: WhatIfSession.Instance, gain: Int64)] = []
        for (k, action) in policy.actions.enumerated() {
            var unhelpful: [WhatIfSession.Instance] = []
            for instance in session.instances(of: action, order: k) {
                let results = session.search(instance)
                if results.isEmpty { unhelpful.append(instance) } else { found += results }
                if options.depth >= 2 { tried.append((instance, results.map(\.gainRaw).max() ?? 0)) }
            }
            idle += WhatIfSession.Instance.summary(unhelpful)
        }
        // Most credit first, then the outcome furthest along, then fewer new reasons, then the
        // bundle's order: a total order, so the same applicant always gets the same list.
        found = Self.ranked(found)
        if options.depth >= 2 {
            // Every pair of instances, each pair once and in the bundle's order.
            var pairs: [WhatIfSuggestion] = []
            for i in tried.indices {
                for j in tried.indices where j > i {
                    if let p = session.pair(tried[i].instance, tried[j].instance, beyond: max(tried[i].gain, tried[j].gain)) { pairs.append(p) }
                }
            }
            found = Self.ranked(pairs + found)
        }
        let total = found.count
        found.removeLast(max(0, total - max(0, options.top)))
        // Set in place: a suggestion is large to copy.
        for i in found.indices {
            // The ceiling that then applies: the lowest binding cap (several may bind at once).
            let binding = bindingCaps(found[i].decision)
            found[i].binding = binding.min { (FixedDecimal(parsing: $0.value)?.raw ?? 0) < (FixedDecimal(parsing: $1.value)?.raw ?? 0) }.map { [$0] } ?? []
        }
        return WhatIfReport(baseline: base, suggestions: found, noEffect: idle, notShown: total - found.count)
    }
}

extension Evaluator {
    /// Suggestions best first: most credit, then the outcome furthest along, then one action
    /// before a pair that gives no more, then fewer new reasons, then the bundle's order and
    /// the sentence. A total order, so the same applicant always gets the same list; the keys
    /// are sorted, not the suggestions (each is large to move).
    static func ranked(_ found: [WhatIfSuggestion]) -> [WhatIfSuggestion] {
        struct Key { let realised: Int64, rank: Int, pair: Bool, added: Int, order: Int, index: Int }
        let keys = found.enumerated().map { i, s in
            let c = Standing.credit(s.decision)
            return Key(realised: c.realised, rank: c.rank, pair: s.batches.count > 1, added: s.added.count, order: s.order, index: i)
        }
        let sorted = keys.sorted { a, b in
            if a.realised != b.realised { return a.realised > b.realised }
            if a.rank != b.rank { return a.rank > b.rank }
            if a.pair != b.pair { return !a.pair }
            if a.added != b.added { return a.added < b.added }
            if a.order != b.order { return a.order < b.order }
            return found[a.index].says < found[b.index].says
        }
        return sorted.map { found[$0.index] }
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
