import ErlangDistribution

/// One stage of a connection, in the order a connection goes through them.
public enum DoctorStageKind: String, CaseIterable, Hashable, Sendable {
    /// Resolving the host part (or, for DNS-discovered nodes, the DNSPoll record that named the node).
    case dns
    /// The TCP connection to EPMD (port 4369, or `ERL_EPMD_PORT`).
    case epmdTCP = "tcp_epmd"
    /// EPMD's PORT_PLEASE2 answer for the node's alive part.
    case epmdName = "epmd_name"
    /// A TCP connection to the distribution port EPMD gave.
    case distTCP = "tcp_dist"
    /// TLS distribution: the TLS handshake on the distribution port (when we use TLS), or the sign that the node
    /// expects it (when we do not).
    case tls
    /// The handshake status (`ok`, `nok`, `not_allowed`, `alive`).
    case handshake
    /// The peer's challenge: its name and flags.
    case challenge
    /// The digests: the peer accepts ours and proves it knows our cookie.
    case cookie
    /// The connection stays up: a round trip works, and the net_ticktimes fit.
    case ticks

    /// The label in text output.
    public var label: String {
        switch self {
        case .dns: return "DNS"
        case .epmdTCP: return "TCP EPMD"
        case .epmdName: return "EPMD name"
        case .distTCP: return "TCP dist port"
        case .tls: return "TLS"
        case .handshake: return "handshake"
        case .challenge: return "challenge"
        case .cookie: return "cookie"
        case .ticks: return "ticks"
        }
    }
}

/// How a stage went.
public enum DoctorStageStatus: String, Hashable, Sendable {
    case ok
    case failed
    case skipped
    /// An earlier stage failed.
    case notReached = "not_reached"
}

/// One checked stage: what was seen and, when it failed, why and what to change.
public struct DoctorStage: Hashable, Sendable {
    public var kind: DoctorStageKind
    public var status: DoctorStageStatus
    public var detail: String
    public var cause: String?
    public var fix: String?

    public init(_ kind: DoctorStageKind, _ status: DoctorStageStatus, _ detail: String, cause: String? = nil,
                fix: String? = nil) {
        self.kind = kind; self.status = status; self.detail = detail; self.cause = cause; self.fix = fix
    }
}

/// Every stage for one target.
public struct DoctorTargetReport: Hashable, Sendable {
    /// The node (`alive@host`), or the DNS query when the query itself failed and named no node.
    public var node: String
    /// The DNSPoll query that named this target, if it came from one.
    public var query: String?
    /// All nine stages, in order.
    public var stages: [DoctorStage]
    /// The peer's cookie fingerprint, computed on the peer (see ``CookieFingerprint``), when it could be asked.
    public var peerCookieHash: String?

    public init(node: String, query: String? = nil, stages: [DoctorStage], peerCookieHash: String? = nil) {
        self.node = node; self.query = query; self.stages = stages; self.peerCookieHash = peerCookieHash
    }

    /// No stage failed.
    public var ok: Bool { !stages.contains { $0.status == .failed } }
    /// The stage that failed, if any.
    public var failure: DoctorStage? { stages.first { $0.status == .failed } }
    public func stage(_ kind: DoctorStageKind) -> DoctorStage? { stages.first { $0.kind == kind } }
}

/// The whole `doctor` result.
public struct DoctorReport: Hashable, Sendable {
    /// Our own (hidden) node name.
    public var local: String
    /// Our cookie's fingerprint (never the cookie).
    public var cookieHash: String
    /// The DNSPoll query, when one is configured.
    public var dnsQuery: String?
    public var targets: [DoctorTargetReport]
    /// The cluster section (when no node was named).
    public var cluster: DoctorClusterReport?

    public init(local: String, cookieHash: String, dnsQuery: String? = nil, targets: [DoctorTargetReport],
                cluster: DoctorClusterReport? = nil) {
        self.local = local; self.cookieHash = cookieHash; self.dnsQuery = dnsQuery; self.targets = targets
        self.cluster = cluster
    }

    /// Every node passes every stage.
    public var ok: Bool { targets.allSatisfy(\.ok) }
    /// And the cluster has no finding.
    public var healthy: Bool { ok && (cluster?.findings.isEmpty ?? true) }
}

/// `doctor`'s cluster section: the nodes seen, how many addresses the DNS answer held, and the findings.
public struct DoctorClusterReport: Hashable, Sendable {
    public var nodes: [String]
    public var dnsAnswered: Int?
    public var findings: [ClusterFinding]

    public init(nodes: [String], dnsAnswered: Int? = nil, findings: [ClusterFinding]) {
        self.nodes = nodes; self.dnsAnswered = dnsAnswered; self.findings = findings
    }
}

/// What the I/O found for one target, stage by stage; nil for a stage means it was not tried.
public struct DoctorObservation: Hashable, Sendable {
    /// The DNS stage.
    public enum DNS: Hashable, Sendable {
        /// The name is not `alive@host`.
        case badName
        /// The host is an address literal.
        case addressLiteral(String)
        /// `getaddrinfo` result for a host name.
        case resolved(host: String, NetworkProbe.Resolution)
        /// The DNSPoll record that named this node.
        case record(query: String, type: String, address: String, ttl: Int, poll: Int)
        /// The latest DNSPoll lookup failed (`code` is ``ClusterDiscovery/DNSError/Code``'s raw value).
        case queryFailed(query: String, code: String, message: String, poll: Int)
        /// The latest DNSPoll answer is empty.
        case queryEmpty(query: String, poll: Int)
        /// The latest DNSPoll answer does not list this node's address any more.
        case notInAnswer(query: String, address: String, poll: Int)
    }

    /// PORT_PLEASE2 (and NAMES when the name is missing).
    public enum EPMD: Hashable, Sendable {
        case found(port: Int, highestVersion: Int, lowestVersion: Int)
        case notRegistered(names: [String])
        case failed(DistributionError)
    }

    /// The handshake, run by ``LocalNode/connect(to:port:)``.
    public enum Handshake: Hashable, Sendable {
        case established
        /// We already had a connection up.
        case alreadyConnected
        case failed(DistributionError)
    }

    /// What happened once connected.
    public struct Ticks: Hashable, Sendable {
        /// `erlang:node()` by rex.
        public var roundTrip: Result<Duration, DistributionError>
        /// The peer's `net_kernel:get_net_ticktime()` in seconds, if it answered.
        public var peerTickTime: Int?
        /// The connection is still up after the calls.
        public var stillUp: Bool

        public init(roundTrip: Result<Duration, DistributionError>, peerTickTime: Int?, stillUp: Bool) {
            self.roundTrip = roundTrip; self.peerTickTime = peerTickTime; self.stillUp = stillUp
        }
    }

    /// The peer's own cookie fingerprint.
    public enum RemoteCookieHash: Hashable, Sendable {
        case hash(String)
        /// Not computed (crypto missing, the call failed): why.
        case unavailable(String)
    }

    public var node: String
    /// The host EPMD and the distribution port were asked on.
    public var host: String
    /// The EPMD port used.
    public var epmdPort: Int
    public var dns: DNS
    public var epmd: EPMD?
    public var distTCP: NetworkProbe.TCPOutcome?
    public var handshake: Handshake?
    public var ticks: Ticks?
    public var remoteCookieHash: RemoteCookieHash?

    public init(
        node: String, host: String, epmdPort: Int = 4369, dns: DNS, epmd: EPMD? = nil,
        distTCP: NetworkProbe.TCPOutcome? = nil, handshake: Handshake? = nil, ticks: Ticks? = nil,
        remoteCookieHash: RemoteCookieHash? = nil
    ) {
        self.node = node; self.host = host; self.epmdPort = epmdPort; self.dns = dns; self.epmd = epmd
        self.distTCP = distTCP; self.handshake = handshake; self.ticks = ticks; self.remoteCookieHash = remoteCookieHash
    }
}

/// What the diagnosis needs to know about us and the deployment.
public struct DoctorContext: Hashable, Sendable {
    /// Our node name.
    public var ownName: String
    /// Our cookie's fingerprint.
    public var cookieHash: String
    /// We declare a silent peer down after this many seconds.
    public var tickTime: Int
    /// We tick after this many seconds without writing.
    public var tickInterval: Int
    /// The pinned distribution port range (`inet_dist_listen_min`/`max`).
    public var distPortRange: ClosedRange<Int>
    /// Connect and EPMD timeouts, for the messages (seconds).
    public var connectTimeout: Int
    /// Our TLS distribution settings in one line (nil: plain TCP).
    public var tls: String?

    public init(
        ownName: String, cookieHash: String, tickTime: Int = 60, tickInterval: Int = 15,
        distPortRange: ClosedRange<Int> = DoctorContext.defaultPortRange, connectTimeout: Int = 5
    ) {
        self.ownName = ownName; self.cookieHash = cookieHash; self.tickTime = tickTime
        self.tickInterval = tickInterval; self.distPortRange = distPortRange; self.connectTimeout = connectTimeout
    }

    /// The range the ECS setup pins the distribution ports to.
    public static let defaultPortRange = 9000...9010
}

/// Turns observations into stages with causes and fixes, in the terms of an Elixir release on ECS (EPMD on 4369,
/// distribution ports pinned to 9000-9010, `RELEASE_COOKIE`, libcluster DNSPoll over Cloud Map). No I/O.
public enum DoctorDiagnosis {
    /// The fix every cookie failure gets.
    static func cookieFix(_ context: DoctorContext) -> String {
        "set the same RELEASE_COOKIE on every task (and for beamconsole); compare cookie hashes: ours is "
            + "\(context.cookieHash), a node's is `\(CookieFingerprint.elixirExpression)`"
    }

    /// The report for one target.
    public static func diagnose(_ o: DoctorObservation, context: DoctorContext, query: String? = nil)
        -> DoctorTargetReport
    {
        var peerHash: String?
        if case .hash(let h)? = o.remoteCookieHash { peerHash = h }
        return DoctorTargetReport(node: o.node, query: query, stages: stages(o, context: context), peerCookieHash: peerHash)
    }

    /// A target for a DNSPoll query whose lookup failed or came back empty, so that it named no node.
    public static func queryFailure(query: String, dns: DoctorObservation.DNS, context: DoctorContext)
        -> DoctorTargetReport
    {
        let o = DoctorObservation(node: query, host: query, dns: dns)
        return DoctorTargetReport(node: query, query: query, stages: stages(o, context: context))
    }

    /// Every stage for `o`: the first failure stops the chain; later stages are not reached.
    public static func stages(_ o: DoctorObservation, context: DoctorContext) -> [DoctorStage] {
        var out: [DoctorStage] = []
        func done() -> [DoctorStage] {
            let failed = out.contains { $0.status == .failed }
            for k in DoctorStageKind.allCases where !out.contains(where: { $0.kind == k }) {
                out.append(DoctorStage(k, failed ? .notReached : .skipped, failed ? "not reached" : "not checked"))
            }
            return out
        }
        func add(_ s: DoctorStage) -> Bool {
            out.append(s)
            return s.status != .failed
        }

        guard add(dnsStage(o)) else { return done() }

        guard let epmd = o.epmd else { return done() }
        let (tcp, name) = epmdStages(epmd, o: o, context: context)
        guard add(tcp), let name, add(name) else { return done() }

        guard let distTCP = o.distTCP, case .found(let port, _, _) = epmd else { return done() }
        guard add(distTCPStage(distTCP, port: port, o: o, context: context)) else { return done() }

        guard add(tlsStage(o, context: context)) else { return done() }

        guard let handshake = o.handshake else { return done() }
        for s in handshakeStages(handshake, o: o, context: context) {
            guard add(s) else { return done() }
        }

        guard let ticks = o.ticks else { return done() }
        _ = add(ticksStage(ticks, context: context))
        return done()
    }

    // MARK: - TLS

    static func tlsStage(_ o: DoctorObservation, context: DoctorContext) -> DoctorStage {
        let tlsFlags = "--ssl-dist-optfile FILE (the release's ssl_dist optfile) or --tls-cert/--tls-key/--tls-ca"
        if case .failed(let e)? = o.handshake, e.stage == .tls {
            switch e.code {
            case .plainButPeerExpectsTLS:
                return DoctorStage(
                    .tls, .failed, "the node answered our handshake with a TLS alert",
                    cause: "the node runs TLS distribution (-proto_dist inet_tls) and we connected in plain TCP",
                    fix: "give beamconsole \(tlsFlags)")
            case .tlsExpectedButPeerIsPlain:
                return DoctorStage(
                    .tls, .failed, e.message, cause: "the node runs plain TCP distribution and we use TLS",
                    fix: "drop the --tls-*/--ssl-dist-optfile options for this cluster, or start the nodes with "
                        + "-proto_dist inet_tls")
            case .tlsCertificateUntrusted:
                return DoctorStage(
                    .tls, .failed, e.message, cause: "the node's certificate does not chain to our CA (or expired)",
                    fix: "give --tls-ca the CA that signed the nodes' certificates (the optfile's cacertfile)")
            case .tlsCertificateRejected:
                return DoctorStage(
                    .tls, .failed, e.message, cause: "the node did not accept our client certificate (or wanted one)",
                    fix: "give --tls-cert/--tls-key a certificate signed by the CA the nodes trust (their cacertfile)")
            case .tlsHostnameMismatch:
                return DoctorStage(
                    .tls, .failed, e.message, cause: "the certificate does not name \(o.host)",
                    fix: "drop --tls-verify-hostname (the chain is still checked), or put the task IPs in the certificate")
            default:
                return DoctorStage(
                    .tls, .failed, e.message, cause: "the TLS handshake failed (\(e.code))",
                    fix: "compare our TLS settings (\(context.tls ?? "none")) with the node's ssl_dist optfile")
            }
        }
        guard let tls = context.tls else { return DoctorStage(.tls, .skipped, "skipped: plain TCP distribution") }
        switch o.handshake {
        case nil: return DoctorStage(.tls, .skipped, "not checked")
        default: return DoctorStage(.tls, .ok, "TLS established (\(tls))")
        }
    }

    // MARK: - DNS

    static func dnsStage(_ o: DoctorObservation) -> DoctorStage {
        let cloudMapFix =
            "check the Cloud Map namespace/service name (SERVICE.NAMESPACE, e.g. myapp.organization.local) and "
            + "DNSPoll's query; use classic service discovery (a private DNS namespace), not Service Connect, which "
            + "gives no per-task A records"
        switch o.dns {
        case .badName:
            return DoctorStage(
                .dns, .failed, "'\(o.node)' is not a node name", cause: "node names have the form name@host",
                fix: "give name@host, e.g. myapp@10.0.1.5 (RELEASE_NODE's form)")
        case .addressLiteral(let a):
            return DoctorStage(.dns, .ok, "\(a) is an address: nothing to resolve")
        case .resolved(let host, let r):
            if !r.addresses.isEmpty {
                return DoctorStage(.dns, .ok, "\(host) → \(r.addresses.joined(separator: ", "))")
            }
            let why = r.failure ?? "no addresses"
            if r.notFound {
                let shortHost = !host.contains(".")
                return DoctorStage(
                    .dns, .failed, "\(host) does not resolve (\(why))",
                    cause: shortHost
                        ? "\(host) is a short host name (the node uses short names, -sname) and this machine cannot "
                            + "resolve it"
                        : "no DNS record for \(host)",
                    fix: "use long names with the task IP: RELEASE_DISTRIBUTION=name and RELEASE_NODE=<basename>@<task IP> "
                        + "on every task, then dial that name")
            }
            return DoctorStage(
                .dns, .failed, "resolving \(host) failed (\(why))", cause: "the resolver did not answer",
                fix: "check /etc/resolv.conf and the VPC's DNS resolver (enableDnsSupport)")
        case .record(let query, let type, let address, let ttl, let poll):
            return DoctorStage(.dns, .ok, "\(type) record of \(query) → \(address), TTL \(ttl) s (poll #\(poll))")
        case .queryFailed(let query, let code, let message, let poll):
            switch code {
            case "nxdomain":
                return DoctorStage(
                    .dns, .failed, "\(query): NXDOMAIN (poll #\(poll))",
                    cause: "the name \(query) does not exist", fix: cloudMapFix)
            case "no_data":
                return emptyAnswer(query: query, poll: poll)
            default:
                return DoctorStage(
                    .dns, .failed, "the lookup of \(query) failed (poll #\(poll)): \(message)",
                    cause: "the DNS server did not answer (\(code)); libcluster DNSPoll then disconnects every DNS-found node",
                    fix: "check the VPC's DNS resolver (enableDnsSupport, enableDnsHostnames) or pass --dns-server")
            }
        case .queryEmpty(let query, let poll):
            return emptyAnswer(query: query, poll: poll)
        case .notInAnswer(let query, let address, let poll):
            return DoctorStage(
                .dns, .failed, "the latest answer of \(query) (poll #\(poll)) does not list \(address)",
                cause: "the task stopped, or Cloud Map marked it unhealthy; libcluster DNSPoll disconnects it",
                fix: "check the task (aws ecs describe-tasks) and its Cloud Map health status")
        }
    }

    private static func emptyAnswer(query: String, poll: Int) -> DoctorStage {
        DoctorStage(
            .dns, .failed, "\(query) has no A records (poll #\(poll))",
            cause: "no task is registered under \(query) (or the service registers SRV records or Service Connect only)",
            fix: "register the ECS service's tasks with classic Cloud Map service discovery (serviceRegistries, A "
                + "records) and check that they are healthy")
    }

    // MARK: - EPMD

    static func epmdStages(_ e: DoctorObservation.EPMD, o: DoctorObservation, context: DoctorContext)
        -> (DoctorStage, DoctorStage?)
    {
        let at = "\(o.host):\(o.epmdPort)"
        let alive = NodeName(o.node)?.alive ?? o.node
        let reached = DoctorStage(.epmdTCP, .ok, "EPMD at \(at) answers")
        let portNote = o.epmdPort == 4369 ? "" : " (ERL_EPMD_PORT=\(o.epmdPort))"
        switch e {
        case .failed(let err):
            switch err.code {
            case .epmdRefused:
                return (DoctorStage(
                    .epmdTCP, .failed, "connection to \(at) refused",
                    cause: "the host answers but nothing listens on \(o.epmdPort)\(portNote): no Erlang node runs there "
                        + "(EPMD starts with the first node), or a rule rejects the port",
                    fix: "check that the release runs on that task; allow TCP \(o.epmdPort) between tasks in the security "
                        + "group; use the same ERL_EPMD_PORT everywhere"), nil)
            case .epmdTimeout:
                return (DoctorStage(
                    .epmdTCP, .failed, "no answer from \(at) within \(context.connectTimeout) s",
                    cause: "the packets are dropped (a security group or network ACL), or the host is gone",
                    fix: "allow TCP \(o.epmdPort) between tasks in the security group (inbound from the tasks' own "
                        + "security group)"), nil)
            case .epmdProtocol:
                return (reached, DoctorStage(
                    .epmdName, .failed, "\(at) did not answer PORT_PLEASE2 as EPMD does: \(err.message)",
                    cause: "something other than EPMD listens on \(o.epmdPort)",
                    fix: "point ERL_EPMD_PORT at the EPMD the nodes use"))
            default:
                return (DoctorStage(
                    .epmdTCP, .failed, "connecting to \(at) failed: \(err.message)",
                    cause: "a network error (no route to the host?)",
                    fix: "check that the task's subnet is reachable from here (route tables, network ACLs)"), nil)
            }
        case .found(let port, let highest, let lowest):
            if highest < 6 {
                return (reached, DoctorStage(
                    .epmdName, .failed, "\(alive) is registered at port \(port) but speaks distribution version \(highest)",
                    cause: "OTP 22 or older: version 6 (OTP 23) is required",
                    fix: "upgrade the release to OTP 23 or newer"))
            }
            let versions = lowest == highest ? "version \(highest)" : "versions \(lowest)-\(highest)"
            return (reached, DoctorStage(.epmdName, .ok, "\(alive) is registered at port \(port) (distribution \(versions))"))
        case .notRegistered(let names):
            if names.isEmpty {
                return (reached, DoctorStage(
                    .epmdName, .failed, "EPMD on \(o.host) has no names registered",
                    cause: "no distributed node runs on \(o.host): the release is not running, or was started without "
                        + "distribution",
                    fix: "check the task's logs; the release must start with RELEASE_DISTRIBUTION=name"))
            }
            let list = names.joined(separator: ", ")
            return (reached, DoctorStage(
                .epmdName, .failed, "EPMD on \(o.host) does not know \(alive); registered: \(list)",
                cause: "the node on \(o.host) is named differently",
                fix: "RELEASE_NODE's basename is \(alive) but EPMD on \(o.host) has [\(list)]: check RELEASE_NODE / "
                    + "--basename"))
        }
    }

    // MARK: - Distribution port

    static func distTCPStage(_ t: NetworkProbe.TCPOutcome, port: Int, o: DoctorObservation, context: DoctorContext)
        -> DoctorStage
    {
        let range = context.distPortRange
        let rangeText = "\(range.lowerBound)-\(range.upperBound)"
        let inside = range.contains(port)
        let where_ = inside ? "inside \(rangeText)" : "outside \(rangeText)"
        let pin =
            "pin the ports (-kernel inet_dist_listen_min \(range.lowerBound) inet_dist_listen_max \(range.upperBound), "
            + "e.g. in rel/vm.args.eex)"
        switch t {
        case .open:
            var s = DoctorStage(.distTCP, .ok, "\(o.host):\(port) accepts connections (\(where_))")
            if !inside {
                s.detail += "; the security group must allow it: \(pin)"
            }
            return s
        case .refused:
            return DoctorStage(
                .distTCP, .failed, "port \(port) (\(where_)) refused the connection",
                cause: "EPMD lists port \(port) but nothing listens there: the node is stopping, or a stale registration",
                fix: "restart the task; EPMD forgets a name when the node's connection to it closes")
        case .timedOut:
            return DoctorStage(
                .distTCP, .failed, "no answer from \(o.host):\(port) (\(where_)) within \(context.connectTimeout) s",
                cause: "the security group drops the distribution port",
                fix: inside
                    ? "allow TCP \(rangeText) between tasks in the security group (inet_dist_listen_min/max)"
                    : "\(pin) and allow TCP \(rangeText) between tasks in the security group")
        case .failed(let why):
            return DoctorStage(
                .distTCP, .failed, "connecting to \(o.host):\(port) failed: \(why)", cause: "a network error",
                fix: "check routes and network ACLs between the tasks")
        }
    }

    // MARK: - Handshake

    /// Which handshake stage a handshake failure belongs to: by its code, else by the handshake step it came at.
    public static func stageOfHandshakeError(_ e: DistributionError) -> DoctorStageKind {
        switch e.code {
        case .notAllowed, .nok, .alive: return .handshake
        case .nameMismatch, .missingPeerFlags: return .challenge
        case .cookieMismatch, .badPeerDigest: return .cookie
        default:
            switch e.handshakeStep {
            case .challengeAck?: return .cookie
            case .challenge?: return .challenge
            case .status?, nil: return .handshake
            }
        }
    }

    static func handshakeStages(_ h: DoctorObservation.Handshake, o: DoctorObservation, context: DoctorContext)
        -> [DoctorStage]
    {
        switch h {
        case .established, .alreadyConnected:
            let already = h == .alreadyConnected
            var cookie = DoctorStage(.cookie, .ok, "the peer accepted our digest and proved it knows our cookie")
            switch o.remoteCookieHash {
            case .hash(let peer)?:
                if peer == context.cookieHash {
                    cookie.detail += "; its cookie hash is \(peer), the same as ours"
                } else {
                    cookie.detail += "; but its own cookie hash is \(peer), ours \(context.cookieHash): it uses a "
                        + "per-node cookie for us (erlang:set_cookie/2)"
                }
            case .unavailable(let why)?:
                cookie.detail += "; its cookie hash is unavailable (\(why))"
            case nil:
                break
            }
            return [
                DoctorStage(.handshake, .ok, already ? "already connected" : "status ok"),
                DoctorStage(.challenge, .ok, already ? "already connected" : "the peer is \(o.node); flags accepted"),
                cookie,
            ]
        case .failed(let e):
            let kind = stageOfHandshakeError(e)
            var out: [DoctorStage] = []
            if kind != .handshake { out.append(DoctorStage(.handshake, .ok, "status ok")) }
            if kind == .cookie { out.append(DoctorStage(.challenge, .ok, "the peer is \(o.node)")) }
            out.append(handshakeFailure(e, kind: kind, o: o, context: context))
            return out
        }
    }

    static func handshakeFailure(_ e: DistributionError, kind: DoctorStageKind, o: DoctorObservation,
                                 context: DoctorContext) -> DoctorStage {
        let detail = "\(e.code): \(e.message)"
        switch e.code {
        case .notAllowed:
            return DoctorStage(
                kind, .failed, detail,
                cause: "the peer refused our connection: net_kernel:allow/1 excludes \(context.ownName), or it "
                    + "requires distribution flags we lack",
                fix: "check net_kernel:allow/1 on the peer and its log ('Connection attempt from node … rejected')")
        case .nok where nameForm(context.ownName) == "short" && nameForm(o.node) == "long":
            // Observed with OTP 25: a long-name node answers 'nok' to a short-name node's handshake.
            return DoctorStage(
                kind, .failed, detail,
                cause: "short vs long names: we are \(context.ownName) (a short name) and the node uses long names, "
                    + "so it refuses us with 'nok'",
                fix: "run beamconsole with long names like the nodes (--name, or RELEASE_DISTRIBUTION=name as on the "
                    + "tasks)")
        case .nok:
            return DoctorStage(
                kind, .failed, detail, cause: "the peer is connecting to us at the same moment and its attempt wins",
                fix: "run doctor again")
        case .alive:
            return DoctorStage(
                kind, .failed, detail,
                cause: "the peer still has a connection from a node named \(context.ownName)",
                fix: "run again with another name (beamconsole picks a random one unless --name/--sname fixes it)")
        case .nameMismatch:
            let actual = e.actualPeerName ?? "another name"
            let expected = e.expectedPeerName ?? o.node
            if e.actualPeerName != nil, nameForm(expected) != nameForm(actual) {
                return DoctorStage(
                    kind, .failed, detail,
                    cause: "short vs long names: we dialled \(expected) but the node is \(actual)",
                    fix: "RELEASE_DISTRIBUTION=name and RELEASE_NODE=<basename>@<task IP> on every task, so that the "
                        + "node's name is what DNSPoll dials (basename@IP)")
            }
            return DoctorStage(
                kind, .failed, detail, cause: "the node on that port is \(actual), not \(expected)",
                fix: "dial \(actual), or fix RELEASE_NODE so that the node's name matches")
        case .missingPeerFlags:
            return DoctorStage(
                kind, .failed, detail, cause: "the peer's OTP is too old for beamconsole",
                fix: "upgrade the release to OTP 23 or newer")
        case .cookieMismatch:
            return DoctorStage(
                .cookie, .failed, "the peer closed the connection right after our challenge reply",
                cause: "cookie mismatch: the peer rejected our digest (its log says 'Invalid challenge reply')",
                fix: cookieFix(context))
        case .badPeerDigest:
            return DoctorStage(
                .cookie, .failed, detail,
                cause: "cookie mismatch: the peer accepted us but its digest of our challenge is wrong",
                fix: cookieFix(context))
        case .handshakeTimeout:
            return DoctorStage(
                kind, .failed, detail,
                cause: kind == .handshake
                    ? "the port accepted the connection but sent no handshake status: not a distribution port, or "
                        + "the node is overloaded"
                    : "the node stopped answering mid-handshake (overloaded, or its net_setuptime ran out)",
                fix: "check the node's load and log; check that EPMD's port for it is its distribution port")
        case .closedByPeer where kind == .handshake:
            return DoctorStage(
                kind, .failed, detail,
                cause: "the peer closed the connection without a status: it rejected our name (long vs short "
                    + "names), or it runs TLS distribution (-proto_dist inet_tls)",
                fix: "RELEASE_DISTRIBUTION=name on every task and for beamconsole (--name); for TLS distribution give "
                    + "--ssl-dist-optfile; check the node's log")
        default:
            return DoctorStage(
                kind, .failed, detail, cause: "the handshake failed at \(kind.label)",
                fix: "check the node's log for the rejected connection attempt")
        }
    }

    /// Short names have a host without dots that is not an address.
    static func nameForm(_ node: String) -> String {
        (NodeName(node)?.form ?? .short).rawValue
    }

    // MARK: - Ticks

    static func ticksStage(_ t: DoctorObservation.Ticks, context: DoctorContext) -> DoctorStage {
        switch t.roundTrip {
        case .failure(let e):
            let cause: String
            switch e.code {
            case .tickTimeout:
                cause = "nothing arrived from the peer for \(context.tickTime) s"
            case .closedByPeer:
                cause = "the peer closed the connection after the handshake"
            default:
                cause = "the connection came up but erlang:node() got no answer"
            }
            return DoctorStage(
                .ticks, .failed, "round trip failed: \(e.code): \(e.message)", cause: cause,
                fix: "check the peer's log ('not responding', 'Removing (timedout) connection') and its load")
        case .success(let rtt):
            guard t.stillUp else {
                return DoctorStage(
                    .ticks, .failed, "round trip \(formatDuration(rtt)), then the connection went down",
                    cause: "the peer dropped the connection after the handshake",
                    fix: "check the peer's log ('not responding', 'Removing (timedout) connection')")
            }
            let ours = "ours \(context.tickTime) s, we tick every \(context.tickInterval) s"
            guard let peer = t.peerTickTime else {
                return DoctorStage(.ticks, .ok, "round trip \(formatDuration(rtt)); the peer's net_ticktime is unknown")
            }
            let detail = "round trip \(formatDuration(rtt)); net_ticktime \(peer) s (\(ours))"
            if context.tickInterval >= peer {
                return DoctorStage(
                    .ticks, .failed, detail,
                    cause: "the peer drops a silent node after about \(peer) s but we tick only every "
                        + "\(context.tickInterval) s: the connection will time out",
                    fix: "raise net_ticktime on the nodes (-kernel net_ticktime 60, the default)")
            }
            if peer / 4 >= context.tickTime {
                return DoctorStage(
                    .ticks, .failed, detail,
                    cause: "the peer ticks only every \(peer / 4) s but we drop a silent peer after \(context.tickTime) s",
                    fix: "lower net_ticktime on the nodes (-kernel net_ticktime 60, the default)")
            }
            return DoctorStage(.ticks, .ok, detail)
        }
    }
}
