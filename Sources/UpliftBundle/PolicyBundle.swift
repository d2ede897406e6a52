import UpliftSyntax

/// A policy bundle as read from disk: every file parsed, nothing yet checked.
public struct PolicyBundle: Sendable {
    public var name: String
    public var version: String
    /// SHA-256 of the manifest and every file it names, by relative path, so that the same content
    /// gives the same hash on every machine whatever the directory listing order.
    public var hash: String
    public var sources: SourceMap
    public var schema: RuleFile?
    public var rules: [RuleFile]
    public var tables: [Table]
    public var manifestSpan: Span
    /// Table files that could not be read; names they would have defined are unknown.
    public var unreadableTables: [String] = []
    /// `current_limit: account.current_credit_limit`: the fact holding the limit a decision
    /// changes, when it is not a top-level fact called `current_limit` (a policy ported from an
    /// engine whose input nests it).
    public var currentLimit: Identifier?

    public init(name: String, version: String, hash: String, sources: SourceMap, schema: RuleFile?, rules: [RuleFile], tables: [Table], manifestSpan: Span) {
        self.name = name; self.version = version; self.hash = hash; self.sources = sources
        self.schema = schema; self.rules = rules; self.tables = tables; self.manifestSpan = manifestSpan
    }
}
