import ClusterDiscovery
import ClusterMembership
import Dispatch
import ErlangDistribution
import ErlangTerm

/// `doctor [NODE…]`: every connection stage for each node, with the cause and the fix; with no NODE, the whole
/// cluster's findings after them (``DoctorCluster``, ``ClusterDiagnosis``).
///
/// The order of the connection steps is the ``DialPlan``'s (the one every connection runs) and the verdicts are
/// ``DoctorDiagnosis``'s; this file does the I/O of each step (DNS, EPMD, TCP, the handshake through
/// ``LocalNode/connect(to:port:)``, a few rex calls); ``DoctorView`` renders the result.
enum DoctorCommand {
    static func run(session: ConsoleSession, nodes requested: [String]) async -> CommandOutput {
        let node = session.node
        let poll = await latestPoll(session)
        var targets = requested.isEmpty ? session.clusterNodes() : requested
        if requested.isEmpty, let p = poll {
            for n in p.nodes where !targets.contains(n) { targets.append(n) }
        }
        targets.removeAll { $0 == node.name }
        var seen = Set<String>()
        targets = targets.filter { seen.insert($0).inserted }

        let context = Self.context(for: node)
        var reports: [DoctorTargetReport] = []
        if let p = poll, p.nodes.isEmpty, let dns = p.queryFailure {
            reports.append(DoctorDiagnosis.queryFailure(query: p.query, dns: dns, context: context))
        }
        guard !targets.isEmpty || !reports.isEmpty else {
            return .badInput(
                "doctor: no nodes (give NODE..., set a target with --connect/RELEASE_NODE, or use --dns-query)")
        }
        let timeout = min(session.settings.timeout, .seconds(15))
        let observed = await withTaskGroup(of: DoctorTargetReport.self) { group in
            for t in targets {
                group.addTask {
                    let o = await observe(t, node: node, poll: poll, timeout: timeout)
                    let query = poll?.names(t) == true ? poll?.query : nil
                    return DoctorDiagnosis.diagnose(o, context: context, query: query)
                }
            }
            var out: [DoctorTargetReport] = []
            for await r in group { out.append(r) }
            return out
        }
        reports += observed.sorted { $0.node < $1.node }
        var report = DoctorReport(
            local: node.name, cookieHash: context.cookieHash, dnsQuery: poll?.query, targets: reports)
        // Cluster mode (no NODE named): DNS, membership, versions and configuration across the whole cluster.
        if requested.isEmpty, !targets.isEmpty {
            let section = await DoctorCluster.run(session: session, targets: targets, perNode: observed)
            report.cluster = DoctorClusterReport(
                nodes: section.nodes, dnsAnswered: section.dnsAnswered, findings: section.findings)
        }
        let status: Int32 =
            !report.ok ? CommandOutput.Status.connectionFailure
            : report.healthy ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure
        return CommandOutput(
            text: DoctorView.render(report, color: session.settings.color), json: DoctorView.json(report),
            status: status)
    }

    /// Our side of the diagnosis: name, cookie fingerprint, tick policy.
    static func context(for node: LocalNode) -> DoctorContext {
        let c = node.configuration
        let ticks = c.connectionConfiguration
        var context = DoctorContext(
            ownName: node.name, cookieHash: CookieFingerprint.of(c.cookie),
            tickTime: Int(ticks.tickTimeNanos / 1_000_000_000),
            tickInterval: Int(ticks.tickIntervalNanos / 1_000_000_000),
            connectTimeout: max(1, Int(c.connectTimeout.components.seconds)))
        context.tls = c.tls?.summary
        return context
    }

    /// What the latest DNSPoll said, reduced to what the DNS stage needs.
    struct Poll: Sendable {
        var query: String
        var sequence: Int
        /// Address → (record type, TTL).
        var records: [String: (type: String, ttl: Int)]
        var nodes: [String]
        var error: (code: String, message: String)?

        /// Whether the poll's answer (or its kept last answer) names `node`.
        func names(_ node: String) -> Bool { nodes.contains(node) }

        /// The DNS observation for a node this poll named.
        func dns(for node: String) -> DoctorObservation.DNS? {
            guard names(node) else { return nil }
            let address = NodeName(node)?.host ?? node
            if let r = records[address] {
                return .record(query: query, type: r.type, address: address, ttl: r.ttl, poll: sequence)
            }
            if let e = error { return .queryFailed(query: query, code: e.code, message: e.message, poll: sequence) }
            return .notInAnswer(query: query, address: address, poll: sequence)
        }

        /// When the lookup itself failed or came back empty.
        var queryFailure: DoctorObservation.DNS? {
            if let e = error { return .queryFailed(query: query, code: e.code, message: e.message, poll: sequence) }
            if records.isEmpty { return .queryEmpty(query: query, poll: sequence) }
            return nil
        }
    }

    /// The latest DNSPoll report (polling once if none has run yet), or nil without `--dns-query`.
    static func latestPoll(_ session: ConsoleSession) async -> Poll? {
        let discovery = session.discovery
        guard let config = discovery.configuration.dnsPoll else { return nil }
        if discovery.snapshot().reports.isEmpty { await discovery.pollOnce(waitForConnections: false) }
        guard let r = discovery.snapshot().reports.last else { return nil }
        var records: [String: (type: String, ttl: Int)] = [:]
        for a in r.answers {
            for rec in a.records where records[rec.value] == nil {
                records[rec.value] = (a.type.rawValue.uppercased(), rec.ttl)
            }
        }
        let error = r.errors.first.map { (code: $0.code.rawValue, message: $0.description) }
        return Poll(query: config.query, sequence: r.sequence, records: records, nodes: r.nodes, error: error)
    }

    /// Runs the ``DialPlan`` for one node, stopping where it stops, and records what each step saw; then, once
    /// connected, the ticks and the peer's cookie fingerprint. The plan decides the order and when to stop; this
    /// function does the I/O of each step with probes that report more than a dial would (every address, the TCP
    /// outcome), and ``DoctorDiagnosis`` turns the record into stages.
    static func observe(_ target: String, node: LocalNode, poll: Poll?, timeout: Duration) async -> DoctorObservation {
        let epmdPort = node.configuration.resolvedEPMDPort
        guard let name = NodeName(target) else {
            return DoctorObservation(node: target, host: target, epmdPort: epmdPort, dns: .badName)
        }
        var o = DoctorObservation(node: target, host: name.host, epmdPort: epmdPort, dns: .badName)
        var plan = DialPlan(node: name, epmdPort: epmdPort)
        while true {
            switch plan.step {
            case .resolve(let host):
                // DNS: the record that named it, else the host part.
                if let d = poll?.dns(for: target) {
                    o.dns = d
                    guard case .record = d else { return o }
                } else if NetworkProbe.isAddressLiteral(host) {
                    o.dns = .addressLiteral(host)
                } else {
                    // getaddrinfo blocks: keep it off the cooperative pool (50 targets on 2 cores).
                    let r = await withCheckedContinuation { c in
                        DispatchQueue.global().async { c.resume(returning: NetworkProbe.resolve(host: host)) }
                    }
                    o.dns = .resolved(host: host, r)
                    if r.addresses.isEmpty { return o }
                }
                plan.handle(.resolved)
            case .lookUpPort(let alive, let host, let port):
                do throws(DistributionError) {
                    let reply = try await node.epmdClient(host: host, port: port).portPlease(alive: alive)
                    if case .found(let info) = reply {
                        o.epmd = .found(
                            port: info.port, highestVersion: Int(info.highestVersion),
                            lowestVersion: Int(info.lowestVersion))
                    }
                    plan.handle(.portReply(reply))
                } catch {
                    o.epmd = .failed(error)
                    plan.handle(.failed(error))
                }
            case .listNames(let host, let port):
                let names = (try? await node.epmdClient(host: host, port: port).names().map(\.name)) ?? []
                o.epmd = .notRegistered(names: names.sorted())
                plan.handle(.namesListed(names))
            case .connect(let host, let port):
                // The distribution port, plain TCP, on the node's event loops and within its connect timeout.
                let outcome = await NetworkProbe.tcpConnect(
                    host: host, port: port, timeout: node.configuration.connectTimeout, group: node.eventLoopGroup)
                o.distTCP = outcome
                plan.handle(outcome.connectFailure.map { .connectFailed($0) } ?? .connected)
            case .handshake(let port):
                if node.connectionState(of: target) == .up {
                    o.handshake = .alreadyConnected
                    plan.handle(.established)
                    continue
                }
                do throws(DistributionError) {
                    try await node.connect(to: target, port: port)
                    o.handshake = .established
                    plan.handle(.established)
                } catch {
                    if error.code == .alive || error.code == .nok || node.connectionState(of: target) != .up {
                        o.handshake = .failed(error)
                        plan.handle(.failed(error))
                    } else {
                        o.handshake = .alreadyConnected  // another attempt (discovery's) won the race
                        plan.handle(.established)
                    }
                }
            case .failed:
                return o
            case .done:
                await observeConnection(target, node: node, timeout: timeout, into: &o)
                return o
            }
        }
    }

    /// Ticks: a round trip, the peer's net_ticktime; and the peer's cookie fingerprint.
    static func observeConnection(_ target: String, node: LocalNode, timeout: Duration, into o: inout DoctorObservation)
        async
    {
        let options = CallOptions(method: .rex, timeout: timeout, captureOutput: false)
        let roundTrip = await PingCommand.roundTrip(target, caller: node, timeout: timeout)
        var peerTick: Int?
        if case .success = roundTrip {
            if let r = try? await node.call(
                node: target, module: "net_kernel", function: "get_net_ticktime", arguments: [], options: options),
                case .value(let v) = r.result
            {
                peerTick = tickTime(v)
            }
            o.remoteCookieHash = await remoteCookieHash(target, node: node, options: options)
        }
        o.ticks = .init(roundTrip: roundTrip, peerTickTime: peerTick, stillUp: node.connectionState(of: target) == .up)
    }

    /// `net_kernel:get_net_ticktime()`: `T`, or `{ongoing_change_to, T}`.
    static func tickTime(_ v: Term) -> Int? {
        if case .integer(let i) = v { return i }
        if case .tuple(let t) = v, t.count == 2, case .integer(let i) = t[1] { return i }
        return nil
    }

    /// `binary:part(crypto:hash(sha256, erlang:atom_to_binary(erlang:get_cookie(), utf8)), 0, 6)` evaluated on the
    /// peer (by `erl_eval:exprs/2`, one round trip), so the cookie itself never crosses the wire.
    static let cookieHashExpression: Term = {
        let f = AbstractForm.self
        let cookie = f.call("erlang", "atom_to_binary", [f.call("erlang", "get_cookie", []), f.atom("utf8")])
        let digest = f.call("crypto", "hash", [f.atom("sha256"), cookie])
        return f.call("binary", "part", [digest, f.int(0), f.int(CookieFingerprint.hexDigits / 2)])
    }()

    static func remoteCookieHash(_ target: String, node: LocalNode, options: CallOptions) async
        -> DoctorObservation.RemoteCookieHash
    {
        do throws(DistributionError) {
            let r = try await node.call(
                node: target, module: "erl_eval", function: "exprs",
                arguments: [.list([cookieHashExpression]), .list([])], options: options)
            switch r.result {
            case .value(let v):
                guard case .tuple(let t) = v, t.count == 3, case .binary(let bytes) = t[1] else {
                    return .unavailable("unexpected answer")
                }
                return .hash(CookieFingerprint.hex(bytes))
            case .exception:
                return .unavailable("crypto is not available on the peer")
            case .nodedown:
                return .unavailable("the node went down")
            case .timeout:
                return .unavailable("no answer in time")
            }
        } catch {
            return .unavailable("\(error.code)")
        }
    }
}
