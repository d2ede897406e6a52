import UpliftSyntax

/// A policy bundle as read from disk: every file parsed, nothing yet checked.
package struct PolicyBundle: Sendable {
    package var name: String
    package var version: String
    /// SHA-256 of the manifest and every file it names, by relative path, so that the same content
    /// gives the same hash on every machine whatever the directory listing order.
    package var hash: String
    package var sources: SourceMap
    package var schema: RuleFile?
    package var rules: [RuleFile]
    package var tables: [Table]
    package var manifestSpan: Span
    /// Table files that could not be read; names they would have defined are unknown.
    package var unreadableTables: [String] = []
    /// `current_limit: account.current_credit_limit`: the fact holding the limit a decision
    /// changes, when it is not a top-level fact called `current_limit` (a policy ported from an
    /// engine whose input nests it).
    package var currentLimit: Identifier?
    /// What a person can do about their decision (`actions: actions.yaml`), for `uplift whatif`.
    package var actions: [ActionDecl] = []

    package init(name: String, version: String, hash: String, sources: SourceMap, schema: RuleFile?, rules: [RuleFile], tables: [Table], manifestSpan: Span) {
        self.name = name; self.version = version; self.hash = hash; self.sources = sources
        self.schema = schema; self.rules = rules; self.tables = tables; self.manifestSpan = manifestSpan
    }
}
