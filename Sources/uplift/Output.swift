import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An output that could not be written: which one and why. The CLI prints it and exits with
/// `ExitStatus.outputFailed`, so a full disk or a closed pipe is never a crash and never a
/// silent success.
struct OutputError: Error, CustomStringConvertible {
    /// `standard output`, or the path in backquotes.
    let output: String
    let reason: String
    var description: String { "error: cannot write \(output): \(reason)" }

    init(output: String, reason: String) {
        self.output = output
        self.reason = reason
    }

    /// The error `errno` names, for the output at `path` (nil: standard output).
    init(path: String?, errno code: Int32) {
        self.init(output: path.map { "`\($0)`" } ?? "standard output", reason: String(cString: strerror(code)))
    }
}

/// Where the CLI writes one of its outputs: standard output, a device or FIFO written in place,
/// or a regular file written atomically.
///
/// Every write is checked. A regular file is written to a temporary file in the same directory
/// and renamed over the final name only by `commit()`, so a failed or interrupted run never
/// leaves a partial file under the final name. A symbolic link is followed to its target (the
/// link stays a link); a character device (`/dev/null`), FIFO or socket is written in place and
/// never replaced.
final class OutputSink: @unchecked Sendable {  // used from the main thread only
    /// The name messages use.
    let name: String
    private let fd: Int32
    /// For an atomic file: the temporary file and the name it gets on commit.
    private let temporary: String?
    private let final: String?
    private var done = false

    private init(name: String, fd: Int32, temporary: String?, final: String?) {
        self.name = name
        self.fd = fd
        self.temporary = temporary
        self.final = final
    }

    /// Standard output (writes go straight to the descriptor, unbuffered by stdio).
    static let standardOutput = OutputSink(name: "standard output", fd: STDOUT_FILENO, temporary: nil, final: nil)

    /// Opens `path` for writing (`-` is standard output). Fails before any work is done when
    /// the path cannot be written: a missing directory, a directory, no permission.
    static func open(_ path: String) throws(OutputError) -> OutputSink {
        if path == "-" { return standardOutput }
        let target = try resolve(path)
        var st = stat()
        if lstat(target, &st) == 0 {
            let type = st.st_mode & S_IFMT
            if type == S_IFDIR { throw OutputError(output: "`\(path)`", reason: "it is a directory; give a file name") }
            if type != S_IFREG {
                // A device, FIFO or socket: written in place, never replaced by a rename.
                let fd = Glibc.open(target, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw OutputError(path: path, errno: errno) }
                return OutputSink(name: "`\(path)`", fd: fd, temporary: nil, final: nil)
            }
        }
        let directory = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/." + base + ".uplift-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { p -> Int32 in
            guard let base = p.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw OutputError(path: path, errno: errno) }
        let temporary = template.withUnsafeBufferPointer { p in p.baseAddress.map { String(cString: $0) } ?? "" }
        // The file gets the mode a new file would get (or the replaced file's own).
        let mode: mode_t
        if lstat(target, &st) == 0 { mode = st.st_mode & 0o7777 } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        fchmod(fd, mode)
        return OutputSink(name: "`\(path)`", fd: fd, temporary: temporary, final: target)
    }

    /// The path a write to `path` must land on: symbolic links followed, however many.
    private static func resolve(_ path: String) throws(OutputError) -> String {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { throw OutputError(path: path, errno: errno) }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link)
        }
        throw OutputError(output: "`\(path)`", reason: "too many levels of symbolic links")
    }

    /// Writes all of `bytes`, retrying short writes and interruptions.
    func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(output: name, reason: String(cString: strerror(errno)))
            }
            left -= n
            p += n
        }
    }

    func write(_ bytes: [UInt8]) throws(OutputError) {
        // `withUnsafeBytes` rethrows untyped errors: carry the typed one out by hand.
        var failure: OutputError?
        bytes.withUnsafeBytes { p in
            do throws(OutputError) { try write(p) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func write(_ text: String) throws(OutputError) {
        var text = text
        var failure: OutputError?
        text.withUTF8 { p in
            do throws(OutputError) { try write(UnsafeRawBufferPointer(p)) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Finishes the output: a regular file is flushed to disk and renamed over its final name;
    /// standard output and devices are left open.
    func commit() throws(OutputError) {
        guard !done else { return }
        done = true
        guard let temporary, let final else { return }
        if fsync(fd) != 0 && errno != EINVAL && errno != EROFS {
            let e = errno
            close(fd)
            unlink(temporary)
            throw OutputError(output: name, reason: String(cString: strerror(e)))
        }
        if close(fd) != 0 {
            let e = errno
            unlink(temporary)
            throw OutputError(output: name, reason: String(cString: strerror(e)))
        }
        if rename(temporary, final) != 0 {
            let e = errno
            unlink(temporary)
            throw OutputError(output: name, reason: String(cString: strerror(e)))
        }
    }

    /// Writes `text` and commits: the whole output at once.
    func finish(with text: String) throws(OutputError) {
        try write(text)
        try commit()
    }

    /// Drops an uncommitted file: nothing appears under the final name.
    func abandon() {
        guard !done else { return }
        done = true
        if let temporary {
            close(fd)
            unlink(temporary)
        } else if fd != STDOUT_FILENO {
            close(fd)
        }
    }

    deinit { abandon() }
}

/// Writes a whole text to `path` (`-`: standard output) and commits it.
func writeOutput(_ text: String, to path: String) throws(OutputError) {
    try OutputSink.open(path).finish(with: text)
}

/// Writes to standard output, checked (the CLI's replacement for `print`).
func emit(_ text: String, terminator: String = "\n") throws(OutputError) {
    try OutputSink.standardOutput.write(terminator.isEmpty ? text : text + terminator)
}

/// A message on standard error. A failure to write it cannot be reported anywhere, but it never
/// traps (FileHandle's `write(_: Data)` does).
func writeError(_ s: String) {
    writeStandardError(s.hasSuffix("\n") ? s : s + "\n")
}

/// Writes `text` to standard error as it is (progress lines redraw themselves with `\r`).
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { p in
        guard var base = p.baseAddress else { return }
        var left = p.count
        while left > 0 {
            let n = Glibc.write(STDERR_FILENO, base, left)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            left -= n
            base += n
        }
    }
}
