#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import ClusterDiscovery
import ClusterMembership
import ErlangDistribution

/// One one-shot command line: the command, the start-up options, and how to print.
public struct OneShot: Sendable {
    public var command: ConsoleCommand
    public var startup: StartupOptions
    /// `--json`: print the JSON document instead of text.
    public var json: Bool
    /// `--verbose`: say on standard error which route ``ExecutionRoute`` chose and why.
    public var verbose: Bool

    public init(command: ConsoleCommand, startup: StartupOptions, json: Bool, verbose: Bool = false) {
        self.command = command; self.startup = startup; self.json = json; self.verbose = verbose
    }
}

/// The console as a program: the composition root (plan, TLS check, node, audit log, session), the one-shot
/// commands on the route ``ExecutionRoute`` picks, and the REPL. The executable parses the command line and calls
/// these; each returns the exit status.
public enum ConsoleApp {
    // MARK: - One-shot commands

    /// Runs a one-shot command on its route and returns the exit status.
    public static func runOneShot(_ oneShot: OneShot, environment: [String: String] = Startup.processEnvironment())
        async -> Int32
    {
        switch route(oneShot, environment: environment) {
        case .blocking(let plan): return await runBlocking(oneShot, plan: plan)
        case .full: return await runFull(oneShot, environment: environment)
        }
    }

    /// The process's fast path, before ArgumentParser: a plain `call` command line (``FastCall``) runs on its route
    /// and exits (the blocking route on this thread, with no other thread started; the full one detached), and a
    /// plain REPL command line runs the REPL detached. Returns only for any other command line, which the caller then
    /// gives to ArgumentParser.
    public static func runFastPath(_ arguments: [String]) {
        if let repl = FastCall.parseREPL(arguments) {
            runDetached {
                let status = await runREPL(
                    startup: repl.arguments.startup, json: repl.arguments.json, noHistory: repl.noHistory)
                if status != 0 { exit(status) }
            }
        }
        guard let fast = FastCall.parse(arguments) else { return }
        let oneShot = OneShot(
            command: .call(node: fast.node, expression: fast.expression), startup: fast.arguments.startup,
            json: fast.arguments.json, verbose: fast.arguments.verbose)
        let environment = Startup.processEnvironment()
        if case .blocking(let plan) = route(oneShot, environment: environment) {
            exit(runBlockingOnThisThread(oneShot, plan: plan))
        }
        runDetached {
            let status = await runFull(oneShot, environment: environment)
            if status != 0 { exit(status) }
        }
    }

    /// Runs `body` as a task on the global executor and exits with status 0 when it returns (the commands exit with
    /// their own status before that when they fail). This thread sleeps meanwhile: nothing in beamconsole uses the
    /// main queue or the main actor.
    public static func runDetached(_ body: @escaping @Sendable () async -> Void) -> Never {
        Task {
            await body()
            exit(0)
        }
        while true { pause() }
    }

    /// The route ``ExecutionRoute`` chose, with the start-up plan the blocking one runs on.
    public enum PlannedRoute {
        /// ``ExecutionRoute/blocking``, on this plan.
        case blocking(StartupPlan)
        /// ``ExecutionRoute/full(reason:)``: ``runFull(_:environment:)`` makes its own plan.
        case full
    }

    /// The route for `oneShot` (printed with `--verbose`).
    public static func route(_ oneShot: OneShot, environment: [String: String]) -> PlannedRoute {
        var planned = PlannedRoute.full
        var route = ExecutionRoute.choose(
            command: oneShot.command, options: oneShot.startup, environment: environment
        ) { () throws(DistributionError) -> StartupPlan in
            let plan = try Startup.plan(oneShot.startup, environment: environment, host: HostFacts.current())
            planned = .blocking(plan)
            return plan
        }
        // A guessed host part is confirmed by the full path's start-up connection (``confirmLocalTarget``).
        if route == .blocking, case .blocking(let plan) = planned, plan.targetHostGuessed {
            route = .full(reason: "RELEASE_NODE has no host part: the one guessed is confirmed first")
        }
        if oneShot.verbose { printError(route.description) }
        return route == .blocking ? planned : .full
    }

    /// The blocking route on this thread, with no other thread started (see ``CurrentThreadExecutor``).
    public static func runBlockingOnThisThread(_ oneShot: OneShot, plan: StartupPlan) -> Int32 {
        final class Status: @unchecked Sendable {
            var value: Int32 = 0
        }
        let status = Status()
        CurrentThreadExecutor.run { status.value = await runBlocking(oneShot, plan: plan) }
        return status.value
    }

    /// The blocking route: `--connect` and then the command (a `call`) on one ``BlockingCaller``, with the cookie
    /// redacted as ``ConsoleSession`` does.
    static func runBlocking(_ oneShot: OneShot, plan: StartupPlan) async -> Int32 {
        printNotes(plan, verbose: oneShot.verbose)
        let settings = sessionSettings(plan, json: oneShot.json)
        let redactor = Redactor(cookie: plan.cookie.cookie)
        let caller = BlockingCaller(configuration: blockingConfiguration(plan))
        defer { caller.close() }
        return await run(oneShot.command, connect: plan.connect, json: oneShot.json, connectFirst: true) {
            command, onOutput in
            let output = onOutput.map { f in { @Sendable (chunk: String) in f(redactor.redact(chunk)) } }
            let out: CommandOutput
            switch command {
            case .connect(let nodes):
                out = await ConnectCommand.run(nodes: nodes, caller: caller)
            case .call(let n, let expression):
                out = await CallCommand.run(
                    node: n ?? plan.target, expression: expression, caller: caller, settings: settings,
                    onOutput: output)
            default:
                preconditionFailure("ExecutionRoute sends only call to the blocking transport")
            }
            return redactor.redact(out)
        }
    }

    /// The full route: a ``ConsoleSession`` over a ``LocalNode``. Commands over the whole cluster first run one
    /// round of discovery and wait for its connections.
    public static func runFull(_ oneShot: OneShot, environment: [String: String]) async -> Int32 {
        var startup = oneShot.startup
        var connectFirst = true
        if case .doctor(let nodes) = oneShot.command {
            // doctor names us (long or short, and our host part) after the first node, as --connect would: a
            // long-name node refuses a short-name peer. It makes its own connections, stage by stage.
            if startup.connect.isEmpty, let first = nodes.first { startup.connect = [first] }
            connectFirst = false
        }
        let session: ConsoleSession, plan: StartupPlan
        do throws(StartupFailure) {
            (session, plan) = try await makeSession(
                startup, json: oneShot.json, verbose: oneShot.verbose,
                askLocalEPMD: !oneShot.command.namesItsNodes, readClusterConfig: oneShot.command.actsOnCluster,
                environment: environment)
        } catch {
            return error.status
        }
        defer { session.node.shutdown() }
        if session.hasDiscoverySources, oneShot.command.actsOnCluster {
            // Bounded by the command's timeout: a node that never answers its handshake is the command's to report.
            let discovery = session.discovery
            _ = await untilDeadline(ContinuousClock.now + session.settings.timeout) {
                await discovery.pollOnce(waitForConnections: true)
            }
        }
        return await run(oneShot.command, connect: plan.connect, json: oneShot.json, connectFirst: connectFirst) {
            await session.run($0, onOutput: $1)
        }
    }

    /// Connects to `connect` first (a failure ends there), then runs `command`, prints its text (or JSON) and
    /// returns its status.
    private static func run(
        _ command: ConsoleCommand, connect: [String], json: Bool, connectFirst: Bool,
        _ execute: (ConsoleCommand, (@Sendable (String) -> Void)?) async -> CommandOutput
    ) async -> Int32 {
        if connectFirst, !connect.isEmpty {
            let out = await execute(.connect(connect), nil)
            if out.status != CommandOutput.Status.ok {
                if json { print(out.json) } else { printError(out.errorText) }
                return out.status
            }
        }
        // A streaming command (trace, log tail) writes its events as they come, one JSON object per line with --json.
        let out = await execute(command, json && !command.streams ? nil : writeStandardOutput)
        if json {
            if !out.json.isEmpty { print(out.json) }
        } else {
            if !out.text.isEmpty { print(out.text) }
            if !out.errorText.isEmpty { printError(out.errorText) }
        }
        return out.status
    }

    // MARK: - The REPL

    /// The interactive console (or a script on standard input) until quit or end of input; returns the exit status.
    public static func runREPL(startup: StartupOptions, json: Bool, noHistory: Bool) async -> Int32 {
        let session: ConsoleSession, plan: StartupPlan
        let environment = Startup.processEnvironment()
        do throws(StartupFailure) {
            (session, plan) = try await makeSession(startup, json: json, environment: environment)
        } catch {
            return error.status
        }
        defer { session.node.shutdown() }
        let repl = REPL(
            session: session, historyPath: noHistory ? nil : REPL.defaultHistoryPath(environment: environment))
        if repl.isInteractive { for note in plan.notes where !note.hasPrefix("warning") { printError(note) } }
        if !plan.connect.isEmpty {
            let out = await session.run(.connect(plan.connect))
            if !out.text.isEmpty, repl.isInteractive { print(out.text) }
            if !out.errorText.isEmpty { printError(out.errorText) }
        }
        // Discovery runs in the background for the whole session.
        if session.hasDiscoverySources {
            if session.target == nil { adoptFirstDiscoveredNode(session) { repl.refreshPrompt() } }
            session.discovery.start()
        }
        let status = await repl.run()
        // A session at a terminal that ends with quit or Ctrl-D ends well (as iex does); piped, the status is that
        // of the last failing command, for scripts.
        return repl.isInteractive ? CommandOutput.Status.ok : status
    }

    /// With no target given, the first discovered node that comes up becomes the target; `adopted` runs then (the
    /// REPL redraws its prompt: the user may be typing at `beamconsole> `).
    static func adoptFirstDiscoveredNode(_ session: ConsoleSession, adopted: @escaping @Sendable () -> Void) {
        let events = session.discovery.events()
        Task {
            for await e in events {
                if case .nodeUp(let n) = e.kind {
                    if session.target == nil {
                        session.target = n
                        adopted()
                    }
                    break
                }
            }
        }
    }

    // MARK: - The composition root

    /// The target's host part was guessed (the local EPMD's one name, or `RELEASE_NODE` without `@`; long or short):
    /// one handshake says how it really calls itself, and a node with the same alive part that calls itself otherwise
    /// is planned again under that name (our own name then takes its form: a long-named node wants a long-named peer).
    /// Any other failure is left for the command to report. Returns the new plan, or nil to keep the current one.
    static func confirmLocalTarget(
        _ target: String, caller: BlockingCaller, startup: StartupOptions, environment: [String: String],
        host: HostFacts
    ) async -> StartupPlan? {
        do throws(DistributionError) {
            try await caller.ensureConnected(to: target)
            return nil
        } catch {
            guard let actual = error.actualPeerName, actual != target,
                let alive = NodeName(target)?.alive, NodeName(actual)?.alive == alive
            else { return nil }
            var again = startup
            again.connect = [actual]
            guard var replanned = try? Startup.plan(again, environment: environment, host: host) else { return nil }
            let fromEPMD = startup.connect.isEmpty && (environment["RELEASE_NODE"] ?? "").isEmpty
            replanned.targetFromLocalEPMD = fromEPMD
            replanned.targetHostGuessed = !fromEPMD
            replanned.notes.removeAll { $0.hasPrefix("target ") }
            replanned.notes.append(
                fromEPMD
                    ? "target \(actual) from the local EPMD (the only name it lists; as the node calls itself)"
                    : "target \(actual) from RELEASE_NODE=\(alive) (as the node calls itself)")
            return replanned
        }
    }

    /// With no discovery flags: the target's own libcluster topologies (read over `caller`, the start-up connection)
    /// become the discovery sources, so that cluster-wide commands cover the whole cluster; when they have no DNSPoll
    /// topology, the query of the target's `DNSCluster` process (the dns_cluster package of Phoenix apps) does. Notes
    /// say what was found and where; a target that cannot be asked leaves the plan as it was.
    static func adoptClusterConfig(
        of target: String, caller: BlockingCaller, into plan: inout StartupPlan, flags: DiscoveryOptions,
        environment: [String: String]
    ) async {
        let topologies = await ClusterConfig.read(from: target, caller: caller, timeout: .seconds(3)) ?? []
        var (options, notes) = ClusterConfig.discovery(topologies, target: target)
        var source = "libcluster"
        // What the flags say about how to ask (DNS servers, record types) still applies.
        options.dnsServers = flags.dnsServers
        options.recordTypes = flags.recordTypes
        if options.dnsQuery == nil,
            let cluster = await ClusterConfig.readDNSCluster(from: target, caller: caller, timeout: .seconds(3))
        {
            let (fromDNSCluster, more) = ClusterConfig.discovery(dnsCluster: cluster, target: target)
            notes += more
            if let query = fromDNSCluster.dnsQuery {
                options.dnsQuery = query
                options.basename = fromDNSCluster.basename
                options.pollInterval = fromDNSCluster.pollInterval
                // dns_cluster's record types (A and AAAA by default), unless --dns-type asked for others than A.
                if flags.recordTypes == DiscoveryOptions().recordTypes { options.recordTypes = fromDNSCluster.recordTypes }
                source = "dns_cluster"
            }
        }
        plan.notes += notes
        guard !options.isEmpty else { return }
        do throws(DistributionError) {
            plan.discovery = try Startup.discoveryConfiguration(options, environment: environment)
        } catch {
            plan.notes.append("warning: \(target)'s \(source) configuration could not be used: \(error)")
        }
    }

    /// The plan's warnings, and with `--verbose` its other notes (where the target and the cookie came from, never
    /// the cookie), on standard error.
    static func printNotes(_ plan: StartupPlan, verbose: Bool) {
        for note in plan.notes where verbose || note.hasPrefix("warning") { printError("beamconsole: " + note) }
    }

    /// Why start-up stopped (its message is printed already).
    struct StartupFailure: Error {
        var status: Int32
    }

    /// Resolves the start-up plan and makes the session (without connecting): the plan, the TLS check, the node,
    /// the audit log. Failures are printed and returned with their exit status.
    static func makeSession(
        _ startup: StartupOptions, json: Bool, verbose: Bool = false, askLocalEPMD: Bool = true,
        readClusterConfig: Bool = true, environment: [String: String]
    ) async throws(StartupFailure) -> (ConsoleSession, StartupPlan) {
        // In ECS, one bounded request to the task metadata endpoint (at most 2 s when it does not answer).
        // With no target given, the local EPMD's names (the node running in this container is the target).
        // (Not when discovery flags describe the cluster: those runs are about the cluster they name.)
        let noTarget = askLocalEPMD && startup.connect.isEmpty && (environment["RELEASE_NODE"] ?? "").isEmpty
            && startup.discovery.isEmpty
        let host = await HostFacts.current(environment: environment, lookUpLocalNodes: noTarget)
        var plan: StartupPlan
        do {
            plan = try Startup.plan(startup, environment: environment, host: host)
        } catch {
            printError("beamconsole: \(error)")
            throw StartupFailure(status: CommandOutput.Status.connectionFailure)
        }
        // One blocking connection to the target, at most, before the session: to confirm a guessed local target's
        // name and to read its cluster configuration.
        let readConfig = readClusterConfig && plan.discovery == nil
        let guessed = plan.targetFromLocalEPMD || plan.targetHostGuessed
        if plan.tls == nil, let target = plan.target, guessed || readConfig {
            var caller = BlockingCaller(configuration: blockingConfiguration(plan))
            if guessed, let replanned = await confirmLocalTarget(
                target, caller: caller, startup: startup, environment: environment, host: host)
            {
                caller.close()
                plan = replanned
                caller = BlockingCaller(configuration: blockingConfiguration(plan))
            }
            if readConfig, let target = plan.target {
                await adoptClusterConfig(
                    of: target, caller: caller, into: &plan, flags: startup.discovery, environment: environment)
            }
            caller.close()
        }
        printNotes(plan, verbose: verbose)
        if let tls = plan.tls {
            // Unreadable certificate files fail here, before any connection (the same check runs on connect).
            do {
                try tls.validate()
            } catch {
                printError("beamconsole: \(error)")
                throw StartupFailure(status: CommandOutput.Status.connectionFailure)
            }
        }
        var audit: AuditLog?
        if let path = startup.auditLog {
            do throws(AuditLogError) {
                audit = try AuditLog(path: path)
            } catch {
                printError("beamconsole: \(error)")
                throw StartupFailure(status: CommandOutput.Status.badInput)
            }
        }
        let session = ConsoleSession(
            node: makeLocalNode(plan), target: plan.target, settings: sessionSettings(plan, json: json),
            discovery: plan.discovery, ecsTask: plan.ecsTask, audit: audit)
        session.origins = plan.notes.filter {
            $0.hasPrefix("target ") || $0.hasPrefix("cookie from ") || $0.hasPrefix("discovery from ")
                || $0.hasPrefix("our host ")
        }
        return (session, plan)
    }

    /// The plan's settings for this terminal (its width) and output (`--json`: no colour).
    static func sessionSettings(_ plan: StartupPlan, json: Bool) -> ConsoleSettings {
        var settings = plan.settings
        settings.width = terminalColumns()
        // The target's releases, read only when a result prints differently between them (the fast path's `call`;
        // a session sets its own registry).
        if settings.profiles == nil { settings.profiles = PrinterProfileRegistry() }
        if json {
            settings.color = false
            settings.json = true
        }
        return settings
    }

    // MARK: - The two transports' configurations (the one place either is built)

    /// The NIO node for `plan`, on its own one-thread event loop group.
    static func makeLocalNode(_ plan: StartupPlan) -> LocalNode {
        LocalNode(
            configuration: .init(name: plan.name, cookie: plan.cookie.cookie, tls: plan.tls),
            eventLoopGroup: LocalNode.makeEventLoopGroup(threads: 1))
    }

    /// The blocking connection's configuration for `plan` (plain TCP: the route sends TLS to the full path).
    static func blockingConfiguration(_ plan: StartupPlan) -> BlockingConnection.Configuration {
        BlockingConnection.Configuration(name: plan.name, cookie: plan.cookie.cookie)
    }
}

@Sendable func writeStandardOutput(_ chunk: String) { writeAll(1, chunk) }

func printError(_ s: String) { writeAll(2, s + "\n") }

extension Startup {
    /// The process environment, read from `environ` (without Foundation's `ProcessInfo`).
    public static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        guard var p = environ as UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? else { return env }
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                let key = String(s[..<eq])
                if env[key] == nil { env[key] = String(s[s.index(after: eq)...]) }
            }
            p += 1
        }
        return env
    }
}
