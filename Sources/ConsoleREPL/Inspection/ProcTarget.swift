import ErlangTerm
import TermSyntax

/// The process `proc` is asked about, as typed: a pid as the node prints it (`<0.123.0>`, also `#PID<0.123.0>` and
/// `0.123.0`), a registered name (`my_server`, `:my_server`, `:"odd name"`, `'odd name'`, `MyApp.Worker` for
/// `'Elixir.MyApp.Worker'`), or `{global, Name}` / `{via, Module, Name}` in Elixir or Erlang term syntax.
public enum ProcTarget: Equatable, Sendable {
    /// `<A.B.C>`, normalised; the node turns it into a pid with `erlang:list_to_pid/1`.
    case pid(String)
    /// A locally registered name (the atom's text).
    case name(String)
    /// `global:whereis_name(Name)`.
    case global(Term)
    /// `Module:whereis_name(Name)`.
    case via(module: Term, name: Term)

    /// The longest text accepted.
    static let maxLength = 1024

    /// Parses what was typed.
    public static func parse(_ typed: String) throws(ConsoleCommandError) -> ProcTarget {
        let text = typed.trimmingWhitespace()
        let usage = "proc: give a pid (<0.123.0>), a registered name (MyApp.Worker, :name, name), "
            + "{global, Name} or {via, Module, Name}"
        guard !text.isEmpty, text.utf8.count <= maxLength else { throw ConsoleCommandError(usage) }
        if let pid = pidText(text) { return .pid(pid) }
        if text.hasPrefix("{") { return try tuple(text, usage: usage) }
        if text.hasPrefix("<") || text.hasPrefix("#PID") || text.first?.isNumber == true {
            throw ConsoleCommandError("proc: \(text) is not a pid as the node prints it (<0.123.0>)")
        }
        if let atom = atomName(text) { return .name(atom) }
        throw ConsoleCommandError("proc: \(text) is not a pid or a registered name (\(usage.dropFirst(6)))")
    }

    /// `<A.B.C>` for `<A.B.C>`, `#PID<A.B.C>` or `A.B.C` (three decimal numbers that fit in 32 bits), else nil.
    static func pidText(_ s: String) -> String? {
        var body = Substring(s)
        if body.hasPrefix("#PID<") {
            body = body.dropFirst(5)
            guard body.hasSuffix(">") else { return nil }
            body = body.dropLast()
        } else if body.hasPrefix("<") {
            guard body.hasSuffix(">") else { return nil }
            body = body.dropFirst().dropLast()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [UInt32] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 10, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(p) else {
                return nil
            }
            numbers.append(n)
        }
        return "<\(numbers[0]).\(numbers[1]).\(numbers[2])>"
    }

    /// The atom a name denotes: `:name`/`:"quoted"` (Elixir), `'quoted'` (Erlang), an Elixir alias (`MyApp.Worker`
    /// → `Elixir.MyApp.Worker`, `Elixir.X` as is), or a plain lowercase atom (`name`, `my_app@x`); nil otherwise.
    static func atomName(_ s: String) -> String? {
        let name: String
        if s.hasPrefix(":") || s.hasPrefix("'") {
            guard case .atom(let a)? = try? TermParser.parse(s, syntax: s.hasPrefix(":") ? .elixir : .erlang) else {
                return nil
            }
            name = a.name
        } else if let first = s.unicodeScalars.first, ("A"..."Z").contains(first) {
            let segments = s.split(separator: ".", omittingEmptySubsequences: false)
            let ok = segments.allSatisfy { seg in
                guard let f = seg.unicodeScalars.first, ("A"..."Z").contains(f) else { return false }
                return seg.unicodeScalars.allSatisfy { isWordScalar($0) }
            }
            guard ok else { return nil }
            name = s.hasPrefix("Elixir.") ? s : "Elixir." + s
        } else if let first = s.unicodeScalars.first, ("a"..."z").contains(first) {
            guard s.unicodeScalars.allSatisfy({ isWordScalar($0) || $0 == "@" }) else { return nil }
            name = s
        } else {
            return nil
        }
        guard !name.isEmpty, name.count <= 255 else { return nil }
        return name
    }

    private static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) || u == "_"
    }

    /// `{global, Name}` or `{via, Module, Name}`, read in Elixir syntax then Erlang's.
    static func tuple(_ s: String, usage: String) throws(ConsoleCommandError) -> ProcTarget {
        let parsed = (try? TermParser.parse(s, syntax: .elixir)) ?? (try? TermParser.parse(s, syntax: .erlang))
        guard case .tuple(let t)? = parsed, let tag = t.first?.atomName else {
            throw ConsoleCommandError("proc: \(s) is not a term (\(usage.dropFirst(6)))")
        }
        switch (tag, t.count) {
        case ("global", 2): return .global(t[1])
        case ("via", 3):
            guard t[1].atomValue != nil else { throw ConsoleCommandError("proc: the module of {via, Module, Name} is an atom") }
            return .via(module: t[1], name: t[2])
        default: throw ConsoleCommandError("proc: a tuple is {global, Name} or {via, Module, Name}")
        }
    }

    /// As shown: `<0.1.0>`, `MyApp.Worker` / `my_server`, `{global, Name}`.
    public func display(syntax: SourceSyntax, profile: PrinterProfile) -> String {
        func term(_ t: Term) -> String { ProcView.term(t, syntax: syntax, profile: profile) }
        switch self {
        case .pid(let p): return p
        case .name(let n): return ProcView.atom(Atom(n), syntax: syntax, profile: profile)
        case .global(let n):
            return syntax == .elixir ? "{:global, \(term(n))}" : "{global, \(term(n))}"
        case .via(let m, let n):
            return syntax == .elixir ? "{:via, \(term(m)), \(term(n))}" : "{via, \(term(m)), \(term(n))}"
        }
    }

    /// The terms ``display(syntax:profile:)`` shows.
    var shownTerms: [Term] {
        switch self {
        case .pid: return []
        case .name(let n): return [.atom(Atom(n))]
        case .global(let n): return [n]
        case .via(let m, let n): return [m, n]
        }
    }

    /// Whether this is a name (looked for on other nodes when the target has none).
    var isName: Bool { if case .pid = self { return false }; return true }

    /// The `target` argument of ``ProcSource``: names as binaries (atoms inside terms as `{'$bc_atom', Bin}`), so
    /// that nothing typed creates an atom on the node.
    var argument: Term {
        switch self {
        case .pid(let p): return .tuple([.atom("pid_text"), .string(p)])
        case .name(let n): return .tuple([.atom("name"), .string(n)])
        case .global(let n): return .tuple([.atom("global"), Self.marked(n)])
        case .via(let m, let n): return .tuple([.atom("via"), Self.marked(m), Self.marked(n)])
        }
    }

    static func marked(_ t: Term) -> Term {
        switch t {
        case .atom(let a): return .tuple([.atom("$bc_atom"), .string(a.name)])
        case .tuple(let e): return .tuple(e.map(marked))
        case .list(let e): return .list(e.map(marked))
        default: return t
        }
    }
}
