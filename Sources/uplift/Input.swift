import Foundation
import UpliftSimulator
#if canImport(Glibc)
import Glibc
#endif

/// An input the CLI could not read: a missing file, a directory, no permission, a record over
/// the size limit. The CLI prints it and exits with `ExitStatus.badInput`.
struct InputError: Error, CustomStringConvertible {
    let message: String
    var description: String { "error: \(message)" }
}

/// Opening and reading the files commands take as input, with the same plain messages for
/// every command (never a raw Cocoa error, never "the bundle has errors").
enum InputFile {
    /// Checks that `path` names a readable regular file (or `-`), and opens it.
    static func open(_ path: String, what: String) throws(InputError) -> FileHandle {
        if path == "-" { return FileHandle.standardInput }
        var st = stat()
        guard stat(path, &st) == 0 else { throw InputError(message: "cannot read \(what) `\(path)`: \(String(cString: strerror(errno)))") }
        if st.st_mode & S_IFMT == S_IFDIR {
            throw InputError(message: "cannot read \(what) `\(path)`: it is a directory; give a file")
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(message: "cannot read \(what) `\(path)`: \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Reads all of `path` (`-`: standard input), refusing more than `limit` bytes so a huge or
    /// endless input cannot exhaust memory.
    /// `limitOption` names the option that raises the limit, for the message.
    static func read(_ path: String, what: String, limit: Int = RecordLimit.defaultBytes, limitOption: String? = "--max-record-bytes") throws(InputError) -> [UInt8] {
        let handle = try open(path, what: what)
        var bytes: [UInt8] = []
        let name = path == "-" ? "standard input" : "`\(path)`"
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw InputError(message: "cannot read \(what) \(name): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { return bytes }
            bytes.append(contentsOf: chunk)
            if bytes.count > limit {
                throw InputError(message: "\(what) \(name) is larger than \(limit) bytes" + (limitOption.map { "; raise \($0) if it is meant to be" } ?? ""))
            }
        }
    }
}
