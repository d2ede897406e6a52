import UpliftChecker
import UpliftCompiler
import UpliftSyntax

typealias PathStep = WhatIfPathStep

/// Changing applicant records as JSON, and writing searched values the way the decoder reads them.
enum WhatIfJSON {
    static func path(_ dotted: String) -> [PathStep] { dotted.split(separator: ".").map { .key(String($0)) } }

    static func describe(_ path: [PathStep]) -> String {
        var out = ""
        for step in path {
            switch step {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            case .append: out += "[+]"
            }
        }
        return out
    }

    static func get(_ json: JSONValue, _ path: [PathStep]) -> JSONValue? {
        var v: JSONValue? = json
        for step in path {
            switch step {
            case .key(let k): v = v?[k]
            case .index(let i): if case .array(let xs)? = v, xs.indices.contains(i) { v = xs[i] } else { return nil }
            case .append: return nil
            }
        }
        return v
    }

    /// `json` with each change made; `.append` steps of one batch of changes all add to the same
    /// new element.
    static func apply(_ changes: [([PathStep], JSONValue)], to json: JSONValue) -> JSONValue {
        var out = json
        var appended: [String: Int] = [:]  // list path → index of the element this batch added
        for (path, value) in changes {
            var resolved: [PathStep] = []
            for step in path {
                if case .append = step {
                    let key = describe(resolved)
                    if let i = appended[key] { resolved.append(.index(i)) } else {
                        let count: Int = if case .array(let xs)? = get(out, resolved) { xs.count } else { 0 }
                        out = set(out, resolved, appending: true)
                        appended[key] = count
                        resolved.append(.index(count))
                    }
                } else { resolved.append(step) }
            }
            out = set(out, resolved, to: value)
        }
        return out
    }

    private static func set(_ json: JSONValue, _ path: [PathStep], to value: JSONValue? = nil, appending: Bool = false) -> JSONValue {
        guard let step = path.first else {
            if appending { if case .array(let xs) = json { return .array(xs + [.object([])]) }; return .array([.object([])]) }
            return value ?? json
        }
        let rest = Array(path.dropFirst())
        switch step {
        case .key(let k):
            var members: [(String, JSONValue)] = if case .object(let m) = json { m } else { [] }
            if let i = members.lastIndex(where: { $0.0 == k }) { members[i].1 = set(members[i].1, rest, to: value, appending: appending) } else {
                members.append((k, set(.null, rest, to: value, appending: appending)))
            }
            return .object(members)
        case .index(let i):
            guard case .array(var xs) = json, xs.indices.contains(i) else { return json }
            xs[i] = set(xs[i], rest, to: value, appending: appending)
            return .array(xs)
        case .append:
            return json
        }
    }

    /// The fields `after` changes, by path (what a person re-runs through `uplift eval`).
    static func differences(_ before: JSONValue, _ after: JSONValue, at path: [PathStep] = []) -> [([PathStep], JSONValue)] {
        switch (before, after) {
        case (.object(let a), .object(let b)):
            var out: [([PathStep], JSONValue)] = []
            for (k, v) in b {
                let old = a.last { $0.0 == k }?.1 ?? .null
                out += differences(old, v, at: path + [.key(k)])
            }
            return out
        case (.array(let a), .array(let b)) where a.count <= b.count:
            var out: [([PathStep], JSONValue)] = []
            for (i, v) in b.enumerated() {
                if i < a.count { out += differences(a[i], v, at: path + [.index(i)]) } else { out.append((path + [.index(i)], v)) }
            }
            return out
        default:
            return before == after ? [] : [(path, after)]
        }
    }

    static func value(_ v: CheckedAction.Value) -> JSONValue {
        switch v {
        case .absent: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(n)
        case .text(let t): .string(t)
        }
    }

    /// A field's value in raw units (integers as themselves, amounts ×10^6, dates in days).
    /// Read as the decoder reads it: an amount may be a JSON string (`"6050.00"`), an integer may
    /// be written with a zero fraction (`24.0`).
    static func raw(_ v: JSONValue?, _ type: ValueType) -> Int64? {
        switch (v, type.unwrapped) {
        case (.number(let n)?, .integer):
            if let i = Int64(n) { return i }
            guard let d = FixedDecimal(parsing: Substring(n)), d.isInteger else { return nil }
            return d.raw / FixedDecimal.scale
        case (.number(let n)?, .decimal), (.number(let n)?, .money), (.string(let n)?, .decimal), (.string(let n)?, .money):
            return FixedDecimal(parsing: Substring(n))?.raw
        case (.string(let s)?, .date): return CivilDate.parse(Substring(s))
        default: return nil
        }
    }

    static func write(_ raw: Int64, _ type: ValueType) -> JSONValue {
        switch type.unwrapped {
        case .integer: .number(String(raw))
        case .date: .string(CivilDate.format(raw))
        default: .number(FixedDecimal(raw: raw).formatted())
        }
    }

    static func text(_ raw: Int64, _ type: ValueType) -> String {
        switch type.unwrapped {
        case .integer: String(raw)
        case .money: FixedDecimal(raw: raw).formatted(minFractionDigits: 2)
        case .date: CivilDate.format(raw)
        default: FixedDecimal(raw: raw).formatted()
        }
    }

    /// The smallest step of a field: 1 for integers and days, a fen for money, 10^-6 for decimals.
    static func unit(_ type: ValueType) -> Int64 {
        switch type.unwrapped {
        case .money: 10_000
        case .decimal: 1
        default: 1
        }
    }

    /// A field without a declared range is searched from 0 to 10^9 (in its own units); a date
    /// from 1970-01-01 to 9999-12-31.
    static func defaultRange(_ type: ValueType) -> ClosedRange<Int64> {
        switch type.unwrapped {
        case .decimal, .money: 0...1_000_000_000 * FixedDecimal.scale
        case .date: 0...(CivilDate.parse("9999-12-31") ?? 2_932_896)
        default: 0...1_000_000_000
        }
    }
}
