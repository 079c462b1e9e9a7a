import ClusterDiscovery
import ErlangDistribution
import ErlangTerm
import Foundation

/// `doctor [NODE…]`: every connection stage for each node, with the cause and the fix.
///
/// The decisions are ``DoctorDiagnosis``'s; this file does the I/O (DNS, EPMD, TCP, the handshake through
/// ``LocalNode/connect(to:port:)``, a few rex calls) and renders the result.
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

        let context = DoctorView.context(for: node)
        var reports: [DoctorTargetReport] = []
        if let p = poll, p.nodes.isEmpty, let dns = p.queryFailure {
            reports.append(DoctorDiagnosis.queryFailure(query: p.query, dns: dns, context: context))
        }
        guard !targets.isEmpty || !reports.isEmpty else {
            return session.badInput(
                "doctor: no nodes (give NODE..., set a target with --connect/RELEASE_NODE, or use --dns-query)")
        }
        let timeout = min(session.settings.timeout, .seconds(15))
        let observed = await withTaskGroup(of: DoctorTargetReport.self) { group in
            for t in targets {
                group.addTask {
                    let o = await observe(t, node: node, poll: poll, timeout: timeout)
                    return DoctorDiagnosis.diagnose(o, context: context, query: poll?.names(t) == true ? poll?.query : nil)
                }
            }
            var out: [DoctorTargetReport] = []
            for await r in group { out.append(r) }
            return out
        }
        reports += observed.sorted { $0.node < $1.node }
        let report = DoctorReport(
            local: node.name, cookieHash: context.cookieHash, dnsQuery: poll?.query, targets: reports)
        return CommandOutput(
            text: DoctorView.render(report, color: session.settings.color), json: DoctorView.json(report),
            status: report.ok ? CommandOutput.Status.ok : CommandOutput.Status.connectionFailure)
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
            let address = node.split(separator: "@", maxSplits: 1).last.map(String.init) ?? node
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
            for rec in a.records where records[rec.value] == nil { records[rec.value] = (a.type.rawValue.uppercased(), rec.ttl) }
        }
        let error = r.errors.first.map { (code: $0.code.rawValue, message: $0.description) }
        return Poll(query: config.query, sequence: r.sequence, records: records, nodes: r.nodes, error: error)
    }

    /// Walks the stages for one node, stopping at the first failure.
    static func observe(_ target: String, node: LocalNode, poll: Poll?, timeout: Duration) async -> DoctorObservation {
        let parts = target.split(separator: "@", maxSplits: 1).map(String.init)
        let epmdPort = node.configuration.epmdPort ?? EPMDClient.environmentPort ?? EPMDMessage.defaultPort
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return DoctorObservation(node: target, host: target, epmdPort: epmdPort, dns: .badName)
        }
        let alive = parts[0], host = parts[1]
        var o = DoctorObservation(node: target, host: host, epmdPort: epmdPort, dns: .badName)

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

        // EPMD: TCP, then the name.
        let epmd = EPMDClient(
            host: host, port: epmdPort, timeout: node.configuration.connectTimeout, group: node.eventLoopGroup)
        let distPort: Int
        do throws(DistributionError) {
            switch try await epmd.portPlease(alive: alive) {
            case .found(let info):
                o.epmd = .found(port: info.port, highestVersion: Int(info.highestVersion), lowestVersion: Int(info.lowestVersion))
                guard info.highestVersion >= 6 else { return o }
                distPort = info.port
            case .notFound:
                let names = (try? await epmd.names().map(\.name)) ?? []
                o.epmd = .notRegistered(names: names.sorted())
                return o
            }
        } catch {
            o.epmd = .failed(error)
            return o
        }

        // The distribution port, plain TCP.
        let tcp = await NetworkProbe.tcpConnect(
            host: host, port: distPort, timeout: node.configuration.connectTimeout, group: node.eventLoopGroup)
        o.distTCP = tcp
        guard tcp == .open else { return o }

        // The handshake.
        if node.connectionState(of: target) == .up {
            o.handshake = .alreadyConnected
        } else {
            do throws(DistributionError) {
                try await node.connect(to: target, port: distPort)
                o.handshake = .established
            } catch {
                if error.code == .alive || error.code == .nok || node.connectionState(of: target) != .up {
                    o.handshake = .failed(error)
                    return o
                }
                o.handshake = .alreadyConnected  // another attempt (discovery's) won the race
            }
        }

        // Ticks: a round trip, the peer's net_ticktime; and the peer's cookie fingerprint.
        let options = CallOptions(method: .rex, timeout: timeout, captureOutput: false)
        let clock = ContinuousClock()
        let start = clock.now
        var roundTrip: Result<Duration, DistributionError>
        do throws(DistributionError) {
            let r = try await node.call(node: target, module: "erlang", function: "node", arguments: [], options: options)
            if case .value = r.result {
                roundTrip = .success(clock.now - start)
            } else {
                roundTrip = .failure(DistributionError(.rpcFailed, stage: .rpc, node: target, "no answer to erlang:node()"))
            }
        } catch {
            roundTrip = .failure(error)
        }
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
        return o
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
        func call(_ m: Atom, _ f: Atom, _ args: [Term]) -> Term {
            .tuple([
                .atom("call"), .integer(1),
                .tuple([.atom("remote"), .integer(1), .tuple([.atom("atom"), .integer(1), .atom(m)]),
                        .tuple([.atom("atom"), .integer(1), .atom(f)])]),
                .list(args),
            ])
        }
        func atom(_ a: Atom) -> Term { .tuple([.atom("atom"), .integer(1), .atom(a)]) }
        func int(_ i: Int) -> Term { .tuple([.atom("integer"), .integer(1), .integer(i)]) }
        let cookie = call("erlang", "atom_to_binary", [call("erlang", "get_cookie", []), atom("utf8")])
        let digest = call("crypto", "hash", [atom("sha256"), cookie])
        return call("binary", "part", [digest, int(0), int(CookieFingerprint.hexDigits / 2)])
    }()

    static func remoteCookieHash(_ target: String, node: LocalNode, options: CallOptions) async
        -> DoctorObservation.RemoteCookieHash
    {
        do throws(DistributionError) {
            let r = try await node.call(
                node: target, module: "erl_eval", function: "exprs", arguments: [.list([cookieHashExpression]), .list([])],
                options: options)
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

/// Rendering of a ``DoctorReport`` as text and JSON.
public enum DoctorView {
    /// Our side of the diagnosis: name, cookie fingerprint, tick policy.
    static func context(for node: LocalNode) -> DoctorContext {
        let c = node.configuration
        let tick = Int(c.tickTime.nanoseconds / 1_000_000_000)
        let interval = Int((c.tickInterval ?? .nanoseconds(c.tickTime.nanoseconds / 4)).nanoseconds / 1_000_000_000)
        var context = DoctorContext(
            ownName: node.name, cookieHash: CookieFingerprint.of(c.cookie), tickTime: tick, tickInterval: interval,
            connectTimeout: max(1, Int(c.connectTimeout.nanoseconds / 1_000_000_000)))
        context.tls = c.tls?.summary
        return context
    }

    static let green = "\u{1B}[32m", red = "\u{1B}[31m", dim = "\u{1B}[2m", reset = "\u{1B}[0m"

    /// One block per target: a line per stage (✓ ok, ✗ failed, - skipped, · not reached), the cause and the fix under
    /// a failure; a summary with our cookie hash and how to compute a node's.
    public static func render(_ report: DoctorReport, color: Bool) -> String {
        _ = viewLocaleReady
        func paint(_ s: String, _ c: String) -> String { color ? c + s + reset : s }
        let labelWidth = DoctorStageKind.allCases.map { displayWidth($0.label) }.max() ?? 0
        var out = "we are \(report.local) (hidden); our cookie hash is \(report.cookieHash)\n"
        if let q = report.dnsQuery { out += "DNSPoll query: \(q)\n" }
        for t in report.targets {
            out += "\n" + t.node
            if t.query != nil, t.node != t.query { out += " (from \(t.query!))" }
            out += "\n"
            for s in t.stages {
                let mark: String
                switch s.status {
                case .ok: mark = paint("✓", green)
                case .failed: mark = paint("✗", red)
                case .skipped: mark = "-"
                case .notReached: mark = paint("·", dim)
                }
                let pad = String(repeating: " ", count: labelWidth - displayWidth(s.kind.label))
                let line = "  \(mark) \(s.kind.label)\(pad)  \(s.detail)"
                out += (s.status == .notReached ? paint(line, dim) : line) + "\n"
                let indent = String(repeating: " ", count: labelWidth + 6)
                if let c = s.cause { out += indent + "cause: " + c + "\n" }
                if let f = s.fix { out += indent + "fix:   " + f + "\n" }
            }
        }
        let good = report.targets.filter(\.ok).count
        out += "\n\(good)/\(report.targets.count) ok"
        if report.targets.contains(where: { $0.stage(.cookie)?.status == .failed }) || good < report.targets.count {
            out += "; compare cookie hashes on a node with\n  \(CookieFingerprint.elixirExpression)\n  "
                + CookieFingerprint.erlangExpression
        }
        return out
    }

    /// `{"local", "cookie_hash", "dns_query", "ok", "targets": [{"node", "query", "ok", "peer_cookie_hash",
    /// "failed_stage", "stages": [{"name", "status", "detail", "cause", "fix"}]}]}`.
    public static func json(_ report: DoctorReport) -> String {
        let targets: [JSONValue] = report.targets.map { t in
            .object([
                "node": .string(t.node), "query": .optional(t.query), "ok": .bool(t.ok),
                "peer_cookie_hash": .optional(t.peerCookieHash),
                "failed_stage": .optional(t.failure?.kind.rawValue),
                "stages": .array(t.stages.map { s in
                    .object([
                        "name": .string(s.kind.rawValue), "status": .string(s.status.rawValue),
                        "detail": .string(s.detail), "cause": .optional(s.cause), "fix": .optional(s.fix),
                    ])
                }),
            ])
        }
        return jsonObject([
            "local": .string(report.local), "cookie_hash": .string(report.cookieHash),
            "cookie_hash_expression": .object([
                "elixir": .string(CookieFingerprint.elixirExpression),
                "erlang": .string(CookieFingerprint.erlangExpression),
            ]),
            "dns_query": .optional(report.dnsQuery), "ok": .bool(report.ok), "targets": .array(targets),
        ])
    }
}
