import Foundation
import XCTest
import UpliftBundle
import UpliftChecker
@_spi(Engine) @testable import UpliftCompiler

final class ProgramShapeTests: XCTestCase {
    static let bundle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/certificate-uplift").path

    func compileReference() throws -> (CheckedPolicy, Program) {
        let (bundle, d) = BundleLoader.load(directory: Self.bundle)
        XCTAssertFalse(d.hasErrors)
        let (policy, d2) = PolicyChecker.check(try XCTUnwrap(bundle))
        XCTAssertFalse(d2.hasErrors)
        let checked = try XCTUnwrap(policy)
        return (checked, PolicyCompiler.compile(checked))
    }

    /// Decodes the code word by word: every instruction is known, every jump lands on an
    /// instruction, every register and constant operand is in range.
    func testEveryInstructionDecodesAndEveryJumpLandsOnAnInstruction() throws {
        let (_, p) = try compileReference()
        var starts = Set<Int>()
        var jumps: [Int] = []
        var pc = 0
        while pc < p.code.count {
            starts.insert(pc)
            let op = try XCTUnwrap(Opcode(rawValue: p.code[pc]), "unknown opcode at \(pc)")
            let operands = Array(p.code[(pc + 1)..<min(p.code.count, pc + 1 + op.operandCount)])
            XCTAssertEqual(operands.count, op.operandCount, "truncated instruction at \(pc)")
            for t in op.targetOperands { jumps.append(Int(operands[t])) }
            switch op {
            case .load, .store, .setConst, .move, .eqRK, .neRK, .ltRK, .leRK, .gtRK, .geRK, .isMissingR, .isPresentR, .increment:
                XCTAssertLessThan(Int(operands[0]), p.registerCount)
            case .const: XCTAssertLessThan(Int(operands[0]), p.constants.count)
            default: break
            }
            pc += 1 + op.operandCount
        }
        for j in jumps { XCTAssertTrue(starts.contains(j), "jump to \(j) is not an instruction start") }
        // Explanation probes start on instructions too.
        XCTAssertFalse(p.probes.isEmpty)
        for probe in p.probes { XCTAssertTrue(starts.contains(probe.entry), "probe entry \(probe.entry)") }
    }

    func testConstantsAreInternedAndLayoutIsDisjoint() throws {
        let (policy, p) = try compileReference()
        XCTAssertEqual(Set(p.constants).count, p.constants.count)
        let slots = p.layout.valueSlots.filter { $0 >= 0 } + p.layout.bandSlots + p.layout.segmentSlots + p.layout.capSlots
            + p.layout.ruleSlots + [p.layout.amountSlot, p.layout.upliftSlot, p.layout.bindSlot]
        XCTAssertEqual(Set(slots).count, slots.count)
        XCTAssertTrue(slots.allSatisfy { $0 >= policy.schema.facts.fields.count && $0 < p.registerCount })
        XCTAssertEqual(p.layout.ruleSlots.count, 9)
        XCTAssertEqual(p.layout.capSlots.count, 4)
        XCTAssertEqual(p.probes.filter { $0.value == policy.values.firstIndex { $0.name == "accepted" } }.count, 5)
    }

    func testCompilationIsDeterministic() throws {
        let (_, a) = try compileReference()
        let (_, b) = try compileReference()
        XCTAssertEqual(a.code, b.code)
        XCTAssertEqual(a.constants, b.constants)
        XCTAssertEqual(a.tableData, b.tableData)
    }

    /// Compiled programs cross threads (a compile-time requirement under Swift 6): one program
    /// compiled once and read from many threads gives every thread the same code.
    func testCompiledProgramIsSharedAcrossThreads() throws {
        let (_, p) = try compileReference()
        let lengths = ConcurrentCounts(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { i in lengths.set(i, p.code.reduce(0) { $0 &+ Int($1) }) }
        XCTAssertEqual(Set(lengths.values).count, 1)
        XCTAssertEqual(lengths.values.first, p.code.reduce(0) { $0 &+ Int($1) })
    }
}

/// Results written from concurrent iterations, each to its own index.
final class ConcurrentCounts: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int]
    init(count: Int) { values = Array(repeating: -1, count: count) }
    func set(_ i: Int, _ v: Int) { lock.lock(); values[i] = v; lock.unlock() }
}
