/// The smallest pieces of a rule file. Words (`and`, `when`, `decline`) are identifiers here; the
/// parser decides which are keywords in which position, so field names stay free to choose.
package struct Token: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case identifier, number, string, date
        case lparen, rparen, lbracket, rbracket, lbrace, rbrace
        case comma, dot, dotdot, colon, question
        case assign, eq, ne, lt, le, gt, ge
        case plus, minus, star, slash
        case eof
        /// A byte sequence the lexer could not read; reported once, then skipped.
        case invalid
    }
    package var kind: Kind
    package var span: Span
    /// The text of identifiers and numbers; the unescaped value of strings.
    package var text: String
    /// True when the token is the first on its line: the parser resynchronises on such tokens.
    package var startsLine: Bool

    package init(_ kind: Kind, _ span: Span, _ text: String, startsLine: Bool) {
        self.kind = kind; self.span = span; self.text = text; self.startsLine = startsLine
    }

    package func isWord(_ w: String) -> Bool { kind == .identifier && text == w }
}

extension Token.Kind {
    package var display: String {
        switch self {
        case .identifier: "a name"
        case .number: "a number"
        case .string: "a string"
        case .date: "a date"
        case .lparen: "`(`"
        case .rparen: "`)`"
        case .lbracket: "`[`"
        case .rbracket: "`]`"
        case .lbrace: "`{`"
        case .rbrace: "`}`"
        case .comma: "`,`"
        case .dot: "`.`"
        case .dotdot: "`..`"
        case .colon: "`:`"
        case .question: "`?`"
        case .assign: "`=`"
        case .eq: "`==`"
        case .ne: "`!=`"
        case .lt: "`<`"
        case .le: "`<=`"
        case .gt: "`>`"
        case .ge: "`>=`"
        case .plus: "`+`"
        case .minus: "`-`"
        case .star: "`*`"
        case .slash: "`/`"
        case .eof: "the end of the file"
        case .invalid: "an unreadable character"
        }
    }
}
