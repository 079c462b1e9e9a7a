import ArgumentParser
import ClusterDiscovery
import ConsoleREPL
import ErlangDistribution
import Foundation
import TermSyntax

/// Options shared by the REPL and every one-shot command that talks to nodes.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Our long node name (name or name@host; like erl -name).") var name: String?
    @Option(name: .long, help: "Our short node name (name or name@host; like erl -sname).") var sname: String?
    @Option(name: .long, help: "Connect to NODE at start (repeatable); the first is the default target.")
    var connect: [String] = []
    @Option(name: .long, help: "The cookie (other users can see it in ps; prefer RELEASE_COOKIE or --cookie-file).")
    var cookie: String?
    @Option(name: .customLong("cookie-file"), help: "Read the cookie from FILE (must not be group/world readable).")
    var cookieFile: String?
    @Option(name: .long, help: "Syntax of expressions and results: elixir or erlang.") var syntax: SourceSyntax?
    @Flag(name: .customLong("no-color"), help: "No ANSI colours (also NO_COLOR, TERM=dumb).") var noColor = false
    @Flag(name: .long, help: "Print a JSON document instead of text (one-shot commands).") var json = false
    @Option(name: .long, help: "Seconds allowed for each remote call.") var timeout: Double = 30
    @Flag(name: .customLong("read-only"), help: "Allow only introspection calls (see beamconsole(1)); no eval.")
    var readOnly = false
    @Option(name: .customLong("audit-log"), help: "Append one JSON line per remote operation to FILE (created 0600).")
    var auditLog: String?
    @Flag(name: .long, help: "Do not ask before a multicall to more than one node.") var yes = false
    @Option(name: .customLong("dns-query"), help: "Discover nodes as libcluster DNSPoll does: poll this DNS name.")
    var dnsQuery: String?
    @Option(name: .long, help: "DNSPoll's node_basename: nodes are BASENAME@IP (default: RELEASE_NODE's name).")
    var basename: String?
    @Option(name: .customLong("poll-interval"), help: "Seconds between discovery polls (libcluster's polling_interval).")
    var pollInterval: Double = 5
    @Option(name: .customLong("dns-server"), help: "Ask this DNS server (HOST or HOST:PORT) instead of resolv.conf's.")
    var dnsServer: [String] = []
    @Option(name: .customLong("dns-type"), help: "Record types to poll: a (libcluster's), aaaa, or both.")
    var dnsType: DNSTypeOption = .a
    @Option(name: .customLong("epmd-hosts"), help: "Discover every node registered in EPMD on these hosts (comma-separated).")
    var epmdHosts: [String] = []
    @Option(name: .long, parsing: .upToNextOption, help: "These nodes (comma- or space-separated) are cluster members.")
    var nodes: [String] = []
    @Option(name: .customLong("tls-cert"), help: "TLS distribution (-proto_dist inet_tls): our certificate (PEM).")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "The private key of --tls-cert (PEM, not encrypted).")
    var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: "TLS: trust nodes whose certificates chain to these CAs (PEM bundle).")
    var tlsCA: String?
    @Flag(name: .customLong("tls-insecure"), help: "TLS without checking the node's certificate (testing only).")
    var tlsInsecure = false
    @Flag(name: .customLong("tls-verify-hostname"), help: "TLS: also check that the certificate names the node's host.")
    var tlsVerifyHostname = false
    @Option(name: .customLong("ssl-dist-optfile"), help: "TLS as an OTP -ssl_dist_optfile FILE says (client options).")
    var sslDistOptfile: String?

    func validate() throws {
        if name != nil && sname != nil { throw ValidationError("--name and --sname cannot be used together.") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive.") }
        if pollInterval < 0.1 || pollInterval > 3600 { throw ValidationError("--poll-interval must be 0.1 to 3600 seconds.") }
        if tlsInsecure && tlsVerifyHostname {
            throw ValidationError("--tls-insecure and --tls-verify-hostname cannot be used together.")
        }
    }

    var startup: StartupOptions {
        var o = StartupOptions()
        o.name = name
        o.sname = sname
        o.connect = connect
        o.cookie = cookie
        o.cookieFile = cookieFile
        o.syntax = syntax
        o.noColor = noColor || json
        o.timeout = .milliseconds(Int64(timeout * 1000))
        o.readOnly = readOnly
        o.auditLog = auditLog
        o.assumeYes = yes
        o.discovery.dnsQuery = dnsQuery
        o.discovery.basename = basename
        o.discovery.pollInterval = .milliseconds(Int64(pollInterval * 1000))
        o.discovery.dnsServers = dnsServer
        o.discovery.recordTypes = dnsType.types
        o.discovery.epmdHosts = epmdHosts
        o.discovery.nodes = nodes
        o.tls.certFile = tlsCert
        o.tls.keyFile = tlsKey
        o.tls.caFile = tlsCA
        o.tls.insecure = tlsInsecure
        o.tls.verifyHostname = tlsVerifyHostname
        o.tls.sslDistOptfile = sslDistOptfile
        return o
    }

    /// Resolves the plan and makes the session (without connecting).
    func makeSession() async throws -> (ConsoleSession, StartupPlan) {
        try await makeConsoleSession(startup, json: json)
    }
}

/// Resolves the start-up plan and makes the session (without connecting).
func makeConsoleSession(_ startup: StartupOptions, json: Bool) async throws -> (ConsoleSession, StartupPlan) {
    do {
        let environment = ProcessInfo.processInfo.environment
        // In ECS, one bounded request to the task metadata endpoint (at most 2 s when it does not answer).
        let host = await HostFacts.current(environment: environment)
        let plan: StartupPlan
        do {
            plan = try Startup.plan(startup, environment: environment, host: host)
        } catch {
            printError("beamconsole: \(error)")
            throw ExitCode(CommandOutput.Status.connectionFailure)
        }
        for note in plan.notes where note.hasPrefix("warning") { printError(note) }
        if let tls = plan.tls {
            // Unreadable certificate files fail here, before any connection (the same check runs on connect).
            do {
                try tls.validate()
            } catch {
                printError("beamconsole: \(ErrorAdvice.text(error))")
                throw ExitCode(CommandOutput.Status.connectionFailure)
            }
        }
        let node = LocalNode(
            configuration: .init(name: plan.name, cookie: plan.cookie.cookie, tls: plan.tls),
            eventLoopGroup: LocalNode.makeEventLoopGroup(threads: 1))
        var settings = plan.settings
        settings.width = terminalColumns()
        if json {
            settings.color = false
            settings.json = true
        }
        var audit: AuditLog?
        if let path = startup.auditLog {
            do throws(AuditLogError) {
                audit = try AuditLog(path: path)
            } catch {
                printError("beamconsole: \(error)")
                throw ExitCode(CommandOutput.Status.badInput)
            }
        }
        let session = ConsoleSession(
            node: node, target: plan.target, settings: settings, discovery: plan.discovery, ecsTask: plan.ecsTask,
            audit: audit)
        return (session, plan)
    }
}

@Sendable func writeStandardOutput(_ chunk: String) { FileHandle.standardOutput.write(Data(chunk.utf8)) }

func printError(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// Runs one console command as a one-shot subcommand: connects to `--connect` nodes first, prints text (or JSON),
/// exits with the command's status.
func runOneShot(_ command: ConsoleCommand, options: ConnectionOptions, connectFirst: Bool = true) async throws {
    try await runOneShot(command, startup: options.startup, json: options.json, connectFirst: connectFirst)
}

func runOneShot(_ command: ConsoleCommand, startup: StartupOptions, json: Bool, connectFirst: Bool = true) async throws {
    let (session, plan) = try await makeConsoleSession(startup, json: json)
    defer { session.node.shutdown() }
    // Commands over the whole cluster first run one round of discovery, and wait for its connections.
    if session.hasDiscoverySources, command.actsOnCluster {
        await session.discovery.pollOnce(waitForConnections: true)
    }
    if connectFirst, !plan.connect.isEmpty {
        let out = await session.run(.connect(plan.connect))
        if out.status != 0 {
            if json { print(out.json) } else { printError(out.errorText) }
            throw ExitCode(out.status)
        }
    }
    let streamOutput: (@Sendable (String) -> Void)? = json ? nil : writeStandardOutput
    let out = await session.run(command, onOutput: streamOutput)
    if json {
        if !out.json.isEmpty { print(out.json) }
    } else {
        if !out.text.isEmpty { print(out.text) }
        if !out.errorText.isEmpty { printError(out.errorText) }
    }
    if out.status != 0 { throw ExitCode(out.status) }
}

/// `call [NODE] EXPR` / `eval [NODE] CODE` arguments.
func nodeAndBody(_ args: [String]) throws -> (String?, String) {
    switch args.count {
    case 1: return (nil, args[0])
    case 2: return (args[0], args[1])
    default: throw ValidationError("expected [NODE] EXPRESSION")
    }
}

struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "The console's connections: node, state, type, since, round-trip time.")
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.nodes, options: options) }
}

struct MembersSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Every node's Node.list as a matrix; flags partial meshes, asymmetric links, unreachable nodes.")
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.members, options: options) }
}

struct ConnectSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect", abstract: "Connect to nodes as a hidden node and report each connection.")
    @Argument(help: "Nodes (name@host).") var nodes: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.connect(nodes), options: options) }
}

struct PingSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Connect to NODE if needed and measure a round trip.")
    @Argument(help: "The node (name@host).") var node: String
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.ping(node), options: options) }
}

struct CallSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call Mod.fun(literal args) on NODE (default: the target) and print the result as IEx would.",
        discussion: """
            Examples:
              beamconsole call myapp@10.0.1.5 'Node.list()'
              beamconsole call myapp@10.0.1.5 ':erlang.memory(:total)'
              beamconsole call --syntax erlang myapp@10.0.1.5 'erlang:memory(total)'
            """)
    @Argument(help: "[NODE] EXPR") var arguments: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        let (node, expression) = try nodeAndBody(arguments)
        try await runOneShot(.call(node: node, expression: expression), options: options)
    }
}

struct MulticallSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicall",
        abstract: "Call on many nodes concurrently; a table of per-node results and errors.",
        discussion: "The nodes: every --connect and --nodes node, and every node --dns-query or --epmd-hosts finds.")
    @Argument(help: "The call, e.g. 'Node.list()'.") var expression: String
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        try await runOneShot(.multicall(expression: expression, nodes: nil), options: options)
    }
}

struct DNSSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Poll --dns-query as libcluster DNSPoll does: records, TTLs, EPMD on each address, warnings.")
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.dns, options: options) }
}

struct WatchSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch membership live: full screen on a terminal (q quits), NDJSON events otherwise or with --json.")
    @Option(name: .long, help: "Stop after SECONDS (default: run until interrupted, or q on a terminal).")
    var duration: Double?
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.watch(seconds: duration), options: options) }
}

struct DoctorSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every connection stage for each node (or each node --dns-query finds), with causes and fixes.")
    @Argument(help: "Nodes (name@host); default: the target and every discovered node.") var nodes: [String] = []
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        // Name ourselves (long or short, and our host part) after the first node, as --connect would: a long-name
        // node refuses a short-name peer.
        var startup = options.startup
        if startup.connect.isEmpty, let first = nodes.first { startup.connect = [first] }
        try await runOneShot(.doctor(nodes), startup: startup, json: options.json, connectFirst: false)
    }
}

/// `--dns-type`.
enum DNSTypeOption: String, ExpressibleByArgument, CaseIterable {
    case a, aaaa, both
    var types: [DNSRecordType] {
        switch self {
        case .a: return [.a]
        case .aaaa: return [.aaaa]
        case .both: return [.a, .aaaa]
        }
    }
}

struct EvalSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate code on NODE: Elixir via Code.eval_string, Erlang via erl_scan/erl_parse/erl_eval.")
    @Argument(help: "[NODE] CODE") var arguments: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        let (node, code) = try nodeAndBody(arguments)
        try await runOneShot(.eval(node: node, code: code), options: options)
    }
}

struct InfoSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "OTP/Elixir versions, uptime, memory, process/port/atom counts, schedulers, ticktime, ports, apps.")
    @Argument(help: "The node (default: the target).") var node: String?
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(.info(node), options: options) }
}

/// `beamconsole call` with a plain command line, read without ArgumentParser.
///
/// ArgumentParser finds options by reflection and dynamic casts: measured with callgrind, that was about 60% of the
/// instructions of a whole one-shot `call`. A command line made only of `call`, one or two positional arguments and
/// the long options below (each at most once, `--opt value` or `--opt=value`; flags without a value) is read here;
/// anything else (help, `--`, short or unknown options, repeats, values starting with `-`, bad numbers, flags that
/// ``ConnectionOptions/validate()`` would refuse together) returns nil and goes through ArgumentParser, whose
/// messages and exit codes then apply unchanged. The TLS options are among those read here.
enum FastCall {
    struct Parsed {
        var node: String?
        var expression: String
        var startup: StartupOptions
        var json: Bool
    }

    /// The REPL's command line (no subcommand), read the same way: `beamconsole --connect NODE` and the options
    /// below, plus `--no-history`.
    struct ParsedREPL {
        var startup: StartupOptions
        var json: Bool
        var noHistory: Bool
    }

    static func parseREPL(_ args: [String]) -> ParsedREPL? {
        // A first argument that is not an option is a subcommand (or an error ArgumentParser reports).
        if let first = args.first, !first.hasPrefix("--") { return nil }
        guard let parsed = parse(["call"] + args, positionals: 0...0, extraFlags: ["--no-history"]) else { return nil }
        return ParsedREPL(startup: parsed.startup, json: parsed.json, noHistory: parsed.flags.contains("--no-history"))
    }

    static func parse(_ args: [String]) -> Parsed? {
        guard let p = parse(args, positionals: 1...2, extraFlags: []) else { return nil }
        let node = p.positional.count == 2 ? p.positional[0] : nil
        return Parsed(node: node, expression: p.positional.last!, startup: p.startup, json: p.json)
    }

    private struct Common {
        var positional: [String]
        var startup: StartupOptions
        var json: Bool
        var flags: [String]
    }

    private static func parse(_ args: [String], positionals: ClosedRange<Int>, extraFlags: [String]) -> Common? {
        guard args.first == "call" else { return nil }
        var positional: [String] = []
        var values: [String: String] = [:]
        // Arrays, not sets: a handful of names, and no hashing or set metadata at start-up.
        var flags: [String] = []
        let flagNames: [String] = extraFlags + ["--json", "--no-color", "--tls-insecure", "--tls-verify-hostname"]
        let valued: [String] = [
            "--cookie", "--cookie-file", "--timeout", "--name", "--sname", "--syntax", "--connect",
            "--tls-cert", "--tls-key", "--tls-ca", "--ssl-dist-optfile",
        ]
        var i = 1
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("-") else {
                positional.append(a)
                continue
            }
            if flagNames.contains(a) {
                guard !flags.contains(a) else { return nil }
                flags.append(a)
                continue
            }
            let key: String, value: String
            if let eq = a.firstIndex(of: "=") {
                key = String(a[..<eq])
                value = String(a[a.index(after: eq)...])
            } else {
                guard i < args.count else { return nil }
                key = a
                value = args[i]
                i += 1
            }
            guard valued.contains(key), !value.isEmpty, !value.hasPrefix("-"), values[key] == nil else { return nil }
            values[key] = value
        }
        guard positionals.contains(positional.count) else { return nil }
        if values["--name"] != nil && values["--sname"] != nil { return nil }
        if flags.contains("--tls-insecure") && flags.contains("--tls-verify-hostname") { return nil }
        let json = flags.contains("--json"), noColor = flags.contains("--no-color")
        var startup = StartupOptions()
        startup.cookie = values["--cookie"]
        startup.cookieFile = values["--cookie-file"]
        startup.name = values["--name"]
        startup.sname = values["--sname"]
        startup.noColor = noColor || json
        if let c = values["--connect"] { startup.connect = [c] }
        startup.tls.certFile = values["--tls-cert"]
        startup.tls.keyFile = values["--tls-key"]
        startup.tls.caFile = values["--tls-ca"]
        startup.tls.sslDistOptfile = values["--ssl-dist-optfile"]
        startup.tls.insecure = flags.contains("--tls-insecure")
        startup.tls.verifyHostname = flags.contains("--tls-verify-hostname")
        if let s = values["--syntax"] {
            guard let syntax = SourceSyntax(argument: s) else { return nil }
            startup.syntax = syntax
        }
        if let t = values["--timeout"] {
            guard let d = Double(t), d > 0, d.isFinite else { return nil }
            startup.timeout = .milliseconds(Int64(d * 1000))
        }
        return Common(positional: positional, startup: startup, json: json, flags: flags)
    }
}
