/// A unified-style line diff (`-` removed, `+` added, two lines of context), for
/// `uplift fmt --check`. Longest common subsequence; formatter diffs are small.
package enum LineDiff {
    package static func unified(_ old: String, _ new: String, path: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Past this size the table would be large; show the whole files instead.
        guard a.count * b.count <= 4_000_000 else {
            return "--- \(path)\n+++ \(path) (formatted)\n" + a.map { "-" + $0 }.joined(separator: "\n") + "\n" + b.map { "+" + $0 }.joined(separator: "\n") + "\n"
        }
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var ops: [(Character, String, Int)] = [] // kind, text, old line number
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { ops.append((" ", a[i], i + 1)); i += 1; j += 1 }
            // Removed lines before the lines that replace them.
            else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] { ops.append(("-", a[i], i + 1)); i += 1 }
            else { ops.append(("+", b[j], i + 1)); j += 1 }
        }
        var out = "--- \(path)\n+++ \(path) (formatted)\n"
        var k = 0
        while k < ops.count {
            guard ops[k].0 != " " else { k += 1; continue }
            let start = max(0, k - 2)
            var end = k
            while end < ops.count, ops[end].0 != " " || ops[min(ops.count - 1, end + 1)].0 != " " || ops[min(ops.count - 1, end + 2)].0 != " " { end += 1 }
            end = min(ops.count, end + 2)
            out += "@@ line \(ops[start].2) @@\n"
            for op in ops[start..<end] { out += "\(op.0)\(op.1)\n" }
            k = end
        }
        return out
    }
}
