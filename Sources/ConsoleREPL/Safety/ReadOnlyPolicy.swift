import ErlangTerm
import TermSyntax

/// `--read-only`: the calls an operator may make when looking without touching. Only introspection that changes
/// nothing and reveals no secrets: no `eval` (arbitrary code), no application environment (`get_env` holds database
/// passwords), no `os:getenv`, no `init:get_arguments` (may hold `-setcookie`), no ETS or process state contents, no
/// `erlang:get_cookie`, no process dictionary (`process_info/1` returns it: only `process_info/2` with an item of
/// ``processInfoItems``).
///
/// This list is what `call` and `multicall` accept; an expression typed under `--read-only` is checked against it plus
/// the pure functions of ``ReadOnlyCheck``.
public enum ReadOnlyPolicy {
    /// One allowed function: `module` as its atom (`erlang`, `Elixir.Node`), the function, the allowed arities, and
    /// for some a rule on one argument.
    public struct Rule: Sendable, Hashable {
        public var module: String
        public var function: String
        public var arities: Set<Int>
        /// When set, the call is allowed only when this argument is a literal allowed atom (or a list of them).
        public var argument: ArgumentRule? = nil
    }

    /// An argument that must be a literal atom from `allowed`, or a literal list of such atoms (`process_info/2`'s
    /// item): anything computed is refused, since it could be a forbidden item.
    public struct ArgumentRule: Sendable, Hashable {
        /// The argument's position, counted from 1.
        public var position: Int
        /// The atoms it may be.
        public var allowed: Set<String>

        /// Whether `argument` is one of `allowed` or a proper list of them.
        public func permits(_ argument: Term) -> Bool {
            switch argument {
            case .atom(let a): return allowed.contains(a.name)
            case .list(let items):
                return items.allSatisfy { if case .atom(let a) = $0 { allowed.contains(a.name) } else { false } }
            default: return false
            }
        }
    }

    /// The items `process_info/2` and `Process.info/2` may ask for: sizes, counts, names, links and where the code is
    /// (`current_stacktrace` and `last_calls` give functions and source locations, never argument values). Not
    /// `dictionary` (process state, sometimes credentials), `messages` (message contents) or `backtrace` (the raw
    /// stack, with the values on it), nor `{dictionary, Key}`.
    public static let processInfoItems: [String] = [
        "memory", "message_queue_len", "reductions", "status", "current_function", "current_location",
        "current_stacktrace", "initial_call", "registered_name", "heap_size", "total_heap_size", "stack_size", "links",
        "monitors", "monitored_by", "trap_exit", "priority", "group_leader", "garbage_collection",
        "garbage_collection_info", "binary", "error_handler", "min_heap_size", "min_bin_vheap_size", "fullsweep_after",
        "message_queue_data", "suspending", "catchlevel", "trace", "last_calls", "parent", "label", "async_dist",
    ]

    /// The allowlist, in the order the documentation lists it.
    public static let allowlist: [Rule] = {
        func r(_ m: String, _ f: String, _ a: Int...) -> Rule { Rule(module: m, function: f, arities: Set(a)) }
        let item = ArgumentRule(position: 2, allowed: Set(processInfoItems))
        return [
            // Node membership and identity.
            r("erlang", "node", 0), r("erlang", "nodes", 0, 1), r("erlang", "is_alive", 0),
            r("Elixir.Node", "list", 0, 1), r("Elixir.Node", "self", 0), r("Elixir.Node", "alive?", 0),
            r("net_kernel", "get_net_ticktime", 0), r("net_kernel", "nodes_info", 0), r("net_kernel", "node_info", 1),
            r("net_adm", "names", 0, 1), r("net_adm", "localhost", 0),
            // Memory, system, statistics.
            r("erlang", "memory", 0, 1), r("erlang", "system_info", 1), r("erlang", "statistics", 1),
            r("erlang", "system_time", 0, 1), r("erlang", "monotonic_time", 0, 1), r("erlang", "time", 0),
            r("erlang", "date", 0), r("erlang", "localtime", 0), r("erlang", "universaltime", 0),
            r("Elixir.System", "version", 0), r("Elixir.System", "otp_release", 0),
            r("Elixir.System", "schedulers", 0), r("Elixir.System", "schedulers_online", 0),
            r("Elixir.System", "build_info", 0), r("Elixir.System", "system_time", 0, 1),
            r("Elixir.System", "monotonic_time", 0, 1),
            r("os", "type", 0), r("os", "version", 0), r("os", "getpid", 0),
            // Processes (counts, names, metadata — not their state).
            r("erlang", "processes", 0), r("erlang", "registered", 0), r("erlang", "whereis", 1),
            Rule(module: "erlang", function: "process_info", arities: [2], argument: item),
            r("erlang", "ports", 0), r("erlang", "port_info", 1, 2),
            r("Elixir.Process", "list", 0), r("Elixir.Process", "registered", 0), r("Elixir.Process", "whereis", 1),
            Rule(module: "Elixir.Process", function: "info", arities: [2], argument: item),
            r("Elixir.Process", "alive?", 1),
            // Applications and code.
            r("application", "which_applications", 0, 1), r("application", "loaded_applications", 0),
            r("Elixir.Application", "started_applications", 0, 1), r("Elixir.Application", "loaded_applications", 0),
            r("Elixir.Application", "spec", 1, 2),
            r("code", "which", 1), r("code", "is_loaded", 1), r("code", "all_loaded", 0), r("code", "root_dir", 0),
            r("code", "lib_dir", 0, 1),
            // Tables and persistent terms: metadata only.
            r("ets", "all", 0), r("ets", "info", 1, 2), r("persistent_term", "info", 0),
        ]
    }()

    private static let index: [String: Rule] = {
        var out: [String: Rule] = [:]
        for rule in allowlist {
            for arity in rule.arities { out["\(rule.module):\(rule.function)/\(arity)"] = rule }
        }
        return out
    }()

    /// Whether `module:function/arity` is on the allowlist (for some arguments: see
    /// ``permits(module:function:arguments:)``, which the `call` commands use).
    public static func permits(module: Atom, function: Atom, arity: Int) -> Bool {
        index["\(module.name):\(function.name)/\(arity)"] != nil
    }

    /// Whether the call `module:function(arguments…)` is allowed: on the allowlist, with an allowed literal where
    /// the rule looks at an argument (`Process.info(pid, :memory)` yes, `Process.info(pid, :dictionary)` no).
    public static func permits(module: Atom, function: Atom, arguments: [Term]) -> Bool {
        guard let rule = index["\(module.name):\(function.name)/\(arguments.count)"] else { return false }
        guard let argument = rule.argument else { return true }
        return argument.position <= arguments.count && argument.permits(arguments[argument.position - 1])
    }

    /// Whether `call` (as `call` and `multicall` parse it) is allowed: ``permits(module:function:arguments:)``.
    public static func permits(_ call: CallExpression) -> Bool {
        permits(module: call.module, function: call.function, arguments: call.arguments)
    }

    /// The allowlist as `Mod.fun/arity` lines in Elixir or Erlang notation.
    public static func describe(elixir: Bool) -> [String] {
        allowlist.flatMap { rule in
            rule.arities.sorted().map { arity -> String in
                if elixir {
                    let m = rule.module.hasPrefix("Elixir.") ? String(rule.module.dropFirst(7)) : ":" + rule.module
                    return "\(m).\(rule.function)/\(arity)"
                }
                return "\(rule.module):\(rule.function)/\(arity)"
            }
        }
    }
}
