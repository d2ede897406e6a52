import UpliftChecker
import UpliftCompiler

/// Where an action's searched value sits in the decoded applicant, without going through JSON:
/// the baseline's registers with the action's fixed changes made (an added element laid into
/// its list), and the registers that hold the searched value. A what-if decodes the applicant
/// once; each action then costs register writes, not a record built and decoded again.
///
/// Nil (and the caller builds and decodes the changed record instead) when the change cannot be
/// placed exactly as the decoder would place it: an added element of a record with nested
/// records, a fixed value the decoder would refuse, or a required field left unset.
struct Placement {
    /// The applicant with the fixed changes made and the searched registers at `anchor`.
    var parts: ApplicantParts
    var factSlots: [Int] = []
    var elementSlots: [Int] = []
    /// The value the searched registers hold in `parts`.
    var anchor: Int64
    /// Where an added element was laid in and its width: element words at or after `at` in the
    /// base are that much later in `parts`.
    var inserted: (at: Int, width: Int)? = nil
    /// An added element's `each` word: where it is in `parts.elements` and the value it holds.
    var eachWord: (at: Int, raw: Int64)? = nil

    /// `widths` is each record's number of fields; `template` the action's, for an `add`.
    init?(_ instance: WhatIfSession.Instance, base: ApplicantParts, widths: [Int], template: AddTemplate?) {
        parts = base
        anchor = 0
        switch instance.action.kind {
        case .raise(let f):
            guard base.facts.indices.contains(f), base.facts[f] != Program.missing else { return nil }
            factSlots = [f]
            anchor = base.facts[f]
        case .raiseElements(let l, let r, let f):
            guard case .elementIndex(let i)? = instance.element, let (first, count) = Self.list(base, l), i < count,
                  widths.indices.contains(r) else { return nil }
            let slot = first + i * widths[r] + f
            guard base.elements.indices.contains(slot), base.elements[slot] != Program.missing else { return nil }
            elementSlots = [slot]
            anchor = base.elements[slot]
        case .wait(let fs, _):
            // Every present fact advances by the months: each register is its value plus v.
            factSlots = fs.filter { base.facts.indices.contains($0) && base.facts[$0] != Program.missing }
            guard !factSlots.isEmpty else { return nil }
            anchor = 0
        case .add(let l, _):
            guard let t = template, let (first, count) = Self.list(base, l) else { return nil }
            var each: (field: Int, raw: Int64)?
            if let k = t.eachField {
                guard case .eachValue(let i, _, _)? = instance.element, t.eachRaws.indices.contains(i), let raw = t.eachRaws[i] else { return nil }
                each = (k, raw)
            }
            let at = first + count * t.width
            guard at <= parts.elements.count, count + 1 < 1 << 24 else { return nil }
            // The template laid in, then its `each` word set in place (no element built first).
            parts.elements.insert(contentsOf: t.element, at: at)
            if let (k, raw) = each, parts.elements.indices.contains(at + k) {
                parts.elements[at + k] = raw
                eachWord = (at + k, raw)
            }
            inserted = (at, t.width)
            parts.facts[l] = Int64(first) << 32 | Int64(count + 1)
            // The lists laid out after this one start `width` later.
            for k in t.listsAfter where parts.facts.indices.contains(k) {
                guard let (f2, c2) = Self.list(base, k) else { continue }
                parts.facts[k] = Int64(f2 + t.width) << 32 | Int64(c2)
            }
            if let low = t.lowest { elementSlots = [at + low] }
        }
        if factSlots.isEmpty && elementSlots.isEmpty && instance.searched != nil { return nil }
    }

    /// A list fact's first element and count, from its descriptor.
    static func list(_ parts: ApplicantParts, _ l: Int) -> (first: Int, count: Int)? {
        guard parts.facts.indices.contains(l) else { return nil }
        let d = parts.facts[l]
        guard d != Program.missing, d >= 0 else { return nil }
        return (Int(d >> 32), Int(d & 0xFFFF_FFFF))
    }

    /// What every element an `add` action lays in has in common, worked out once per action:
    /// the fixed fields' raw values, the searched field at 0, where the `each` field goes and
    /// the raw value of each of its values, and the lists laid out after this one. Nil when the
    /// element cannot be placed exactly (see `Placement`).
    ///
    /// A class, immutable: each search reads its action's template out of the plan, and an
    /// optional struct would be copied field by field through its value witnesses each time.
    final class AddTemplate: Sendable {
        let element: [Int64]
        let width: Int
        let eachField: Int?
        /// The `each` values decoded, in the action's order; nil for one the decoder refuses
        /// or would intern per applicant (that instance is decoded from JSON instead).
        let eachRaws: [Int64?]
        let lowest: Int?
        let listsAfter: [Int]

        init?(_ action: CheckedAction, decoder: ApplicantDecoder, policy: CheckedPolicy) {
            guard case .add(let l, let r) = action.kind, policy.schema.records.indices.contains(r), policy.schema.facts.fields.indices.contains(l) else { return nil }
            let fields = policy.schema.records[r].fields
            // A record with records inside is laid out by the decoder's nesting rules: decode it.
            guard !fields.isEmpty, !fields.contains(where: { $0.record != nil || $0.parent != nil }) else { return nil }
            var element = [Int64](repeating: Program.missing, count: fields.count)
            var given = [Bool](repeating: false, count: fields.count)
            var scratch = ApplicantParts(facts: [])
            for (j, v) in action.set where fields.indices.contains(j) {
                guard let raw = try? decoder.scalar(WhatIfJSON.value(v), fields[j], path: "", &scratch) else { return nil }
                element[j] = raw
                given[j] = true
            }
            // A string the policy does not know would be interned per applicant: decode instead.
            guard scratch.unknownStrings.isEmpty else { return nil }
            if let e = action.each, fields.indices.contains(e.field) {
                eachField = e.field; given[e.field] = true
                eachRaws = e.values.map { v in
                    var scratch = ApplicantParts(facts: [])
                    guard let raw = try? decoder.scalar(WhatIfJSON.value(v), fields[e.field], path: "", &scratch), scratch.unknownStrings.isEmpty else { return nil }
                    return raw
                }
            } else {
                eachField = nil; eachRaws = []
            }
            if let low = action.lowest, fields.indices.contains(low) { element[low] = 0; given[low] = true; lowest = low } else { lowest = nil }
            // A required field the action leaves unset: the decoder refuses the record.
            for (j, f) in fields.enumerated() where !given[j] && !f.declaredOptional { return nil }
            self.element = element
            width = fields.count
            listsAfter = policy.schema.facts.fields.indices.filter { k in
                guard k > l, case .list = policy.schema.facts.fields[k].type else { return false }
                return true
            }
        }
    }
}
