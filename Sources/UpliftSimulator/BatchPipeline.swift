import Dispatch
import Foundation

/// The simulator's engine room, shared by `simulate` and `diff`: reads the population in
/// batches, cuts each batch into one contiguous share per worker, decides the shares on all
/// cores, and hands them back in input order. Memory is one batch, whatever the input's size.
struct BatchPipeline {
    let format: PopulationFormat
    let workers: Int
    let batchSize: Int
    let maxRecordBytes: Int

    init(format: PopulationFormat, workers: Int, batchSize: Int, maxRecordBytes: Int = RecordLimit.defaultBytes) {
        self.format = format
        self.workers = max(1, min(workers, 256))
        self.batchSize = max(1, batchSize)
        self.maxRecordBytes = max(1, maxRecordBytes)
    }

    /// Runs `work` on every share (worker index, its records, the batch's bytes, the CSV header)
    /// and passes each batch's shares, in order, to `take`, which returns false to stop. Returns
    /// nil when it read the whole input, or how many lines it left unread when `take` stopped it.
    func run<Share>(input: FileHandle, work: @escaping @Sendable (Int, ArraySlice<RawRecord>, UnsafeBufferPointer<UInt8>, [String]) -> Share,
                    take: ([Share], Int) throws -> Bool) throws -> Int? {
        var reader = PopulationReader(handle: input, format: format, maxRecordBytes: maxRecordBytes)
        var header: [String]?
        var batch: [UInt8] = []
        if format == .csv {
            // The header first, alone: every later record is checked against its cell count.
            guard let first = try reader.next(limit: 1, into: &batch).first else { return nil }
            let cells = try batch.withUnsafeBufferPointer { b throws(PopulationError) -> [String] in
                if let problem = first.problem { throw PopulationError(line: first.line, message: "the CSV header is unreadable: \(problem.message)") }
                switch CSVRecord.validatedCells(UnsafeBufferPointer(rebasing: b[first.start..<first.end])) {
                case .success(let cells): return cells.map { $0.trimmingCharacters(in: .whitespaces) }
                case .failure(let bad): throw PopulationError(line: first.line, message: "the CSV header's column \(bad.index + 1) is not valid UTF-8")
                }
            }
            header = cells
            reader.expectedCells = cells.count
        }
        while true {
            let records = try reader.next(limit: workers * batchSize, into: &batch)
            if records.isEmpty { return nil }
            let per = (records.count + workers - 1) / workers
            let used = (records.count + per - 1) / per
            let h = header ?? [], all = records
            var shares = [Share?](repeating: nil, count: used)
            shares.withUnsafeMutableBufferPointer { slots in
                batch.withUnsafeBufferPointer { bytes in
                    let shared = SharedSlots(slots: slots, bytes: bytes)
                    DispatchQueue.concurrentPerform(iterations: used) { w in
                        let slice = all[(w * per)..<min(all.count, (w + 1) * per)]
                        shared.slots[w] = work(w, slice, shared.bytes, h)
                    }
                }
            }
            if try !take(shares.compactMap { $0 }, reader.bytesRead) {
                return try reader.countRemainingLines()
            }
        }
    }
}

/// What the workers of one batch share. Safe to send because worker `w` writes only
/// `slots[w]`, and `bytes` is not written while the batch is decided.
struct SharedSlots<Share>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Share?>
    let bytes: UnsafeBufferPointer<UInt8>
}

/// Per-worker evaluation buffers that live across batches. Worker `w` uses only `buffers[w]`.
final class WorkerBuffers: @unchecked Sendable {
    let buffers: UnsafeMutableBufferPointer<EvaluationBufferSet>

    init(workers: Int, policies: Int) {
        buffers = .allocate(capacity: max(1, workers))
        buffers.initialize(repeating: EvaluationBufferSet(count: policies))
    }

    deinit {
        buffers.deinitialize()
        buffers.deallocate()
    }
}

import Uplift

/// One evaluation buffer per policy a worker evaluates (one for simulate, two for diff).
struct EvaluationBufferSet {
    var buffers: [EvaluationBuffer]
    init(count: Int) { buffers = Array(repeating: EvaluationBuffer(), count: count) }
}
