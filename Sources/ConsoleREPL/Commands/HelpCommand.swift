import TermSyntax

/// `help [COMMAND]`: every command's usage, one command's, or `help read-only`'s allowlist.
enum HelpCommand {
    static func run(topic: String?, settings: ConsoleSettings) -> CommandOutput {
        if topic == "read-only" {
            let elixir = settings.syntax == .elixir
            // The items, a few to a line.
            var items = ""
            var line = ""
            for item in ReadOnlyPolicy.processInfoItems.map({ elixir ? ":" + $0 : $0 }) {
                if line.count + item.count > 100 {
                    items += line + "\n"
                    line = ""
                }
                line += (line.isEmpty ? "  " : " ") + item
            }
            items += line
            let expressions = elixir
                ? """
                any expression is checked on the node before anything runs: it runs only if every function it calls
                is allowed. Allowed: the introspection calls below; pure functions (Kernel operators and guards,
                Enum, Stream, List, Map, Keyword, String, Integer, Float, Tuple, MapSet, Range, Date/Time, Regex,
                Access, :lists, :maps, :string, …); fn, case, cond, if, with, for, receive, try, pipes, sigils,
                alias; the IEx helpers h, i, exports, runtime_info, pid, ref, flush, v.
                Refused, with the offending call named: calls through a variable (mod.fun(), f.() unless f = fn … end
                earlier on the line), x.field on a variable (write Map.fetch!(x, :field)), apply, send, spawn, exit,
                defmodule, @attributes, import/require/use, quote, raise with a module, Code, File, System.cmd,
                :os.cmd, :rpc, GenServer, :sys, String.to_atom, and IEx's c, r, l, recompile.
                """
                : """
                any expression is checked on the node before anything runs: it runs only if every function it calls
                is allowed. Allowed: the introspection calls below; pure BIFs and operators; pure library functions
                (lists, maps, string, proplists, sets, binary, io_lib, calendar, …); funs, case, if, receive, try,
                comprehensions; the shell's b(), f(), f(X), v(N).
                Refused, with the offending call named: calls through a variable (M:F(), F() unless F = fun … end
                earlier on the line), !, apply, spawn, exit, os:cmd, file, rpc, gen_server, sys, list_to_atom.
                """
            let processInfo = elixir ? "Process.info/2 and :erlang.process_info/2" : "erlang:process_info/2"
            return CommandOutput(
                text: "--read-only: " + expressions + "\n"
                    + "\(processInfo) take only a literal item (or list of items) among:\n\(items)\n"
                    + "`call` and `multicall` accept only these introspection calls:\n  "
                    + ReadOnlyPolicy.describe(elixir: elixir).joined(separator: "\n  "))
        }
        if topic == "trace" {
            return CommandOutput(text: "usage: " + TraceRequest.usage + "\n" + """
                Mod.fun/2, Mod.fun (every arity), :mod.fun/1 or mod:fun/1, on the target (--node, --nodes, --all). A
                PATTERN is an argument list where _ and variables match anything: [1, _], (x, x); --match-spec takes a
                full one. --returns shows return values and exceptions too. Bounded: --count events per node (100),
                --rate per second per node (50), --max in all (count x nodes, at most 500), --for (30s; over 5m needs
                --force, as do whole modules). The node's tracer and its guard remove every pattern and flag when the
                trace ends, on Ctrl-C, and when this console goes away. On OTP 27+ each trace has its own trace
                session; before, tracing is node-global and a second tracer on the node is refused.
                """)
        }
        if topic == "log" {
            return CommandOutput(text: "usage: " + LogRequest.usage + "\n" + """
                log level: the primary, per-module and per-handler levels on every node. log level debug [--module M]
                [--for 5m]: sets it on the target (--node, --nodes, --all); a process on each node puts the previous
                level back after the time, or when this console goes away (a level someone changed meanwhile is left
                alone). log revert puts back every change this console made, now. log tail [--level L]: the node's log
                events as they happen (at most 5 nodes; --limit 1000 lines, --rate 50/s per node, --for 10m), through
                a temporary logger handler removed at the end, on Ctrl-C and when this console goes away.
                """)
        }
        if let topic {
            guard let usage = ConsoleCommand.usage[topic] else {
                return .badInput("no help for \"\(topic)\"; commands: \(ConsoleCommand.names.joined(separator: ", "))")
            }
            return CommandOutput(text: usage)
        }
        let lines = ConsoleCommand.names.compactMap { ConsoleCommand.usage[$0] }
        let tail = """

            A line whose first word is a command's name runs that command; every other line is code for the target
            (Elixir, or Erlang under --syntax erlang or on a node without Elixir), as in IEx: x = 21, Enum.sum(1..x),
            h Enum.map, alias/import/require, v(-1), self(). State persists per node (use switches, and switching back
            finds it again). Code that starts with a command's name: eval nodes ++ [1]. An incomplete expression
            continues on the next line; #iex:break abandons it. Ctrl-C interrupts a running evaluation; Ctrl-D or
            quit leaves. A line starting with a space is kept out of history.
            """
        return CommandOutput(text: lines.joined(separator: "\n") + tail)
    }
}
