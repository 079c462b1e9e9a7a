/// A failure to parse Elixir or Erlang term syntax (``TermParser``) or a call expression (``CallExpression``).
///
/// ``code`` is stable and can be switched on; ``line`` and ``column`` are 1-based and point at the place where the
/// problem was found (columns count Unicode scalars; a tab is one column). ``expected`` lists what would have been
/// accepted there, when that is a short list of tokens. ``description`` reads like
/// `expected "]" or "," at line 1, column 7, found "}"`.
public struct TermSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, e.g. `unexpected_end`.
        public let rawValue: String
        /// Makes a code; prefer the static constants.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input ended inside an unfinished term: an unclosed bracket, string, atom or sigil, or after a `,`,
        /// `|`, `=>` or `-`. More input could complete it (see ``TermParser/isIncomplete(_:syntax:)``).
        public static let unexpectedEnd = Code("unexpected_end")
        /// The input holds nothing but whitespace and comments.
        public static let emptyInput = Code("empty_input")
        /// A token that cannot appear here (``TermSyntaxError/expected`` says what could).
        public static let unexpectedToken = Code("unexpected_token")
        /// A character that starts no token.
        public static let invalidCharacter = Code("invalid_character")
        /// A malformed number: a bad digit for the base, a misplaced `_`, a float out of range.
        public static let invalidNumber = Code("invalid_number")
        /// A malformed escape sequence in a string, charlist, atom or character literal.
        public static let invalidEscape = Code("invalid_escape")
        /// String interpolation (`#{...}`): only literal terms are accepted.
        public static let interpolation = Code("interpolation")
        /// A variable where a literal term is needed.
        public static let variable = Code("variable")
        /// An expression that is not a literal term: a call, an operator, a reserved word.
        public static let notALiteral = Code("not_a_literal")
        /// A call without a module (`self()`); qualify it (`:erlang.self()`, `erlang:self()`).
        public static let localCall = Code("local_call")
        /// An atom longer than 255 characters.
        public static let atomTooLong = Code("atom_too_long")
        /// Nesting deeper than ``TermParser/maxDepth``.
        public static let tooDeep = Code("too_deep")
        /// A literal past a size limit (an integer with too many digits, a binary segment too large).
        public static let tooLarge = Code("too_large")
        /// A binary segment that cannot be built (bad type, size or value).
        public static let invalidBinary = Code("invalid_binary")
        /// A keyword pair followed by a non-keyword element (`[a: 1, 2]`): keywords must come last.
        public static let keywordNotLast = Code("keyword_not_last")
        /// Input left over after a complete term.
        public static let trailingInput = Code("trailing_input")
    }

    /// What went wrong.
    public var code: Code
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem, in Unicode scalars.
    public var column: Int
    /// Offset of the problem in Unicode scalars from the start of the input.
    public var offset: Int
    /// What would have been accepted at this point (`"]"`, `","`, `a term`), possibly empty.
    public var expected: [String]
    /// What was found instead (`"}"`, `end of input`), if known.
    public var found: String?
    /// The explanation without the position, e.g. `expected "]" or ","`.
    public var message: String

    /// Makes an error. ``TermParser`` computes `line` and `column` from `offset`.
    public init(
        _ code: Code, line: Int, column: Int, offset: Int, expected: [String] = [], found: String? = nil,
        message: String
    ) {
        self.code = code; self.line = line; self.column = column; self.offset = offset
        self.expected = expected; self.found = found; self.message = message
    }

    /// `message at line L, column C`, followed by `, found X` when known.
    public var description: String {
        var s = "\(message) at line \(line), column \(column)"
        if let found { s += ", found \(found)" }
        return s
    }

    /// Joins expectations as `"]" or ","` / `a term, "]" or ","`.
    static func describe(expected: [String]) -> String {
        switch expected.count {
        case 0: return "unexpected input"
        case 1: return "expected \(expected[0])"
        default: return "expected " + expected.dropLast().joined(separator: ", ") + " or " + expected.last!
        }
    }
}
