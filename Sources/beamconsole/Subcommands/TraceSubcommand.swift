import ArgumentParser
import ConsoleREPL

struct TraceSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Calls to a function as they happen, bounded, on the target or on chosen nodes.",
        discussion: """
            FUNCTION is Mod.fun/2, Mod.fun (every arity), :mod.fun/1 or mod:fun/1; PATTERN an argument list where _ \
            and variables match anything ([1, _] or (x, x)). At most --count events per node (100), --rate per second \
            per node (50; over it the trace pattern is off until the second ends), --max in all (the count times the \
            nodes, at most 500), for --for (30s; at most 5m without --force). Whole modules need --force. The tracer \
            is a process evaluated on each node from OTP's own functions; on OTP 27+ it runs in its own trace session, \
            before that tracing is node-global. When it ends, on Ctrl-C, and when this console goes away, every \
            pattern and flag it set is removed, and the node confirms it. With --json, one object per event, then a \
            summary. Refused under --read-only unless --allow-trace.
            """)
    @Argument(help: "The function: Mod.fun/2, Mod.fun, :mod.fun/1, mod:fun/1.") var function: String
    @Argument(help: "An argument pattern: [1, _] or (x, x).") var pattern: String?
    @Option(name: .customLong("match-spec"), help: "A full match spec instead of a pattern.") var matchSpec: String?
    @Option(help: "Events per node.") var count: Int = 100
    @Option(help: "Events per second per node.") var rate: Int = 50
    @Option(name: .customLong("for"), help: "How long: 30s, 5m, 500ms.") var duration: String?
    @Option(help: "Events in all, across nodes.") var max: Int?
    @Flag(help: "Also show return values and exceptions.") var returns = false
    @Option(help: "Only this process (a pid as the node prints it, or a registered name).") var pid: String?
    @Flag(help: "Allow whole modules and durations over 5 minutes.") var force = false
    @Flag(help: "Every node of the cluster.") var all = false
    @Option(help: "This node (repeat for several); default: the target.") var node: [String] = []
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var words = [function]
        if let pattern { words.append(pattern) }
        if let matchSpec { words += ["--match-spec", matchSpec] }
        words += ["--count", "\(count)", "--rate", "\(rate)"]
        if let duration { words += ["--for", duration] }
        if let max { words += ["--max", "\(max)"] }
        if returns { words.append("--returns") }
        if let pid { words += ["--pid", pid] }
        if force { words.append("--force") }
        if all { words.append("--all") }
        if !node.isEmpty { words += ["--nodes", node.joined(separator: ",")] }
        try await runOneShot(options.oneShot(.trace(try parsed(words, TraceRequest.parse))))
    }
}

struct LogSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Logger levels that revert by themselves, and a live tail of the nodes' log events.",
        subcommands: [LogLevelSubcommand.self, LogTailSubcommand.self])
}

struct LogLevelSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "level",
        abstract: "Show the logger levels, or set one for a while.",
        discussion: """
            Without LEVEL: the primary level, the per-module levels and each handler's level on every node (or \
            --node). With LEVEL (debug, info, notice, warning, error, …): sets the primary level, or the level of \
            --module, on the target (or --node, --all) and holds it for --for (5m), then puts the previous level back \
            and exits; Ctrl-C puts it back at once. A process on each node owns the change and also reverts it when \
            this console goes away; a level someone else changed meanwhile is left alone and reported.
            """)
    @Argument(help: "The level to set.") var level: String?
    @Option(help: "Only this module's level.") var module: String?
    @Option(name: .customLong("for"), help: "How long: 30s, 5m, 1h (default 5m).") var duration: String?
    @Flag(help: "Every node of the cluster.") var all = false
    @Option(help: "This node (repeat for several); default: the target (every node for show).") var node: [String] = []
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var words = ["level"]
        if let level { words.append(level) }
        if let module { words += ["--module", module] }
        if let duration { words += ["--for", duration] }
        if all { words.append("--all") }
        if !node.isEmpty { words += ["--nodes", node.joined(separator: ",")] }
        try await runOneShot(options.oneShot(.log(try parsed(words, LogRequest.parse))))
    }
}

struct LogTailSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream the nodes' log events as they happen (where logs go to stdout and there is no file).",
        discussion: """
            A temporary logger_std_h handler on each node (at most 5) writes to a relay process that forwards at most \
            --rate lines per second (50) and --limit in all (1000), for --for (10m); logger_std_h's overload \
            protection bounds the rest. Events below the node's primary level are not logged at all: lower it with \
            log level. The handler is removed at the end, on Ctrl-C and when this console goes away; the node's own \
            logging is unaffected. With --json, one object per line, then a summary.
            """)
    @Option(help: "Only events at this level and above.") var level: String?
    @Option(name: .customLong("for"), help: "How long: 30s, 5m, 1h (default 10m).") var duration: String?
    @Option(help: "Lines in all.") var limit: Int?
    @Option(help: "Lines per second per node.") var rate: Int?
    @Option(help: "This node (repeat for several, at most 5); default: the target.") var node: [String] = []
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var words = ["tail"]
        if let level { words += ["--level", level] }
        if let duration { words += ["--for", duration] }
        if let limit { words += ["--limit", "\(limit)"] }
        if let rate { words += ["--rate", "\(rate)"] }
        if !node.isEmpty { words += ["--nodes", node.joined(separator: ",")] }
        try await runOneShot(options.oneShot(.log(try parsed(words, LogRequest.parse))))
    }
}

/// The console's own parser over the words rebuilt from the options (one set of rules for the REPL line and the
/// one-shot command); its message becomes a usage error.
func parsed<T>(_ words: [String], _ parse: (String) throws(ConsoleCommandError) -> T) throws -> T {
    do {
        return try parse(words.joined(separator: " "))
    } catch {
        throw ValidationError(error.message)
    }
}
