@_spi(Engine) import UpliftCompiler
import UpliftSyntax

/// The bytecode run on one applicant while one input value `v` is followed: the decision at
/// `v`, and the widest range of values around `v` on which every branch, lookup, winner of a
/// `min` or `max`, band and rounding goes the same way, so the decision is the same for every
/// value in it. A what-if walks a searched field's range piece by piece with it, one evaluation
/// per distinct piece, instead of trying values (`WhatIfSession.pieces`).
///
/// Each register, stack word and element carries, beside its value at `v`, its slope: how much
/// it moves per unit of `v` (the searched field itself has slope 1; a constant 0). Additions,
/// subtractions and products with a constant keep values affine in `v`; a comparison of a
/// moving value narrows the range to where its answer holds (exactly, by integer division);
/// a band, a rounding, a `min` or `max` narrows the range to where it gives the same result
/// (or the same winner), after which the value is affine again. What cannot be followed
/// exactly (two moving values multiplied, a moving lookup key, a moving 128-bit step other
/// than `3 * income - limit`, a moving decrease) makes the run `unsupported`, and the caller
/// falls back to trying values. The VM itself is untouched: this is a second, slower
/// interpreter of the same instructions, used only for what-ifs, and the differential tests
/// hold it to the VM (`WhatIfTests`).
package enum IntervalVM {
    /// Each opcode by its raw value (nil where none has it), made once.
    static let opcodes: [Opcode?] = {
        let top = Int(Opcode.allCases.map(\.rawValue).max() ?? 0)
        return (0...max(0, top)).map { Opcode(rawValue: Int32($0)) }
    }()

    /// A catalogue lookup of the watched element word (`Entry.watch`): the lookup
    /// instruction's position and its answer (1 or 0 for membership, else the column read).
    package struct Lookup: Equatable {
        package var pc: Int
        package var answer: Int64
    }

    /// What a run found. The registers it left are read in place (`Tracer.withRegisters`).
    package struct Result {
        /// The range of `v` on which the decision is the same; meaningful when `supported`.
        package var lo: Int64, hi: Int64
        /// False when a value could not be followed exactly (see the type's comment) or the
        /// evaluation faulted.
        package var supported: Bool
        /// The uplift's slope: 0 when it is the same over the range.
        package var upliftSlope: Int64
    }

    /// Where `v` enters: fact registers and element slots that hold `v` (slope 1), each at
    /// `value(v)`; everything else is as decoded.
    package struct Entry {
        package var facts: [Int64]
        package var elements: [Int64]
        package var factSlots: [Int]
        package var elementSlots: [Int]
        /// The slots' slopes, in the order of `factSlots` then `elementSlots`; empty: all 1. A
        /// run along a direction of two values (a pair's check, `WhatIfSession.pair`) moves
        /// some slots by -1.
        package var slopes: [Int64] = []
        /// Keep every range a half-plane of the values: an `==` or `!=` that does not hold is
        /// kept on its side (`a < b` or `a > b`), not merely off the one value where it would
        /// hold. In one value both are intervals; in a pair's plane "not on a line" is not
        /// convex, and the pair's rectangles rely on convexity (`WhatIfSession.pair`).
        package var halfPlanes = false
        /// An element word to listen to (-1: none): the run then records each catalogue lookup
        /// of it and its answer (`Run.heard`), and notes any other read (`Run.heardOtherwise`).
        /// Two entries that differ only in that word, whose values give each recorded lookup
        /// the same answer, run the same way step for step (`WhatIfSession.piece`).
        package var watch = -1
    }

    /// Runs `program` piece after piece, on one entry after another: the buffers are made once
    /// per what-if (sized for the largest applicant it will see) and reused by every run, so a
    /// run allocates nothing.
    package struct Tracer {
        var state: Run
        let program: Program

        /// A tracer for entries with at most `elements` element words.
        package init(_ program: Program, elements: Int) {
            self.program = program
            state = Run(program: program, elementCapacity: elements)
        }

        /// The run at `v` on `entry`, whose slots hold `anchor` as decoded (each slot's value is
        /// its decoded value plus `v - anchor`), the range kept within `lo...hi`. An entry with
        /// more element words than the tracer was made for is unsupported.
        package mutating func run(_ entry: Entry, anchor: Int64, at v: Int64, within lo: Int64, _ hi: Int64) -> Result {
            guard state.reset(v0: v, lo: lo, hi: hi, shift: v &- anchor, entry) else { return Result(lo: v, hi: v, supported: false, upliftSlope: 0) }
            state.go(program)
            let u = state.upliftSlot
            return Result(lo: state.lo, hi: state.hi, supported: state.supported, upliftSlope: u >= 0 && u < state.regCount ? state.rs[u] : 0)
        }

        /// How many element words an entry may have.
        package var capacity: Int { state.elementCapacity }

        /// The last run's lookups of the watched word (`Entry.watch`): where each is in the
        /// code and what it answered.
        package var heard: [Lookup] { state.heard }
        /// Whether the last run read the watched word other than through a catalogue lookup.
        package var heardOtherwise: Bool { state.heardOtherwise }

        /// The registers the last run left, read in place.
        package func withRegisters<R>(_ body: (UnsafeBufferPointer<Int64>) -> R) -> R {
            body(UnsafeBufferPointer(start: state.reg, count: state.regCount))
        }
    }

    /// One run's state: values and slopes of registers, stack and elements, and the range.
    struct Run {
        let factCount: Int, upliftSlot: Int
        var v0: Int64
        var lo: Int64, hi: Int64
        var supported = true
        /// The run's memory, made once per tracer (see `Buffers`).
        /// Owns the memory the pointers below point into; the pointers are stored, not read
        /// through it, so that using them never touches a reference count.
        let buffers: Buffers
        let reg, rs, stack, ss, elements, es: UnsafeMutablePointer<Int64>
        let memo: UnsafeMutablePointer<UInt64>
        let regCount, stackCount, elementCapacity: Int
        /// The element words and memo entries of the entry being run.
        var elementCount = 0, memoCount = 0
        let memoizes: Bool
        /// See `Entry.halfPlanes`.
        var halfPlanes = false
        /// See `Entry.watch`.
        var watch = -1
        var heard: [Lookup] = []
        var heardOtherwise = false
        /// Each opcode by its raw value, looked up once per instruction (`Opcode(rawValue:)` on
        /// an enum of another module is a call).
        let opcodes: [Opcode?]
        var sp = 0

        init(program: Program, elementCapacity: Int) {
            factCount = program.layout.factCount
            upliftSlot = program.layout.upliftSlot
            v0 = 0; lo = 0; hi = 0
            let b = Buffers(registers: program.registerCount, stack: program.stackSize + 4, elements: elementCapacity)
            buffers = b
            reg = b.reg; rs = b.rs; stack = b.stack; ss = b.ss; self.elements = b.elements; es = b.es; memo = b.memo
            regCount = b.regCount; stackCount = b.stackCount; self.elementCapacity = b.elementCount
            memoizes = program.memoizedFilters > 0
            opcodes = IntervalVM.opcodes
        }

        /// Ready for a run at `v0` on `entry`: registers zeroed and the facts copied in (facts
        /// first, as the evaluator lays them), the elements copied, the searched slots moved by
        /// `shift`, slopes and memo cleared. False when the entry does not fit the buffers.
        mutating func reset(v0: Int64, lo: Int64, hi: Int64, shift: Int64, _ entry: Entry) -> Bool {
            guard entry.elements.count <= elementCapacity,
                  entry.slopes.isEmpty || entry.slopes.count == entry.factSlots.count + entry.elementSlots.count else { return false }
            halfPlanes = entry.halfPlanes
            watch = entry.watch
            heard.removeAll(keepingCapacity: true)
            heardOtherwise = false
            self.v0 = v0; self.lo = lo; self.hi = hi
            supported = true
            sp = 0
            let n = regCount, factCount = min(entry.facts.count, self.factCount, n)
            entry.facts.withUnsafeBufferPointer { f in
                for i in 0..<factCount { reg[i] = f[i] }
            }
            for i in factCount..<max(factCount, n) { reg[i] = 0 }
            rs.update(repeating: 0, count: n)
            elementCount = entry.elements.count
            entry.elements.withUnsafeBufferPointer { e in
                for i in 0..<elementCount { elements[i] = e[i] }
            }
            es.update(repeating: 0, count: elementCount)
            let slopes = entry.slopes, sloped = !slopes.isEmpty
            for (j, i) in entry.factSlots.enumerated() where i >= 0 && i < factCount {
                let s = sloped ? slopes[j] : 1
                reg[i] = entry.facts[i] &+ shift &* s; rs[i] = s
            }
            for (j, i) in entry.elementSlots.enumerated() where i >= 0 && i < elementCount {
                let s = sloped ? slopes[entry.factSlots.count + j] : 1
                elements[i] = entry.elements[i] &+ shift &* s; es[i] = s
            }
            memoCount = memoizes ? elementCount : 0
            memo.update(repeating: 0, count: memoCount)
            return true
        }

        // MARK: Narrowing

        /// Narrows the range so that `d0 + sd·t ≥ c` (t = v' − v) keeps the truth it has at t = 0.
        mutating func keepAtLeast(_ d0: Int128, _ sd: Int128, _ c: Int128) {
            guard sd != 0 else { return }
            let holds = d0 >= c
            var tlo = Int128(lo) - Int128(v0), thi = Int128(hi) - Int128(v0)
            if sd > 0 {
                // True exactly from t_c = ⌈(c − d0) / sd⌉ on.
                let tc = Self.ceilDiv(c - d0, sd)
                if holds { tlo = Swift.max(tlo, tc) } else { thi = Swift.min(thi, tc - 1) }
            } else {
                // True exactly up to t_f = ⌊(c − d0) / sd⌋.
                let tf = Self.floorDiv(c - d0, sd)
                if holds { thi = Swift.min(thi, tf) } else { tlo = Swift.max(tlo, tf + 1) }
            }
            setRange(tlo, thi)
        }

        /// Narrows so that `r + s·t` stays a 64-bit value above the missing marker, as the VM
        /// requires of every result (beyond, it faults): no piece reaches a value where the VM
        /// would stop.
        @inline(never)
        mutating func keepRepresentable(_ r: Int64, _ s: Int64) {
            guard s != 0 else { return }
            keepAtLeast(Int128(r), Int128(s), Int128(Int64.min) + 1)
            keepAtLeast(Int128(r), Int128(s), Int128(Int64.max) + 1)
        }

        mutating func setRange(_ tlo: Int128, _ thi: Int128) {
            let l = Int128(v0) + tlo, h = Int128(v0) + thi
            // The run itself is at t = 0, so the range never loses v: each end is clamped to it
            // (and so to 64 bits) whatever the narrowing computed.
            if l > Int128(lo) { lo = Int64(clamping: Swift.min(l, Int128(v0))) }
            if h < Int128(hi) { hi = Int64(clamping: Swift.max(h, Int128(v0))) }
        }

        /// Narrows so that `a ⋄ b` keeps its answer; `op` is the comparison's opcode family
        /// (eq, ne, lt, le, gt, ge in that order, 0–5).
        @inline(__always)
        mutating func keep(_ op: Int, _ a: Int64, _ sa: Int64, _ b: Int64, _ sb: Int64) {
            if sa != sb { narrow(op, a, sa, b, sb) }
        }

        /// `keep` of a comparison whose sides move apart: the work, out of the loop's way.
        @inline(never)
        mutating func narrow(_ op: Int, _ a: Int64, _ sa: Int64, _ b: Int64, _ sb: Int64) {
            let sd = Int128(sa) - Int128(sb)
            let d0 = Int128(a) - Int128(b)
            switch op {
            case 0, 1:
                // Equal at one t at most: the zero of d0 + sd·t.
                if d0 == 0 { lo = v0; hi = v0; return }
                // Unequal, kept on its side: a − b ≥ 1, or b − a ≥ 1.
                if halfPlanes { d0 > 0 ? keepAtLeast(d0, sd, 1) : keepAtLeast(-d0, -sd, 1); return }
                guard (-d0) % sd == 0 else { return }
                let tz = (-d0) / sd
                if tz > 0 { setRange(Int128(lo) - Int128(v0), tz - 1) } else { setRange(tz + 1, Int128(hi) - Int128(v0)) }
            case 2, 5: keepAtLeast(d0, sd, 0)  // a < b is a − b ≥ 0 false
            default: keepAtLeast(d0, sd, 1)  // a ≤ b is a − b ≥ 1 false
            }
        }

        /// Narrows so that `f`, monotone in t, gives at every t of the range what it gives at
        /// t = 0 (a rounding, a product or quotient of a moving value with a constant): binary
        /// search for each end.
        mutating func keepSame(_ f: (Int128) -> Int64?) {
            let at0 = f(0)
            let tlo = Int128(lo) - Int128(v0), thi = Int128(hi) - Int128(v0)
            // Highest t ≤ thi with f(t) == f(0).
            var good: Int128 = 0, bad = thi + 1
            var step: Int128 = 1
            while good + step < bad {
                if f(good + step) == at0 { good += step; step *= 2 } else { bad = good + step; break }
            }
            while bad - good > 1 {
                let mid = good + (bad - good) / 2
                if f(mid) == at0 { good = mid } else { bad = mid }
            }
            var goodLow: Int128 = 0, badLow = tlo - 1
            step = 1
            while goodLow - step > badLow {
                if f(goodLow - step) == at0 { goodLow -= step; step *= 2 } else { badLow = goodLow - step; break }
            }
            while goodLow - badLow > 1 {
                let mid = goodLow - (goodLow - badLow) / 2
                if f(mid) == at0 { goodLow = mid } else { badLow = mid }
            }
            setRange(goodLow, good)
        }

        /// `x + s·t` when it is a 64-bit value.
        static func at(_ x: Int64, _ s: Int64, _ t: Int128) -> Int64? {
            let v = Int128(x) + Int128(s) * t
            return v >= Int128(Int64.min) && v <= Int128(Int64.max) ? Int64(v) : nil
        }

        static func floorDiv(_ n: Int128, _ d: Int128) -> Int128 {
            let q = n / d
            return (n % d != 0) && ((n < 0) != (d < 0)) ? q - 1 : q
        }

        static func ceilDiv(_ n: Int128, _ d: Int128) -> Int128 { -floorDiv(-n, d) }

        /// `a · b` of slopes, or unsupported.
        mutating func product(_ a: Int64, _ b: Int64) -> Int64 {
            let (r, o) = a.multipliedReportingOverflow(by: b)
            if o { supported = false; return 0 }
            return r
        }

        /// `a - b` of slopes, or unsupported (never `a + (-b)`: `-Int64.min` traps).
        mutating func difference(_ a: Int64, _ b: Int64) -> Int64 {
            let (r, o) = a.subtractingReportingOverflow(b)
            if o { supported = false; return 0 }
            return r
        }

        mutating func sum(_ a: Int64, _ b: Int64) -> Int64 {
            let (r, o) = a.addingReportingOverflow(b)
            if o { supported = false; return 0 }
            return r
        }

        // MARK: Stack

        // Unchecked, as the VM's stack is: the compiler sizes the stack (`Program.stackSize`,
        // with four words more for `wide` steps) and balances every push with a pop.
        @inline(__always)
        mutating func push(_ v: Int64, _ s: Int64) {
            stack[sp] = v; ss[sp] = s; sp &+= 1
        }

        @inline(__always)
        mutating func pop() -> (Int64, Int64) {
            sp &-= 1
            return (stack[sp], ss[sp])
        }


        @inline(__always)
        mutating func element(_ i: Int) -> (Int64, Int64) {
            if i == watch { heardOtherwise = true }
            return i >= 0 && i < elementCount ? (elements[i], es[i]) : (Program.missing, 0)
        }

        /// The key a catalogue lookup of element word `i` reads (missing outside the list); a
        /// moving key makes the run unsupported. A lookup of the watched word is recorded by
        /// the caller.
        @inline(__always)
        mutating func lookupKey(_ i: Int) -> Int64 {
            guard i >= 0 && i < elementCount else { return Program.missing }
            if es[i] != 0 { supported = false }
            return elements[i]
        }

        /// An element read where only its value at `v` is used (a key, a flag): a moving one
        /// cannot be followed.
        @inline(__always)
        mutating func still(_ i: Int) -> Int64 {
            let (v, s) = element(i)
            if s != 0 { supported = false }
            return v
        }

        mutating func regIndex(_ x: Int32) -> Int? {
            let i = Int(x)
            return i >= 0 && i < regCount ? i : nil
        }

        // MARK: The loop

        mutating func go(_ program: Program) {
            program.code.withUnsafeBufferPointer { code in
                program.constants.withUnsafeBufferPointer { constants in
                    program.tableData.withUnsafeBufferPointer { data in loop(code, constants, data) }
                }
            }
        }

        /// The interpreter's loop. The program is the compiler's, as the VM's is: its operands
        /// name registers, constants, stack depths and jump targets inside the program, so they
        /// are read unchecked, exactly as the VM reads them, and a run costs a few times a
        /// decision rather than ten. What comes from the applicant (an element's index, a
        /// lookup key, a table row) is checked, as in the VM. A comparison, sum or product of
        /// still values (slope 0, nearly every step) takes no narrowing work at all.
        mutating func loop(_ code: UnsafeBufferPointer<Int32>, _ constants: UnsafeBufferPointer<Int64>, _ data: UnsafeBufferPointer<Int64>) {
            guard let cp = code.baseAddress, !code.isEmpty else { supported = false; return }
            let missing = Program.missing
            let eqRaw = Self.eqRaw, eqRKRaw = Self.eqRKRaw, eqKRaw = Self.eqKRaw
            let jumpIfEqRKRaw = Self.jumpIfEqRKRaw, jumpIfEqKRaw = Self.jumpIfEqKRaw, jumpIfEqRaw = Self.jumpIfEqRaw
            let reg = self.reg, rs = self.rs, opcodeCount = UInt32(truncatingIfNeeded: opcodes.count)
            var pc = 0
            /// The operand at `k`, as a register, a count or a target.
            func r(_ k: Int) -> Int { Int(cp[k]) }
            func k(_ k: Int) -> Int64 { constants[Int(cp[k])] }
            func d(_ i: Int) -> Int64 { data.indices.contains(i) ? data[i] : 0 }
            while supported {
                let raw = cp[pc]
                guard UInt32(bitPattern: raw) < opcodeCount, let op = opcodes[Int(raw)] else { supported = false; return }
                pc &+= 1
                switch op {
                case .halt:
                    return
                case .const: push(k(pc), 0); pc &+= 1
                case .load:
                    let i = r(pc)
                    push(reg[i], rs[i]); pc &+= 1
                case .store:
                    let i = r(pc), (v, s) = pop()
                    reg[i] = v; rs[i] = s; pc &+= 1
                case .setConst:
                    let i = r(pc)
                    reg[i] = k(pc &+ 1); rs[i] = 0; pc &+= 2
                case .move:
                    let i = r(pc), j = r(pc &+ 1)
                    reg[i] = reg[j]; rs[i] = rs[j]; pc &+= 2
                case .element:
                    let (v, s) = element(Int(reg[r(pc)]) &+ r(pc &+ 1))
                    push(v, s); pc &+= 2
                case .add, .sub, .daysBetween:
                    let (b, sb) = pop(), (a, sa) = pop()
                    let result: Int64?, s: Int64
                    switch op {
                    case .add: result = FixedMath.add(a, b); s = sum(sa, sb)
                    case .sub: result = FixedMath.sub(a, b); s = difference(sa, sb)
                    default: result = FixedMath.sub(b, a); s = difference(sb, sa)
                    }
                    guard let result else { supported = false; return }
                    if s != 0 { keepRepresentable(result, s) }
                    push(result, s)
                case .mulInt:
                    let (b, sb) = pop(), (a, sa) = pop()
                    guard sa == 0 || sb == 0, let result = FixedMath.mulInt(a, b) else { supported = false; return }
                    let slope = sa != 0 ? product(sa, b) : sb != 0 ? product(sb, a) : 0
                    if slope != 0 { keepRepresentable(result, slope) }
                    push(result, slope)
                case .mulFixed, .divFixed:
                    let (b, sb) = pop(), (a, sa) = pop()
                    guard sb == 0, let result = op == .mulFixed ? FixedMath.mulFixed(a, b) : (b == 0 ? nil : FixedMath.divFixed(a, b)) else { supported = false; return }
                    if sa != 0 {
                        keepSame { t in Self.at(a, sa, t).flatMap { op == .mulFixed ? FixedMath.mulFixed($0, b) : FixedMath.divFixed($0, b) } }
                    }
                    push(result, 0)
                case .negate:
                    let (a, sa) = pop()
                    guard a != missing, sa != Int64.min else { supported = false; return }
                    push(-a, -sa)
                case .toFixed:
                    let (a, sa) = pop()
                    guard let result = FixedMath.mulInt(a, FixedDecimal.scale) else { supported = false; return }
                    let slope = sa != 0 ? product(sa, FixedDecimal.scale) : 0
                    if slope != 0 { keepRepresentable(result, slope) }
                    push(result, slope)
                case .abs:
                    let (a, sa) = pop()
                    guard a != missing, sa != Int64.min else { supported = false; return }
                    keep(5, a, sa, 0, 0)
                    push(Swift.abs(a), a < 0 ? -sa : sa)
                case .eq, .ne, .lt, .le, .gt, .ge:
                    let (b, sb) = pop(), (a, sa) = pop()
                    let family = Int(raw &- eqRaw)
                    keep(family, a, sa, b, sb)
                    push(Self.compare(family, a, b) ? 1 : 0, 0)
                case .eqRK, .neRK, .ltRK, .leRK, .gtRK, .geRK:
                    let i = r(pc), family = Int(raw &- eqRKRaw), b = k(pc &+ 1)
                    keep(family, reg[i], rs[i], b, 0)
                    push(Self.compare(family, reg[i], b) ? 1 : 0, 0); pc &+= 2
                case .eqK, .neK, .ltK, .leK, .gtK, .geK:
                    let (a, sa) = pop()
                    let family = Int(raw &- eqKRaw), b = k(pc)
                    keep(family, a, sa, b, 0)
                    push(Self.compare(family, a, b) ? 1 : 0, 0); pc &+= 1
                case .jumpIfEqRK, .jumpIfNeRK, .jumpIfLtRK, .jumpIfLeRK, .jumpIfGtRK, .jumpIfGeRK:
                    let i = r(pc), family = Int(raw &- jumpIfEqRKRaw), b = k(pc &+ 1)
                    keep(family, reg[i], rs[i], b, 0)
                    pc = Self.compare(family, reg[i], b) ? r(pc &+ 2) : pc &+ 3
                case .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK:
                    let (a, sa) = pop()
                    let family = Int(raw &- jumpIfEqKRaw), b = k(pc)
                    keep(family, a, sa, b, 0)
                    pc = Self.compare(family, a, b) ? r(pc &+ 1) : pc &+ 2
                case .jumpIfEq, .jumpIfNe, .jumpIfLt, .jumpIfLe, .jumpIfGt, .jumpIfGe:
                    let (b, sb) = pop(), (a, sa) = pop()
                    let family = Int(raw &- jumpIfEqRaw)
                    keep(family, a, sa, b, sb)
                    pc = Self.compare(family, a, b) ? r(pc) : pc &+ 1
                case .not:
                    let (a, _) = pop(); push(a == 0 ? 1 : 0, 0)
                case .jump:
                    pc = r(pc)
                case .jumpIfFalse:
                    let (a, _) = pop()
                    pc = a == 0 ? r(pc) : pc &+ 1
                case .jumpIfTrue:
                    let (a, _) = pop()
                    pc = a != 0 ? r(pc) : pc &+ 1
                case .jumpIfFalseOrPop, .jumpIfTrueOrPop, .jumpIfPresentOrPop:
                    let top = stack[sp &- 1]
                    let jumps = op == .jumpIfFalseOrPop ? top == 0 : op == .jumpIfTrueOrPop ? top != 0 : top != missing
                    if jumps { pc = r(pc) } else { sp &-= 1; pc &+= 1 }
                case .isMissing:
                    let (a, _) = pop(); push(a == missing ? 1 : 0, 0)
                case .isMissingR:
                    push(reg[r(pc)] == missing ? 1 : 0, 0); pc &+= 1
                case .isPresentR:
                    push(reg[r(pc)] != missing ? 1 : 0, 0); pc &+= 1
                case .jumpIfMissingR:
                    pc = reg[r(pc)] == missing ? r(pc &+ 1) : pc &+ 2
                case .jumpIfPresentR:
                    pc = reg[r(pc)] != missing ? r(pc &+ 1) : pc &+ 2
                case .increment:
                    let i = r(pc)
                    guard let v = FixedMath.add(reg[i], 1) else { supported = false; return }
                    reg[i] = v; pc &+= 1
                case .memoTest:
                    let i = Int(reg[r(pc)]), bit = UInt64(truncatingIfNeeded: cp[pc &+ 1]) &* 2
                    if i >= 0 && i < memoCount && memo[i] & (1 &<< bit) != 0 {
                        pc = memo[i] & (2 &<< bit) != 0 ? r(pc &+ 3) : r(pc &+ 2)
                    } else {
                        pc &+= 4
                    }
                case .memoKeep, .memoDrop:
                    let i = Int(reg[r(pc)])
                    if i >= 0 && i < memoCount { memo[i] |= (op == .memoKeep ? 3 : 1) &<< (UInt64(truncatingIfNeeded: cp[pc &+ 1]) &* 2) }
                    pc = r(pc &+ 2)
                case .jumpIfElementTrue, .jumpIfElementFalse, .jumpIfElementMissing, .jumpIfElementPresent:
                    let i = Int(reg[r(pc)]) &+ r(pc &+ 1)
                    let inside = i >= 0 && i < elementCount
                    let v = inside ? still(i) : missing
                    let jumps: Bool
                    switch op {
                    case .jumpIfElementTrue: jumps = !inside || v != 0
                    case .jumpIfElementFalse: jumps = inside && v == 0
                    case .jumpIfElementMissing: jumps = !inside || v == missing
                    default: jumps = inside && v != missing
                    }
                    pc = jumps ? r(pc &+ 2) : pc &+ 3
                case .jumpIfElementInCatalogue, .jumpIfElementNotInCatalogue:
                    let i = Int(reg[r(pc)]) &+ r(pc &+ 1)
                    let found = Self.found(lookupKey(i), cp[pc &+ 2], cp[pc &+ 3], data)
                    if i == watch && watch >= 0 { heard.append(Lookup(pc: pc &- 1, answer: found ? 1 : 0)) }
                    pc = found == (op == .jumpIfElementInCatalogue) ? r(pc &+ 4) : pc &+ 5
                case .catalogueHas:
                    let (key, s) = pop()
                    if s != 0 { supported = false; return }
                    push(key >= 0 && key < Int64(cp[pc &+ 1]) && d(r(pc) &+ Int(key)) >= 0 ? 1 : 0, 0); pc &+= 2
                case .catalogueGet:
                    let (key, s) = pop()
                    if s != 0 { supported = false; return }
                    push(Self.catalogue(key, cp[pc], cp[pc &+ 1], cp[pc &+ 2], cp[pc &+ 3], cp[pc &+ 4], data), 0); pc &+= 5
                case .catalogueGetElement:
                    let i = Int(reg[r(pc)]) &+ r(pc &+ 1)
                    let value = Self.catalogue(lookupKey(i), cp[pc &+ 2], cp[pc &+ 3], cp[pc &+ 4], cp[pc &+ 5], cp[pc &+ 6], data)
                    if i == watch && watch >= 0 { heard.append(Lookup(pc: pc &- 1, answer: value)) }
                    push(value, 0); pc &+= 7
                case .tableColumn:
                    let row = r(pc)
                    guard rs[row] == 0 else { supported = false; return }
                    push(d(r(pc &+ 1) &+ Int(truncatingIfNeeded: reg[row]) &* r(pc &+ 2) &+ r(pc &+ 3)), 0); pc &+= 4
                case .band:
                    let (x, sx) = pop()
                    let lowers = r(pc), count = r(pc &+ 1), upper = k(pc &+ 2), slot = r(pc &+ 3)
                    guard count > 0, x >= d(lowers), x <= upper else { supported = false; return }
                    var j = count &- 1
                    while j > 0 && d(lowers &+ j) > x { j &-= 1 }
                    // The same band: at or above its lower bound, below the next one's, within the last.
                    if sx != 0 {
                        keep(5, x, sx, d(lowers &+ j), 0)
                        if j &+ 1 < count { keep(2, x, sx, d(lowers &+ j &+ 1), 0) }
                        keep(3, x, sx, upper, 0)
                    }
                    reg[slot] = Int64(j); rs[slot] = 0; pc &+= 4
                case .min, .max, .minPresent, .maxPresent:
                    let (b, sb) = pop(), (a, sa) = pop()
                    if (op == .minPresent || op == .maxPresent) && (a == missing || b == missing) {
                        a == missing ? push(b, sb) : push(a, sa)
                    } else {
                        let first = minMax(op == .min || op == .minPresent, a, sa, b, sb)
                        push(first.0, first.1)
                    }
                case .roundDown, .roundUp, .roundNearest, .roundMode:
                    let (step, sstep) = pop(), (x, sx) = pop()
                    let mode: RoundingMode? = op == .roundDown ? .down : op == .roundUp ? .up : op == .roundNearest ? .halfUp : RoundingMode(code: cp[pc])
                    guard sstep == 0, let mode, let rounded = FixedMath.round(x, step: step, mode: mode) else { supported = false; return }
                    if sx != 0 { keepSame { t in Self.at(x, sx, t).flatMap { FixedMath.round($0, step: step, mode: mode) } } }
                    push(rounded, 0)
                    if op == .roundMode { pc &+= 1 }
                case .iterate:
                    let l = r(pc), a = r(pc &+ 1), b = r(pc &+ 2)
                    let descriptor = reg[l]
                    let first = descriptor >> 32, count = descriptor & 0xFFFF_FFFF
                    reg[a] = first; rs[a] = 0
                    reg[b] = first &+ count &* Int64(cp[pc &+ 3]); rs[b] = 0
                    pc = count == 0 ? r(pc &+ 4) : pc &+ 5
                case .next:
                    let a = r(pc), b = r(pc &+ 1)
                    reg[a] &+= Int64(cp[pc &+ 2])
                    pc = reg[a] < reg[b] ? r(pc &+ 3) : pc &+ 4
                case .groupCombine:
                    let (value, sv) = pop(), (key, skey) = pop()
                    let base = r(pc), kind = cp[pc &+ 1], domain = Int64(cp[pc &+ 2])
                    pc &+= 3
                    if skey != 0 { supported = false; return }
                    guard key >= 0 && key < domain else { continue }
                    guard let slot = regIndex(Int32(truncatingIfNeeded: base &+ Int(key))) else { supported = false; return }
                    combine(slot, kind, value, sv)
                case .groupFold:
                    let base = r(pc), count = r(pc &+ 1), kind = cp[pc &+ 2]
                    pc &+= 3
                    var acc: Int64 = kind == AggregateCode.sum.rawValue || kind == AggregateCode.count.rawValue ? 0 : missing
                    var sacc: Int64 = 0
                    for j in 0..<max(0, count) {
                        guard let i = regIndex(Int32(truncatingIfNeeded: base &+ j)) else { supported = false; return }
                        let v = reg[i], sv = rs[i]
                        if v == missing { continue }
                        switch kind {
                        case AggregateCode.max.rawValue, AggregateCode.min.rawValue:
                            if acc == missing { acc = v; sacc = sv } else { (acc, sacc) = minMax(kind == AggregateCode.min.rawValue, acc, sacc, v, sv) }
                        case AggregateCode.count.rawValue: acc &+= 1
                        default:
                            guard let total = FixedMath.add(acc, v) else { supported = false; return }
                            acc = total; sacc = sum(sacc, sv)
                        }
                    }
                    push(acc, sacc)
                case .cachedLoad:
                    let f = r(pc), v = r(pc &+ 1)
                    if reg[f] != 0 { push(reg[v], rs[v]); pc = r(pc &+ 2) } else { pc &+= 3 }
                case .cacheStore:
                    let f = r(pc), v = r(pc &+ 1)
                    reg[v] = stack[sp &- 1]; rs[v] = ss[sp &- 1]; reg[f] = 1; rs[f] = 0; pc &+= 2
                case .fillConst:
                    let base = r(pc), count = r(pc &+ 1), value = k(pc &+ 2)
                    var j = 0
                    while j < count { reg[base &+ j] = value; rs[base &+ j] = 0; j &+= 1 }
                    pc &+= 3
                case .uplift:
                    uplift(r(pc), r(pc &+ 1), r(pc &+ 2), cp[pc &+ 3], k(pc &+ 4), r(pc &+ 5), r(pc &+ 6))
                    pc &+= 7
                case .upliftDecrease:
                    // Followed only when nothing it reads moves.
                    let o = (0..<9).map { cp[pc &+ $0] }
                    let n = regCount, rsp = rs
                    let moving = [Int(o[0]), Int(o[8])].contains { $0 >= 0 && $0 < n && rsp[$0] != 0 }
                        || (0..<max(0, Int(o[2]))).contains { j in let i = Int(o[1]) &+ j; return i >= 0 && i < n && rsp[i] != 0 }
                    let registers = reg
                    guard !moving, let out = o.withUnsafeBufferPointer({ ob in VM.decreaseUplift(ob, registers, constants) }), let u = regIndex(o[5]), let b = regIndex(o[6]) else { supported = false; return }
                    reg[u] = out.uplift; rs[u] = 0; reg[b] = out.binding; rs[b] = 0
                    pc &+= 9
                case .wide:
                    wide(cp[pc], cp[pc &+ 1])
                    pc &+= 2
                case .fail:
                    supported = false; return
                }
            }
        }

        // The first opcode of each comparison family, read once (the raw value of an enum from
        // another module is a call).
        static let eqRaw = Opcode.eq.rawValue, eqRKRaw = Opcode.eqRK.rawValue, eqKRaw = Opcode.eqK.rawValue
        static let jumpIfEqRKRaw = Opcode.jumpIfEqRK.rawValue, jumpIfEqKRaw = Opcode.jumpIfEqK.rawValue, jumpIfEqRaw = Opcode.jumpIfEq.rawValue

        static func compare(_ family: Int, _ a: Int64, _ b: Int64) -> Bool {
            switch family {
            case 0: a == b
            case 1: a != b
            case 2: a < b
            case 3: a <= b
            case 4: a > b
            default: a >= b
            }
        }

        /// Whether `key` is in the catalogue whose index starts at `indexBase` and has `n` keys.
        static func found(_ key: Int64, _ indexBase: Int32, _ n: Int32, _ data: UnsafeBufferPointer<Int64>) -> Bool {
            guard key >= 0 && key < Int64(n) else { return false }
            let i = Int(indexBase) &+ Int(key)
            return i >= 0 && i < data.count && data[i] >= 0
        }

        /// What the lookup instruction at `pc` would answer for `key` (as `heard` records it),
        /// or nil when `pc` holds no element lookup.
        static func answer(at pc: Int, key: Int64, _ code: UnsafeBufferPointer<Int32>, _ data: UnsafeBufferPointer<Int64>) -> Int64? {
            guard pc >= 0, pc &+ 7 < code.count else { return nil }
            switch code[pc] {
            case jumpIfElementInCatalogueRaw, jumpIfElementNotInCatalogueRaw:
                return found(key, code[pc &+ 3], code[pc &+ 4], data) ? 1 : 0
            case catalogueGetElementRaw:
                return catalogue(key, code[pc &+ 3], code[pc &+ 4], code[pc &+ 5], code[pc &+ 6], code[pc &+ 7], data)
            default:
                return nil
            }
        }

        static let jumpIfElementInCatalogueRaw = Opcode.jumpIfElementInCatalogue.rawValue
        static let jumpIfElementNotInCatalogueRaw = Opcode.jumpIfElementNotInCatalogue.rawValue
        static let catalogueGetElementRaw = Opcode.catalogueGetElement.rawValue

        static func catalogue(_ key: Int64, _ indexBase: Int32, _ n: Int32, _ rowsBase: Int32, _ stride: Int32, _ column: Int32, _ data: UnsafeBufferPointer<Int64>) -> Int64 {
            func d(_ i: Int) -> Int64 { i >= 0 && i < data.count ? data[i] : 0 }
            guard key >= 0 && key < Int64(n) else { return Program.missing }
            let row = d(Int(indexBase) + Int(key))
            return row >= 0 ? d(Int(rowsBase) &+ Int(row) &* Int(stride) &+ Int(column)) : Program.missing
        }

        /// `min(a, b)` or `max(a, b)` as the VM picks it (`Swift.min` keeps `a` on a tie), the
        /// range narrowed so the same one wins.
        mutating func minMax(_ isMin: Bool, _ a: Int64, _ sa: Int64, _ b: Int64, _ sb: Int64) -> (Int64, Int64) {
            if isMin {
                // Swift.min(a, b) is b when b < a.
                keep(2, b, sb, a, sa)
                return b < a ? (b, sb) : (a, sa)
            }
            // Swift.max(a, b) is b when b >= a.
            keep(5, b, sb, a, sa)
            return b >= a ? (b, sb) : (a, sa)
        }

        mutating func combine(_ slot: Int, _ kind: Int32, _ value: Int64, _ sv: Int64) {
            let old = reg[slot], so = rs[slot]
            switch kind {
            case AggregateCode.max.rawValue, AggregateCode.min.rawValue:
                if old == Program.missing { reg[slot] = value; rs[slot] = sv } else {
                    (reg[slot], rs[slot]) = minMax(kind == AggregateCode.min.rawValue, old, so, value, sv)
                }
            default:
                if old == Program.missing { reg[slot] = value; rs[slot] = sv } else {
                    guard let r = FixedMath.add(old, value) else { supported = false; return }
                    reg[slot] = r; rs[slot] = sum(so, sv)
                }
            }
        }

        /// The `uplift` instruction, each cap's binding and the rounding kept over the range.
        mutating func uplift(_ amountSlot: Int, _ capBase: Int, _ capCount: Int, _ mode: Int32, _ step: Int64, _ upliftSlot: Int, _ bindSlot: Int) {
            guard let a = regIndex(Int32(truncatingIfNeeded: amountSlot)), let u = regIndex(Int32(truncatingIfNeeded: upliftSlot)),
                  let bs = regIndex(Int32(truncatingIfNeeded: bindSlot)) else { supported = false; return }
            // raw = max(0, amount)
            let (raw, sraw) = minMax(false, 0, 0, reg[a], rs[a])
            var amount = raw, samount = sraw
            var binding: Int64 = 0
            for i in 0..<max(0, capCount) {
                guard let ci = regIndex(Int32(truncatingIfNeeded: capBase + i)) else { supported = false; return }
                let b = reg[ci], sb = rs[ci]
                if b == Program.missing { continue }
                let (bound, sbound) = minMax(false, 0, 0, b, sb)
                keep(2, bound, sbound, raw, sraw)
                if bound < raw { binding |= 1 << Int64(i) }
                (amount, samount) = minMax(true, amount, samount, bound, sbound)
            }
            let bound = binding
            func rounded(_ x: Int64) -> Int64? {
                let down = FixedMath.floor(x, step: step) ?? 0
                var r = down
                if mode != RoundingMode.down.code { r = VM.rounding(x, step, mode) ?? down }
                if r > x && bound != 0 { r = down }
                return r
            }
            guard let result = rounded(amount) else { supported = false; return }
            if samount != 0 { keepSame { t in Self.at(amount, samount, t).flatMap(rounded) } }
            reg[u] = result; rs[u] = 0
            reg[bs] = binding; rs[bs] = 0
        }

        /// A `wide` step: the two common chain steps followed (`3 * income` with one side
        /// still; `… - limit`), any other only when nothing it reads moves.
        mutating func wide(_ kind: Int32, _ flags: Int32) {
            let before = sp
            if flags == 4 && kind == WideOperation.mulInt.rawValue, sp >= 2 {
                let a = stack[sp - 2], sa = ss[sp - 2], b = stack[sp - 1], sb = ss[sp - 1]
                guard sa == 0 || sb == 0 else { supported = false; return }
                let slope = sa != 0 ? product(sa, b) : product(sb, a)
                let v = Int128(a) &* Int128(b)
                stack[sp - 2] = Int64(truncatingIfNeeded: v); ss[sp - 2] = slope
                stack[sp - 1] = Int64(truncatingIfNeeded: v >> 64); ss[sp - 1] = 0
                return
            }
            if flags == 1 && (kind == WideOperation.sub.rawValue || kind == WideOperation.add.rawValue), sp >= 3 {
                let left = Int128(stack[sp - 2]) << 64 | Int128(UInt64(bitPattern: stack[sp - 3])), right = Int128(stack[sp - 1])
                let sl = ss[sp - 3], sr = ss[sp - 1]
                let (v, o) = kind == WideOperation.sub.rawValue ? left.subtractingReportingOverflow(right) : left.addingReportingOverflow(right)
                guard !o, let n = WideMath.narrow(v) else { supported = false; return }
                sp -= 2
                let slope = kind == WideOperation.sub.rawValue ? difference(sl, sr) : sum(sl, sr)
                keepRepresentable(n, slope)
                stack[sp - 1] = n; ss[sp - 1] = slope
                return
            }
            // Anything else: only when none of the words it may read moves.
            if (Swift.max(0, sp - 4)..<sp).contains(where: { ss[$0] != 0 }) { supported = false; return }
            var p = sp
            let failure = VM.wideStep(kind, flags, stack, &p)
            if failure != 0 || p < 0 || p > stackCount { supported = false; return }
            sp = p
            for i in Swift.max(0, Swift.min(before, sp) - 4)..<Swift.max(before, sp) where i < stackCount { ss[i] = 0 }
        }
    }

    /// A tracer's memory: registers, stack and elements with their slopes, and the filter
    /// memo, allocated once and freed with the tracer, so a run allocates nothing.
    final class Buffers {
        let reg, rs, stack, ss, elements, es: UnsafeMutablePointer<Int64>
        let memo: UnsafeMutablePointer<UInt64>
        let regCount, stackCount, elementCount: Int

        init(registers: Int, stack: Int, elements: Int) {
            regCount = max(0, registers); stackCount = max(0, stack); elementCount = max(0, elements)
            reg = .allocate(capacity: max(1, regCount)); rs = .allocate(capacity: max(1, regCount))
            self.stack = .allocate(capacity: max(1, stackCount)); ss = .allocate(capacity: max(1, stackCount))
            self.elements = .allocate(capacity: max(1, elementCount)); es = .allocate(capacity: max(1, elementCount))
            memo = .allocate(capacity: max(1, elementCount))
            reg.initialize(repeating: 0, count: max(1, regCount)); rs.initialize(repeating: 0, count: max(1, regCount))
            self.stack.initialize(repeating: 0, count: max(1, stackCount)); ss.initialize(repeating: 0, count: max(1, stackCount))
            self.elements.initialize(repeating: 0, count: max(1, elementCount)); es.initialize(repeating: 0, count: max(1, elementCount))
            memo.initialize(repeating: 0, count: max(1, elementCount))
        }

        deinit {
            for p in [reg, rs, stack, ss, elements, es] { p.deallocate() }
            memo.deallocate()
        }
    }
}
