import UpliftBundle
import UpliftRuntime
import UpliftSyntax

// What the package's own tools (the simulator, policy tests and the CLI) use beyond the public
// API, named here so that they import `Uplift` alone and never a stage: JSON and diagnostic
// writers, the formatter. `package` access: an embedder outside the package sees none of it.

/// Writes JSON text (quoting, objects, arrays) the way every Uplift output does.
package typealias JSONWriter = UpliftRuntime.JSONWriter
/// Parses JSON text into a `JSONValue`, with line and column on error.
package typealias JSONParser = UpliftRuntime.JSONParser

/// Reads a bundle's YAML files with located diagnostics (the policy tests' files too).
package typealias YAMLReader = UpliftBundle.YAMLReader
/// Resolves a path inside a bundle, refusing one that leaves it.
package typealias BundlePath = UpliftBundle.BundlePath
/// One source file with its line index, for located diagnostics.
package typealias SourceFile = UpliftSyntax.SourceFile
/// Did-you-mean suggestions for a misspelt name.
package typealias Suggestions = UpliftSyntax.Suggestions
/// Renders diagnostics as SARIF 2.1.0 (`uplift check --format sarif`).
package typealias SARIFRenderer = UpliftSyntax.SARIFRenderer
/// A unified diff of two texts (`uplift fmt --diff`).
package typealias LineDiff = UpliftSyntax.LineDiff
/// Formats a rule file (`uplift fmt`); named for what it formats, since Foundation has a `Formatter`.
package typealias RuleFormatter = UpliftSyntax.Formatter
/// Formats a bundle's YAML table (`uplift fmt`).
package typealias TableFormatter = UpliftBundle.TableFormatter
