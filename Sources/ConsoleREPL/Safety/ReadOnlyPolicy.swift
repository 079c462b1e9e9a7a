import ErlangTerm

/// `--read-only`: the calls an operator may make when looking without touching. Only introspection that changes
/// nothing and reveals no secrets: no `eval` (arbitrary code), no application environment (`get_env` holds database
/// passwords), no `os:getenv`, no `init:get_arguments` (may hold `-setcookie`), no ETS or process state contents, no
/// `erlang:get_cookie`.
public enum ReadOnlyPolicy {
    /// One allowed function: `module` as its atom (`erlang`, `Elixir.Node`), the function, and the allowed arities.
    public struct Rule: Sendable, Hashable {
        public var module: String
        public var function: String
        public var arities: Set<Int>
    }

    /// The allowlist, in the order the documentation lists it.
    public static let allowlist: [Rule] = {
        func r(_ m: String, _ f: String, _ a: Int...) -> Rule { Rule(module: m, function: f, arities: Set(a)) }
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
            r("erlang", "process_info", 1, 2), r("erlang", "ports", 0), r("erlang", "port_info", 1, 2),
            r("Elixir.Process", "list", 0), r("Elixir.Process", "registered", 0), r("Elixir.Process", "whereis", 1),
            r("Elixir.Process", "info", 1, 2), r("Elixir.Process", "alive?", 1),
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

    private static let index: [String: Set<Int>] = {
        var out: [String: Set<Int>] = [:]
        for rule in allowlist { out["\(rule.module):\(rule.function)", default: []].formUnion(rule.arities) }
        return out
    }()

    /// Whether `module:function/arity` is on the allowlist.
    public static func permits(module: Atom, function: Atom, arity: Int) -> Bool {
        index["\(module.name):\(function.name)"]?.contains(arity) ?? false
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
