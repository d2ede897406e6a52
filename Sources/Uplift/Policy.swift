import UpliftBundle
import UpliftChecker
import UpliftCompiler
import UpliftRuntime
import UpliftSyntax

/// A loaded, checked and compiled policy bundle: the one type a service needs.
///
/// Immutable and `Sendable`: load it once at start-up and call `evaluate` from any number of
/// threads at once. Evaluation reads no clock and no random source, so the same bundle and the
/// same applicant give the same decision on every machine.
///
/// ```swift
/// let policy = try Policy.load(bundle: "policies/certificate-uplift")
/// let decision = try policy.evaluate(json: #"{"age": 27, ...}"#)
/// print(decision.outcome, decision.uplift, decision.reasons.map(\.code))
/// print(DecisionRenderer.text(decision, policy.explain(decision)))
/// ```
public struct Policy: Sendable {
    /// The checked policy and its program, inside the facade: consumers read decisions and the outline
    /// (`PolicyOutline.swift`), never the checker's IR. `@usableFromInline` so `evaluate` inlines
    /// into the caller and a decision costs no extra call.
    @usableFromInline let evaluator: Evaluator
    /// Warnings found while checking (errors prevent loading).
    public let warnings: [Diagnostic]
    /// The bundle's files, to render `warnings` with their source lines (`DiagnosticRenderer`).
    public let sources: SourceMap

    /// The policy's name, version and content hash: what every decision it makes carries.
    public var identity: PolicyIdentity { evaluator.identity }
    /// The tables whose rows decisions select (bands, segments, decision tables), in the
    /// bundle's order: the order of `Decision.tables` and of `Decision.forEachTableRow`.
    public var tables: [PolicyTable] { evaluator.tables }
    var checked: CheckedPolicy { evaluator.policy }
    var program: Program { evaluator.program }

    /// Loads, checks and compiles a bundle directory. Errors come back as diagnostics with their
    /// locations, the same ones `uplift check` prints.
    public static func load(bundle directory: String) throws(PolicyLoadError) -> Policy {
        let (bundle, loadDiags) = BundleLoader.load(directory: directory)
        var all = loadDiags
        guard let bundle else { throw PolicyLoadError(diagnostics: all.sorted(), sources: SourceMap()) }
        let (checked, checkDiags) = PolicyChecker.check(bundle)
        all.append(contentsOf: checkDiags.all)
        guard let checked, !all.hasErrors else { throw PolicyLoadError(diagnostics: all.sorted(), sources: bundle.sources) }
        let program = PolicyCompiler.compile(checked)
        return Policy(evaluator: Evaluator(policy: checked, program: program), warnings: all.sorted(), sources: bundle.sources)
    }

    /// Reads an applicant from a JSON object (field names as in the schema). Fields the schema
    /// does not know are ignored; a key given twice is an error.
    public func applicant(json: String) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(json: json)
    }

    /// Reads an applicant from a JSON object; with `options.strict`, a field the schema does not
    /// know is an error naming its path.
    public func applicant(json: String, options: ApplicantOptions) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(json: json, options: options)
    }

    /// Reads an applicant from a JSON object and appends the fields the schema does not know to
    /// `unknown` (with `UnknownField.suggestion` for near misses such as `Monthly_Income`), so a
    /// caller can warn about them. They are appended in document order, even when the record is
    /// then refused for a value (a stray `Monthly_Income` next to a missing `monthly_income` is
    /// worth saying); with `options.strict` an unknown field is the error.
    public func applicant(json: String, options: ApplicantOptions, unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(json: json, options: options, unknown: &unknown)
    }

    /// Reads an applicant from the raw UTF-8 bytes of a JSON object (a file's contents, a
    /// request body). Prefer this to `applicant(json:)` for bytes from outside: converting them
    /// to a `String` first would replace invalid UTF-8 with U+FFFD, and this refuses it with the
    /// field's path. A leading byte-order mark is accepted.
    public func applicant(utf8 bytes: some Collection<UInt8>, options: ApplicantOptions = .lenient) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(utf8: bytes, options: options)
    }

    /// `applicant(utf8:options:unknown:)` for bytes already in memory, without a copy: the
    /// simulator's per-row path. Not generic, so no call site pays for an unspecialised one.
    public func applicant(utf8 bytes: UnsafeBufferPointer<UInt8>, options: ApplicantOptions,
                          unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(utf8: bytes, options: options, unknown: &unknown)
    }

    /// `applicant(utf8:options:)` that also appends the record's unknown fields to `unknown`.
    public func applicant(utf8 bytes: some Collection<UInt8>, options: ApplicantOptions,
                          unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(utf8: bytes, options: options, unknown: &unknown)
    }

    /// Whether the schema knows a field called `name`, a nested one by its dotted path (a CSV
    /// column, say): nil when it does, else the `UnknownField` with its near-miss suggestion.
    public func unknownField(named name: String) -> UnknownField? {
        evaluator.decoder.unknownField(named: name)
    }

    /// The CSV columns an applicant is written in: every schema field by its dotted name
    /// (`account.payment_history.on_time_payment_percentage`), a required record's own column left out.
    public var csvColumns: [String] { evaluator.decoder.csvColumns }

    /// Reads a CSV file's header once, for every row after it: which columns are schema fields
    /// and which the schema does not know (`CSVHeader.unknown`, with did-you-mean suggestions).
    public func csvHeader(_ names: [String]) -> CSVHeader { evaluator.decoder.csvHeader(names) }

    /// Reads an applicant from one CSV row's cells, in `header`'s columns (from this policy's
    /// `csvHeader(_:)`). An empty cell is an absent value; a list fact's cell holds a JSON array.
    /// The columns the schema does not know are appended to `unknown`, or with `options.strict`
    /// refused, as unknown JSON fields are. Cutting a file into rows and cells (RFC 4180) is the
    /// caller's.
    public func applicant(csvCells cells: [String], header: CSVHeader, options: ApplicantOptions = .lenient,
                          unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(csvCells: cells, header: header, options: options, unknown: &unknown)
    }

    /// An applicant given as JSON, as the values of its CSV cells in `csvColumns` order (what
    /// `uplift synth --format csv` writes).
    public func csvValues(of applicant: JSONValue) -> [JSONValue] {
        let decoder = evaluator.decoder
        return decoder.csvColumns.map { decoder.csvValue(applicant, column: $0) }
    }

    /// Reads an applicant from an already-parsed JSON value.
    public func applicant(_ json: JSONValue) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(json)
    }

    /// Builds an applicant field by field.
    public func applicant(_ fields: [String: FactValue]) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(.object(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) }))
    }

    /// Decides one applicant with the VM. Thread-safe; reads no clock or random source.
    @inlinable public func evaluate(_ applicant: Applicant) throws(EvaluationError) -> Decision {
        try evaluator.evaluate(applicant)
    }

    /// Evaluates reusing `buffer`'s memory: no heap allocation per decision when the caller
    /// lets go of each decision before the next call. One buffer per thread.
    @inlinable public func evaluate(_ applicant: Applicant, reusing buffer: inout EvaluationBuffer) throws(EvaluationError) -> Decision {
        try evaluator.evaluate(applicant, reusing: &buffer)
    }

    /// Evaluates with the reference interpreter instead of the VM: for testing and measuring,
    /// never needed in production (the two agree by construction and by differential tests).
    public func evaluate(_ applicant: Applicant, engine: Engine) throws(EvaluationError) -> Decision {
        try evaluator.evaluate(applicant, engine: engine)
    }

    /// Reads and evaluates one applicant.
    public func evaluate(json: String) throws(UpliftError) -> Decision {
        let a: Applicant
        do { a = try applicant(json: json) } catch { throw .applicant(error) }
        do { return try evaluate(a) } catch { throw .evaluation(error) }
    }

    /// Reads and evaluates one applicant given as raw UTF-8 bytes (see `applicant(utf8:)`),
    /// appending its unknown fields to `unknown`; with `options.strict` they are an error.
    public func evaluate(utf8 bytes: some Collection<UInt8>, options: ApplicantOptions,
                         unknown: inout [UnknownField]) throws(UpliftError) -> Decision {
        let a: Applicant
        do { a = try applicant(utf8: bytes, options: options, unknown: &unknown) } catch { throw .applicant(error) }
        do { return try evaluate(a) } catch { throw .evaluation(error) }
    }

    /// Reads and evaluates one applicant given as raw UTF-8 bytes; unknown fields are ignored
    /// unless `options.strict`.
    public func evaluate(utf8 bytes: some Collection<UInt8>, options: ApplicantOptions = .lenient) throws(UpliftError) -> Decision {
        var unknown: [UnknownField] = []
        return try evaluate(utf8: bytes, options: options, unknown: &unknown)
    }

    /// The full explanation of a decision this policy made. A decision from another policy (an
    /// older version, before a reload) must be explained by that one: registers are read by
    /// this policy's layout.
    public func explain(_ decision: Decision) -> Explanation { evaluator.explain(decision) }
}

/// A fact value for building applicants in code.
public enum FactValue: Sendable {
    /// No value (JSON `null`): an optional fact left out.
    case missing
    /// A bool fact.
    case bool(Bool)
    /// An integer fact.
    case integer(Int64)
    /// A decimal or money amount written exactly, e.g. `.decimal("1100.10")`.
    case decimal(String)
    /// A string or enum fact (an enum case by name).
    case string(String)
    /// `YYYY-MM-DD`.
    case date(String)
    /// A list of records, each by field name.
    case list([[String: FactValue]])
    /// A nested record (`account: Account`): its fields by name.
    case record([String: FactValue])

    var json: JSONValue {
        switch self {
        case .missing: .null
        case .bool(let b): .bool(b)
        case .integer(let i): .number(String(i))
        case .decimal(let d): .number(d)
        case .string(let s), .date(let s): .string(s)
        case .list(let items): .array(items.map { .object($0.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) }) })
        case .record(let fields): .object(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })
        }
    }
}

/// A bundle that could not be loaded: every diagnostic, renderable with its source lines.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    /// Every error and warning found, sorted by file and position.
    public let diagnostics: [Diagnostic]
    /// The files the diagnostics point into, for rendering them with their lines.
    public let sources: SourceMap
    public var description: String { DiagnosticRenderer.render(diagnostics, in: sources) }
}

/// Why `evaluate(json:)` or `evaluate(utf8:)` gave no decision: the record was refused, or
/// evaluation faulted.
public enum UpliftError: Error, Sendable, CustomStringConvertible {
    /// The record was refused (bad JSON, a missing field, a wrong type), naming the field.
    case applicant(ApplicantError)
    /// Evaluation faulted (an overflow, a division by zero), naming the rule.
    case evaluation(EvaluationError)
    public var description: String {
        switch self {
        case .applicant(let e): "bad applicant: \(e)"
        case .evaluation(let e): e.description
        }
    }
}
