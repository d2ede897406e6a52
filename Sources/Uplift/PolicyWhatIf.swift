import UpliftRuntime

extension Policy {
    /// What the person could do to change their decision: every action the bundle declares
    /// (`actions:` in the manifest), tried on `applicant` by the VM, best first, with the exact
    /// decision each gives and the changed applicant that gets it. Thread-safe, like `evaluate`.
    /// A refused applicant or a faulting baseline is an `UpliftError`, as for `evaluate(json:)`.
    public func whatIf(_ applicant: JSONValue, options: WhatIfOptions = WhatIfOptions()) throws(UpliftError) -> WhatIfReport {
        do { return try evaluator.whatIf(applicant, options: options) } catch {
            switch error {
            case .applicant(let e): throw .applicant(e)
            case .evaluation(let e): throw .evaluation(e)
            }
        }
    }

    /// `whatIf(_:options:)` on the raw bytes of a JSON object (a file, a request body).
    public func whatIf(utf8 bytes: some Collection<UInt8>, options: WhatIfOptions = WhatIfOptions()) throws(UpliftError) -> WhatIfReport {
        let json: JSONValue
        do {
            var parser = JSONParser(bytes: Array(bytes))
            json = try parser.document()
        } catch {
            throw .applicant(ApplicantError(path: error.path ?? "", message: "not valid JSON (\(error))"))
        }
        return try whatIf(json, options: options)
    }

    /// The names of the actions the bundle declares, in its order (empty without `actions:`).
    public var actionNames: [String] { checked.actions.map(\.name) }
}
