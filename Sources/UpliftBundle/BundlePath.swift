import Foundation

/// Where a file a bundle names really is, after every symbolic link is followed.
///
/// A bundle is reviewed and hashed as one directory; a rule file that is a link to
/// `/etc/passwd` would be read, quoted in diagnostics and hashed as if it were policy. Every
/// file a bundle names (manifest, schema, rules, tables, tests, test applicants) goes through
/// `resolve`, and only a file whose real path lies inside the bundle's real path is read.
package enum BundlePath {
    package enum Resolution: Equatable, Sendable {
        /// The file's real path, inside the bundle.
        case inside(String)
        /// The real path the name leads to, outside the bundle; the file is not read.
        case outside(String)
        /// No such file (or a link to nothing).
        case missing
    }

    /// Resolves `relative` (a path inside the bundle, as written) against the bundle `root`.
    package static func resolve(_ relative: String, in root: String) -> Resolution {
        guard let realRoot = realPath(root) else { return .missing }
        let joined = URL(fileURLWithPath: root).appendingPathComponent(relative).path
        guard let real = realPath(joined) else { return .missing }
        let prefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
        return real.hasPrefix(prefix) ? .inside(real) : .outside(real)
    }

    /// `realpath(3)`: the absolute path with every link, `.` and `..` resolved; nil when the
    /// path does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
