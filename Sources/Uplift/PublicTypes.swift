import UpliftRuntime
import UpliftSyntax

// The embedding API is `Policy` plus the result types below. The pipeline's stages (syntax,
// bundle, checker, compiler, runtime) keep everything else at `package` access, and `import
// Uplift` re-exports none of them: these names are the whole public surface a service sees, so
// a change inside a stage cannot break an embedder. Each type's own doc comment is in its stage.

// MARK: Decisions

/// One decision: outcome, uplift, new limit, reasons, the tables' rows and the reported values,
/// with the policy's identity. Explain it with the policy that made it (`Policy.explain(_:)`).
public typealias Decision = UpliftRuntime.Decision
/// What a decision concluded: `approve`, `decrease`, `no_change`, `refer` or `decline`.
public typealias Outcome = UpliftRuntime.Outcome
/// A coded reason attached to a decision, with the message the policy declares for it.
public typealias ReasonCode = UpliftRuntime.ReasonCode
/// The policy's name, version and content hash: which policy made a decision.
public typealias PolicyIdentity = UpliftRuntime.PolicyIdentity
/// A value the policy reports beside its decision (`report …`), as text and as JSON.
public typealias ReportedValue = UpliftRuntime.ReportedValue
/// A table whose rows decisions select (a band, segment or decision table).
public typealias PolicyTable = UpliftRuntime.PolicyTable
/// The rows one table selected in one decision.
public typealias TableMatch = UpliftRuntime.TableMatch
/// Why a decision is what it is: every gate, table row, cap and list element it read.
public typealias Explanation = UpliftRuntime.Explanation
/// Renders a decision and its explanation as text or JSON (what `uplift eval` prints).
public typealias DecisionRenderer = UpliftRuntime.DecisionRenderer
/// The VM (the product path) or the reference interpreter (the oracle the tests compare it with).
public typealias Engine = UpliftRuntime.Engine
/// An evaluation that could not finish, naming the rule that faulted.
public typealias EvaluationError = UpliftRuntime.EvaluationError
/// Per-thread scratch memory for allocation-free evaluation.
public typealias EvaluationBuffer = UpliftRuntime.EvaluationBuffer

/// What a what-if runs: how many suggestions, single actions or pairs.
public typealias WhatIfOptions = UpliftRuntime.WhatIfOptions
/// The baseline decision and what the declared actions would change.
public typealias WhatIfReport = UpliftRuntime.WhatIfReport
/// One thing a person could do, with the exact decision it gives and the changed applicant.
public typealias WhatIfSuggestion = UpliftRuntime.WhatIfSuggestion
/// Renders a what-if report as text or JSON (what `uplift whatif` prints).
public typealias WhatIfRenderer = UpliftRuntime.WhatIfRenderer

// MARK: Applicants

/// An applicant read against the policy's schema, ready to evaluate.
public typealias Applicant = UpliftRuntime.Applicant
/// A record the schema refuses, with the field's path (`certificates[1].confidence`).
public typealias ApplicantError = UpliftRuntime.ApplicantError
/// How strictly records are read (`strict`: a field the schema does not know is an error).
public typealias ApplicantOptions = UpliftRuntime.ApplicantOptions
/// A field the schema does not know, with a near-miss suggestion.
public typealias UnknownField = UpliftRuntime.UnknownField
/// A CSV file's header read against the schema (`Policy.csvHeader(_:)`).
public typealias CSVHeader = UpliftRuntime.CSVHeader
/// A parsed JSON value (an applicant built in code, a synthetic record).
public typealias JSONValue = UpliftRuntime.JSONValue

// MARK: Amounts and diagnostics

/// An exact decimal amount with six fixed fraction digits: every money value in a decision.
public typealias FixedDecimal = UpliftSyntax.FixedDecimal
/// A located finding about a bundle: an error that stopped loading or a warning.
public typealias Diagnostic = UpliftSyntax.Diagnostic
/// Where a diagnostic points, resolved by `SourceMap.describe(_:)` to `path:line:column`.
public typealias Span = UpliftSyntax.Span
/// A 1-based line and column.
public typealias SourceLocation = UpliftSyntax.SourceLocation
/// The bundle's files, for rendering diagnostics with their source lines.
public typealias SourceMap = UpliftSyntax.SourceMap
/// Renders diagnostics as `uplift check` prints them: location, message, the line, a caret, help.
public typealias DiagnosticRenderer = UpliftSyntax.DiagnosticRenderer
