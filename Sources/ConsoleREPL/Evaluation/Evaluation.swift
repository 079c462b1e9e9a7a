import Synchronization
import ErlangDistribution
import ErlangTerm
import TermSyntax

/// The terms exchanged with the evaluator that ``EvaluatorSource`` describes: building requests and commands, and
/// reading replies. Pure: no I/O.
enum Evaluation {
    /// One line (or block) of code to evaluate, with how its result should be rendered.
    /// Request ids (for ``EvalCommand/interrupt(_:request:caller:)``): unique within this console process.
    private static let requestIDs = Atomic<Int>(0)

    struct Request: Sendable {
        /// Names the request in an interrupt.
        var id = Evaluation.requestIDs.wrappingAdd(1, ordering: .relaxed).newValue
        var code: String
        /// Columns for the pretty printer (IEx uses the terminal's width, at most 80).
        var width = 80
        /// IEx's syntax colours in the rendered text.
        var color = false
        /// At most this many bytes of rendered text come back; the reply says when it was cut.
        var cap = 65_536
        /// Also bring the value itself (for `--json`), when its external size is at most `rawCap` bytes.
        var raw = false
        var rawCap = 1 << 20
        /// `--read-only`: the allowlist the node checks every call in the code against before running any of it.
        var readOnly: Term?

        init(code: String, settings: ConsoleSettings) {
            self.code = code
            width = min(80, max(20, settings.width))
            color = settings.color && !settings.json
            raw = settings.json
            cap = settings.maxResultBytes
        }

        var term: Term {
            .map(
                TermMap([
                    (.atom("id"), .integer(id)), (.atom("code"), .string(code)), (.atom("width"), .integer(width)),
                    (.atom("color"), .atom(color ? .true : .false)), (.atom("cap"), .integer(cap)),
                    (.atom("raw"), .atom(raw ? .true : .false)), (.atom("raw_cap"), .integer(rawCap)),
                    (.atom("read_only"), readOnly ?? .atom(.false)),
                ]))
        }
    }

    /// What the evaluator answered.
    enum Reply: Equatable, Sendable {
        /// The value, rendered on the node; `counter` is its number for `v/1`.
        case value(text: String, truncated: Bool, counter: Int, raw: Raw)
        /// The code is not complete yet (an open `do`, bracket or string; no final `.` in Erlang).
        case incomplete
        /// An exception, exit or throw (or a syntax error), formatted on the node as IEx or the Erlang shell would.
        case error(text: String, kind: String)
        /// `--read-only` refused it before anything ran; the text names the offending call.
        case refused(String)

        /// The value itself, when asked for.
        enum Raw: Equatable, Sendable {
            case none
            case value(Term)
            /// Larger than `rawCap`: left on the node.
            case tooLarge
        }

        init?(_ t: Term) {
            if t.isAtom("incomplete") { self = .incomplete; return }
            if let r = t.tagged("refused"), r.count == 1 {
                self = .refused(flattenChardata(r[0]) ?? "\(r[0])")
                return
            }
            if let e = t.tagged("error"), e.count == 1, let m = e[0].mapValue {
                self = .error(text: m[Atom("text")]?.stringValue ?? "", kind: m[Atom("kind")]?.atomValue?.name ?? "error")
                return
            }
            guard let o = t.tagged("ok"), o.count == 1, let m = o[0].mapValue, let text = m[Atom("text")]?.stringValue
            else { return nil }
            let raw: Raw
            switch m[Atom("value")] {
            case let v? where v.tagged("value")?.count == 1: raw = .value(v.tagged("value")![0])
            case let v? where v.isAtom("too_large"): raw = .tooLarge
            default: raw = .none
            }
            guard case .integer(let counter)? = m[Atom("counter")] else { return nil }
            self = .value(
                text: text, truncated: m[Atom("truncated")]?.boolValue ?? false, counter: counter, raw: raw)
        }
    }

    /// What the node said about itself when its evaluator started.
    struct NodeInfo: Equatable, Sendable {
        var syntax: SourceSyntax
        /// `System.version()`, nil on a node without Elixir.
        var elixir: String?
        var iex: Bool
        var otpRelease: String

        init?(_ t: Term) {
            guard let m = t.mapValue, let s = m[Atom("syntax")]?.atomValue?.name else { return nil }
            syntax = s == "erlang" ? .erlang : .elixir
            elixir = m[Atom("elixir")]?.stringValue
            iex = m[Atom("iex")]?.boolValue ?? false
            otpRelease = m[Atom("otp")]?.stringValue ?? "?"
        }
    }

    /// The allowlist a `--read-only` evaluation is checked against on the node.
    static let readOnlyAllowlist: Term = ReadOnlyCheck.allowTerm()

    /// `{start, ConsoleNode, Syntax, GroupLeader}`: with a group leader (the REPL's), the evaluator writes to it
    /// always; with `none`, to each caller's during its line and to the node's `user` between lines.
    static func start(console: String, syntax: SourceSyntax, groupLeader: Pid? = nil) -> Term {
        .tuple([
            .atom("start"), .atom(Atom(console)), .atom(syntax == .erlang ? "erlang" : "elixir"),
            groupLeader.map { .pid($0) } ?? .atom("none"),
        ])
    }

    /// `{once, Syntax, Request}`. A one-shot Erlang expression may leave out the final `.`.
    static func once(_ request: Request, syntax: SourceSyntax) -> Term {
        var request = request
        if syntax == .erlang {
            let code = request.code.trimmingWhitespace()
            if !code.hasSuffix(".") { request.code = code + "." }
        }
        return .tuple([.atom("once"), .atom(syntax == .erlang ? "erlang" : "elixir"), request.term])
    }

    /// The `erl_eval:exprs/2` call that runs ``EvaluatorSource`` with `command`: the fun's source is scanned, parsed
    /// and evaluated on the node, then applied to `Args`. (The bindings that come back hold only `Args`.)
    /// With `readOnly`, the source carries ``ReadOnlyCheck`` (requests then carry the allowlist).
    static func bootstrap(_ command: Term, readOnly: Bool) -> (module: Atom, function: Atom, arguments: [Term]) {
        let expressions = readOnly ? readOnlyBootstrap : plainBootstrap
        return ("erl_eval", "exprs", [expressions, .list([.tuple([.atom("Args"), command])])])
    }
    private static let plainBootstrap = bootstrapExpressions(EvaluatorSource.text(readOnly: false))
    private static let readOnlyBootstrap = bootstrapExpressions(EvaluatorSource.text(readOnly: true))

    /// `{value, Value, Bindings}` from `erl_eval:exprs/2` → `Value`.
    static func bootstrapValue(_ t: Term) -> Term? {
        guard let v = t.tagged("value"), v.count == 2 else { return nil }
        return v[0]
    }

    /// `gen_server:call(Owner, {'$beamconsole_eval', Request}, infinity)` (the console's own deadline applies).
    static func evaluate(owner: Pid, _ request: Request) -> (module: Atom, function: Atom, arguments: [Term]) {
        ("gen_server", "call", [.pid(owner), .tuple([.atom("$beamconsole_eval"), request.term]), .atom("infinity")])
    }

    /// Whether an exit from `gen_server:call` means the owner is gone (`noproc`, or its node connection dropped).
    static func ownerIsGone(_ reason: Term) -> Bool {
        let head = reason.tupleElements?.first ?? reason
        return head.isAtom("noproc") || head.isAtom("nodedown") || head.isAtom("normal") || head.isAtom("killed")
    }

    /// `(fun() -> {ok, T, _} = erl_scan:string(Src), {ok, E} = erl_parse:parse_exprs(T),
    /// B = case erlang:system_info(otp_release) >= "25" of true -> #{}; false -> [] end,
    /// {value, F, _} = erl_eval:exprs(E, B), F(Args) end)()` in the abstract format, with the source inline.
    static func bootstrapExpressions(_ text: String) -> Term {
        func a(_ name: String) -> Term { AbstractForm.atom(Atom(name)) }
        func v(_ name: String) -> Term { .tuple([.atom("var"), .integer(1), .atom(Atom(name))]) }
        func t(_ items: [Term]) -> Term { AbstractForm.tuple(items) }
        func remote(_ m: String, _ f: String, _ args: [Term]) -> Term { AbstractForm.call(Atom(m), Atom(f), args) }
        func match(_ l: Term, _ r: Term) -> Term { .tuple([.atom("match"), .integer(1), l, r]) }
        let source = AbstractForm.string(text + ".")
        let body: [Term] = [
            match(t([a("ok"), v("T"), v("_")]), remote("erl_scan", "string", [source])),
            match(t([a("ok"), v("E")]), remote("erl_parse", "parse_exprs", [v("T")])),
            // Map bindings where erl_eval takes them (OTP 25+): lookups and the closures' binding merges are then
            // logarithmic, which halves the evaluator's own cost per line; an orddict before.
            match(
                v("B"),
                .tuple([
                    .atom("case"), .integer(1),
                    .tuple([
                        .atom("op"), .integer(1), .atom(">="),
                        remote("erlang", "system_info", [a("otp_release")]),
                        AbstractForm.string("25"),
                    ]),
                    .list([
                        .tuple([.atom("clause"), .integer(1), .list([a("true")]), .list([]),
                                .list([.tuple([.atom("map"), .integer(1), .list([])])])]),
                        .tuple([.atom("clause"), .integer(1), .list([a("false")]), .list([]),
                                .list([.tuple([.atom("nil"), .integer(1)])])]),
                    ]),
                ])),
            match(t([a("value"), v("F"), v("_")]), remote("erl_eval", "exprs", [v("E"), v("B")])),
            .tuple([.atom("call"), .integer(1), v("F"), .list([v("Args")])]),
        ]
        let fun = Term.tuple([
            .atom("fun"), .integer(1),
            .tuple([.atom("clauses"), .list([.tuple([.atom("clause"), .integer(1), .list([]), .list([]), .list(body)])])]),
        ])
        return .list([.tuple([.atom("call"), .integer(1), fun, .list([])])])
    }
}

extension Term {
    /// Whether rendering this value needs the node's `Inspect` protocol: it holds a struct (a map with
    /// `__struct__`), which the node may print through its own implementation (`#Money<…>`, `~D[…]`, `%User{…}`).
    /// Plain terms render the same locally, which keeps `call` as fast as it is.
    var needsNodeRendering: Bool {
        switch self {
        case .map(let m):
            if m[Atom("__struct__")] != nil { return true }
            return m.contains { $0.key.needsNodeRendering || $0.value.needsNodeRendering }
        case .tuple(let items), .list(let items): return items.contains { $0.needsNodeRendering }
        case .improperList(let items, let tail): return tail.needsNodeRendering || items.contains { $0.needsNodeRendering }
        default: return false
        }
    }
}
