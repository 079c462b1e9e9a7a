import ConsoleREPL
import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// ``ReadOnlyCheck`` on a real Elixir node, built as the evaluator builds it: its source through `erl_scan`,
/// `erl_parse` and `erl_eval` (nothing installed), then applied with `erlang:apply/2` to lines parsed on the node
/// (`Code.string_to_quoted/2` with `existing_atoms_only`, `erl_parse:parse_exprs/1`). The check must evaluate nothing:
/// refused lines that would register a name leave it unregistered, an allowed `Process.sleep` does not sleep.
final class ReadOnlyCheckTests: XCTestCase {
    nonisolated(unsafe) static var target: TestNode?
    nonisolated(unsafe) static var startError: (any Error)?
    nonisolated(unsafe) static var console: LocalNode?

    override class func setUp() {
        let cookie = "ro\(UInt64.random(in: 0...UInt64.max))"
        do {
            target = try TestNode(kind: .elixir, cookie: cookie)
        } catch {
            startError = error
        }
        console = LocalNode(configuration: .init(
            name: .short("bc\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: cookie,
            connectTimeout: .seconds(5), handshakeStepTimeout: .seconds(5)))
    }

    override class func tearDown() {
        console?.shutdown()
        target?.stop()
    }

    enum Outcome: Equatable, CustomStringConvertible {
        case ok
        case refused(String)
        var description: String {
            switch self {
            case .ok: "ok"
            case .refused(let why): "refused: \(why)"
            }
        }
    }

    /// The check as a value on the node, and what it is applied with.
    struct Checker {
        let console: LocalNode
        let node: String
        let check: Term
        let allow = ReadOnlyCheck.allowTerm()
        /// `Code.env_for_eval([])`: Kernel imported, no aliases.
        let env: Term
        /// The same with IEx's helpers imported, as in an IEx session.
        let iexEnv: Term

        func call(_ module: Atom, _ function: Atom, _ arguments: [Term]) async throws -> Term {
            try await ReadOnlyCheckTests.call(console, node, module, function, arguments)
        }

        func outcome(_ result: Term) throws -> Outcome {
            if result == .atom("ok") { return .ok }
            if let parts = ReadOnlyCheckTests.tagged(result, "refused", count: 2), case .binary(let why) = parts[1] {
                return .refused(String(decoding: why, as: UTF8.self))
            }
            throw TestSupportError("the check returned \(result)")
        }

        /// Parses `line` on the node (existing atoms only) and checks it.
        func elixir(_ line: String, iex: Bool = false) async throws -> Outcome {
            let parsed = try await call(
                "Elixir.Code", "string_to_quoted", [.string(line), [.tuple(["existing_atoms_only", true])]])
            guard let forms = ReadOnlyCheckTests.tagged(parsed, "ok", count: 2)?[1] else {
                throw TestSupportError("\(line) does not parse: \(parsed)")
            }
            return try outcome(try await call("erlang", "apply", [check, ["elixir", forms, iex ? iexEnv : env, allow]]))
        }

        /// Scans and parses `line` (ending with `.`) on the node and checks it.
        func erlang(_ line: String) async throws -> Outcome {
            let scanned = try await call("erl_scan", "string", [.charlist(line)])
            guard let tokens = ReadOnlyCheckTests.tagged(scanned, "ok", count: 3)?[1] else {
                throw TestSupportError("\(line) does not scan: \(scanned)")
            }
            let parsed = try await call("erl_parse", "parse_exprs", [tokens])
            guard let forms = ReadOnlyCheckTests.tagged(parsed, "ok", count: 2)?[1] else {
                throw TestSupportError("\(line) does not parse: \(parsed)")
            }
            return try outcome(try await call("erlang", "apply", [check, ["erlang", forms, "undefined", allow]]))
        }
    }

    /// The elements of `{tag, ...}` with `count` elements, or nil.
    static func tagged(_ term: Term, _ tag: String, count: Int) -> [Term]? {
        guard case .tuple(let parts) = term, parts.count == count, parts[0] == .atom(Atom(tag)) else { return nil }
        return parts
    }

    static func call(_ console: LocalNode, _ node: String, _ module: Atom, _ function: Atom, _ arguments: [Term])
        async throws -> Term
    {
        let r = try await console.call(
            node: node, module: module, function: function, arguments: arguments,
            options: CallOptions(timeout: .seconds(15), captureOutput: false))
        guard case .value(let v) = r.result else {
            throw TestSupportError("\(module.name):\(function.name) gave \(r.result)")
        }
        return v
    }

    /// Builds the check on the node from its source, as the evaluator does.
    func makeChecker() async throws -> Checker {
        if let startError = Self.startError { throw startError }
        let node = try XCTUnwrap(Self.target).name
        let console = try XCTUnwrap(Self.console)
        func call(_ m: Atom, _ f: Atom, _ a: [Term]) async throws -> Term {
            try await Self.call(console, node, m, f, a)
        }
        let scanned = try await call("erl_scan", "string", [.charlist(ReadOnlyCheck.erlangFunSource + ".")])
        guard let tokens = Self.tagged(scanned, "ok", count: 3)?[1] else {
            throw TestSupportError("the source does not scan: \(scanned)")
        }
        let parsed = try await call("erl_parse", "parse_exprs", [tokens])
        guard let exprs = Self.tagged(parsed, "ok", count: 2)?[1] else {
            throw TestSupportError("the source does not parse: \(parsed)")
        }
        let bindings = try await call("erl_eval", "new_bindings", [])
        let evaluated = try await call("erl_eval", "exprs", [exprs, bindings])
        guard let check = Self.tagged(evaluated, "value", count: 3)?[1] else {
            throw TestSupportError("the source does not evaluate to a fun: \(evaluated)")
        }
        let env = try await call("Elixir.Code", "env_for_eval", [[]])
        let withIEx = try await call("Elixir.Code", "eval_string", [.string("import IEx.Helpers; __ENV__")])
        guard case .tuple(let pair) = withIEx, pair.count == 2 else {
            throw TestSupportError("no IEx env: \(withIEx)")
        }
        let iexEnv = pair[0]
        return Checker(console: console, node: node, check: check, env: env, iexEnv: iexEnv)
    }

    /// Makes the atoms of `lines`' identifiers exist on the node, as they do in a session that has used them (the
    /// lines are parsed with `existing_atoms_only`).
    func makeAtoms(_ lines: [String], _ checker: Checker) async throws {
        var words = Set<String>()
        for line in lines {
            var word = ""
            for c in line + " " {
                if c.isLetter || c.isNumber || c == "_" {
                    word.append(c)
                } else {
                    if let first = word.first, first.isLetter || first == "_" { words.insert(word) }
                    word = ""
                }
            }
        }
        _ = try await checker.call("erlang", "length", [.list(words.sorted().map { .atom(Atom($0)) })])
    }

    static let fieldAccess =
        "a field access that calls a function when m is a module (m.halt; write Map.fetch!(m, :halt))"

    /// Elixir lines and what the check says.
    static let elixirLines: [(String, Outcome)] = [
        // Allowed: introspection, pure functions, special forms.
        ("Node.list()", .ok),
        (":erlang.memory() |> Map.new()", .ok),
        ("Enum.map(Process.list(), &Process.info(&1, :memory))", .ok),
        ("for p <- Process.list(), do: Process.info(p, [:memory, :message_queue_len])", .ok),
        ("x = 1; x + 1", .ok),
        ("Process.list() |> Enum.map(&Process.info(&1, :reductions)) |> Enum.take(3)", .ok),
        ("self() |> Process.info([:memory, :links])", .ok),
        (":erlang.process_info(self(), :current_stacktrace)", .ok),
        ("%{a: 1}.a", .ok),
        ("~r/beam/i |> Regex.match?(\"BEAM\")", .ok),
        ("~w(a b c)", .ok),
        ("fn x -> x * 2 end.(3)", .ok),
        ("f = fn x -> x + 1 end; f.(1)", .ok),
        ("case Node.self() do n when is_atom(n) -> n; _ -> nil end", .ok),
        ("if length(Node.list()) > 0, do: :connected, else: :alone", .ok),
        ("with {:ok, v} <- Map.fetch(%{a: 1}, :a), do: v", .ok),
        ("\"node: #{Node.self()}\"", .ok),
        (":erlang.system_info(:process_count)", .ok),
        ("<<a::8, rest::binary>> = \"hi\"; {a, rest}", .ok),
        ("try do raise \"boom\" rescue e -> inspect(e) end", .ok),
        ("receive do m -> m after 0 -> :none end", .ok),
        (":lists.seq(1, 3) |> Enum.map(&Integer.to_string/1)", .ok),
        ("1..10 |> Enum.filter(&(rem(&1, 2) == 0)) |> Enum.sum()", .ok),
        ("Map.new(:erlang.memory()) |> Map.take([:total, :processes])", .ok),
        ("DateTime.utc_now() |> DateTime.to_iso8601()", .ok),
        ("Kernel.+(1, 2)", .ok),
        ("alias Enum, as: E; E.count([1])", .ok),
        // Refused, the offending call named as written.
        ("File.rm(\"x\")", .refused("File.rm/1")),
        ("send(self(), 1)", .refused("send/2")),
        ("apply(File, :rm, [\"x\"])", .refused("apply/3")),
        ("Kernel.apply(File, :rm, [\"x\"])", .refused("Kernel.apply/3")),
        ("m = File; m.rm(\"x\")", .refused("a call through a variable (m.rm/1)")),
        ("m = System; m.halt", .refused(fieldAccess)),
        ("hd([System]).halt()", .refused("a call through a computed module (hd([System]).halt/0)")),
        ("f.(1)", .refused("a call through a variable (f.(...)/1)")),
        ("f = fn x -> x end; f = &File.rm/1; f.(1)", .refused("File.rm/1")),
        ("g = fn x -> x end; g.(1); g = 2", .refused("a call through a variable (g.(...)/1)")),
        ("Process.info(self())", .refused("Process.info/1")),
        ("Process.info(self(), :dictionary)", .refused("Process.info/2 with :dictionary")),
        ("Process.info(self(), [:memory, :messages])", .refused("Process.info/2 with :messages")),
        (":erlang.process_info(self(), :backtrace)", .refused(":erlang.process_info/2 with :backtrace")),
        ("i = :dictionary; Process.info(self(), i)",
         .refused("Process.info/2 with an item that is not a literal atom or list of atoms")),
        ("Enum.map(Process.list(), &Process.info/1)", .refused("Process.info/1")),
        ("spawn(fn -> 1 end)", .refused("spawn/1")),
        ("Enum.map([1], fn _ -> System.halt() end)", .refused("System.halt/0")),
        ("1 |> Process.exit(:kill)", .refused("Process.exit/2")),
        ("Enum.each(Process.list(), &Process.exit(&1, :kill))", .refused("Process.exit/2")),
        (":os.cmd('ls')", .refused(":os.cmd/1")),
        ("defmodule X do end", .refused("defmodule/2")),
        ("import File", .refused("import/1")),
        ("require Logger", .refused("require/1")),
        ("@secret", .refused("a module attribute (@secret)")),
        ("quote do: 1", .refused("quote/1")),
        ("Code.eval_string(\"1\")", .refused("Code.eval_string/1")),
        ("String.to_atom(\"x\")", .refused("String.to_atom/1")),
        ("~w(a b)a", .refused("sigil_w/2 with the a modifier (it creates atoms)")),
        ("&File.rm/1", .refused("File.rm/1")),
        ("System.get_env()", .refused("System.get_env/0")),
        ("Application.get_env(:kernel, :x)", .refused("Application.get_env/2")),
        (":ets.tab2list(:x)", .refused(":ets.tab2list/1")),
        ("GenServer.call(:x, :y)", .refused("GenServer.call/2")),
        (":sys.get_state(:x)", .refused(":sys.get_state/1")),
        ("Process.put(:a, 1)", .refused("Process.put/2")),
        ("Node.spawn(Node.self(), fn -> 1 end)", .refused("Node.spawn/2")),
        (":rpc.call(Node.self(), :os, :cmd, ['ls'])", .refused(":rpc.call/4")),
        ("%File.Stream{path: \"x\"}", .refused("File.Stream (its values read and write files)")),
        ("Map.put(%{}, :__struct__, IO.Stream)", .refused(":__struct__ (a hand-built struct)")),
        ("raise File.Error", .refused("raise/1 with anything but a string (it calls the exception module)")),
        ("x |> fn y -> y end", .refused("a pipe into something that is not a call (fn y -> y end)")),
        // An alias only renames: the check follows it.
        ("alias :file, as: Map; Map.delete(\"x\", [])", .refused(":file.delete/2")),
        ("fn -> alias :ets, as: Map end; Map.delete(:t)", .refused(":ets.delete/1")),
    ]

    /// Lines in an environment that imports IEx's helpers.
    static let iexLines: [(String, Outcome)] = [
        ("h Enum.map/2", .ok),
        ("h File.rm/1", .ok),  // a documentation reference: File.rm is not called
        ("flush()", .ok),
        ("v(1)", .ok),
        ("runtime_info(:memory)", .ok),
        ("h File.rm(\"x\")", .refused("File.rm/1")),
        ("c(\"x.ex\")", .refused("c/1")),
        ("recompile()", .refused("recompile/0")),
        ("ls", .refused("ls/0")),  // before Elixir 1.15 a name that is no variable calls ls()
        ("import_file(\"x.exs\")", .refused("import_file/1")),
    ]

    static let erlangLines: [(String, Outcome)] = [
        ("lists:map(fun(X) -> X end, [1]).", .ok),
        ("erlang:memory(total).", .ok),
        ("[erlang:process_info(P, memory) || P <- processes()].", .ok),
        ("erlang:process_info(self(), [memory, reductions]).", .ok),
        ("F = fun(X) -> X * 2 end, F(3).", .ok),
        ("fun Fact(0) -> 1; Fact(N) -> N * Fact(N - 1) end(5).", .ok),
        ("b().", .ok),
        ("f(X).", .ok),
        ("case node() of N -> {N, length(nodes())} end.", .ok),
        ("maps:from_list([{a, 1}]).", .ok),
        ("os:cmd(\"ls\").", .refused("os:cmd/1")),
        ("self() ! hi.", .refused("! (a send)")),
        ("erlang:process_info(self()).", .refused("erlang:process_info/1")),
        ("erlang:process_info(self(), dictionary).", .refused("erlang:process_info/2 with dictionary")),
        ("M = os, M:cmd(\"ls\").", .refused("a call through a variable (M:cmd/1)")),
        ("F(1).", .refused("a call through a variable (F/1)")),
        ("F = fun(F) -> F(1) end, F(2).", .refused("a call through a variable (F/1)")),
        ("spawn(fun() -> ok end).", .refused("spawn/1")),
        ("apply(os, cmd, [\"ls\"]).", .refused("apply/3")),
        ("fun os:cmd/1.", .refused("os:cmd/1")),
        ("c(foo).", .refused("c/1")),
        ("list_to_atom(\"x\").", .refused("list_to_atom/1")),
        ("file:delete(\"x\").", .refused("file:delete/1")),
        ("halt().", .refused("halt/0")),
        ("application:get_env(kernel, x).", .refused("application:get_env/2")),
    ]

    func testElixirLines() async throws {
        let checker = try await makeChecker()
        try await makeAtoms(Self.elixirLines.map(\.0) + Self.iexLines.map(\.0), checker)
        for (line, expected) in Self.elixirLines {
            let got = try await checker.elixir(line)
            XCTAssertEqual(got, expected, line)
        }
        for (line, expected) in Self.iexLines {
            let got = try await checker.elixir(line, iex: true)
            XCTAssertEqual(got, expected, line)
        }
        XCTAssertGreaterThanOrEqual(Self.elixirLines.count + Self.iexLines.count + Self.erlangLines.count, 40)
    }

    func testErlangLines() async throws {
        let checker = try await makeChecker()
        for (line, expected) in Self.erlangLines {
            let got = try await checker.erlang(line)
            XCTAssertEqual(got, expected, line)
        }
    }

    /// The check evaluates nothing and creates no atoms.
    func testNothingRuns() async throws {
        let checker = try await makeChecker()
        // The sentinel names exist as atoms (the lines parse with existing atoms only) but name no process.
        for name in ["bc_sentinel_spawn", "bc_sentinel_register", "bc_sentinel_erlang"] {
            let before = try await checker.call("erlang", "whereis", [.atom(Atom(name))])
            XCTAssertEqual(before, "undefined")
        }
        let refused = [
            "spawn(fn -> Process.register(self(), :bc_sentinel_spawn); Process.sleep(:infinity) end)",
            "Process.register(self(), :bc_sentinel_register)",
            "Enum.map([1], fn _ -> Process.register(self(), :bc_sentinel_register) end)",
        ]
        for line in refused {
            guard case .refused = try await checker.elixir(line) else { return XCTFail("\(line) was allowed") }
        }
        guard case .refused = try await checker.erlang("register(bc_sentinel_erlang, self()).") else {
            return XCTFail("register/2 was allowed")
        }
        for name in ["bc_sentinel_spawn", "bc_sentinel_register", "bc_sentinel_erlang"] {
            let after = try await checker.call("erlang", "whereis", [.atom(Atom(name))])
            XCTAssertEqual(after, "undefined", "\(name) was registered: the check ran the line")
        }

        // Allowed lines are not run either: these would outlast the call's 15-second timeout.
        let sleepy = try await checker.elixir("Process.sleep(60_000)")
        XCTAssertEqual(sleepy, .ok)
        let sleepyErlang = try await checker.erlang("timer:sleep(60000).")
        XCTAssertEqual(sleepyErlang, .ok)

        // Resolving an alias creates no atom: Enum and Node exist, Elixir.Enum.Node does not, before or after.
        let unknown = try await checker.elixir("Enum.Node.list()")
        XCTAssertEqual(unknown, .refused("Enum.Node.list/0"))
        let r = try await XCTUnwrap(Self.console).call(
            node: checker.node, module: "erlang", function: "binary_to_existing_atom",
            arguments: [.string("Elixir.Enum.Node"), "utf8"], options: CallOptions(timeout: .seconds(15)))
        guard case .exception(.error, reason: .atom("badarg"), _) = r.result else {
            return XCTFail("Elixir.Enum.Node exists after the check: \(r.result)")
        }
    }
}
