import ErlangTerm
import TermSyntax

/// What `trace` traces, as typed: `Mod.fun/2`, `Mod.fun` (every arity), `:mod.fun/1`, `mod:fun/1`, a whole module
/// (`Mod`, `Mod._`, `mod:_`) or everything (`_`); and which calls: an argument pattern (`[1, _]`, `(x, x)`) or a
/// full match spec. Pure: parsing, checking and building the match spec; the node does the rest.
public struct TraceSpec: Equatable, Sendable {
    /// `'_'` for every module (only with `--force`).
    public var module: Atom
    /// `'_'` for every function of the module.
    public var function: Atom
    /// nil: every arity.
    public var arity: Int?
    /// The match spec given to `erlang:trace_pattern/3` (or `trace:function/4`), before `--returns`.
    public var matchSpec: [Term]

    public init(module: Atom, function: Atom, arity: Int?, matchSpec: [Term] = [Self.anyCall]) {
        self.module = module; self.function = function; self.arity = arity; self.matchSpec = matchSpec
    }

    /// `{'_', [], []}`: every call.
    public static let anyCall: Term = .tuple([.atom("_"), .list([]), .list([])])

    /// Whether this covers a whole module or every module (the recon rule: refused unless asked for).
    public var isBroad: Bool { module.name == "_" || function.name == "_" }

    /// `{M, F, A}` for the node, `'_'` where unrestricted.
    public var mfaTerm: Term {
        .tuple([.atom(module), .atom(function), arity.map { .integer($0) } ?? .atom("_")])
    }

    /// The match spec with `{exception_trace}` added to each clause's body when `returns` (return values and
    /// exceptions then come as events too).
    public func matchSpec(returns: Bool) -> Term {
        guard returns else { return .list(matchSpec) }
        return .list(matchSpec.map { clause in
            guard case .tuple(let t) = clause, t.count == 3, case .list(let body) = t[2] else { return clause }
            return .tuple([t[0], t[1], .list(body + [.tuple([.atom("exception_trace")])])])
        })
    }

    /// As shown: `MyApp.Worker.handle/2`, `:lists.seq/2`, `lists:seq/2`.
    public func display(syntax: SourceSyntax) -> String {
        let arityText = arity.map { "/\($0)" } ?? (function.name == "_" ? "" : "/_")
        if syntax == .elixir {
            let m = module.name == "_" ? "_" : ElixirInspect.inspect(.atom(module))
            return function.name == "_" ? "\(m).*" : "\(m).\(Self.elixirFunction(function))\(arityText)"
        }
        let m = module.name == "_" ? "'_'" : ErlangFormat.write(.atom(module))
        return function.name == "_" ? "\(m):'_'" : "\(m):\(ErlangFormat.write(.atom(function)))\(arityText)"
    }

    private static func elixirFunction(_ f: Atom) -> String {
        let text = ElixirInspect.inspect(.atom(f))
        return text.hasPrefix(":") ? String(text.dropFirst()) : text
    }

    // MARK: - Parsing

    /// The longest spec or pattern accepted.
    static let maxLength = 8192

    /// Parses `MFA` and the optional pattern / match spec text in the console's `syntax`.
    public static func parse(_ mfa: String, pattern: String?, matchSpec: String?, syntax: SourceSyntax)
        throws(ConsoleCommandError) -> TraceSpec
    {
        guard mfa.utf8.count <= 1024, (pattern?.utf8.count ?? 0) <= maxLength, (matchSpec?.utf8.count ?? 0) <= maxLength
        else { throw ConsoleCommandError("trace: the function or pattern is too long") }
        var spec = try parseFunction(mfa)
        if pattern != nil, matchSpec != nil {
            throw ConsoleCommandError("trace: give an argument pattern or --match-spec, not both")
        }
        if let pattern {
            let args = try parsePattern(pattern, syntax: syntax)
            if let a = spec.arity, a != args.count {
                throw ConsoleCommandError("trace: the pattern has \(args.count) arguments but the function is /\(a)")
            }
            spec.arity = args.count
            spec.matchSpec = [.tuple([.list(args), .list([]), .list([])])]
        } else if let matchSpec {
            spec.matchSpec = try parseMatchSpec(matchSpec, syntax: syntax)
        }
        return spec
    }

    /// `Mod.fun/2`, `Mod.fun`, `:mod.fun/2`, `mod:fun/2`, `'Mod':'f'/1`, `Mod`, `Mod._`, `mod:_`, `_`.
    static func parseFunction(_ typed: String) throws(ConsoleCommandError) -> TraceSpec {
        let usage = "trace: give a function as Mod.fun/2, Mod.fun (every arity), :mod.fun/1 or mod:fun/1"
        var text = typed.trimmingWhitespace()
        guard !text.isEmpty else { throw ConsoleCommandError(usage) }
        if text == "_" || text == "'_'" || text == ":_" { return TraceSpec(module: "_", function: "_", arity: nil) }
        var arity: Int?
        if let slash = text.lastIndex(of: "/"), !text[slash...].contains("'"), !text[slash...].contains("\"") {
            let a = text[text.index(after: slash)...]
            if a == "_" {
                arity = nil
            } else if let n = Int(a), (0...255).contains(n) {
                arity = n
            } else {
                throw ConsoleCommandError("trace: \(a) is not an arity (0 to 255, or _)")
            }
            text = String(text[..<slash])
        }
        // Erlang: mod:fun (a colon that does not start the text).
        if let colon = erlangColon(text) {
            let m = try atom(String(text[..<colon]), erlang: true, what: "module")
            let functionText = String(text[text.index(after: colon)...])
            if functionText == "_" || functionText == "'_'" { return TraceSpec(module: m, function: "_", arity: nil) }
            let f = try atom(functionText, erlang: true, what: "function")
            return TraceSpec(module: m, function: f, arity: arity)
        }
        // Elixir: Alias.Path.fun, :mod.fun, Alias (a whole module), Alias._
        if let first = text.unicodeScalars.first, ("A"..."Z").contains(first) || first == ":" {
            let (moduleText, functionText) = splitElixir(text)
            let m: Atom
            if moduleText.hasPrefix(":") {
                m = try atom(moduleText, erlang: false, what: "module")
            } else {
                guard let a = ProcTarget.atomName(moduleText), a.hasPrefix("Elixir.") else {
                    throw ConsoleCommandError("trace: \(moduleText) is not a module name")
                }
                m = Atom(a)
            }
            guard let functionText else {
                if arity != nil { throw ConsoleCommandError(usage) }
                return TraceSpec(module: m, function: "_", arity: nil)
            }
            if functionText == "_" || functionText == "*" { return TraceSpec(module: m, function: "_", arity: nil) }
            let f = try atom(":" + functionText, erlang: false, what: "function")
            return TraceSpec(module: m, function: f, arity: arity)
        }
        throw ConsoleCommandError(usage)
    }

    /// The `:` of `mod:fun` outside quotes, not at the start.
    private static func erlangColon(_ s: String) -> String.Index? {
        var quote: Character?
        for i in s.indices {
            let c = s[i]
            if let q = quote { if c == q { quote = nil }; continue }
            if c == "'" || c == "\"" { quote = c; continue }
            if c == ":", i != s.startIndex { return i }
        }
        return nil
    }

    /// `A.B.fun` → (`A.B`, `fun`); `A.B` → (`A.B`, nil); `:mod.fun` → (`:mod`, `fun`); `:"a.b".fun` keeps the quotes.
    private static func splitElixir(_ s: String) -> (String, String?) {
        var quote: Character?
        var lastDot: String.Index?
        for i in s.indices {
            let c = s[i]
            if let q = quote { if c == q { quote = nil }; continue }
            if c == "\"" { quote = c; continue }
            if c == "." { lastDot = i }
        }
        guard let dot = lastDot else { return (s, nil) }
        let after = String(s[s.index(after: dot)...])
        if let f = after.unicodeScalars.first, ("A"..."Z").contains(f), !s.hasPrefix(":") { return (s, nil) }
        return (String(s[..<dot]), after)
    }

    private static func atom(_ text: String, erlang: Bool, what: String) throws(ConsoleCommandError) -> Atom {
        let t = text.trimmingWhitespace()
        // `Elixir.Hot:f` in Erlang syntax: the module as written, though Erlang would want it quoted.
        if erlang, t.hasPrefix("Elixir."), t.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "." || $0 == "_" || ("0"..."9").contains($0) }) {
            return Atom(t)
        }
        guard case .atom(let a)? = try? TermParser.parse(t, syntax: erlang ? .erlang : .elixir) else {
            throw ConsoleCommandError("trace: \(t) is not a \(what) name")
        }
        return a
    }

    // MARK: - Patterns

    /// An argument pattern: a list `[1, _, x]` or `(1, _, x)`, of terms where `_` matches anything and a variable
    /// (Elixir: a lowercase name; Erlang: a capitalised one) matches anything, the same value each time it appears.
    static func parsePattern(_ typed: String, syntax: SourceSyntax) throws(ConsoleCommandError) -> [Term] {
        var text = typed.trimmingWhitespace()
        if text.hasPrefix("("), text.hasSuffix(")") { text = "[" + text.dropFirst().dropLast() + "]" }
        guard text.hasPrefix("[") else {
            throw ConsoleCommandError("trace: an argument pattern is a list, [1, _] or (1, _)")
        }
        let substituted = substituteVariables(text, syntax: syntax)
        let term: Term
        do {
            term = try TermParser.parse(substituted, syntax: syntax)
        } catch {
            throw ConsoleCommandError("trace: the pattern is not a term: \(error)")
        }
        guard case .list(let args) = term else {
            throw ConsoleCommandError("trace: an argument pattern is a list, [1, _] or (1, _)")
        }
        return args
    }

    /// A full match spec: a list of `{Head, Guards, Body}`.
    static func parseMatchSpec(_ typed: String, syntax: SourceSyntax) throws(ConsoleCommandError) -> [Term] {
        let term: Term
        do {
            term = try TermParser.parse(typed.trimmingWhitespace(), syntax: syntax)
        } catch {
            throw ConsoleCommandError("trace: the match spec is not a term: \(error)")
        }
        guard case .list(let clauses) = term, !clauses.isEmpty,
            clauses.allSatisfy({ c in
                if case .tuple(let t) = c, t.count == 3, t[1].isList, t[2].isList { return true }
                return false
            })
        else {
            throw ConsoleCommandError("trace: a match spec is a list of {Head, Guards, Body}, e.g. [{[:_, 1], [], []}]")
        }
        return clauses
    }

    /// `_` → `'_'`, and each variable → `'$N'` (the same variable, the same N), outside strings and quoted atoms.
    static func substituteVariables(_ text: String, syntax: SourceSyntax) -> String {
        let chars = Array(text)
        var out = ""
        var variables: [String: Int] = [:]
        var i = 0
        func quoted(_ s: String) -> String { syntax == .elixir ? ":\"\(s)\"" : "'\(s)'" }
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "'" {
                // a string, a charlist or a quoted atom: copied as is
                var j = i + 1
                while j < chars.count, chars[j] != c { j += chars[j] == "\\" ? 2 : 1 }
                out += String(chars[i..<min(j + 1, chars.count)])
                i = j + 1
                continue
            }
            let startsWord = c == "_" || c.isLetter
            let previous: Character? = i > 0 ? chars[i - 1] : nil
            let inWord = previous.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "@" } ?? false
            guard startsWord, !inWord else { out.append(c); i += 1; continue }
            var j = i
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "@"
                || (syntax == .elixir && (chars[j] == "?" || chars[j] == "!"))
            {
                j += 1
            }
            let word = String(chars[i..<j])
            let next: Character? = j < chars.count ? chars[j] : nil
            let isVariable: Bool
            switch syntax {
            case .erlang:
                isVariable = c == "_" || c.isUppercase
            case .elixir:
                let keywords: Set<String> = ["true", "false", "nil", "when", "and", "or", "not", "in", "fn", "do", "end"]
                isVariable = (c == "_" || c.isLowercase) && previous != ":" && previous != "." && next != ":"
                    && next != "(" && !keywords.contains(word)
            }
            if isVariable {
                if word.hasPrefix("_") {
                    out += quoted("_")
                } else {
                    let n = variables[word] ?? (variables.count + 1)
                    variables[word] = n
                    out += quoted("$\(n)")
                }
            } else {
                out += word
            }
            i = j
        }
        return out
    }
}

extension Term {
    fileprivate var isList: Bool {
        if case .list = self { return true }
        return false
    }
}
