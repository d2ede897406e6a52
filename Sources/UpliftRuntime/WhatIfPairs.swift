import UpliftChecker
import UpliftCompiler

/// Two actions taken together (`--depth 2`): every pair of instances is searched over both
/// values at once, exactly, and kept when it gives more than either action alone.
///
/// The search cuts the plane of the two values into rectangles on which the decision is the
/// same. Along the first value it walks strips: at the strip's first value the second value's
/// range is cut into pieces (one `IntervalVM` run each, as for one action); each piece's two
/// ends are then followed along the first value, and the strip ends where the first of them
/// changes. The rectangle a piece spans over the strip has one decision: the values that
/// follow one path through the bytecode form a convex set when every step is affine in the
/// two values, and the rectangle's four corners are in it. That condition is checked, not
/// assumed: a run along two directions of both values at once (`followable`) must follow
/// every step, which it cannot when two moving values are multiplied. A pair that cannot be
/// followed so is tried on the points where the policy can change its mind instead, as a
/// single action is.
extension WhatIfSession {
    /// One side of a pair: its instance, the registers its value moves in the pair's applicant
    /// and the value they hold there, and its range in whole units (`0...0` with no registers
    /// for an action that searches nothing).
    struct Side {
        let instance: Instance
        var factSlots: [Int], elementSlots: [Int]
        let anchor: Int64
        let unit: Int64, kLo: Int64, kHi: Int64
        var searched: Bool { instance.searched != nil }
    }

    /// A searched field's range in whole units of its field (see `search`), nil when empty.
    func units(_ s: Instance.Searched) -> (unit: Int64, kLo: Int64, kHi: Int64)? {
        let unit = s.advances.isEmpty ? WhatIfJSON.unit(s.type) : 1
        let kLo = s.range.lowerBound / unit + (s.range.lowerBound % unit > 0 ? 1 : 0)
        let kHi = s.range.upperBound / unit - (s.range.upperBound % unit < 0 ? 1 : 0)
        return kLo <= kHi ? (unit, kLo, kHi) : nil
    }

    /// Both instances' changes laid into the decoded registers, the first then the second (an
    /// element the second adds before the first's moves it along), or nil when either cannot
    /// be laid in, or both move the same register (the pair would not be two changes).
    func placePair(_ x: Instance, _ y: Instance) -> (parts: ApplicantParts, x: Side, y: Side)? {
        guard let px = placement(x),
              let py = Placement(y, base: px.parts, widths: recordWidths, template: addTemplate(y.action, y.order)) else { return nil }
        var xElements = px.elementSlots
        if let ins = py.inserted { xElements = xElements.map { $0 >= ins.at ? $0 + ins.width : $0 } }
        guard Set(px.factSlots).isDisjoint(with: py.factSlots), Set(xElements).isDisjoint(with: py.elementSlots) else { return nil }
        func side(_ i: Instance, _ facts: [Int], _ elements: [Int], _ anchor: Int64) -> Side? {
            guard let s = i.searched else { return Side(instance: i, factSlots: [], elementSlots: [], anchor: 0, unit: 1, kLo: 0, kHi: 0) }
            guard let (unit, kLo, kHi) = units(s) else { return nil }
            return Side(instance: i, factSlots: facts, elementSlots: elements, anchor: anchor, unit: unit, kLo: kLo, kHi: kHi)
        }
        guard let sx = side(x, px.factSlots, xElements, px.anchor), let sy = side(y, py.factSlots, py.elementSlots, py.anchor) else { return nil }
        return (py.parts, sx, sy)
    }

    /// The pair's registers found by decoding: the applicant with both changes decoded at the
    /// top of both ranges, and with each side at its bottom in turn; a side's registers are
    /// the ones that move, each by exactly the value's change. For changes `placePair` cannot
    /// lay in (a string the policy does not know, a record with records inside).
    func decodePair(_ x: Instance, _ y: Instance) -> (parts: ApplicantParts, x: Side, y: Side)? {
        typealias Units = (unit: Int64, kLo: Int64, kHi: Int64)
        var ux: Units?, uy: Units?
        if let s = x.searched { guard let u = units(s) else { return nil }; ux = u }
        if let s = y.searched { guard let u = units(s) else { return nil }; uy = u }
        func json(_ kx: Int64?, _ ky: Int64?) -> JSONValue {
            let vx = kx.flatMap { k in ux.map { k &* $0.unit } }, vy = ky.flatMap { k in uy.map { k &* $0.unit } }
            return WhatIfJSON.apply(changedSteps(y, vy), to: WhatIfJSON.apply(changedSteps(x, vx), to: applicant))
        }
        guard let top = try? evaluator.decoder.decode(json(ux?.kHi, uy?.kHi)) else { return nil }
        /// The registers that move when one side goes from its top to its bottom (none when the
        /// range is one unit: the side stays at its top).
        func moved(_ kx: Int64?, _ ky: Int64?, by delta: Int64) -> (facts: [Int], elements: [Int])? {
            guard delta != 0 else { return ([], []) }
            guard let other = try? evaluator.decoder.decode(json(kx, ky)), other.facts.count == top.facts.count, other.elements.count == top.elements.count,
                  other.unknownStrings == top.unknownStrings else { return nil }
            let fs = top.facts.indices.filter { top.facts[$0] != other.facts[$0] }, es = top.elements.indices.filter { top.elements[$0] != other.elements[$0] }
            guard !(fs.isEmpty && es.isEmpty), fs.allSatisfy({ top.facts[$0] &- other.facts[$0] == delta }),
                  es.allSatisfy({ top.elements[$0] &- other.elements[$0] == delta }) else { return nil }
            return (fs, es)
        }
        func side(_ i: Instance, _ u: Units?, _ slots: (facts: [Int], elements: [Int])?) -> Side? {
            guard let u else { return Side(instance: i, factSlots: [], elementSlots: [], anchor: 0, unit: 1, kLo: 0, kHi: 0) }
            guard let slots else { return nil }
            return Side(instance: i, factSlots: slots.facts, elementSlots: slots.elements, anchor: u.kHi &* u.unit, unit: u.unit, kLo: u.kLo, kHi: u.kHi)
        }
        let mx = ux.flatMap { u in moved(u.kLo, uy?.kHi, by: (u.kHi &- u.kLo) &* u.unit) }
        let my = uy.flatMap { u in moved(ux?.kHi, u.kLo, by: (u.kHi &- u.kLo) &* u.unit) }
        guard let sx = side(x, ux, mx), let sy = side(y, uy, my),
              Set(sx.factSlots).isDisjoint(with: sy.factSlots), Set(sx.elementSlots).isDisjoint(with: sy.elementSlots) else { return nil }
        return (ApplicantParts(facts: top.facts, elements: top.elements, unknownStrings: top.unknownStrings), sx, sy)
    }

    /// `base` with a side's registers at `k` units.
    func set(_ parts: inout ApplicantParts, _ side: Side, _ k: Int64, base: ApplicantParts) {
        let shift = k &* side.unit &- side.anchor
        for i in side.factSlots where parts.facts.indices.contains(i) { parts.facts[i] = base.facts[i] &+ shift }
        for i in side.elementSlots where parts.elements.indices.contains(i) { parts.elements[i] = base.elements[i] &+ shift }
    }

    /// The best a pair of instances reaches together, when its credit gain is more than
    /// `beyond` (the better of the two alone): at the lowest value of the first side that
    /// reaches it, then the lowest of the second there. `x` comes before `y` in the bundle.
    func pair(_ x: Instance, _ y: Instance, beyond: Int64) -> WhatIfSuggestion? {
        guard let placed = placePair(x, y) ?? decodePair(x, y) else { return pairByPoints(x, y, beyond: beyond, placed: nil) }
        let base = placed.parts
        func entry(moving m: Side, other o: Side, at k: Int64) -> IntervalVM.Entry {
            var p = base
            set(&p, o, k, base: base)
            return IntervalVM.Entry(facts: p.facts, elements: p.elements, factSlots: m.factSlots, elementSlots: m.elementSlots, halfPlanes: true)
        }
        // Walk along the side with fewer pieces (each strip costs a walk of the other side).
        func count(_ m: Side, _ o: Side) -> Int { pieces(entry(moving: m, other: o, at: o.kLo), anchor: m.anchor, m.kLo, m.kHi, m.unit)?.count ?? Int.max }
        let fewerX = count(placed.x, placed.y) <= count(placed.y, placed.x)
        let a = fewerX ? placed.x : placed.y, b = fewerX ? placed.y : placed.x
        // Strips along `a`; in each, `b`'s pieces, each a rectangle with one standing.
        var rectangles: [(a0: Int64, a1: Int64, b0: Int64, standing: Standing?)] = []
        var k = a.kLo
        while k <= a.kHi {
            guard let strip = pieces(entry(moving: b, other: a, at: k), anchor: b.anchor, b.kLo, b.kHi, b.unit), rectangles.count + strip.count <= Self.maxPieces else {
                return pairByPoints(x, y, beyond: beyond, placed: placed)
            }
            var end = a.kHi
            for p in strip {
                for bk in p.k == p.end ? [p.k] : [p.k, p.end] {
                    guard let (e, _) = piece(entry(moving: a, other: b, at: bk), anchor: a.anchor, from: k, a.kHi, a.unit) else { return pairByPoints(x, y, beyond: beyond, placed: placed) }
                    end = min(end, e)
                }
                // Both values moving at once, along (1, 1) and (1, -1): every step followed.
                if a.searched && b.searched {
                    var both = base
                    set(&both, a, k, base: base)
                    set(&both, b, p.k, base: base)
                    for sign: Int64 in [1, -1] {
                        let slopes = [Int64](repeating: 1, count: a.factSlots.count) + [Int64](repeating: sign, count: b.factSlots.count)
                            + [Int64](repeating: 1, count: a.elementSlots.count) + [Int64](repeating: sign, count: b.elementSlots.count)
                        let e = IntervalVM.Entry(facts: both.facts, elements: both.elements, factSlots: a.factSlots + b.factSlots,
                                                 elementSlots: a.elementSlots + b.elementSlots, slopes: slopes, halfPlanes: true)
                        guard followable(e) else { return pairByPoints(x, y, beyond: beyond, placed: placed) }
                    }
                }
            }
            for p in strip { rectangles.append((k, end, p.k, p.standing)) }
            if end == a.kHi { break }
            k = end &+ 1
        }
        // The most credit any rectangle reaches beyond both actions alone, then the outcome
        // furthest along; several results may share them (the same uplift capped by one cap
        // or another), and the lowest point reaching any of them decides which is reported.
        let qualifying = rectangles.compactMap { r in r.standing.map { (r, $0) } }.filter { $0.1.improves(on: baseline) && $0.1.realised &- baseline.realised > beyond }
        guard let top = qualifying.map({ ($0.1.realised, $0.1.rank) }).max(by: { $0 < $1 }) else { return nil }
        let hits = qualifying.filter { $0.1.realised == top.0 && $0.1.rank == top.1 }
        // Lowest first: the side whose value the person reads (months, a ceiling), else `x`.
        // Strips and pieces tile the plane, so the lowest value of the first side is the lowest
        // start of a rectangle reaching the best along it; the second side's, among those
        // rectangles that hold that value.
        let aFirst = (y.showsValue && !x.showsValue) != fewerX
        let chosen: (a0: Int64, a1: Int64, b0: Int64, standing: Standing?)?
        let ka: Int64, kb: Int64
        if aFirst {
            ka = hits.map(\.0.a0).min() ?? a.kLo
            chosen = hits.filter { $0.0.a0 <= ka && ka <= $0.0.a1 }.min { $0.0.b0 < $1.0.b0 }?.0
            kb = chosen?.b0 ?? b.kLo
        } else {
            kb = hits.map(\.0.b0).min() ?? b.kLo
            chosen = hits.filter { $0.0.b0 == kb }.min { $0.0.a0 < $1.0.a0 }?.0
            ka = chosen?.a0 ?? a.kLo
        }
        guard let best = chosen?.standing else { return nil }
        var p = base
        set(&p, a, ka, base: base)
        set(&p, b, kb, base: base)
        // The VM's own decision there; should it differ, the pair is tried on points.
        guard let d = try? evaluator.evaluate(Applicant(p)), Standing(d) == best else { return pairByPoints(x, y, beyond: beyond, placed: placed) }
        return pairSuggestion(x, fewerX ? ka : kb, y, fewerX ? kb : ka, d)
    }

    /// A pair tried on each side's points (its policy's constants, one unit either side, the
    /// range's ends): for a pair the pieces cannot follow. Decided on the registers when both
    /// changes could be laid in (`placed`), else on changed records. The lowest point of the
    /// first side reaching the best result, then of the second there, each brought down by
    /// bisection to one unit above a value that does not reach it.
    func pairByPoints(_ x: Instance, _ y: Instance, beyond: Int64, placed: (parts: ApplicantParts, x: Side, y: Side)?) -> WhatIfSuggestion? {
        func axis(_ i: Instance) -> (unit: Int64, ks: [Int64?])? {
            guard let s = i.searched else { return (1, [nil]) }
            guard let (unit, kLo, kHi) = units(s) else { return nil }
            var ks = points(i, s, kLo, kHi, unit)
            // At most 32 points a side: the ends and an even spread between.
            if ks.count > 32 { ks = (0..<32).map { ks[$0 * (ks.count - 1) / 31] } }
            return (unit, ks)
        }
        guard let ax = axis(x), let ay = axis(y) else { return nil }
        let swap = y.showsValue && !x.showsValue
        func decideAt(_ kx: Int64?, _ ky: Int64?) -> Decision? {
            if let placed {
                var p = placed.parts
                if let kx { set(&p, placed.x, kx, base: placed.parts) }
                if let ky { set(&p, placed.y, ky, base: placed.parts) }
                return try? evaluator.evaluate(Applicant(p))
            }
            let vx = kx.map { $0 &* ax.unit }, vy = ky.map { $0 &* ay.unit }
            return decide(WhatIfJSON.apply(changedSteps(y, vy), to: WhatIfJSON.apply(changedSteps(x, vx), to: applicant)))
        }
        // Lexicographic order: the first side (the shown one, else `x`) lowest first.
        var grid: [(kx: Int64?, ky: Int64?, standing: Standing)] = []
        let outer = swap ? ay.ks : ax.ks, inner = swap ? ax.ks : ay.ks
        for o in outer {
            for i in inner {
                let (kx, ky) = swap ? (i, o) : (o, i)
                if let d = decideAt(kx, ky) { grid.append((kx, ky, Standing(d))) }
            }
        }
        // The most credit, then the outcome furthest along; of the results that share them, the
        // one at the lowest point (the grid is in that order).
        let qualifying = grid.filter { $0.standing.improves(on: baseline) && $0.standing.realised &- baseline.realised > beyond }
        guard let top = qualifying.map({ ($0.standing.realised, $0.standing.rank) }).max(by: { $0 < $1 }),
              let first = qualifying.first(where: { $0.standing.realised == top.0 && $0.standing.rank == top.1 }) else { return nil }
        let best = first.standing
        var kx = first.kx, ky = first.ky
        /// Down by bisection to one unit above the point below on the same side that misses.
        func lower(_ k: Int64?, _ ks: [Int64?], _ reach: (Int64) -> Bool) -> Int64? {
            guard let k, let i = ks.firstIndex(where: { $0 == k }), i > 0, let below = ks[i - 1] else { return k }
            var hit = k, miss = below
            // `hit - miss` as an unsigned distance: no range is too wide to halve.
            while UInt64(bitPattern: hit &- miss) > 1 {
                let mid = miss &+ Int64(bitPattern: UInt64(bitPattern: hit &- miss) / 2)
                if reach(mid) { hit = mid } else { miss = mid }
            }
            return hit
        }
        let reaches = { (d: Decision?) in d.map { Standing($0) == best } ?? false }
        if swap {
            ky = lower(ky, ay.ks) { reaches(decideAt(kx, $0)) }
            kx = lower(kx, ax.ks) { reaches(decideAt($0, ky)) }
        } else {
            kx = lower(kx, ax.ks) { reaches(decideAt($0, ky)) }
            ky = lower(ky, ay.ks) { reaches(decideAt(kx, $0)) }
        }
        guard let d = decideAt(kx, ky), Standing(d) == best else { return nil }
        return pairSuggestion(x, kx, y, ky, d)
    }

    /// The suggestion for `x` at `kx` units and `y` at `ky` together, promising `d` (the VM's
    /// decision on that applicant); the sentence says both, in the bundle's order.
    func pairSuggestion(_ x: Instance, _ kx: Int64?, _ y: Instance, _ ky: Int64?, _ d: Decision) -> WhatIfSuggestion {
        func raw(_ i: Instance, _ k: Int64?) -> Int64? {
            guard let k, let s = i.searched, let u = units(s) else { return nil }
            return k &* u.unit
        }
        func words(_ i: Instance, _ v: Int64?) -> String {
            guard i.showsValue, let v, let s = i.searched else { return i.words(nil) }
            return i.words(s.advances.isEmpty ? WhatIfJSON.text(v, s.type) : String(v))
        }
        let vx = raw(x, kx), vy = raw(y, ky)
        let (cleared, added) = reasonChange(d)
        return WhatIfSuggestion(action: "\(x.action.name)+\(y.action.name)", says: "\(words(x, vx)), and \(words(y, vy))", value: nil,
                                valueIsShown: false, original: applicant, batches: [changedSteps(x, vx), changedSteps(y, vy)], decision: d,
                                gain: Standing(d).realised &- baseline.realised, cleared: cleared, added: added, order: min(x.order, y.order))
    }
}
