import ErlangTerm

/// Which language's literal syntax to read.
public enum SourceSyntax: Sendable, Hashable, CaseIterable {
    /// Elixir literals: `%{"a" => [1, :ok]}`, `{:error, "why"}`, `<<1, 2>>`, `[a: 1]`, `MyApp.Stats`.
    case elixir
    /// Erlang term syntax, as `erl_parse:parse_term/1` reads it: `#{<<"a">> => [1, ok]}`, `{error, "why"}`.
    case erlang
}

/// Parses the text of one literal term, in Elixir or Erlang syntax, into a ``Term``.
///
/// Only literals are accepted: a variable, a call or an operator is an error naming its position.
///
/// **Elixir**: atoms (`:ok`, `:"a b"`, `:+`), aliases (`MyApp.Stats` is the atom `Elixir.MyApp.Stats`), `true`,
/// `false`, `nil`, strings with escapes (no interpolation), heredocs, charlists (`'abc'`, `~c"abc"`), the sigils
/// `~s ~S ~c ~C ~w ~W`, integers (`1_000`, `0x1F`, `0o17`, `0b101`, `?a`, any size), floats, lists, improper lists,
/// keyword lists (also trailing, `[1, a: 2]`; keys may be quoted or operators: `["a b": 1, +: 2, <<>>: 3]`, as
/// `inspect` prints them), tuples, maps (`%{<>: 1}`), structs (`%MyApp.S{a: 1}` is a map with
/// `__struct__`; fields without defaults), binaries with segment types (`<<1::size(3)>>`, `<<"é"::utf16>>`),
/// export funs (`&Mod.fun/1`), comments and newlines.
///
/// **Erlang**: atoms (`ok`, `'Quoted'`), strings (charlists; adjacent strings are joined), `$a`, integers
/// (`16#FF`, `1_000`), floats, lists, improper lists, tuples, maps (`#{a => 1}`), binaries
/// (`<<"é"/utf8>>`, `<<1:3>>`), `fun m:f/1`, `%` comments and an optional final `.`.
///
/// Parsing is linear in the input, never traps, and bounds nesting at ``maxDepth``. Containers are parsed with an
/// explicit stack, so deep input cannot overflow the call stack; binaries inside binaries nest at most 32 deep.
///
/// Where this reader differs from the VM:
/// - Elixir: a newline before `,` is accepted (`[1\n, 2]`); `size(n)*unit` is accepted in binary segments; a struct
///   literal holds only the fields written (defaults of the struct's module are unknown here); `<<<<1>>::binary>>`
///   needs no space after `<<`.
/// - Erlang: `<<"a"/binary>>` is refused (as `erl_parse:parse_term/1` does), unary minus applies only to numbers.
/// - Both: integers are limited to 40,000 digits, binaries to 16 MiB, integer segments to 2 MiB.
///
/// ```swift
/// let t = try TermParser.parse(#"{:ok, %{"a" => [1, 2]}}"#, syntax: .elixir)
/// let u = try TermParser.parse("{ok, #{<<\"a\">> => [1, 2]}}.", syntax: .erlang)   // t == u
/// ```
public struct TermParser: Sendable {
    /// The syntax to read.
    public var syntax: SourceSyntax
    /// The deepest nesting of lists, tuples, maps and binaries accepted; deeper input fails with
    /// ``TermSyntaxError/Code/tooDeep``.
    public var maxDepth: Int

    /// The default for ``maxDepth``.
    public static let defaultMaxDepth = 1_000

    /// Makes a parser for `syntax`.
    public init(syntax: SourceSyntax, maxDepth: Int = TermParser.defaultMaxDepth) {
        self.syntax = syntax
        self.maxDepth = maxDepth
    }

    /// Parses `text`, which must hold exactly one term (surrounding whitespace and comments are allowed).
    public func parse(_ text: String) throws(TermSyntaxError) -> Term {
        switch syntax {
        case .elixir:
            var p = ElixirTermParser(text, maxDepth: maxDepth)
            return try p.parseDocument()
        case .erlang:
            var p = ErlangTermParser(text, maxDepth: maxDepth)
            return try p.parseDocument()
        }
    }

    /// Parses `text` as one term in `syntax` with the default limits.
    public static func parse(_ text: String, syntax: SourceSyntax) throws(TermSyntaxError) -> Term {
        try TermParser(syntax: syntax).parse(text)
    }

    /// Whether `text` is a term cut short — an unclosed bracket, string, atom or sigil, or a dangling `,`, `|`,
    /// `=>` or `-` — so that a REPL should read another line rather than report an error.
    /// False for complete terms, for empty input and for input that is wrong before its end.
    public static func isIncomplete(_ text: String, syntax: SourceSyntax) -> Bool {
        do {
            _ = try parse(text, syntax: syntax)
            return false
        } catch {
            return error.code == .unexpectedEnd
        }
    }
}
