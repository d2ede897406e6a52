import Foundation
import XCTest

/// What a run of the `uplift` binary gave.
struct Run { var status: Int32; var stdout: String; var stderr: String }

/// Running the built binary and making corrupted copies of the reference bundle, for every
/// CLI test class.
extension XCTestCase {
    func run(_ args: [String], stdin: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func corruptCopy(_ edit: (URL) throws -> Void) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-cli-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: CLITests.bundle, toPath: dir.path)
        try edit(dir)
        return dir.path
    }

    func replace(_ file: URL, _ a: String, _ b: String) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains(a), "\(a) not in \(file.lastPathComponent)")
        try text.replacingOccurrences(of: a, with: b).write(to: file, atomically: true, encoding: .utf8)
    }

}
