import ErlangDistribution

/// A console command, parsed from a REPL line. The REPL and the one-shot subcommands share these.
public enum ConsoleCommand: Equatable, Sendable {
    /// `nodes` — the console's own connections.
    case nodes
    /// `members` — every node's `Node.list`, as a matrix.
    case members
    /// `connect NODE…`
    case connect([String])
    /// `disconnect NODE…`
    case disconnect([String])
    /// `use NODE` — the default target.
    case use(String)
    /// `ping NODE`
    case ping(String)
    /// `call [NODE] EXPR`
    case call(node: String?, expression: String)
    /// `multicall EXPR [--nodes a,b] [--table]` (also `eval --all CODE`, `eval --nodes a,b CODE`): any expression on
    /// many nodes; identical results grouped unless `table`.
    case multicall(expression: String, nodes: [String]?, table: Bool = false)
    /// `eval [NODE] CODE`
    case eval(node: String?, code: String)
    /// `info [NODE]`
    case info(String?)
    /// `dns` — the latest DNS polls (libcluster DNSPoll's view).
    case dns
    /// `watch [SECONDS]` — live membership (full screen on a terminal, NDJSON events otherwise), until `q`, Ctrl-C or
    /// the time given.
    case watch(seconds: Double?)
    /// `doctor [NODE…]` — every connection stage for each node, with the cause and the fix; with no NODE, the
    /// cluster's findings too.
    case doctor([String])
    /// `top`, `proc`, `health`, `versions`, `ets`: the cluster inspected on every node (see ``InspectionRequest``).
    case inspect(InspectionRequest)
    /// `trace Mod.fun/2 …`: bounded call tracing.
    case trace(TraceRequest)
    /// `log level …`, `log revert`, `log tail …`.
    case log(LogRequest)
    /// `help [COMMAND]`
    case help(String?)
    /// `quit` / `exit`
    case quit
    /// An empty line.
    case empty

    /// Every command name, for help and completion.
    public static let names = [
        "call", "connect", "disconnect", "dns", "doctor", "ets", "eval", "health", "help", "info", "log", "members",
        "multicall", "nodes", "ping", "proc", "quit", "top", "trace", "use", "versions", "watch",
    ]

    /// One-line usage per command.
    public static let usage: [String: String] = [
        "nodes": "nodes                      the console's connections: node, state, type, since, round-trip time",
        "members": "members                    every node's Node.list as a matrix; flags partial meshes",
        "connect": "connect NODE...            connect to nodes (as a hidden node)",
        "disconnect": "disconnect NODE...         close connections",
        "use": "use NODE                   make NODE the default target",
        "ping": "ping NODE                  connect if needed and measure a round trip",
        "call": "call [NODE] EXPR           call Mod.fun(literal args) on NODE (default: the target)",
        "multicall": "multicall EXPR [--nodes A,B] [--table] any expression on every node (or those listed); "
            + "identical results grouped",
        "eval": "eval [NODE|--all|--nodes A,B] CODE  evaluate code (the target's session, or on many nodes)",
        "info": "info [NODE]                versions, uptime, memory, process/port/atom counts, schedulers, apps",
        "dns": "dns                        the latest DNS polls: records, TTLs, changes, warnings (needs --dns-query)",
        "watch": "watch [SECONDS]            live view of every node and its connection; q returns to the prompt",
        "doctor": "doctor [NODE...]           each connection stage; with no NODE, also the cluster's findings",
        "top": "top [--sort memory|reductions|mqueue|binary|heap] [--limit K]  the biggest processes across the cluster",
        "proc": "proc PID|NAME [--node N]   one process, safely: info, stacktrace, links, its state (bounded)",
        "health": "health                     per node: memory, limits used, run queue, scheduler use, dist queues",
        "versions": "versions [--env APP]       OTP, Elixir, release and app versions; modules that differ",
        "ets": "ets [TABLE --peek K]       the biggest ETS tables across the cluster (metadata only)",
        "trace": "trace Mod.fun[/A] [PATTERN] [--returns] [--all]  calls as they happen (bounded; removed when done)",
        "log": "log level [LEVEL --for 5m] | log revert | log tail  logger levels that revert by themselves; live log",
        "help": "help [COMMAND]             this list, or one command's usage",
        "quit": "quit                       leave (Ctrl-D too)",
    ]
}

extension ConsoleCommand {
    /// Whether the command names the nodes it acts on (`call NODE …`, `ping NODE`, `doctor A B`): a one-shot run of it
    /// needs no default target (and so does not ask the local EPMD for one).
    public var namesItsNodes: Bool {
        switch self {
        case .call(let n, _), .eval(let n, _): return n != nil
        case .info(let n): return n != nil
        case .ping, .use, .connect, .disconnect: return true
        case .doctor(let nodes): return !nodes.isEmpty
        case .multicall(_, let nodes, _): return nodes != nil
        case .inspect(let r): return r.nodes != nil
        case .trace(let r): return r.nodes != nil
        case .log(let r): return r.nodes != nil
        default: return false
        }
    }

    /// Whether the command writes events as they happen, also with `--json` (one object per line, then the summary).
    public var streams: Bool {
        switch self {
        case .trace: return true
        case .log(let r):
            if case .tail = r.action { return true }
            return false
        default: return false
        }
    }

    /// Whether the command acts on the whole cluster (and so wants discovery's nodes connected first).
    public var actsOnCluster: Bool {
        switch self {
        case .nodes, .members, .multicall, .dns, .watch, .doctor: return true
        case .inspect(let r): return r.nodes == nil && r.command != "proc"
        case .trace(let r): return r.all
        case .log(let r): return r.all || (r.nodes == nil && r.action == .show)
        default: return false
        }
    }
}

/// Why a line is not a command.
public struct ConsoleCommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ConsoleCommand {
    /// Parses one REPL line. A line whose first word (up to the first space) is a command's name is that command;
    /// every other line is code for the target (`eval`), as in IEx. `quit` and `exit` count only alone, so
    /// `exit :normal` is code; to evaluate code that starts with a command's name (a variable called `nodes`), write
    /// `eval nodes ++ [1]`.
    public static func parse(_ line: String) throws(ConsoleCommandError) -> ConsoleCommand {
        let trimmed = line.trimmingWhitespace()
        if trimmed.isEmpty { return .empty }
        let (word, rest) = splitFirstWord(trimmed)
        switch word {
        case "nodes":
            try noArguments(word, rest)
            return .nodes
        case "members":
            try noArguments(word, rest)
            return .members
        case "connect", "disconnect":
            let nodes = rest.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
            guard !nodes.isEmpty else { throw ConsoleCommandError("usage: \(word) NODE...") }
            for n in nodes { try validateNodeName(n) }
            return word == "connect" ? .connect(nodes) : .disconnect(nodes)
        case "use", "ping":
            let (node, extra) = splitFirstWord(rest)
            guard !node.isEmpty, extra.isEmpty else { throw ConsoleCommandError("usage: \(word) NODE") }
            try validateNodeName(node)
            return word == "use" ? .use(node) : .ping(node)
        case "call":
            guard !rest.isEmpty else { throw ConsoleCommandError("usage: call [NODE] EXPR") }
            let (node, body) = splitNode(rest)
            return .call(node: node, expression: body)
        case "eval":
            guard !rest.isEmpty else { throw ConsoleCommandError("usage: eval [NODE | --all | --nodes A,B] CODE") }
            let (first, after) = splitFirstWord(rest)
            if first == "--all" {
                guard !after.isEmpty else { throw ConsoleCommandError("usage: eval --all CODE") }
                return .multicall(expression: after, nodes: nil)
            }
            if first == "--nodes" {
                let (list, code) = splitFirstWord(after)
                let nodes = list.split(separator: ",").map(String.init)
                guard !nodes.isEmpty, !code.isEmpty else { throw ConsoleCommandError("usage: eval --nodes A,B CODE") }
                for n in nodes { try validateNodeName(n) }
                return .multicall(expression: code, nodes: nodes)
            }
            let (node, body) = splitNode(rest)
            return .eval(node: node, code: body)
        case "multicall":
            let usage = "usage: multicall EXPR [--nodes A,B] [--table]"
            var rest = rest
            var table = false
            var leadingNodes: [String]?
            // The options may also come first (`multicall --table EXPR`, `multicall --nodes A,B EXPR`), as in the
            // one-shot command: an expression cannot start with `--`, so this is unambiguous.
            while rest.hasPrefix("--table ") || rest.hasPrefix("--nodes ") {
                let (flag, after) = splitFirstWord(rest)
                if flag == "--table" {
                    table = true
                    rest = after
                } else {
                    let (list, code) = splitFirstWord(after)
                    let nodes = list.split(separator: ",").map(String.init)
                    guard !nodes.isEmpty else { throw ConsoleCommandError("--nodes needs at least one node") }
                    for n in nodes { try validateNodeName(n) }
                    leadingNodes = (leadingNodes ?? []) + nodes
                    rest = code
                }
            }
            if let leadingNodes {
                guard !rest.isEmpty else { throw ConsoleCommandError(usage) }
                return .multicall(expression: rest, nodes: leadingNodes, table: table)
            }
            if rest == "--table" || rest.hasSuffix(" --table") {
                table = true
                rest = String(rest.dropLast("--table".count)).trimmingWhitespace()
            }
            guard !rest.isEmpty else { throw ConsoleCommandError(usage) }
            if rest.hasSuffix(" --nodes") { throw ConsoleCommandError("--nodes needs at least one node") }
            if let range = rest.lastRange(of: " --nodes ") ?? rest.firstRange(of: "--nodes ") {
                let expression = String(rest[..<range.lowerBound]).trimmingWhitespace()
                let list = rest[range.upperBound...].split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
                guard !list.isEmpty else { throw ConsoleCommandError("--nodes needs at least one node") }
                for n in list { try validateNodeName(n) }
                guard !expression.isEmpty else { throw ConsoleCommandError(usage) }
                return .multicall(expression: expression, nodes: list, table: table)
            }
            return .multicall(expression: rest, nodes: nil, table: table)
        case "dns":
            try noArguments(word, rest)
            return .dns
        case "watch":
            if rest.isEmpty { return .watch(seconds: nil) }
            guard let seconds = Double(rest), seconds > 0 else { throw ConsoleCommandError("usage: watch [SECONDS]") }
            return .watch(seconds: seconds)
        case "doctor":
            let list = rest.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            for n in list { try validateNodeName(n) }
            return .doctor(list)
        case "info":
            if rest.isEmpty { return .info(nil) }
            try validateNodeName(rest)
            return .info(rest)
        case "top", "proc", "health", "versions", "ets":
            return .inspect(try InspectionSpec.parse(word, rest))
        case "trace":
            return .trace(try TraceRequest.parse(rest))
        case "log" where !rest.isEmpty:
            return .log(try LogRequest.parse(rest))
        case "help":
            return .help(rest.isEmpty ? nil : rest)
        case "quit", "exit" where rest.isEmpty:
            return .quit
        default:
            // Everything else is code for the target (`exit(:normal)`, `x = 1`, `Enum.sum(1..3)`, `X = 1.`).
            return .eval(node: nil, code: trimmed)
        }
    }

    static func noArguments(_ word: String, _ rest: String) throws(ConsoleCommandError) {
        if !rest.isEmpty {
            throw ConsoleCommandError(
                "\(word) takes no arguments (a line that starts with a command's name is that command; "
                    + "to evaluate code that starts with \(word), write eval \(word) \(rest))")
        }
    }

    /// `[NODE] BODY`: a leading node name, when something follows it.
    static func splitNode(_ rest: String) -> (String?, String) {
        let (first, after) = splitFirstWord(rest)
        if looksLikeNodeName(first), !after.isEmpty { return (first, after) }
        return (nil, rest)
    }

    /// `name@host`, both parts non-empty, no spaces.
    public static func looksLikeNodeName(_ s: String) -> Bool {
        guard let name = NodeName(s), !name.host.contains("@") else { return false }
        return !s.contains(where: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "\"" || $0 == "'" })
    }

    static func validateNodeName(_ s: String) throws(ConsoleCommandError) {
        guard looksLikeNodeName(s) else {
            throw ConsoleCommandError("\"\(s)\" is not a node name (expected name@host)")
        }
    }

    static func splitFirstWord(_ s: String) -> (String, String) {
        guard let space = s.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (s, "") }
        return (String(s[..<space]), String(s[space...]).trimmingWhitespace())
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
