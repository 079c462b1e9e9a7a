import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import ErlangTerm
import TermSyntax

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How the console starts: our node name, the cookie, the default target, presentation. Pure: the environment and
/// the host's facts are inputs.
///
/// Defaults work with no flags inside an ECS task running an Elixir release: the cookie from `RELEASE_COOKIE`, the
/// target from `RELEASE_NODE`, long vs short names from `RELEASE_DISTRIBUTION` (or the target's host), and our host
/// part from the task's IPv4 address in the ECS task metadata (else the address of the interface that reaches the
/// target).
public struct StartupOptions: Sendable {
    public var name: String?
    public var sname: String?
    public var connect: [String] = []
    public var cookie: String?
    public var cookieFile: String?
    public var syntax: SourceSyntax?
    public var noColor = false
    public var timeout: Duration = .seconds(30)
    public var discovery = DiscoveryOptions()
    public var readOnly = false
    /// `--allow-trace`: `trace` under `--read-only`.
    public var allowTrace = false
    /// `--max-result-bytes`.
    public var maxResultBytes = 65_536
    public var auditLog: String?
    public var assumeYes = false
    public var tls = TLSOptions()
    public init() {}
}

/// TLS distribution (`-proto_dist inet_tls`) as the command line gives it: `--tls-cert`, `--tls-key`, `--tls-ca`,
/// `--tls-insecure`, `--tls-verify-hostname`, `--ssl-dist-optfile`. Any of them turns TLS on; flags override what
/// the optfile says.
public struct TLSOptions: Sendable, Hashable {
    /// Our certificate (PEM).
    public var certFile: String?
    /// Its private key (PEM).
    public var keyFile: String?
    /// The CA bundle the node's certificate must chain to (PEM).
    public var caFile: String?
    /// Do not check the node's certificate at all.
    public var insecure = false
    /// Also check that the node's certificate names the host we dial.
    public var verifyHostname = false
    /// An OTP `-ssl_dist_optfile` whose client options to use.
    public var sslDistOptfile: String?
    public init() {}

    /// Whether no TLS option was given (plain TCP).
    public var isEmpty: Bool {
        certFile == nil && keyFile == nil && caFile == nil && !insecure && !verifyHostname && sslDistOptfile == nil
    }
}

/// Where to find the cluster's nodes besides `--connect`: libcluster DNSPoll (`--dns-query`, `--basename`,
/// `--poll-interval`), an EPMD host scan (`--epmd-hosts`), a static list (`--nodes`).
public struct DiscoveryOptions: Sendable, Hashable {
    /// libcluster's `query`.
    public var dnsQuery: String?
    /// libcluster's `node_basename` (default: `RELEASE_NODE`'s name part).
    public var basename: String?
    /// libcluster's `polling_interval` (its default is 5 s).
    public var pollInterval: Duration = .seconds(5)
    /// `HOST[:PORT]` DNS servers instead of `/etc/resolv.conf`'s.
    public var dnsServers: [String] = []
    /// Record types to ask for (libcluster DNSPoll asks for A).
    public var recordTypes: [DNSRecordType] = [.a]
    /// Hosts whose EPMD lists the nodes (libcluster Epmd/LocalEpmd).
    public var epmdHosts: [String] = []
    /// Nodes by name.
    public var nodes: [String] = []
    public init() {}

    public var isEmpty: Bool { dnsQuery == nil && epmdHosts.isEmpty && nodes.isEmpty }
}

public struct StartupPlan: Sendable {
    public var name: NodeNameSpec
    public var cookie: CookieSource.Resolved
    /// The default target (first of `connect`).
    public var target: String?
    /// Nodes to connect at start.
    public var connect: [String]
    public var settings: ConsoleSettings
    /// Notes to show at start (never containing the cookie).
    public var notes: [String]
    /// The discovery sources (nil when none is configured). Our own node name is filled in by the service.
    public var discovery: DiscoveryConfiguration?
    /// The ECS task the console runs in, when its metadata could be read.
    public var ecsTask: ECSTaskMetadata?
    /// TLS distribution for every connection (nil = plain TCP).
    public var tls: DistributionTLSConfiguration?
    /// Whether the target is the one name the local EPMD lists, with a host part guessed (see ``Startup``).
    public var targetFromLocalEPMD = false
    /// Whether the target is `RELEASE_NODE` without a host part, completed here with this host's name: a release
    /// whose `env.sh` sets the host part itself (`RELEASE_NODE=myapp@$(ip)`) runs under another name than the exec
    /// shell's environment says, so one handshake confirms it, as for ``targetFromLocalEPMD``.
    public var targetHostGuessed = false
}

/// Facts about this host that the plan depends on.
/// What reading the ECS task metadata gave. A plain enum rather than `Result<ECSTaskMetadata, ECSMetadataError>`:
/// `HostFacts` is made on every start, and instantiating a generic `Result` checks `ECSMetadataError: Error` at run
/// time, a scan of every protocol conformance in the executable (~0.3 M instructions of a one-shot call).
public enum ECSTaskLookup: Sendable {
    case success(ECSTaskMetadata)
    case failure(ECSMetadataError)
}

public struct HostFacts: Sendable {
    /// `hostname` (may be fully qualified).
    public var hostname: String
    /// The local address used to reach a host (nil if unknown).
    public var addressReaching: @Sendable (String) -> String?
    public var stdoutIsTerminal: Bool
    /// The ECS task this console runs in: nil outside ECS (`ECS_CONTAINER_METADATA_URI_V4` unset), else the task
    /// metadata or why it could not be read.
    public var ecsTask: ECSTaskLookup?
    /// The names the local EPMD lists, when it was asked (no target given) and answered.
    public var localNodeNames: [String]?

    public init(
        hostname: String, addressReaching: @escaping @Sendable (String) -> String?, stdoutIsTerminal: Bool,
        ecsTask: ECSTaskLookup? = nil, localNodeNames: [String]? = nil
    ) {
        self.hostname = hostname; self.addressReaching = addressReaching; self.stdoutIsTerminal = stdoutIsTerminal
        self.ecsTask = ecsTask; self.localNodeNames = localNodeNames
    }

    /// This host's facts, without ECS task metadata.
    public static func current() -> HostFacts {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        return HostFacts(
            hostname: cString(buf), addressReaching: localAddress(reaching:), stdoutIsTerminal: isatty(1) == 1)
    }

    /// This host's facts, with the ECS task metadata when `ECS_CONTAINER_METADATA_URI_V4` is set in `environment`
    /// (one bounded request: at most the client's timeout, 2 s, when the endpoint does not answer).
    /// With `lookUpLocalNodes`, also the names the local EPMD lists (one request to 127.0.0.1, at most 1 s): with no
    /// target given, the node running here is the target (``Startup/plan(_:environment:host:)``).
    public static func current(environment: [String: String], lookUpLocalNodes: Bool = false) async -> HostFacts {
        var facts = current()
        if lookUpLocalNodes { facts.localNodeNames = try? EPMDNames.list().map(\.name) }
        if let client = ECSMetadataClient.fromEnvironment(environment) {
            do throws(ECSMetadataError) {
                facts.ecsTask = .success(try await client.fetchTask())
            } catch {
                facts.ecsTask = .failure(error)
            }
        }
        return facts
    }
}

public enum Startup {
    public static func plan(
        _ options: StartupOptions, environment env: [String: String], host: HostFacts
    ) throws(DistributionError) -> StartupPlan {
        var notes: [String] = []
        let cookie = try CookieSource.resolve(explicit: options.cookie, file: options.cookieFile, environment: env)
        if let w = cookie.warning { notes.append(w) }
        notes.append("cookie from \(cookie.origin)")
        let tls = try tlsConfiguration(options.tls, notes: &notes)

        // The target: --connect first, else RELEASE_NODE (completed with a host part if it has none).
        var connect = options.connect
        var targetHostGuessed = false
        let distribution = env["RELEASE_DISTRIBUTION"]?.lowercased()
        if connect.isEmpty, let releaseNode = env["RELEASE_NODE"], !releaseNode.isEmpty {
            if releaseNode.contains("@") {
                connect = [releaseNode]
            } else {
                let hostPart = distribution == "name" ? host.hostname : shortHost(host.hostname)
                connect = ["\(releaseNode)@\(hostPart)"]
                targetHostGuessed = true
            }
            notes.append("target \(connect[0]) from RELEASE_NODE")
        }
        // Else the node running here: the one name the local EPMD lists (other consoles aside). Its host part: the ECS
        // task's address (a release there runs with long names, myapp@<task IP>), else as RELEASE_DISTRIBUTION says,
        // else a short name on this host (as `iex --sname`).
        var targetFromLocalEPMD = false
        if connect.isEmpty, let names = host.localNodeNames {
            let apps = names.filter { !$0.hasPrefix("beamconsole_") }.sorted()
            if apps.count == 1 {
                let target: String, how: String
                if case .success(let task)? = host.ecsTask, let ip = task.ipv4Addresses.first {
                    (target, how) = ("\(apps[0])@\(ip)", "host part from the ECS task metadata")
                } else if distribution == "name" {
                    (target, how) = ("\(apps[0])@\(longHost(host, reaching: nil))", "long name (RELEASE_DISTRIBUTION=name)")
                } else {
                    (target, how) = ("\(apps[0])@\(shortHost(host.hostname))", "short name on this host")
                }
                connect = [target]
                targetFromLocalEPMD = true
                notes.append("target \(target) from the local EPMD (the only name it lists; \(how))")
            } else if apps.count > 1 {
                notes.append(
                    "the local EPMD lists \(apps.joined(separator: ", ")): give the target with --connect NAME@HOST "
                        + "(or use NODE at the prompt)")
            }
        }
        let target = connect.first
        let discovery = try discoveryConfiguration(options.discovery, environment: env)
        let targetName = target.flatMap { NodeName($0) }
        let targetHost = targetName?.host

        // Long or short names.
        let long: Bool
        if options.name != nil {
            long = true
        } else if options.sname != nil {
            long = false
        } else if distribution == "name" {
            long = true
        } else if distribution == "sname" {
            long = false
        } else if discovery?.dnsPoll != nil {
            long = true  // DNSPoll forms name@IP, a long name
        } else if let targetName {
            long = targetName.form == .long
        } else {
            long = false
        }

        // Our host part, for long names without an explicit host: the ECS task's address first.
        var ecsTask: ECSTaskMetadata?
        var ecsFailure: ECSMetadataError?
        switch host.ecsTask {
        case .success(let t)?: ecsTask = t
        case .failure(let e)?: ecsFailure = e
        case nil: break
        }
        // Without ECS: the interface that reaches the target, else the DNS server or the DNS name.
        func hostPart(_ s: String) -> String { (try? EPMDScan.parseHost(s).host) ?? s }
        let reachHost = targetHost ?? options.discovery.dnsServers.first.map(hostPart)
            ?? options.discovery.dnsQuery ?? options.discovery.epmdHosts.first.map(hostPart)
        var derivedLongHost: String?
        func ourLongHost() -> String {
            let h = ecsTask?.ipv4Addresses.first ?? longHost(host, reaching: reachHost)
            derivedLongHost = h
            return h
        }

        let alive = "beamconsole_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let name: NodeNameSpec
        if let n = options.name {
            name = .long(n.contains("@") ? n : "\(n)@\(ourLongHost())")
        } else if let s = options.sname {
            name = .short(s.contains("@") ? s : "\(s)@\(shortHost(host.hostname))")
        } else if long {
            name = .long("\(alive)@\(ourLongHost())")
        } else {
            name = .short("\(alive)@\(shortHost(host.hostname))")
        }
        if let ecsFailure {
            var w = "warning: \(ecsFailure)"  // the message names the ECS task metadata and the URI
            if let h = derivedLongHost { w += "; using \(h) as our host" }
            notes.append(w)
        } else if let ecsTask, let h = derivedLongHost, h == ecsTask.ipv4Addresses.first {
            notes.append("our host \(h) from the ECS task metadata (task \(ecsTask.taskID))")
        }

        var settings = ConsoleSettings()
        settings.syntax = options.syntax ?? .elixir
        settings.timeout = options.timeout
        settings.readOnly = options.readOnly
        settings.allowTrace = options.allowTrace
        settings.maxResultBytes = options.maxResultBytes
        settings.assumeYes = options.assumeYes
        let term = env["TERM"] ?? ""
        // no-color.org: NO_COLOR turns colours off when it is set and not empty.
        let noColorEnv = !(env["NO_COLOR"] ?? "").isEmpty
        settings.color = host.stdoutIsTerminal && !options.noColor && !noColorEnv && term != "dumb"
        var plan = StartupPlan(
            name: name, cookie: cookie, target: target, connect: connect, settings: settings, notes: notes,
            discovery: discovery, ecsTask: ecsTask, tls: tls)
        plan.targetFromLocalEPMD = targetFromLocalEPMD
        plan.targetHostGuessed = targetHostGuessed
        return plan
    }

    /// The TLS configuration the options describe (nil when they describe none): the optfile's client options (see
    /// ``DistributionTLSConfiguration/fromSSLDistOptions(_:)``), then each flag over them.
    static func tlsConfiguration(
        _ o: TLSOptions, notes: inout [String]
    ) throws(DistributionError) -> DistributionTLSConfiguration? {
        guard !o.isEmpty else { return nil }
        func bad(_ message: String) -> DistributionError {
            DistributionError(.tlsConfigurationInvalid, stage: .tls, message)
        }
        if o.insecure && o.verifyHostname {
            throw bad("--tls-insecure and --tls-verify-hostname contradict each other")
        }
        var config = DistributionTLSConfiguration()
        if let path = o.sslDistOptfile {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw bad("cannot read the ssl_dist optfile \(path): \(readFailureText(error))")
            }
            let term: Term
            do {
                term = try TermParser.parse(text, syntax: .erlang)
            } catch {
                throw bad("the ssl_dist optfile \(path) is not an Erlang term: \(error)")
            }
            let (fromFile, fileNotes) = try DistributionTLSConfiguration.fromSSLDistOptions(term)
            config = fromFile
            notes += fileNotes
        }
        if let c = o.certFile { config.certificateChainFile = c }
        if let k = o.keyFile { config.privateKeyFile = k }
        if let ca = o.caFile { config.trustedCAFile = ca }
        if o.insecure {
            config.peerVerification = .none
            notes.append("warning: --tls-insecure: the node's certificate is not checked")
        } else if o.verifyHostname {
            config.peerVerification = .certificateChainAndHostname
        }
        return config
    }

    /// The discovery configuration the options describe (nil when they describe none).
    static func discoveryConfiguration(
        _ o: DiscoveryOptions, environment env: [String: String]
    ) throws(DistributionError) -> DiscoveryConfiguration? {
        guard !o.isEmpty else { return nil }
        func bad(_ message: String) -> DistributionError { DistributionError(.badNodeName, stage: .resolve, message) }
        var dnsPoll: DNSPollConfiguration?
        if let query = o.dnsQuery {
            let fromRelease = env["RELEASE_NODE"].map { NodeName($0)?.alive ?? $0 }
            guard let basename = o.basename ?? fromRelease, !basename.isEmpty else {
                throw bad("--dns-query needs --basename (libcluster's node_basename), or RELEASE_NODE to take it from")
            }
            guard !basename.contains("@") else { throw bad("--basename is the part before @ (e.g. myapp), not a node name") }
            dnsPoll = DNSPollConfiguration(
                query: query, basename: basename, pollInterval: o.pollInterval, recordTypes: o.recordTypes,
                shortNames: env["RELEASE_DISTRIBUTION"]?.lowercased() == "sname")
        } else if o.basename != nil {
            throw bad("--basename needs --dns-query")
        }
        var hosts: [EPMDScanTarget] = []
        for h in o.epmdHosts {
            do throws(EPMDScanError) {
                hosts += try EPMDScan.parseHosts(h)
            } catch {
                throw bad("--epmd-hosts: \(error.message) (give host, host:port or [v6]:port, comma-separated)")
            }
        }
        var nodes: [String] = []
        for n in o.nodes.flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard ConsoleCommand.looksLikeNodeName(n) else { throw bad("--nodes: \"\(n)\" is not a node name (name@host)") }
            nodes.append(n)
        }
        let servers = o.dnsServers.flatMap { $0.split(separator: ",").map(String.init) }
        return DiscoveryConfiguration(
            dnsPoll: dnsPoll, resolver: DNSResolver(servers: servers.isEmpty ? nil : servers), epmdHosts: hosts,
            staticNodes: nodes, interval: o.pollInterval, epmdPort: EPMDClient.environmentPort)
    }

    static func shortHost(_ h: String) -> String { h.split(separator: ".").first.map(String.init) ?? h }

    /// The host part of a long name when the ECS task metadata gives no address: the address of the interface that
    /// reaches the target (as a task's own IP in ECS), else a fully qualified hostname, else 127.0.0.1.
    static func longHost(_ host: HostFacts, reaching target: String?) -> String {
        if let target, let address = host.addressReaching(target) { return address }
        if host.hostname.contains(".") { return host.hostname }
        return "127.0.0.1"
    }
}

/// The local IP address the kernel would use to reach `host` (a connected UDP socket's name; nothing is sent).
public func localAddress(reaching host: String) -> String? {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var res: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, "9", &hints, &res) == 0, let first = res else { return nil }
    defer { freeaddrinfo(res) }
    let fd = socket(first.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return nil }
    var storage = sockaddr_storage()
    var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let ok = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    guard ok == 0 else { return nil }
    var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let r = withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getnameinfo($0, len, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        }
    }
    return r == 0 ? cString(text) : nil
}

/// The NUL-terminated text in `buffer`.
private func cString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Why a file could not be read, in the words Foundation's `NSError.localizedDescription` used for the errors
/// `String(contentsOfFile:encoding:)` throws.
func readFailureText(_ error: any Error) -> String {
    let reasons = [
        4: "The file doesn’t exist.", 257: "You don’t have permission.", 258: "The file name is invalid.",
        259: "The file isn’t in the correct format.", 260: "The file doesn’t exist.",
        261: "The specified text encoding isn’t applicable.", 263: "The item is too large.",
        264: "The text encoding of the contents couldn’t be determined.",
    ]
    guard let e = error as? CocoaError else { return "The operation could not be completed. (\(error))" }
    let code = e.code.rawValue
    return "The operation could not be completed. " + (reasons[code] ?? "(NSCocoaErrorDomain error \(code).)")
}
