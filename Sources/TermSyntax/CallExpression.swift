import ErlangTerm

/// A remote call with literal arguments, as typed at the console: `call NODE 'Mod.fun(args)'`.
///
/// Elixir: `Enum.count([1, 2])`, `:erlang.memory(:total)`, `Node.list()`, `MyApp.Stats.info()`,
/// `Keyword.get([a: 1], :a)`, `Map.new(a: 1)` (a trailing keyword list is one argument, as in Elixir).
/// Aliases become `Elixir.`-prefixed atoms (`Node` is `Elixir.Node`).
///
/// Erlang: `erlang:memory()`, `lists:seq(1, 3).` (the final `.` is optional), `'Elixir.Node':list()`.
///
/// Arguments must be literal terms (see ``TermParser``); a variable or a nested call fails with its position.
/// A call without a module (`self()`) fails with ``TermSyntaxError/Code/localCall``: qualify it. Parentheses are
/// required.
public struct CallExpression: Hashable, Sendable, CustomStringConvertible {
    /// The module, e.g. `erlang` or `Elixir.Enum`.
    public var module: Atom
    /// The function name.
    public var function: Atom
    /// The arguments, in order.
    public var arguments: [Term]

    /// Makes a call.
    public init(module: Atom, function: Atom, arguments: [Term]) {
        self.module = module; self.function = function; self.arguments = arguments
    }

    /// The number of arguments.
    public var arity: Int { arguments.count }

    /// `module:function/arity`, as Erlang writes an MFA.
    public var description: String { "\(module.name):\(function.name)/\(arity)" }

    /// Parses one call expression in `syntax`.
    public static func parse(
        _ text: String, syntax: SourceSyntax, maxDepth: Int = TermParser.defaultMaxDepth
    ) throws(TermSyntaxError) -> CallExpression {
        switch syntax {
        case .elixir:
            var p = ElixirTermParser(text, maxDepth: maxDepth)
            return try p.parseCall()
        case .erlang:
            var p = ErlangTermParser(text, maxDepth: maxDepth)
            return try p.parseCall()
        }
    }

    /// Whether `text` is a call cut short (an unclosed parenthesis, bracket or string), so that a REPL should read
    /// another line.
    public static func isIncomplete(_ text: String, syntax: SourceSyntax) -> Bool {
        do {
            _ = try parse(text, syntax: syntax)
            return false
        } catch {
            return error.code == .unexpectedEnd
        }
    }
}

extension ElixirTermParser {
    /// `Alias.fun(args)`, `:mod.fun(args)`, `:"mod".fun(args)`.
    mutating func parseCall() throws(TermSyntaxError) -> CallExpression {
        skipSpace()
        let start = sc.pos
        guard let c = sc.peek() else {
            throw sc.error(.emptyInput, at: sc.pos, expected: ["a call"], message: "expected a call such as Mod.fun()")
        }
        let module: Atom
        if c == ":" {
            module = try parseColonAtom()
        } else if TermScanner.isASCIIUpper(c) {
            module = try parseAlias()
        } else if c == "_" || c.properties.isAlphabetic {
            let name = scanIdentifier()
            var probe = sc.pos
            while probe < sc.input.count, sc.input[probe] == " " { probe += 1 }
            if probe < sc.input.count, sc.input[probe] == "(" {
                throw sc.error(
                    .localCall, at: start, found: "\"\(name)\"",
                    message: "qualify the call: \(name)() has no module (write Kernel.\(name)() or :erlang.\(name)())")
            }
            throw sc.error(
                .variable, at: start, found: "\"\(name)\"",
                message: "expected a module (an alias such as Enum or an atom such as :erlang), not variable \(name)")
        } else {
            throw sc.expectedError(["a module"])
        }
        skipSpace()
        guard sc.consume(".") else {
            if sc.peek() == "(" {
                throw sc.error(
                    .localCall, at: start, message: "expected Module.function(...): a module cannot be called")
            }
            throw sc.error(
                .notACall, at: sc.pos, expected: ["\".\""], found: sc.foundDescription(at: sc.pos),
                message: "expected \".\" and a function: a call looks like Module.function(...)")
        }
        let function = try parseFunctionName()
        skipSpace()
        guard sc.consume("(") else {
            if sc.peek() == "." {
                throw sc.error(
                    .notALiteral, at: sc.pos, expected: ["\"(\""], found: "\".\"",
                    message: "expected \"(\": a call result cannot be called again")
            }
            throw sc.error(
                .notACall, at: sc.pos, expected: ["\"(\""], found: sc.foundDescription(at: sc.pos),
                message: "expected \"(\": calls need parentheses, as in \(function.name)()")
        }
        let arguments = try parseSequence(close: ")", trailingComma: false, keywordsFirstAllowed: true)
        skipSpace()
        if !sc.atEnd {
            throw sc.error(
                .trailingInput, at: sc.pos, expected: ["end of input"], found: sc.foundDescription(at: sc.pos),
                message: "expected end of input after the call")
        }
        return CallExpression(module: module, function: function, arguments: arguments)
    }
}

extension ErlangTermParser {
    /// `mod:fun(Args)` with an optional final `.`.
    mutating func parseCall() throws(TermSyntaxError) -> CallExpression {
        skipSpace()
        let start = sc.pos
        guard !sc.atEnd else {
            throw sc.error(
                .emptyInput, at: sc.pos, expected: ["a call"], message: "expected a call such as mod:fun()")
        }
        let module = try parseAtomOnly()
        skipSpace()
        guard sc.consume(":") else {
            if sc.peek() == "(" {
                throw sc.error(
                    .localCall, at: start, found: "\"\(module.name)\"",
                    message: "qualify the call: \(module.name)() has no module (write erlang:\(module.name)())")
            }
            throw sc.error(
                .notACall, at: sc.pos, expected: ["\":\""], found: sc.foundDescription(at: sc.pos),
                message: "expected \":\" and a function: a call looks like module:function(...)")
        }
        skipSpace()
        let function = try parseAtomOnly()
        skipSpace()
        guard sc.consume("(") else {
            throw sc.error(
                .notACall, at: sc.pos, expected: ["\"(\""], found: sc.foundDescription(at: sc.pos),
                message: "expected \"(\": calls need parentheses, as in \(function.name)()")
        }
        let arguments = try parseSequence(close: ")")
        try parseEnd()
        return CallExpression(module: module, function: function, arguments: arguments)
    }
}
