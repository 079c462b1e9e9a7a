import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import ErlangTerm
import TermSyntax

/// The cluster half of `doctor` (run when no NODE is named): the I/O that feeds ``ClusterDiagnosis``. Every call on
/// a node is a read of standard-library state (`erlang:system_info/1`, `net_kernel:get_net_ticktime/0`,
/// `application:get_env/2`, `os:getenv/1`) or a probe from one node toward another with `gen_tcp:connect/4` and
/// `erl_epmd:port_please/3`, whose sockets close as the calling process ends. Nothing is left on any node.
enum DoctorCluster {
    /// The cluster section: findings, and what they were computed from.
    struct Section: Sendable {
        var nodes: [String]
        var dnsAnswered: Int?
        var facts: [String: ClusterNodeFacts]
        var findings: [ClusterFinding]
    }

    /// Pairs probed at most (each both ways): a cluster cut in two halves of 25 has 625.
    static let probeLimit = 64

    static func run(session: ConsoleSession, targets: [String], perNode: [DoctorTargetReport]) async -> Section {
        let node = session.node
        let timeout = min(session.settings.timeout, .seconds(15))
        let dns = await dnsFacts(session)
        let members = await MembersCommand.collect(
            node: node, start: targets, timeout: timeout, profile: session.knownProfiles)
        let asked = members.lists.keys.filter { !members.hiddenNodes.contains($0) }.sorted()
        let facts = await readFacts(asked, caller: node, timeout: timeout)
        // The pairs to probe: both ends answered us, and they are not connected (either way).
        var pairs: [(String, String)] = []
        for f in members.findings {
            switch f {
            case .partialMesh(let missing): pairs += missing.map { ($0[0], $0[1]) }
            case .asymmetric(let a, let b): pairs.append((a, b))
            default: break
            }
        }
        let epmdPort = node.configuration.resolvedEPMDPort
        let probes = await withTaskGroup(of: EdgeProbe.self) { group in
            for (a, b) in pairs.prefix(probeLimit) {
                for (from, to) in [(a, b), (b, a)] {
                    let profile = session.knownProfiles(from)
                    group.addTask {
                        await probe(
                            from: from, to: to, epmdPort: epmdPort, caller: node, timeout: timeout, profile: profile)
                    }
                }
            }
            var out: [EdgeProbe] = []
            for await p in group { out.append(p) }
            return out
        }
        var consoleFailures: [String: (stage: String, detail: String)] = [:]
        for r in perNode {
            if let f = r.failure { consoleFailures[r.node] = (f.kind.rawValue, f.cause ?? f.detail) }
        }
        let input = ClusterDiagnosis.Input(
            dns: dns, members: members, facts: facts, probes: probes, consoleFailures: consoleFailures,
            onECS: session.ecsTask != nil)
        return Section(
            nodes: members.nodes.filter { !members.hiddenNodes.contains($0) }, dnsAnswered: dns.map { $0.answered.count },
            facts: facts, findings: ClusterDiagnosis.findings(input))
    }

    /// The DNSPoll side, when discovery polls DNS. An answer of exactly eight records is looked up twice more, so
    /// that a rotating subset (Cloud Map MULTIVALUE) shows as more addresses than one answer holds.
    static func dnsFacts(_ session: ConsoleSession) async -> ClusterDNSFacts? {
        let discovery = session.discovery
        guard let config = discovery.configuration.dnsPoll else { return nil }
        if discovery.snapshot().reports.isEmpty { await discovery.pollOnce(waitForConnections: false) }
        var reports = discovery.snapshot().reports
        if reports.last?.warnings.contains(.eightRecords) == true, reports.count < 3 {
            for _ in reports.count..<3 { await discovery.pollOnce(waitForConnections: false) }
            reports = discovery.snapshot().reports
        }
        return ClusterDNSFacts(query: config.query, basename: config.basename, reports: reports)
    }

    // MARK: Facts

    /// `{erlang:system_info(otp_release), net_kernel:get_net_ticktime(), application:get_env(kernel,
    /// prevent_overlapping_partitions), application:get_env(libcluster, topologies), os:getenv("RELEASE_NAME"),
    /// os:getenv("RELEASE_VSN")}`, as one `erl_eval:exprs/2` call per node.
    static let factsExpression: Term = {
        let f = AbstractForm.self
        return f.tuple([
            f.call("erlang", "system_info", [f.atom("otp_release")]),
            f.call("net_kernel", "get_net_ticktime", []),
            f.call("application", "get_env", [f.atom("kernel"), f.atom("prevent_overlapping_partitions")]),
            f.call("application", "get_env", [f.atom("libcluster"), f.atom("topologies")]),
            f.call("os", "getenv", [f.string("RELEASE_NAME")]),
            f.call("os", "getenv", [f.string("RELEASE_VSN")]),
        ])
    }()

    static func readFacts(_ nodes: [String], caller: any ClusterCaller, timeout: Duration) async
        -> [String: ClusterNodeFacts]
    {
        guard !nodes.isEmpty else { return [:] }
        let results = await caller.multicall(
            nodes: nodes, module: "erl_eval", function: "exprs", arguments: [.list([factsExpression]), .list([])],
            options: CallOptions(timeout: timeout, captureOutput: false))
        var out: [String: ClusterNodeFacts] = [:]
        for (n, r) in results {
            guard case .success(let response) = r, case .value(let v) = response.result,
                let value = v.tagged("value"), value.count == 2
            else { continue }
            out[n] = facts(n, value[0])
        }
        return out
    }

    /// Reads the facts tuple (see ``factsExpression``).
    static func facts(_ node: String, _ t: Term) -> ClusterNodeFacts {
        var f = ClusterNodeFacts(node: node)
        guard let e = t.tupleElements, e.count == 6 else { return f }
        f.otpRelease = e[0].stringValue
        f.netTicktime = DoctorCommand.tickTime(e[1])
        if let v = e[2].tagged("ok"), v.count == 1, let a = v[0].atomValue {
            f.preventOverlappingPartitions = a.name == "true"
        } else if let major = f.otpMajor {
            f.preventOverlappingPartitions = major >= 25  // the default changed to true in OTP 25
        }
        if let v = e[3].tagged("ok"), v.count == 1 { f.topologies = LibclusterTopologyFacts.parse(v[0]) }
        if let name = e[4].stringValue, let vsn = e[5].stringValue { f.release = "\(name) \(vsn)" }
        return f
    }

    // MARK: Probes

    /// From `from`, toward `to`: TCP to its EPMD, its port by name, TCP to that port.
    static func probe(
        from: String, to: String, epmdPort: Int, caller: any ClusterCaller, timeout: Duration, profile: PrinterProfile
    ) async
        -> EdgeProbe
    {
        guard let name = NodeName(to) else { return EdgeProbe(from: from, to: to, outcome: .notProbed("bad name")) }
        let host = hostTerm(name.host)
        let options = CallOptions(timeout: min(timeout, .seconds(6)), captureOutput: false)
        func call(_ m: Atom, _ f: Atom, _ a: [Term]) async -> Term? {
            guard let r = try? await caller.call(node: from, module: m, function: f, arguments: a, options: options),
                case .value(let v) = r.result
            else { return nil }
            return v
        }
        func connectOutcome(_ v: Term?) -> String? {
            guard let v else { return "the probe did not run" }
            if v.tagged("ok") != nil { return nil }
            if let e = v.tagged("error"), let reason = e.first { return termText(reason, profile: profile) }
            return termText(v, profile: profile)
        }
        let connectOptions: Term = .list([.atom("binary"), .tuple([.atom("active"), .atom("false")])])
        let epmd = await call("gen_tcp", "connect", [host, .integer(epmdPort), connectOptions, .integer(2000)])
        if epmd == nil { return EdgeProbe(from: from, to: to, outcome: .notProbed("\(from) did not answer")) }
        if let failure = connectOutcome(epmd) { return EdgeProbe(from: from, to: to, outcome: .epmdUnreachable(failure)) }
        let reply = await call("erl_epmd", "port_please", [.charlist(name.alive), host, .integer(2000)])
        guard let p = reply?.tagged("port"), let port = p.first?.intValue else {
            return EdgeProbe(from: from, to: to, outcome: reply == nil ? .notProbed("no answer") : .notRegistered)
        }
        let dist = await call("gen_tcp", "connect", [host, .integer(port), connectOptions, .integer(2000)])
        if let failure = connectOutcome(dist) {
            return EdgeProbe(from: from, to: to, outcome: .distUnreachable(port: port, failure))
        }
        return EdgeProbe(from: from, to: to, outcome: .reachable(port: port))
    }

    /// An IPv4 literal as `{A, B, C, D}`, anything else as a charlist host name.
    static func hostTerm(_ host: String) -> Term {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        if parts.count == 4, host.split(separator: ".").count == 4 { return .tuple(parts.map { .integer(Int($0)) }) }
        return .charlist(host)
    }
}
