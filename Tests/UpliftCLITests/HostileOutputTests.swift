import Foundation
import XCTest

/// Hostile cases on the output side: a full disk, a closed pipe, a file-size limit, outputs that
/// are symbolic links, devices, FIFOs or directories. Every write is checked: a failure exits 4
/// with a message naming the output, never a signal, never a silent 0, and never leaves a partial
/// file under the output's name.
final class HostileOutputTests: XCTestCase {
    var bundle: String { CLITests.bundle }
    var applicant: String { CLITests.examples + "/approve-young-professional.json" }

    /// A fresh directory, removed after the test.
    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Runs the binary with standard output going to `stdout` (a path such as /dev/full), or
    /// through `shell` (`ulimit -f …;`) first.
    func runTo(_ args: [String], stdout path: String? = nil, shell prefix: String? = nil, closedPipe: Bool = false) throws -> (status: Int32, signalled: Bool, stderr: String) {
        let p = Process()
        if let prefix {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", prefix + " exec \"$0\" \"$@\"", CLITests.binary.path] + args
        } else {
            p.executableURL = CLITests.binary
            p.arguments = args
        }
        let err = Pipe()
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        if let path, let h = FileHandle(forWritingAtPath: path) { p.standardOutput = h } else if closedPipe {
            p.standardOutput = pipe
            // No reader left: the first write fails with EPIPE (or SIGPIPE, if not ignored).
            try pipe.fileHandleForReading.close()
        } else {
            p.standardOutput = FileHandle.nullDevice
        }
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason == .uncaughtSignal, String(decoding: e, as: UTF8.self))
    }

    func population(_ count: Int, in dir: String) throws -> String {
        let path = dir + "/population.jsonl"
        let r = try run(["synth", bundle, "--count", String(count), "--seed", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAFullStandardOutputExitsFourForEveryCommand() throws {
        let dir = try tempDir()
        let pop = try population(50, in: dir)
        let summary = dir + "/part.json"
        XCTAssertEqual(try run(["simulate", bundle, "--population", pop, "--summary", summary, "--quiet"]).status, 0)
        // A rule file `fmt --check` has a diff to print for.
        let messy = dir + "/messy.uplift"
        let rules = try String(contentsOfFile: bundle + "/policy.uplift", encoding: .utf8)
        try rules.replacingOccurrences(of: "\n", with: "   \n").write(toFile: messy, atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["eval", bundle, "--applicant", applicant],
            ["eval", bundle, "--applicant", applicant, "--format", "json", "--explain"],
            ["check", bundle],
            ["check", bundle, "--format", "sarif"],
            ["check", bundle, "--format", "json"],
            ["test", bundle],
            ["simulate", bundle, "--population", pop, "--quiet"],
            ["simulate", bundle, "--population", pop, "--quiet", "--decisions", "-"],
            ["diff", bundle, bundle, "--population", pop, "--quiet"],
            ["summary", "merge", summary, summary],
            ["synth", bundle, "--count", "10"],
            ["fmt", "--check", messy],
        ]
        for args in commands {
            let r = try runTo(args, stdout: "/dev/full")
            XCTAssertFalse(r.signalled, "\(args): killed by a signal")
            XCTAssertEqual(r.status, 4, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("cannot write standard output: No space left on device"), "\(args): \(r.stderr)")
        }
    }

    func testAClosedPipeIsReportedNotASignal() throws {
        let r = try runTo(["synth", bundle, "--count", "20000"], closedPipe: true)
        XCTAssertFalse(r.signalled)
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot write standard output: Broken pipe"), r.stderr)
    }

    func testAFailedFileWriteLeavesNoPartialFileAndKeepsTheOldOne() throws {
        let dir = try tempDir()
        let pop = try population(2_000, in: dir)
        // 8 blocks of 512 bytes: far less than 2,000 decision lines.
        let decisions = dir + "/decisions.jsonl", summary = dir + "/summary.json"
        try "previous run\n".write(toFile: summary, atomically: true, encoding: .utf8)
        let r = try runTo(["simulate", bundle, "--population", pop, "--decisions", decisions, "--quiet"], shell: "ulimit -f 8;")
        XCTAssertFalse(r.signalled)
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot write `\(decisions)`: File too large"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: decisions))
        let big = try runTo(["simulate", bundle, "--population", pop, "--report", summary, "--quiet"], shell: "ulimit -f 8;")
        XCTAssertEqual(big.status, 4, big.stderr)
        // The report would replace `summary`; it failed, so the old contents stay, whole.
        XCTAssertEqual(try String(contentsOfFile: summary, encoding: .utf8), "previous run\n")
        // No temporary file is left behind either.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["population.jsonl", "summary.json"])
    }

    func testFilesAreReplacedWholeAndKeepTheirMode() throws {
        let dir = try tempDir()
        let pop = try population(20, in: dir)
        let summary = dir + "/summary.json"
        try "old".write(toFile: summary, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: summary)
        XCTAssertEqual(try run(["simulate", bundle, "--population", pop, "--summary", summary, "--quiet"]).status, 0)
        XCTAssertTrue(try String(contentsOfFile: summary, encoding: .utf8).contains("uplift-simulation-summary"))
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: summary)[.posixPermissions] as? NSNumber)?.intValue, 0o640)
    }

    func testASymbolicLinkIsFollowedAndStaysALink() throws {
        let dir = try tempDir()
        let pop = try population(20, in: dir)
        let target = dir + "/real-summary.json", link = dir + "/summary.json"
        try "stale".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real-summary.json")
        let r = try run(["simulate", bundle, "--population", pop, "--summary", link, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "real-summary.json")
        XCTAssertTrue(try String(contentsOfFile: target, encoding: .utf8).contains("uplift-simulation-summary"))
    }

    func testDevicesAndFIFOsAreWrittenInPlaceNeverReplaced() throws {
        let dir = try tempDir()
        let pop = try population(20, in: dir)
        // /dev/null: as root a rename over it would replace the device node with a file.
        let r = try run(["simulate", bundle, "--population", pop, "--summary", "/dev/null", "--report", "/dev/null", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType, .typeCharacterSpecial)
        // A full device reports the failure.
        let full = try run(["simulate", bundle, "--population", pop, "--summary", "/dev/full", "--quiet"])
        XCTAssertEqual(full.status, 4)
        XCTAssertTrue(full.stderr.contains("cannot write `/dev/full`: No space left on device"), full.stderr)
        // A FIFO gets the report through it and stays a FIFO.
        let fifo = dir + "/report.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let received = LockedBox<Data>(Data())
        let reader = Thread {
            if let h = FileHandle(forReadingAtPath: fifo) { received.value = h.readDataToEndOfFile() }
        }
        reader.start()
        let f = try run(["simulate", bundle, "--population", pop, "--report", fifo, "--quiet"])
        XCTAssertEqual(f.status, 0, f.stderr)
        let deadline = Date().addingTimeInterval(10)
        while received.value.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(String(decoding: received.value, as: UTF8.self).contains("<svg"))
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
    }

    func testAnOutputThatCannotBeWrittenFailsBeforeTheRun() throws {
        let dir = try tempDir()
        let pop = try population(20, in: dir)
        for args in [["simulate", bundle, "--population", pop, "--summary", dir, "--quiet"],
                     ["simulate", bundle, "--population", pop, "--decisions", dir + "/no/such/dir/d.jsonl", "--quiet"],
                     ["test", bundle, "--junit", dir],
                     ["diff", bundle, bundle, "--population", pop, "--report", dir, "--quiet"]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 4, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("error: cannot write `"), r.stderr)
            // Nothing was decided first: the summary on standard output never appeared.
            XCTAssertFalse(r.stdout.contains("read,"), r.stdout)
        }
        // With a population FIFO nobody writes to, reading would block: an unwritable output
        // must fail first (the process is killed after 20 s if it blocks).
        let fifo = dir + "/never.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for args in [["simulate", bundle, "--population", fifo, "--summary", dir, "--quiet"],
                     ["diff", bundle, bundle, "--population", fifo, "--report", dir, "--quiet"]] {
            let p = Process()
            p.executableURL = CLITests.binary
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(20)
            while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if p.isRunning { p.terminate(); p.waitUntilExit(); XCTFail("\(args): blocked reading the population before opening its outputs"); continue }
            XCTAssertEqual(p.terminationStatus, 4, "\(args)")
        }
        let junit = try runTo(["test", bundle, "--junit", "/dev/full"])
        XCTAssertEqual(junit.status, 4, junit.stderr)
    }
}

/// A value shared with a reader thread.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
