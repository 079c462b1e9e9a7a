import TermSyntax
import ClusterDiscovery
import ErlangDistribution
import ErlangTerm

/// What `info` learned about one node.
public struct NodeInfo: Hashable, Sendable {
    /// The printer profile terms from this node are rendered with (see ``PrinterProfile/forTarget(otpRelease:elixirVersion:)``).
    public var printerProfile: PrinterProfile {
        PrinterProfile.forTarget(otpRelease: otpRelease, elixirVersion: elixirVersion)
    }

    /// A count against its limit (processes, ports, atoms).
    public struct Usage: Hashable, Sendable {
        public var count: Int
        public var limit: Int
        public init(count: Int, limit: Int) { self.count = count; self.limit = limit }
    }

    /// A running application (`application:which_applications()`).
    public struct Application: Hashable, Sendable {
        public var name: String
        public var description: String
        public var version: String
        public init(name: String, description: String, version: String) {
            self.name = name; self.description = description; self.version = version
        }
    }

    /// One `erlang:memory()` entry.
    public struct MemoryEntry: Hashable, Sendable {
        public var type: String
        public var bytes: Int
        public init(type: String, bytes: Int) { self.type = type; self.bytes = bytes }
    }

    public var node: String
    /// `erlang:system_info(otp_release)`, e.g. `25`.
    public var otpRelease: String
    /// `erlang:system_info(version)`: the ERTS version, e.g. `13.1.5`.
    public var ertsVersion: String
    /// `'Elixir.System':version()`; nil on a node without Elixir.
    public var elixirVersion: String?
    /// `erlang:statistics(wall_clock)`: milliseconds since the node started.
    public var uptimeMilliseconds: Int
    /// `erlang:memory()`, in the node's order (`total` first).
    public var memory: [MemoryEntry]
    public var processes: Usage
    public var ports: Usage
    public var atoms: Usage
    /// `erlang:system_info(schedulers_online)`.
    public var schedulersOnline: Int
    /// `erlang:system_info(schedulers)`.
    public var schedulers: Int
    /// `net_kernel:get_net_ticktime()` in seconds (the target of an ongoing change, if one is under way); nil if the
    /// node is not distributed.
    public var netTicktime: Int?
    /// `application:get_env(kernel, inet_dist_listen_min)`; nil when unset (any port).
    public var distListenMin: Int?
    /// `application:get_env(kernel, inet_dist_listen_max)`; nil when unset.
    public var distListenMax: Int?
    /// The node's distribution port as its EPMD reports it; nil if EPMD could not tell.
    public var distPort: Int?
    /// `application:which_applications()`, sorted by name.
    public var applications: [Application]

    public init(
        node: String, otpRelease: String, ertsVersion: String, elixirVersion: String?, uptimeMilliseconds: Int,
        memory: [MemoryEntry], processes: Usage, ports: Usage, atoms: Usage, schedulersOnline: Int, schedulers: Int,
        netTicktime: Int?, distListenMin: Int?, distListenMax: Int?, distPort: Int?, applications: [Application]
    ) {
        self.node = node; self.otpRelease = otpRelease; self.ertsVersion = ertsVersion
        self.elixirVersion = elixirVersion; self.uptimeMilliseconds = uptimeMilliseconds; self.memory = memory
        self.processes = processes; self.ports = ports; self.atoms = atoms
        self.schedulersOnline = schedulersOnline; self.schedulers = schedulers; self.netTicktime = netTicktime
        self.distListenMin = distListenMin; self.distListenMax = distListenMax; self.distPort = distPort
        self.applications = applications
    }

    /// The `total` memory entry (0 if absent).
    public var totalMemory: Int { memory.first { $0.type == "total" }?.bytes ?? 0 }
}

/// The `info` view: one node's release, uptime, memory, limits, distribution settings and applications. Pure: the
/// calls are made by ``InfoCommand``.
public enum InfoView {
    /// One remote call `info` makes.
    public enum Query: CaseIterable, Hashable, Sendable {
        case otpRelease, ertsVersion, elixirVersion, wallClock, memory
        case processCount, processLimit, portCount, portLimit, atomCount, atomLimit
        case schedulersOnline, schedulers, netTicktime, listenMin, listenMax, applications

        /// The call as (module, function, arguments).
        public var call: (module: Atom, function: Atom, arguments: [Term]) {
            func sys(_ key: Atom) -> (Atom, Atom, [Term]) { ("erlang", "system_info", [.atom(key)]) }
            switch self {
            case .otpRelease: return sys("otp_release")
            case .ertsVersion: return sys("version")
            case .elixirVersion: return ("Elixir.System", "version", [])
            case .wallClock: return ("erlang", "statistics", [.atom("wall_clock")])
            case .memory: return ("erlang", "memory", [])
            case .processCount: return sys("process_count")
            case .processLimit: return sys("process_limit")
            case .portCount: return sys("port_count")
            case .portLimit: return sys("port_limit")
            case .atomCount: return sys("atom_count")
            case .atomLimit: return sys("atom_limit")
            case .schedulersOnline: return sys("schedulers_online")
            case .schedulers: return sys("schedulers")
            case .netTicktime: return ("net_kernel", "get_net_ticktime", [])
            case .listenMin: return ("application", "get_env", [.atom("kernel"), .atom("inet_dist_listen_min")])
            case .listenMax: return ("application", "get_env", [.atom("kernel"), .atom("inet_dist_listen_max")])
            case .applications: return ("application", "which_applications", [])
            }
        }

        /// `module:function(args)` for error messages.
        public var text: String {
            let c = call
            // Our own arguments: plain atoms, which print alike on every release.
            let args = c.arguments.map { termText($0, profile: .newest) }.joined(separator: ", ")
            return "\(c.module.name):\(c.function.name)(\(args))"
        }
    }

    /// Builds a ``NodeInfo`` from the answers to every ``Query`` (pure; no I/O).
    public static func assemble(node: String, results: [Query: CallResult], distPort: Int?) throws(DistributionError)
        -> NodeInfo
    {
        func fail(_ q: Query, _ why: String) -> DistributionError {
            DistributionError(.rpcFailed, stage: .rpc, node: node, "\(q.text) \(why)")
        }
        // An unexpected answer is shown as the node prints it: its releases, as far as it told them.
        var answered: (otp: String?, elixir: String?) = (nil, nil)
        if case .value(let t)? = results[.otpRelease] { answered.otp = t.stringValue }
        if case .value(let t)? = results[.elixirVersion] { answered.elixir = t.stringValue }
        let profile = PrinterProfile.forTarget(otpRelease: answered.otp, elixirVersion: answered.elixir)
        func termText(_ t: Term) -> String { ConsoleREPL.termText(t, profile: profile) }
        func value(_ q: Query) throws(DistributionError) -> Term {
            switch results[q] {
            case .value(let t)?: return t
            case .exception(let cls, let reason, _)?: throw fail(q, "raised \(cls.rawValue): \(termText(reason))")
            case .nodedown?: throw fail(q, "failed: the connection went down")
            case .timeout?: throw fail(q, "did not answer in time")
            case nil: throw fail(q, "was not made")
            }
        }
        func int(_ q: Query) throws(DistributionError) -> Int {
            let t = try value(q)
            guard let i = t.intValue else { throw fail(q, "returned \(termText(t)), expected an integer") }
            return i
        }
        func string(_ q: Query) throws(DistributionError) -> String {
            let t = try value(q)
            guard let s = t.stringValue else { throw fail(q, "returned \(termText(t)), expected a string") }
            return s
        }
        func env(_ q: Query) throws(DistributionError) -> Int? {
            let t = try value(q)
            if t.isAtom("undefined") { return nil }
            guard let v = t.tagged("ok"), v.count == 1, let i = v[0].intValue else {
                throw fail(q, "returned \(termText(t)), expected undefined or {ok, Port}")
            }
            return i
        }

        var elixir: String?
        if case .value(let t)? = results[.elixirVersion] { elixir = t.stringValue }

        let clock = try value(.wallClock)
        guard let wc = clock.tupleElements, wc.count == 2, let uptime = wc[0].intValue else {
            throw fail(.wallClock, "returned \(termText(clock)), expected {Total, SinceLast}")
        }

        // erlang:memory() raises notsup on a node whose allocators are reduced to malloc (+Mea min): no memory
        // figures then, the rest still shown.
        var memory: [NodeInfo.MemoryEntry] = []
        let mem: Term
        if case .exception(_, let reason, _)? = results[.memory], reason.isAtom("notsup") {
            mem = .list([])
        } else {
            mem = try value(.memory)
        }
        guard let memItems = mem.listElements else { throw fail(.memory, "returned \(termText(mem)), expected a list") }
        for item in memItems {
            guard let p = item.tupleElements, p.count == 2, let k = p[0].atomValue, let v = p[1].intValue else {
                throw fail(.memory, "returned an unexpected entry \(termText(item))")
            }
            memory.append(.init(type: k.name, bytes: v))
        }

        let tick = try value(.netTicktime)
        var ticktime: Int?
        if let i = tick.intValue {
            ticktime = i
        } else if let change = tick.tagged("ongoing_change_to"), change.count == 1, let i = change[0].intValue {
            ticktime = i
        } else if !tick.isAtom("ignored") {
            throw fail(.netTicktime, "returned \(termText(tick)), expected an integer")
        }

        let apps = try value(.applications)
        guard let appItems = apps.listElements else {
            throw fail(.applications, "returned \(termText(apps)), expected a list")
        }
        var applications: [NodeInfo.Application] = []
        for item in appItems {
            guard let a = item.tupleElements, a.count == 3, let name = a[0].atomValue else {
                throw fail(.applications, "returned an unexpected entry \(termText(item))")
            }
            applications.append(.init(
                name: name.name, description: a[1].stringValue ?? termText(a[1]), version: a[2].stringValue ?? termText(a[2])))
        }

        return NodeInfo(
            node: node, otpRelease: try string(.otpRelease), ertsVersion: try string(.ertsVersion),
            elixirVersion: elixir, uptimeMilliseconds: uptime, memory: memory,
            processes: .init(count: try int(.processCount), limit: try int(.processLimit)),
            ports: .init(count: try int(.portCount), limit: try int(.portLimit)),
            atoms: .init(count: try int(.atomCount), limit: try int(.atomLimit)),
            schedulersOnline: try int(.schedulersOnline), schedulers: try int(.schedulers), netTicktime: ticktime,
            distListenMin: try env(.listenMin), distListenMax: try env(.listenMax), distPort: distPort,
            applications: applications.sorted { $0.name < $1.name })
    }

    // MARK: - Rendering

    /// An aligned key/value view, then the memory breakdown and the applications, then (when the console runs in an
    /// ECS task) a section about the console's own host. Fits `width` where it can.
    public static func render(
        _ info: NodeInfo, width: Int, consoleECSTask: ECSTaskMetadata? = nil, origins: [String] = []
    ) -> String {
        _ = viewLocaleReady
        let range: String
        switch (info.distListenMin, info.distListenMax) {
        case (nil, nil): range = "any"
        case (let lo?, let hi?): range = lo == hi ? "\(lo)" : "\(lo)-\(hi)"
        case (let lo?, nil): range = "\(lo)-"
        case (nil, let hi?): range = "-\(hi)"
        }
        var out = keyValueLines([
            ("node", info.node),
            ("otp", "\(info.otpRelease) (erts \(info.ertsVersion))"),
            ("elixir", info.elixirVersion ?? "-"),
            ("printer", info.printerProfile.description),
            ("uptime", HumanUnits.duration(milliseconds: info.uptimeMilliseconds)),
            ("schedulers", "\(info.schedulersOnline)/\(info.schedulers) online"),
            ("processes", HumanUnits.usage(info.processes.count, of: info.processes.limit)),
            ("ports", HumanUnits.usage(info.ports.count, of: info.ports.limit)),
            ("atoms", HumanUnits.usage(info.atoms.count, of: info.atoms.limit)),
            ("net ticktime", info.netTicktime.map { "\($0) s" } ?? "-"),
            ("dist port", "\(info.distPort.map(String.init) ?? "-") (listen range: \(range))"),
            ("memory", info.memory.isEmpty ? "not available (erlang:memory() is not supported there)" : HumanUnits.bytes(info.totalMemory)),
        ])
        var mem = Table(headers: ["memory", "size"], alignments: [.left, .right])
        for m in info.memory where m.type != "total" { mem.append([m.type, HumanUnits.bytes(m.bytes)]) }
        out += "\n" + mem.render(maxWidth: width)
        var apps = Table(headers: ["application", "version", "description"])
        for a in info.applications { apps.append([a.name, a.version, a.description]) }
        out += "\n" + apps.render(maxWidth: width)
        if let task = consoleECSTask { out += "\n" + renderConsoleHost(task) }
        if !origins.isEmpty {
            out += "\nconsole: where its target, cookie and discovery came from\n"
                + origins.map { "  " + $0 }.joined(separator: "\n")
        }
        return out
    }

    /// The console's own ECS task, as a titled key/value section.
    static func renderConsoleHost(_ task: ECSTaskMetadata) -> String {
        // The cluster is an ARN (`arn:aws:ecs:region:account:cluster/NAME`) or a bare name; show the name.
        let cluster = task.cluster.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        let ips = task.ipv4Addresses + task.ipv6Addresses
        return "console host (ECS task)\n" + keyValueLines([
            ("task", task.taskID),
            ("definition", task.taskDefinition),
            ("cluster", cluster ?? "-"),
            ("zone", task.availabilityZone ?? "-"),
            ("ip", ips.isEmpty ? "-" : ips.joined(separator: ", ")),
            ("launch type", task.launchType ?? "-"),
        ], indent: "  ")
    }

    /// The info as one line of JSON:
    ///
    /// ```
    /// {
    ///   "node": "a@host",
    ///   "otp_release": "25",
    ///   "erts_version": "13.1.5",
    ///   "elixir_version": "1.14.0",                 // null on a node without Elixir
    ///   "printer_profile": {"elixir": "1.14", "otp": 25}, // what terms rendered here imitate (newest Elixir without it)
    ///   "uptime_ms": 123456,
    ///   "memory": {"total": 25000000, "processes": 5000000, ...},   // bytes, keys as erlang:memory() names them
    ///   "processes": {"count": 52, "limit": 262144},
    ///   "ports": {"count": 5, "limit": 65536},
    ///   "atoms": {"count": 9000, "limit": 1048576},
    ///   "schedulers": {"online": 2, "total": 2},
    ///   "net_ticktime": 60,                         // seconds; null if the node is not distributed
    ///   "dist": {"port": 45873, "listen_min": null, "listen_max": null},   // null: unknown / unset
    ///   "applications": [{"name": "kernel", "version": "8.5", "description": "ERTS  CXC 138 10"}],
    ///   "console_host": {                           // the console's own host, not the node's
    ///     "ecs_task": {                             // null outside ECS or when the metadata could not be read
    ///       "task_arn": "arn:aws:ecs:eu-west-1:111122223333:task/production/5f2d…", "task_id": "5f2d…",
    ///       "task_definition": "myapp:42", "family": "myapp", "revision": "42",
    ///       "cluster": "arn:aws:ecs:eu-west-1:111122223333:cluster/production",   // as the endpoint gives it
    ///       "availability_zone": "eu-west-1b", "launch_type": "FARGATE",           // null when absent
    ///       "ipv4_addresses": ["10.0.2.106"], "ipv6_addresses": []
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// Every key is always present; `applications` is sorted by name. The output is stable for equal input.
    public static func json(_ info: NodeInfo, consoleECSTask: ECSTaskMetadata? = nil, origins: [String] = []) -> String {
        func usage(_ u: NodeInfo.Usage) -> ViewJSON { .orderedObject([("count", .integer(u.count)), ("limit", .integer(u.limit))]) }
        return ViewJSON.orderedObject([
            ("node", .string(info.node)),
            ("otp_release", .string(info.otpRelease)),
            ("erts_version", .string(info.ertsVersion)),
            ("elixir_version", .optional(info.elixirVersion)),
            ("printer_profile", .orderedObject([
                ("elixir", .string(info.printerProfile.elixir.description)), ("otp", .integer(info.printerProfile.otp)),
            ])),
            ("uptime_ms", .integer(info.uptimeMilliseconds)),
            ("memory", .orderedObject(info.memory.map { ($0.type, .integer($0.bytes)) })),
            ("processes", usage(info.processes)),
            ("ports", usage(info.ports)),
            ("atoms", usage(info.atoms)),
            ("schedulers", .orderedObject([("online", .integer(info.schedulersOnline)), ("total", .integer(info.schedulers))])),
            ("net_ticktime", .optional(info.netTicktime)),
            ("dist", .orderedObject([
                ("port", .optional(info.distPort)), ("listen_min", .optional(info.distListenMin)),
                ("listen_max", .optional(info.distListenMax)),
            ])),
            ("applications", .array(info.applications.map { a in
                .orderedObject([("name", .string(a.name)), ("version", .string(a.version)),
                         ("description", .string(a.description))])
            })),
            ("console_host", .orderedObject([
                ("ecs_task", consoleECSTask.map(ecsTaskJSON) ?? .null), ("origins", .array(origins.map(ViewJSON.string))),
            ])),
        ]).encoded
    }

    static func ecsTaskJSON(_ task: ECSTaskMetadata) -> ViewJSON {
        .orderedObject([
            ("task_arn", .string(task.taskARN)),
            ("task_id", .string(task.taskID)),
            ("task_definition", .string(task.taskDefinition)),
            ("family", .string(task.family)),
            ("revision", .string(task.revision)),
            ("cluster", .optional(task.cluster)),
            ("availability_zone", .optional(task.availabilityZone)),
            ("launch_type", .optional(task.launchType)),
            ("ipv4_addresses", .strings(task.ipv4Addresses)),
            ("ipv6_addresses", .strings(task.ipv6Addresses)),
        ])
    }
}
