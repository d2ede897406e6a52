#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Looks up UTF-8 byte ranges among a fixed set of strings without making a `String`: the
/// simulator reads millions of certificate types and enum cases, and a `String` per value
/// would be an allocation per value for anything longer than 15 bytes.
struct ByteStringTable: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int]
    private let ids: [Int64]
    /// Open addressing, power-of-two size; -1 marks an empty slot, others index `starts`.
    private let slots: [Int32]

    /// `strings[i]` gets id `ids[i]`; on duplicates the first wins.
    init(_ strings: [String], ids: [Int64]) {
        var bytes: [UInt8] = [], starts: [Int] = [0]
        for s in strings { bytes.append(contentsOf: s.utf8); starts.append(bytes.count) }
        var size = 8
        while size < strings.count * 2 { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        bytes.withUnsafeBufferPointer { all in
            for i in strings.indices {
                let s = UnsafeBufferPointer(rebasing: all[starts[i]..<starts[i + 1]])
                var h = Self.hash(s) & (size - 1)
                var duplicate = false
                while slots[h] >= 0 {
                    let j = Int(slots[h])
                    if UnsafeBufferPointer(rebasing: all[starts[j]..<starts[j + 1]]).elementsEqual(s) { duplicate = true; break }
                    h = (h + 1) & (size - 1)
                }
                if !duplicate { slots[h] = Int32(i) }
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.ids = ids
        self.slots = slots
    }

    /// Length and up to 16 bytes (the first 8 and the last 8), mixed: names and codes differ
    /// early or late, and reading 16 bytes is cheaper than hashing every byte.
    static func hash(_ s: UnsafeBufferPointer<UInt8>) -> Int {
        var head: UInt64 = 0, tail: UInt64 = 0
        let n = s.count
        for k in 0..<min(8, n) { head = head << 8 | UInt64(s[k]) }
        if n > 8 { for k in max(8, n - 8)..<n { tail = tail << 8 | UInt64(s[k]) } }
        var h = head &* 0x9E37_79B9_7F4A_7C15 ^ tail &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(n)
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h >> 1)
    }

    func id(of s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let mask = slots.count - 1
        var h = Self.hash(s) & mask
        return bytes.withUnsafeBufferPointer { all -> Int64? in
            while slots[h] >= 0 {
                let j = Int(slots[h])
                if starts[j + 1] - starts[j] == s.count {
                    guard let a = all.baseAddress, let b = s.baseAddress else { return ids[j] } // both empty
                    if memcmp(a + starts[j], b, s.count) == 0 { return ids[j] }
                }
                h = (h + 1) & mask
            }
            return nil
        }
    }
}
