import Foundation

/// An ECS Fargate service simulated with Linux network namespaces, for end-to-end tests (root only).
///
/// One run creates, all named `bce2e-<run id>-…`:
/// - a switch namespace (`-sw`) holding a bridge; every other namespace has a veth into it. Nothing is added to the
///   root namespace: no interface, address or route; links are created inside the namespaces directly.
/// - one namespace per task (`-t<n>`): its own IP in a private /24 chosen per run (`10.<200-250>.<x>.0/24`), `lo`
///   up, its own EPMD on 4369 (run in the foreground, stopped by PID) and an Elixir node `<basename>@<task IP>`
///   (long names, distribution pinned to ports 9000-9010) running `Resources/e2e/dnspoll_node.exs`, which clusters
///   exactly as libcluster's `Cluster.Strategy.DNSPoll` does, against the query name served by
/// - a DNS namespace (`-dns`) running dnsmasq on `<dnsIP>:53`, answering one A record per registered task with TTL
///   `ttl` (Cloud Map's `myapp.organization.local`), from a hosts file rewritten at run time (reloaded on SIGHUP);
/// - a console namespace (`-con`), from which ``runInConsole(_:_:environment:stdin:timeout:)`` runs a command (the
///   `beamconsole` binary) and collects its stdout, stderr and exit status.
///
/// Every process is started through `ip netns exec` with ``ChildProcess`` (which execs, so the PID is the real
/// process's) and stopped by PID; ``teardown()`` (also run by `deinit`) kills them and deletes every namespace by
/// name. Namespaces left by a run whose test process died are removed when the next run starts (they carry the
/// `bce2e-` prefix and a marker file naming the owning PID in `/run/beamconsole-e2e`).
///
/// ```swift
/// let cluster = try NetnsCluster(taskCount: 4, pollingInterval: 1)
/// addTeardownBlock { cluster.teardown() }
/// let r = try cluster.runInConsole(beamconsole, ["members", "--json", "--connect", cluster.tasks[0].node],
///                                  environment: ["RELEASE_COOKIE": cluster.cookie])
/// ```
public final class NetnsCluster: @unchecked Sendable {
    /// One simulated ECS task.
    public struct SimulatedTask: Sendable, CustomStringConvertible {
        /// 1-based, in start order.
        public let index: Int
        /// Its network namespace.
        public let namespace: String
        /// Its address (the only one it has besides 127.0.0.1).
        public let ip: String
        /// `basename@ip`.
        public let node: String
        public let basename: String
        public let cookie: String
        /// The Elixir node's PID (beam.smp).
        public let pid: pid_t
        /// The task's EPMD's PID.
        public let epmdPID: pid_t
        /// The node's stdout and stderr: one line per connect, disconnect, nodeup and nodedown.
        public let logPath: String
        public let epmdLogPath: String
        public var description: String { "\(node) (\(namespace), pid \(pid))" }
    }

    /// What a firewall rule does to the packets it matches.
    public enum BlockAction: String, Sendable {
        /// Silently drop (a connect times out).
        case drop = "DROP"
        /// Answer with a TCP reset (a connect is refused at once).
        case reject = "REJECT"
    }

    /// What a command run in a namespace did.
    public struct CommandResult: Sendable {
        /// The exit code, or 128 + the signal number; 137 after a timeout (SIGKILL).
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
        /// stdout parsed as a JSON object, if it is one.
        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    /// EPMD's port.
    public static let epmdPorts: ClosedRange<Int> = 4369...4369
    /// The distribution ports every node is pinned to (`inet_dist_listen_min`/`max`).
    public static let distPorts: ClosedRange<Int> = 9000...9010
    /// The prefix of every namespace name a run creates.
    public static let namespacePrefix = "bce2e-"
    private static let markerDirectory = URL(fileURLWithPath: "/run/beamconsole-e2e")

    /// The run id (6 hex digits) in every name this run creates.
    public let runID: String
    /// The first three octets of this run's /24, e.g. `10.231.17`.
    public let subnet: String
    /// dnsmasq's address (port 53).
    public let dnsIP: String
    /// The console namespace's address.
    public let consoleIP: String
    /// The console namespace, for `ip netns exec`.
    public let consoleNamespace: String
    /// The name every task looks up (`myapp.organization.local`).
    public let query: String
    /// The default basename and cookie of tasks.
    public let basename: String
    public let cookie: String
    /// The DNSPoll interval, in seconds.
    public let pollingInterval: Double

    /// The console's discovery options for this service: its Cloud Map name, the tasks' basename, dnsmasq as the
    /// DNS server and, when given, the poll interval.
    public func discoveryArguments(pollInterval: Int? = nil) -> [String] {
        ["--dns-query", query, "--basename", basename, "--dns-server", "\(dnsIP):53"]
            + (pollInterval.map { ["--poll-interval", "\($0)"] } ?? [])
    }
    /// Logs and the DNS hosts file.
    public let directory: URL

    let switchNamespace: String
    private let dnsNamespace: String
    /// The directory holding `Elixir.E2E.DNSPoll.beam`, compiled once from ``scriptPath`` for every node of the run.
    private let ebin: URL
    let ipTool: String
    private let extraErlFlags: String
    let lock = NSLock()
    var namespaces: [String] = []
    var processes: [ChildProcess] = []
    private var dns: DNSServer?
    private var nodeProcesses: [pid_t: ChildProcess] = [:]
    private var _tasks: [SimulatedTask] = []
    private var _records: [String] = []
    private var nextIndex = 1
    private var tornDown = false
    private var consoleEPMD = false
    /// Every attached namespace and its address, and the addresses each one has a permanent neighbour entry for.
    var hosts: [(namespace: String, address: String)] = []
    var neighbors: [String: Set<String>] = [:]

    /// Every task started so far (killed ones included), in start order.
    public var tasks: [SimulatedTask] { locked { _tasks } }
    /// The addresses the query name currently answers with.
    public var dnsRecords: [String] { locked { _records } }

    /// The emulator flags that keep a node light (about 36 MB resident; fifty fit in 2 GB): one scheduler of each
    /// kind, one async thread, no busy waiting, the allocators reduced to malloc (`+Mea min`), small process and
    /// port tables.
    public static let lightErlFlags =
        "+S 1:1 +SDcpu 1:1 +SDio 1 +A 1 +sbwt none +sbwtdcpu none +sbwtdio none +Mea min +P 8192 +Q 4096"

    /// The flag a cluster of dozens of nodes that all connect at once needs on OTP 25+: with `global`'s default
    /// `prevent_overlapping_partitions true`, every connection that is slow to come up under load looks like a
    /// partition, and `global` disconnects nodes to "prevent" it, over and over (thousands of disconnects at 50).
    public static let largeClusterErlFlags = "-kernel prevent_overlapping_partitions false"

    /// Compiles the script's module (not its start-up line) into `ebin`, once per run.
    static func compileScript(into ebin: URL, elixirc: String, directory: URL) throws {
        let log = directory.appendingPathComponent("elixirc.log").path
        var env = ProcessInfo.processInfo.environment
        env["DNSPOLL_COMPILE_ONLY"] = "1"
        env["HOME"] = directory.path
        let p = try ChildProcess(
            executable: elixirc, arguments: ["-o", ebin.path, scriptPath], environment: env, outputPath: log,
            workingDirectory: directory.path)
        guard p.wait(timeout: 120) == 0,
              FileManager.default.fileExists(atPath: ebin.appendingPathComponent("Elixir.E2E.DNSPoll.beam").path)
        else {
            p.stop()
            throw TestSupportError("cannot compile \(scriptPath): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    /// The directory with the compiled DNSPoll module, for starting more nodes (`elixir -pa DIR -e
    /// 'E2E.DNSPoll.main()'`), e.g. a hidden one in the console namespace.
    public var scriptEbin: String { ebin.path }

    /// The path of the DNSPoll node script.
    public static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/e2e/dnspoll_node.exs").path
    }

    /// Creates the network and starts `taskCount` tasks (in parallel), each registered in DNS; returns once every
    /// node has done its first DNS poll. Throws a clear error when not root or a tool is missing.
    ///
    /// - Parameters:
    ///   - pollingInterval: DNSPoll's `polling_interval`, in seconds (libcluster's default is 5).
    ///   - ttl: the TTL of the A records (Cloud Map's default is 10 s here).
    ///   - timeout: how long to wait for the nodes to come up.
    ///   - extraErlFlags: appended to every node's `--erl` flags (e.g. `-kernel prevent_overlapping_partitions false`).
    public init(
        taskCount: Int = 4, basename: String = "myapp", query: String = "myapp.organization.local",
        cookie: String = "c" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
        pollingInterval: Double = 1, ttl: Int = 10, timeout: TimeInterval = 60, extraErlFlags: String = ""
    ) throws {
        guard geteuid() == 0 else {
            throw TestSupportError(
                "the end-to-end tests need root (network namespaces, veth pairs, iptables): run them as root, "
                    + "e.g. `sudo swift test --filter E2ETests` (CI runs them as root)")
        }
        var tools: [String: String] = [:]
        for (tool, package) in [("ip", "iproute2"), ("iptables", "iptables"), ("dnsmasq", "dnsmasq-base"),
                                ("epmd", "erlang-nox"), ("elixir", "elixir"), ("elixirc", "elixir")] {
            guard let path = findExecutable(tool) else {
                throw TestSupportError("\(tool) not found: install Debian's \(package) (make test does)")
            }
            tools[tool] = path
        }
        ipTool = tools["ip"]!
        self.basename = basename
        self.query = query
        self.cookie = cookie
        self.pollingInterval = pollingInterval
        self.extraErlFlags = extraErlFlags

        Self.removeStaleRuns()
        runID = String(format: "%06x", UInt32.random(in: 0...0xFF_FFFF))
        subnet = try Self.chooseSubnet()
        dnsIP = "\(subnet).2"
        consoleIP = "\(subnet).3"
        let prefix = "\(Self.namespacePrefix)\(runID)-"
        switchNamespace = prefix + "sw"
        dnsNamespace = prefix + "dns"
        consoleNamespace = prefix + "con"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bce2e-\(runID)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ebin = directory.appendingPathComponent("ebin")
        try FileManager.default.createDirectory(at: Self.markerDirectory, withIntermediateDirectories: true)
        try "\(getpid())\n".write(
            to: Self.markerDirectory.appendingPathComponent(runID), atomically: true, encoding: .utf8)

        do {
            try addNamespace(switchNamespace)
            try ip(["-n", switchNamespace, "link", "add", "br0", "type", "bridge"])
            try ip(["-n", switchNamespace, "link", "set", "br0", "up"])
            try attach(dnsNamespace, port: "dns", address: dnsIP)
            try attach(consoleNamespace, port: "con", address: consoleIP, resolver: true)
            try syncNeighbors()
            let server = try DNSServer(
                domain: String(query.split(separator: ".", maxSplits: 1).last ?? Substring(query)), ttl: ttl,
                listenAddress: dnsIP, commandPrefix: ["ip", "netns", "exec", dnsNamespace],
                directory: directory.appendingPathComponent("dns"), logQueries: false)
            locked { dns = server }
            try Self.compileScript(into: ebin, elixirc: tools["elixirc"]!, directory: directory)
            if taskCount > 0 { try addTasks(count: taskCount, timeout: timeout) }
        } catch {
            teardown()
            throw error
        }
    }

    deinit { teardown() }

    // MARK: Tasks

    /// Starts one task and waits until its node has done its first DNS poll. `inDNS` registers its address (after it
    /// is up, as Cloud Map registers a healthy task); a different `cookie` or `basename` makes a task the others
    /// cannot join (handshake failure, or a name EPMD does not know). `query` overrides the name the task itself
    /// polls: a name without records gives a task that connects to nobody by itself, so that only the other tasks'
    /// DNS polls (or the test) can connect it. `erlFlags` are added to this task's emulator flags (e.g.
    /// `-kernel net_ticktime 30`); `intervalKey` is the key its libcluster topology (the application environment
    /// the node sets, as a release's config would) gives the interval under: `poll_interval` is the documented key
    /// that libcluster's code ignores.
    @discardableResult
    public func addTask(
        cookie: String? = nil, basename: String? = nil, inDNS: Bool = true, query: String? = nil,
        erlFlags: String = "", intervalKey: String = "polling_interval", timeout: TimeInterval = 30
    ) throws -> SimulatedTask {
        try addTasks(
            count: 1, cookie: cookie, basename: basename, inDNS: inDNS, query: query, erlFlags: erlFlags,
            intervalKey: intervalKey, timeout: timeout)[0]
    }

    /// Starts `count` tasks in parallel (namespaces, then every EPMD, then every node) and waits for all of them.
    @discardableResult
    public func addTasks(
        count: Int, cookie: String? = nil, basename: String? = nil, inDNS: Bool = true, query: String? = nil,
        erlFlags extraTaskFlags: String = "", intervalKey: String = "polling_interval", timeout: TimeInterval = 60
    ) throws -> [SimulatedTask] {
        let deadline = Date().addingTimeInterval(timeout)
        let indices: [Int] = locked {
            defer { nextIndex += count }
            return Array(nextIndex..<(nextIndex + count))
        }
        guard let last = indices.last, last + 9 <= 254 else { throw TestSupportError("a /24 holds at most 245 tasks") }
        let basename = basename ?? self.basename, cookie = cookie ?? self.cookie
        struct Pending {
            var index: Int, namespace: String, ip: String, epmd: ChildProcess, epmdLog: String
        }

        // Namespaces and links, then every EPMD at once; wait until each listens on 4369.
        var pending: [Pending] = []
        for i in indices {
            let ns = "\(Self.namespacePrefix)\(runID)-t\(i)", address = "\(subnet).\(i + 9)"
            try attach(ns, port: "t\(i)", address: address, resolver: true)
            let epmdLog = directory.appendingPathComponent("epmd-t\(i).log").path
            let epmd = try spawn(in: ns, ["epmd", "-d", "-port", "4369"], outputPath: epmdLog)
            pending.append(Pending(index: i, namespace: ns, ip: address, epmd: epmd, epmdLog: epmdLog))
        }
        try syncNeighbors()
        for p in pending {
            while !isListening(pid: p.epmd.pid, port: 4369) {
                guard p.epmd.isRunning, Date() < deadline else {
                    throw TestSupportError("EPMD did not start in \(p.namespace): \(tail(p.epmdLog))")
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }

        // Every node at once; wait for each one's ready line (printed after its first poll).
        var started: [(SimulatedTask, ChildProcess)] = []
        for p in pending {
            let node = "\(basename)@\(p.ip)"
            let log = directory.appendingPathComponent("node-t\(p.index).log").path
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
                "LANG": "C.UTF-8", "DNSPOLL_QUERY": query ?? self.query, "DNSPOLL_NAMESERVER": dnsIP,
                "DNSPOLL_BASENAME": basename,
                "DNSPOLL_INTERVAL": String(Int(pollingInterval * 1000)), "LIBCLUSTER_INTERVAL_KEY": intervalKey,
            ]
            let erlFlags = [
                // EPMD is ours (started above, stopped by PID): never let erl start a daemon.
                "-start_epmd false", "-kernel inet_dist_listen_min \(Self.distPorts.lowerBound)",
                "inet_dist_listen_max \(Self.distPorts.upperBound)",
                Self.lightErlFlags, extraErlFlags, extraTaskFlags,
            ].joined(separator: " ")
            // The module compiled once at init: a node that compiled the script itself would spend twice the CPU
            // starting, which is what limits how fast fifty nodes start on two cores.
            let process = try spawn(
                in: p.namespace,
                TestNode.commandLine(
                    kind: .elixir, name: node, long: true, cookie: cookie, erlFlags: [erlFlags],
                    program: .eval("E2E.DNSPoll.main()", codePaths: [ebin.path])),
                environment: environment, outputPath: log)
            let task = SimulatedTask(
                index: p.index, namespace: p.namespace, ip: p.ip, node: node, basename: basename, cookie: cookie,
                pid: process.pid, epmdPID: p.epmd.pid, logPath: log, epmdLogPath: p.epmdLog)
            locked {
                nodeProcesses[process.pid] = process
                _tasks.append(task)
            }
            started.append((task, process))
        }
        for (task, process) in started {
            let ready = "dnspoll ready: \(task.node)"
            while !((try? String(contentsOfFile: task.logPath, encoding: .utf8))?.contains(ready) ?? false) {
                guard process.isRunning else {
                    throw TestSupportError("node \(task.node) exited while starting: \(tail(task.logPath))")
                }
                guard Date() < deadline else {
                    throw TestSupportError("node \(task.node) not up within \(timeout) s: \(tail(task.logPath))")
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        if inDNS { try addDNSRecords(started.map(\.0.ip)) }
        return started.map(\.0)
    }

    /// Starts, in the console namespace, a hidden BEAM node that clusters the way the tasks do (the same DNSPoll module,
    /// the same query, interval and cookie): what libcluster would do from an operator's `iex`. Its log (the returned
    /// path) has one `<unix ms> connected <node>` line per connect. An EPMD is started in the console namespace first
    /// (once) and left running; both are stopped at teardown. Stop the node with ``ChildProcess/stop()``.
    public func startObserverNode(alive: String) throws -> (process: ChildProcess, logPath: String) {
        try startConsoleNode(
            alive: alive, eval: "E2E.DNSPoll.main()",
            environment: [
                "DNSPOLL_QUERY": query, "DNSPOLL_NAMESERVER": dnsIP, "DNSPOLL_BASENAME": basename,
                "DNSPOLL_INTERVAL": String(Int(pollingInterval * 1000)),
            ])
    }

    /// Starts, in the console namespace, a hidden Elixir node `<alive>@<console IP>` with the run's cookie and the
    /// tasks' emulator flags, evaluating `eval` (`elixir -e`; the DNSPoll module is on its code path). `environment` is
    /// added to a minimal one. Its stdout and stderr go to the returned log. An EPMD is started in the console
    /// namespace first (once) and left running; both are stopped at teardown. Stop the node with
    /// ``ChildProcess/stop()`` (or let `eval` end with `System.halt/1` and ``ChildProcess/wait(timeout:)`` for it).
    public func startConsoleNode(
        alive: String, eval: String, environment: [String: String] = [:]
    ) throws -> (process: ChildProcess, logPath: String) {
        let needsEPMD = locked { () -> Bool in
            defer { consoleEPMD = true }
            return !consoleEPMD
        }
        if needsEPMD {
            let epmd = try spawn(
                in: consoleNamespace, ["epmd", "-port", "4369"],
                outputPath: directory.appendingPathComponent("epmd-con.log").path)
            let deadline = Date().addingTimeInterval(10)
            while !isListening(pid: epmd.pid, port: 4369) {
                guard epmd.isRunning, Date() < deadline else { throw TestSupportError("EPMD did not start in the console namespace") }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        let log = directory.appendingPathComponent("observer-\(alive).log").path
        let base = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
            "LANG": "C.UTF-8",
        ]
        let process = try spawn(
            in: consoleNamespace,
            TestNode.commandLine(
                kind: .elixir, name: "\(alive)@\(consoleIP)", long: true, cookie: cookie,
                erlFlags: ["-hidden -start_epmd false " + Self.lightErlFlags + " " + extraErlFlags],
                program: .eval(eval, codePaths: [ebin.path])),
            environment: base.merging(environment) { $1 }, outputPath: log)
        return (process, log)
    }

    /// What each task's node sees connected, from its log's `nodeup`/`nodedown` lines (visible peers only).
    public func peersFromLogs(_ tasks: [SimulatedTask]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for t in tasks {
            var up = Set<String>()
            let text = (try? String(contentsOfFile: t.logPath, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let f = line.split(separator: " ")
                guard f.count == 3 else { continue }
                if f[1] == "nodeup" { up.insert(String(f[2])) } else if f[1] == "nodedown" { up.remove(String(f[2])) }
            }
            out[t.node] = up
        }
        return out
    }

    /// Waits until every one of `tasks` has every other one up (by their logs) and the mesh has held for `settle`
    /// seconds; returns the seconds it took (to the first moment of a full mesh). Throws after `timeout` with the gaps.
    @discardableResult
    public func waitForMesh(_ tasks: [SimulatedTask], timeout: TimeInterval, settle: TimeInterval = 1) throws -> TimeInterval {
        let start = Date(), deadline = start.addingTimeInterval(timeout)
        let names = Set(tasks.map(\.node))
        var fullSince: Date?
        while true {
            let peers = peersFromLogs(tasks)
            let gaps = tasks.filter { !names.subtracting([$0.node]).isSubset(of: peers[$0.node] ?? []) }
            let now = Date()
            if gaps.isEmpty {
                if fullSince == nil { fullSince = now }
                if now.timeIntervalSince(fullSince!) >= settle { return fullSince!.timeIntervalSince(start) }
            } else {
                fullSince = nil
            }
            guard now < deadline else {
                let detail = gaps.prefix(5).map { "\($0.node) sees \(peers[$0.node]?.count ?? 0)" }.joined(separator: ", ")
                throw TestSupportError(
                    "no full mesh of \(tasks.count) within \(timeout) s: \(gaps.count) incomplete (\(detail)); "
                        + "the log of \(gaps[0].node): \(tail(gaps[0].logPath, bytes: 3000))")
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// The resident memory (VmRSS, kB) of each running task's node.
    public func residentKB(_ tasks: [SimulatedTask]) -> [String: Int] {
        var out: [String: Int] = [:]
        for t in tasks {
            guard let status = try? String(contentsOfFile: "/proc/\(t.pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            else { continue }
            out[t.node] = kb
        }
        return out
    }

    /// Kills the task's node with SIGKILL (by PID), as ECS stops a task that does not exit; its EPMD, namespace and
    /// DNS record stay (remove the record with ``removeDNSRecords(_:)`` to model Cloud Map deregistering it).
    public func killTask(_ task: SimulatedTask) {
        let process = locked { nodeProcesses[task.pid] }
        process?.stop()
    }

    /// Whether the task's node still runs.
    public func isRunning(_ task: SimulatedTask) -> Bool {
        locked { nodeProcesses[task.pid] }?.isRunning ?? false
    }

    /// The last `bytes` of a task's node log, for failure messages.
    public func log(of task: SimulatedTask, bytes: Int = 2000) -> String { tail(task.logPath, bytes: bytes) }

    // MARK: DNS

    /// Makes the query name answer with exactly `addresses` (in this order), and waits until dnsmasq has reloaded.
    public func setDNSRecords(_ addresses: [String]) throws {
        guard let dns = locked({ dns }) else { throw TestSupportError("the DNS server is not running") }
        try dns.setRecords(addresses.isEmpty ? [:] : [query: addresses])
        locked { _records = addresses }
    }

    /// Adds addresses to the query name's answer.
    public func addDNSRecords(_ addresses: [String]) throws {
        try setDNSRecords(dnsRecords + addresses.filter { !dnsRecords.contains($0) })
    }

    /// Removes addresses from the query name's answer.
    public func removeDNSRecords(_ addresses: [String]) throws {
        try setDNSRecords(dnsRecords.filter { !addresses.contains($0) })
    }

    // MARK: Firewall

    /// Adds an INPUT rule in the task's namespace that drops or rejects (TCP reset) TCP packets to `ports`
    /// (``epmdPorts`` or ``distPorts``, or any range). Only connections *to* the task are affected.
    public func blockPorts(_ task: SimulatedTask, _ ports: ClosedRange<Int>, how: BlockAction) throws {
        let dport = ports.count == 1 ? "\(ports.lowerBound)" : "\(ports.lowerBound):\(ports.upperBound)"
        var rule = ["-w", "-A", "INPUT", "-p", "tcp", "--dport", dport, "-j", how.rawValue]
        if how == .reject { rule += ["--reject-with", "tcp-reset"] }
        try check(in: task.namespace, ["iptables"] + rule)
    }

    /// Cuts two tasks apart: each drops every packet from the other (both stay reachable from everyone else).
    /// Connections already up between them are not closed (they time out at the next net_ticktime). Undo with
    /// ``unblockPorts(_:)`` on both.
    public func cut(_ a: SimulatedTask, _ b: SimulatedTask) throws {
        try check(in: a.namespace, ["iptables", "-w", "-A", "INPUT", "-s", b.ip, "-j", "DROP"])
        try check(in: b.namespace, ["iptables", "-w", "-A", "INPUT", "-s", a.ip, "-j", "DROP"])
    }

    /// Removes every INPUT rule in the task's namespace.
    public func unblockPorts(_ task: SimulatedTask) throws {
        try check(in: task.namespace, ["iptables", "-w", "-F", "INPUT"])
    }

    // MARK: Running commands

    /// Runs `executable` in the console namespace (see ``run(in:_:environment:stdin:timeout:)``).
    public func runInConsole(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String = "",
        timeout: TimeInterval = 30
    ) throws -> CommandResult {
        try run(
            in: consoleNamespace, [executable] + arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    /// Runs a command in `namespace` (`ip netns exec`) and returns its stdout, stderr and exit status; after `timeout`
    /// it is killed (by PID) and the result says so. The environment is minimal (PATH, LANG=C.UTF-8, TERM=dumb, and
    /// HOME = this run's directory, so the user's ~/.erlang.cookie and history stay out) plus `environment`.
    @discardableResult
    public func run(
        in namespace: String, _ command: [String], environment: [String: String] = [:], stdin: String = "",
        timeout: TimeInterval = 30
    ) throws -> CommandResult {
        let id = UUID().uuidString
        let out = directory.appendingPathComponent("cmd-\(id).out")
        let err = directory.appendingPathComponent("cmd-\(id).err")
        let input = directory.appendingPathComponent("cmd-\(id).in")
        try stdin.write(to: input, atomically: true, encoding: .utf8)
        defer { for f in [out, err, input] { try? FileManager.default.removeItem(at: f) } }
        let base = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
            "LANG": "C.UTF-8", "TERM": "dumb",
        ]
        let env = base.merging(environment) { $1 }
        let p = try ChildProcess(
            executable: ipTool, arguments: ["netns", "exec", namespace] + command, environment: env,
            outputPath: out.path, errorPath: err.path, inputPath: input.path)
        let finished = p.wait(timeout: timeout) != nil
        if !finished { p.stop() }
        return CommandResult(
            status: p.exitCode ?? -1, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "", timedOut: !finished)
    }

    // MARK: Teardown

    /// Kills every process this run started (by PID), deletes every namespace it created (by name) and its files.
    /// Idempotent; also run by `deinit`.
    public func teardown() {
        let (procs, spaces, server): ([ChildProcess], [String], DNSServer?) = locked {
            defer {
                processes = []; nodeProcesses = [:]; namespaces = []; dns = nil; tornDown = true
            }
            return (Array(nodeProcesses.values) + processes, namespaces, dns)
        }
        for p in procs { p.stop() }
        server?.stop()
        for ns in spaces.reversed() { Self.deleteNamespace(ns, ip: ipTool) }
        try? FileManager.default.removeItem(at: Self.markerDirectory.appendingPathComponent(runID))
        // BCE2E_KEEP_LOGS=DIR keeps every node's, EPMD's and dnsmasq's log there, for a failure's post-mortem.
        if let keep = ProcessInfo.processInfo.environment["BCE2E_KEEP_LOGS"], !keep.isEmpty {
            let to = URL(fileURLWithPath: keep).appendingPathComponent("bce2e-\(runID)")
            try? FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.copyItem(at: directory, to: to)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Deletes the namespaces of earlier runs whose test process is gone (no marker, or a marker naming a dead PID),
    /// killing by PID whatever still runs in them. Only names with ``namespacePrefix`` are considered.
    public static func removeStaleRuns() {
        guard let ip = findExecutable("ip") else { return }
        let list = (try? ChildProcess.output(of: ip, ["netns", "list"])) ?? ""
        for line in list.split(separator: "\n") {
            let name = String(line.split(separator: " ")[0])
            guard name.hasPrefix(namespacePrefix) else { continue }
            let run = name.dropFirst(namespacePrefix.count).split(separator: "-").first.map(String.init) ?? ""
            let marker = markerDirectory.appendingPathComponent(run)
            if let text = try? String(contentsOf: marker, encoding: .utf8),
               let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               kill(owner, 0) == 0 || errno == EPERM
            {
                continue  // a live run
            }
            deleteNamespace(name, ip: ip)
            try? FileManager.default.removeItem(at: marker)
            let files = FileManager.default.temporaryDirectory.appendingPathComponent("bce2e-\(run)")
            try? FileManager.default.removeItem(at: files)
        }
    }
}
