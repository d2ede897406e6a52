/// Bytecode instructions. Each is one 32-bit word followed by its operands (also words); the
/// comment gives the operands and the stack effect.
///
/// `public` under `@_spi(Engine)`, like `AggregateCode` and `EvaluationFault`: the
/// optimiser folds a public enum's raw values into the VM's jump table across modules, and not a
/// `package` one's (each `Opcode.x.rawValue` became a call: 13 µs a decision instead of 0.5).
/// No client sees them without `@_spi(Engine) import`; they are not API.
@_spi(Engine) public enum Opcode: Int32, Sendable, CaseIterable {
    case halt = 0
    /// k — push constants[k]
    case const
    /// r — push reg[r]
    case load
    /// r — reg[r] = pop
    case store
    /// r off — push elements[reg[r] + off]
    case element
    /// a b → a+b, a−b, a×b (integer or fixed × integer), fixed a×b
    case add, sub, mulInt, mulFixed
    case eq, ne, lt, le, gt, ge
    case not
    /// t — jump
    case jump
    /// t — pop; jump when false / true
    case jumpIfFalse, jumpIfTrue
    /// v → v is missing
    case isMissing
    /// indexBase n — key → key names an entry
    case catalogueHas
    /// indexBase n rowsBase stride column — key → the entry's column, or missing
    case catalogueGet
    /// slot valuesBase columns column — push the matched row's column
    case tableColumn
    /// list var end width exit — start a loop over reg[list]; jump to exit when empty
    case iterate
    /// var end width body — advance; jump back to body while elements remain
    case next
    /// base kind domain — key value → combine value into reg[base + key] (kind: AggregateCode)
    case groupCombine
    /// t — `and`: when the top is false, jump keeping it; otherwise pop it
    case jumpIfFalseOrPop
    /// t — `or`: when the top is true, jump keeping it; otherwise pop it
    case jumpIfTrueOrPop
    /// t — `otherwise`: when the top is present, jump keeping it; otherwise pop it
    case jumpIfPresentOrPop

    // Superinstructions: the commonest sequences in compiled policies, fused so that each costs
    // one dispatch instead of two or three (dispatch is most of an evaluation's time).

    /// r k — reg[r] = constants[k]  (const; store)
    case setConst
    /// dst src — reg[dst] = reg[src]  (load; store)
    case move
    /// r k — push reg[r] ⋄ constants[k]  (load; const; compare)
    case eqRK, neRK, ltRK, leRK, gtRK, geRK
    /// r — push whether reg[r] is missing / present  (load; isMissing [; not])
    case isMissingR, isPresentR
    /// r — reg[r] += 1  (load; const 1; add; store)
    case increment
    /// var k skip kept — when filter k was decided for the element at reg[var], jump to `kept`
    /// or `skip`; otherwise fall through to the filter's test (see `FilterMemo`)
    case memoTest
    /// var k t — remember that filter k keeps the element at reg[var]; jump to t
    case memoKeep
    /// var k t — remember that filter k drops the element at reg[var]; jump to t
    case memoDrop
    /// k — x → x ⋄ constants[k]  (const; compare)
    case eqK, neK, ltK, leK, gtK, geK
    /// r k t — jump when reg[r] ⋄ constants[k]  (load; const; compare; jump)
    case jumpIfEqRK, jumpIfNeRK, jumpIfLtRK, jumpIfLeRK, jumpIfGtRK, jumpIfGeRK
    /// r t — jump when reg[r] is missing / present
    case jumpIfMissingR, jumpIfPresentR
    /// var field t — jump when the element's boolean field is true / false
    case jumpIfElementTrue, jumpIfElementFalse
    /// var field indexBase n t — jump when the element's field is / is not a catalogue key
    /// (`c.type in catalogue`, the first test of nearly every certificate filter)
    case jumpIfElementInCatalogue, jumpIfElementNotInCatalogue
    /// base count k — reg[base ..< base+count] = constants[k]  (group accumulators)
    case fillConst
    /// k t — pop x; jump when x ⋄ constants[k]  (const; compare; jump)
    case jumpIfEqK, jumpIfNeK, jumpIfLtK, jumpIfLeK, jumpIfGtK, jumpIfGeK
    /// t — pop b, a; jump when a ⋄ b  (compare; jump)
    case jumpIfEq, jumpIfNe, jumpIfLt, jumpIfLe, jumpIfGt, jumpIfGe
    /// var field t — jump when the element's field is missing / present
    case jumpIfElementMissing, jumpIfElementPresent
    /// var field indexBase n rowsBase stride column — like `element; catalogueGet`: the column
    /// of the catalogue entry named by the element's field, or missing
    case catalogueGetElement
    /// flag value t — when reg[flag] is set, push reg[value] and jump to t (a remembered aggregate)
    case cachedLoad
    /// flag value — remember the top of the stack in reg[value] and set reg[flag] (keeps it)
    case cacheStore

    // Instructions most decisions run once or never, last: the switch in the VM keeps its first
    // ≈86 cases in one jump table, and a second dispatch for the rest costs a few nanoseconds.

    /// a b → fixed a÷b
    case divFixed
    case negate
    /// integer → fixed
    case toFixed
    /// lowersBase count upperConstant slot — x → (stores the band index in reg[slot])
    case band
    /// a b → min, max
    case min, max
    /// a b → like min/max, but a missing operand is ignored (aggregation)
    case minPresent, maxPresent
    /// x step → rounded
    case roundDown, roundUp, roundNearest
    case abs
    /// a b → days from a to b
    case daysBetween
    /// base count kind — push the combination of reg[base ..< base+count], ignoring missing
    case groupFold
    /// amountSlot capBase capCount roundMode stepConstant upliftSlot bindSlot
    case uplift
    /// mode — x step → x rounded in `RoundingMode(code: mode)` (`round(x, step, mode)`)
    case roundMode
    /// amountSlot capBase capCount roundMode stepConstant upliftSlot bindSlot floorMaskConstant
    /// currentLimitRegister — `uplift` for a policy that allows decreases: the capped and
    /// floored amount may be negative, never below −current limit (register −1: no limit)
    case upliftDecrease
    /// kind flags — one step of an arithmetic chain in 128 bits (kind: `WideOperation`). Flags:
    /// 1 the left (or only) operand is wide, 2 the right one is, 4 the result stays wide. A wide
    /// value takes two stack words (low, then high); a narrow result is range-checked. Last, so
    /// the numbers of the older instructions (and the VM's first jump table) stay as they were.
    case wide
    /// fault — stops the evaluation with `EvaluationFault(rawValue: fault)` (two rows of a
    /// `unique` decision table matched).
    case fail

    /// Which operands (0-based) are jump targets.
    package var targetOperands: [Int] {
        switch self {
        case .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfFalseOrPop, .jumpIfTrueOrPop, .jumpIfPresentOrPop: [0]
        case .iterate: [4]
        case .next: [3]
        case .memoTest: [2, 3]
        case .memoKeep, .memoDrop: [2]
        case .jumpIfElementInCatalogue, .jumpIfElementNotInCatalogue: [4]
        case .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK: [1]
        case .jumpIfEq, .jumpIfNe, .jumpIfLt, .jumpIfLe, .jumpIfGt, .jumpIfGe: [0]
        case .jumpIfElementMissing, .jumpIfElementPresent, .cachedLoad: [2]
        case .jumpIfEqRK, .jumpIfNeRK, .jumpIfLtRK, .jumpIfLeRK, .jumpIfGtRK, .jumpIfGeRK, .jumpIfElementTrue, .jumpIfElementFalse: [2]
        case .jumpIfMissingR, .jumpIfPresentR: [1]
        default: []
        }
    }

    /// Operand words after the opcode.
    package var operandCount: Int {
        switch self {
        case .const, .load, .store, .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfFalseOrPop, .jumpIfTrueOrPop, .jumpIfPresentOrPop: 1
        case .setConst, .move, .eqRK, .neRK, .ltRK, .leRK, .gtRK, .geRK: 2
        case .isMissingR, .isPresentR, .increment: 1
        case .jumpIfMissingR, .jumpIfPresentR: 2
        case .memoKeep, .memoDrop, .fillConst: 3
        case .jumpIfElementInCatalogue, .jumpIfElementNotInCatalogue: 5
        case .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK: 2
        case .jumpIfEq, .jumpIfNe, .jumpIfLt, .jumpIfLe, .jumpIfGt, .jumpIfGe: 1
        case .jumpIfElementMissing, .jumpIfElementPresent, .cachedLoad: 3
        case .cacheStore: 2
        case .catalogueGetElement: 7
        case .eqK, .neK, .ltK, .leK, .gtK, .geK: 1
        case .jumpIfEqRK, .jumpIfNeRK, .jumpIfLtRK, .jumpIfLeRK, .jumpIfGtRK, .jumpIfGeRK, .jumpIfElementTrue, .jumpIfElementFalse: 3
        case .memoTest: 4
        case .element, .catalogueHas: 2
        case .groupFold, .groupCombine: 3
        case .band, .tableColumn, .next: 4
        case .catalogueGet, .iterate: 5
        case .uplift: 7
        case .wide: 2
        case .roundMode: 1
        case .upliftDecrease: 9
        case .fail: 1
        default: 0
        }
    }
}

/// How a group accumulator combines values.
@_spi(Engine) public enum AggregateCode: Int32, Sendable { case sum = 0, max, min, count }

/// Why an evaluation stopped early. Never a trap: each is reported with the rule that caused it.
@_spi(Engine) public enum EvaluationFault: Int32, Sendable, Error {
    case overflow = 1, divisionByZero, belowFirstBand, aboveLastBand
    /// Two rows of a `unique` decision table matched the same input.
    case twoRowsMatch

    package var message: String {
        switch self {
        case .overflow: "a number grew beyond the representable range"
        case .divisionByZero: "division by zero"
        case .belowFirstBand: "the value is below the first band"
        case .aboveLastBand: "the value is above the last band"
        case .twoRowsMatch: "two rows of a `unique` decision table match this input"
        }
    }
}
