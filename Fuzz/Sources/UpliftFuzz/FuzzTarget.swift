import CFuzzDriver
import Foundation
@_spi(Testing) import Uplift

/// One fuzz input drives two front doors: the first byte picks the target.
/// - 0: an applicant record, decided by the reference policy (decoding, VM, explanation);
/// - 1: a rule file, parsed and checked inside a copy of the reference bundle;
/// - 2: a segment table in YAML, in a copy of the reference bundle.
/// Any crash is a bug: every input must be decided or rejected with a located message.
let policy: Policy = {
    let root = ProcessInfo.processInfo.environment["UPLIFT_FUZZ_BUNDLE"] ?? "policies/certificate-uplift"
    do { return try Policy.load(bundle: root) } catch { fatalError("cannot load \(root): \(error)") }
}()

let scratch: URL = {
    let root = ProcessInfo.processInfo.environment["UPLIFT_FUZZ_BUNDLE"] ?? "policies/certificate-uplift"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplift-fuzz-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    try? FileManager.default.copyItem(atPath: root, toPath: dir.path)
    return dir
}()

/// SwiftPM gives executables their own `main` (`UpliftFuzz_main`); it hands over to libFuzzer.
@_cdecl("UpliftFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    switch data[0] % 3 {
    case 0:
        if let d = try? policy.evaluate(json: text) { _ = DecisionRenderer.json(d, policy.explain(d)) }
        // The simulator's byte-level reader must decide exactly as the full decoder does, on the
        // raw bytes (a String would already have replaced invalid UTF-8), in both modes, and
        // report the same unknown fields.
        let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
        for options in [ApplicantOptions.lenient, .strict] {
            var unknownFast: [UnknownField] = [], unknownFull: [UnknownField] = []
            let viaFast = Result { () throws(ApplicantError) in
                try policy.applicant(utf8: bytes, options: options, unknown: &unknownFast)
            }
            let viaFull = Result { () throws(ApplicantError) in
                try policy.applicantWithFullDecoder(utf8: bytes, options: options, unknown: &unknownFull)
            }
            if unknownFast.map(\.path) != unknownFull.map(\.path) { fatalError("readers report different unknown fields: \(text)") }
            switch (viaFast, viaFull) {
            case (.success(let a), .success(let b)):
                let x = try? policy.evaluate(a), y = try? policy.evaluate(b)
                if x.map({ DecisionRenderer.json($0) }) != y.map({ DecisionRenderer.json($0) }) { fatalError("readers decide differently: \(text)") }
            case (.failure(let a), .failure(let b)):
                if a != b { fatalError("readers reject differently: \(a) / \(b)") }
                if a.description.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    fatalError("an error message carries a control character: \(a)")
                }
            default:
                fatalError("one reader accepts what the other rejects: \(text)")
            }
        }
    default:
        let file = data[0] % 3 == 1 ? "policy.uplift" : "tables/segments.yaml"
        try? text.write(to: scratch.appendingPathComponent(file), atomically: false, encoding: .utf8)
        do { _ = try Policy.load(bundle: scratch.path) } catch {
            let located = error.diagnostics.contains { error.sources.location(of: $0.span) != nil }
            if !located { fatalError("rejected without a located diagnostic:\n\(error)") }
        }
    }
    return 0
}
