/// Checks on the raw text of a record, shared by the full JSON parser and the fast reader so
/// that both accept exactly the same bytes.
package enum InputText {
    /// The length of the well-formed UTF-8 sequence starting at `i` (1 to 4), or nil when the
    /// bytes there are not well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no
    /// surrogates, nothing above U+10FFFF, no truncated sequence).
    ///
    /// Invalid UTF-8 is refused rather than replaced by U+FFFD: two systems that repair it
    /// differently would read one record as two different applicants.
    @inlinable
    package static func sequenceLength<C: RandomAccessCollection<UInt8>>(_ bytes: C, at i: C.Index) -> Int? where C.Index == Int {
        let end = bytes.endIndex
        let b0 = bytes[i]
        if b0 < 0x80 { return 1 }
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && bytes[i + k] >= lo && bytes[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    /// Whether all of `bytes` is well-formed UTF-8.
    @inlinable
    package static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            guard let n = sequenceLength(bytes, at: i) else { return false }
            i += n
        }
        return true
    }

    /// `text` made safe to print in a message: control characters (C0, DEL, C1), the line and
    /// paragraph separators and the bidirectional formatting characters become `\u0000`-style
    /// escapes, so a record cannot write a NUL, move the cursor or reorder a terminal line by
    /// having its value or field name echoed in an error. Everything else is kept as it is.
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for u in text.unicodeScalars {
            if needsEscape(u) {
                let hex = String(u.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// At most `limit` characters of `text`, escaped, with `…` when cut: for echoing a value
    /// that may be megabytes long.
    package static func excerpt(_ text: String, limit: Int = 40) -> String {
        escaped(text.count > limit ? String(text.prefix(limit)) + "…" : text)
    }

    /// A field name from the input as it appears in a path or message: escaped, and cut at 100
    /// characters so a hostile key cannot make every message megabytes long.
    package static func fieldName(_ key: String) -> String { excerpt(key, limit: 100) }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
