import ClusterDiscovery
import ErlangDistribution
import ErlangTerm

/// One libcluster topology as a node holds it (`Application.get_env(:libcluster, :topologies)`), with what the
/// footgun checks need: the keys libcluster's DNSPoll really reads (`polling_interval`, `prune`, a binary `query`)
/// next to the ones it ignores (the documented `poll_interval`).
public struct LibclusterTopologyFacts: Hashable, Sendable {
    public var name: String
    /// `Cluster.Strategy.DNSPoll`, `Cluster.Strategy.Gossip`, … (without `Elixir.`).
    public var strategy: String
    public var query: String?
    /// libcluster's DNSPoll accepts only a binary query (`is_binary(query)`); a charlist or atom makes it poll nothing.
    public var queryIsBinary: Bool
    public var basename: String?
    public var pollingIntervalMs: Int?
    /// `poll_interval` is set (the documented key; DNSPoll's code reads `polling_interval`).
    public var setsPollInterval: Bool
    /// `prune` as configured; nil is libcluster's default (true: nodes missing from an answer are disconnected).
    public var prune: Bool?

    public init(name: String, strategy: String, query: String? = nil, queryIsBinary: Bool = true,
                basename: String? = nil, pollingIntervalMs: Int? = nil, setsPollInterval: Bool = false,
                prune: Bool? = nil) {
        self.name = name; self.strategy = strategy; self.query = query; self.queryIsBinary = queryIsBinary
        self.basename = basename; self.pollingIntervalMs = pollingIntervalMs; self.setsPollInterval = setsPollInterval
        self.prune = prune
    }

    public var isDNSPoll: Bool { strategy == "Cluster.Strategy.DNSPoll" }
    public var isGossip: Bool { strategy == "Cluster.Strategy.Gossip" }

    /// The topologies in libcluster's keyword list (entries that are not topologies are skipped).
    public static func parse(_ term: Term) -> [LibclusterTopologyFacts] {
        guard let pairs = term.keywordPairs else { return [] }
        return pairs.compactMap { name, spec in
            guard let spec = spec.keywordPairs,
                case .atom(let strategy)? = spec.first(where: { $0.0.name == "strategy" })?.1
            else { return nil }
            let config = spec.first { $0.0.name == "config" }?.1.keywordPairs ?? []
            func value(_ key: String) -> Term? { config.first { $0.0.name == key }?.1 }
            var t = LibclusterTopologyFacts(
                name: name.name, strategy: strategy.name.replacingEvery("Elixir.", with: ""))
            if let q = value("query") {
                t.query = ClusterConfig.text(q)
                if case .binary = q {} else { t.queryIsBinary = false }
            }
            t.basename = value("node_basename").flatMap(ClusterConfig.text)
            if case .integer(let ms)? = value("polling_interval") { t.pollingIntervalMs = ms }
            t.setsPollInterval = value("poll_interval") != nil
            if case .atom(let a)? = value("prune") { t.prune = a.name == "true" ? true : a.name == "false" ? false : nil }
            return t
        }
    }
}

/// What the console read from one node that answered (read-only calls; see ``DoctorCommand``).
public struct ClusterNodeFacts: Hashable, Sendable {
    public var node: String
    /// `erlang:system_info(otp_release)`: `"25"`.
    public var otpRelease: String?
    /// `net_kernel:get_net_ticktime()`, in seconds.
    public var netTicktime: Int?
    /// `kernel`'s `prevent_overlapping_partitions` as the node runs with it (unset: `true` from OTP 25, else `false`).
    public var preventOverlappingPartitions: Bool?
    /// `RELEASE_NAME RELEASE_VSN` from the node's environment (set by a release's start script), if any.
    public var release: String?
    public var topologies: [LibclusterTopologyFacts]

    public init(node: String, otpRelease: String? = nil, netTicktime: Int? = nil,
                preventOverlappingPartitions: Bool? = nil, release: String? = nil,
                topologies: [LibclusterTopologyFacts] = []) {
        self.node = node; self.otpRelease = otpRelease; self.netTicktime = netTicktime
        self.preventOverlappingPartitions = preventOverlappingPartitions; self.release = release
        self.topologies = topologies
    }

    /// The OTP major release as a number.
    public var otpMajor: Int? { otpRelease.flatMap { Int($0.filter(\.isNumber)) } }
}

/// What one node saw when it tried, itself, to reach another's EPMD and distribution port (standard-library calls run
/// on `from`: `gen_tcp:connect/4` to 4369, `erl_epmd:port_please/3`, `gen_tcp:connect/4` to the port; each socket is
/// closed as the calling process ends).
public struct EdgeProbe: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// Both ports answer.
        case reachable(port: Int)
        /// TCP to EPMD failed (`timeout`, `econnrefused`, `ehostunreach`, …).
        case epmdUnreachable(String)
        /// EPMD answered but does not know the node's name.
        case notRegistered
        /// TCP to the distribution port failed.
        case distUnreachable(port: Int, String)
        /// The probe itself could not run on `from`.
        case notProbed(String)
    }
    public var from: String
    public var to: String
    public var outcome: Outcome

    public init(from: String, to: String, outcome: Outcome) { self.from = from; self.to = to; self.outcome = outcome }
}

/// Why two nodes are not connected, as far as the console can tell.
public enum EdgeCause: Hashable, Sendable, CustomStringConvertible {
    /// These nodes' addresses are not in the DNS answer: libcluster DNSPoll on the other side never learns them.
    case notInDNS([String])
    /// `from` cannot reach `to` (stage `epmd`, `epmd_name` or `dist_port`), probed on `from` itself.
    case unreachable(from: String, to: String, stage: String, detail: String)
    /// The console cannot reach `node` either (the stage where its own connection failed).
    case consoleCannotReach(node: String, stage: String, detail: String)
    /// Each node reaches the other's EPMD and distribution port: nothing on the network stops them.
    case reachable
    /// Different `net_ticktime`s (seconds, by node).
    case ticktimeMismatch([String: Int])
    /// OTP majors more than two apart (by node): distribution refuses the connection.
    case otpSkew([String: String])
    /// Different release versions (by node): a deploy in progress.
    case differentReleases([String: String])

    /// The stable code used in JSON.
    public var code: String {
        switch self {
        case .notInDNS: return "not_in_dns"
        case .unreachable: return "unreachable"
        case .consoleCannotReach: return "console_cannot_reach"
        case .reachable: return "reachable_not_connected"
        case .ticktimeMismatch: return "ticktime_mismatch"
        case .otpSkew: return "otp_skew"
        case .differentReleases: return "different_releases"
        }
    }

    static func pairs<V>(_ d: [String: V]) -> String { d.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }

    public var description: String {
        switch self {
        case .notInDNS(let nodes):
            return "not in DNS: \(nodes.joined(separator: ", ")) \(nodes.count == 1 ? "is" : "are") missing from the answer"
        case .unreachable(let from, let to, let stage, let detail):
            let what = stage == "epmd" ? "EPMD (TCP 4369)" : stage == "epmd_name" ? "its name in EPMD" : "the distribution port"
            return "\(from) cannot reach \(to)'s \(what): \(detail)"
        case .consoleCannotReach(let n, let stage, let detail):
            return "the console cannot reach \(n) either (stage \(stage)): \(detail)"
        case .reachable:
            return "in DNS and reachable both ways (EPMD and distribution port), yet not connected"
        case .ticktimeMismatch(let t):
            return "net_ticktime mismatch: " + Self.pairs(t.mapValues { "\($0) s" })
        case .otpSkew(let r):
            return "OTP majors more than two apart: " + Self.pairs(r.mapValues { "OTP \($0)" })
        case .differentReleases(let r):
            return "different release versions: " + Self.pairs(r)
        }
    }
}

/// A pair of nodes that should be connected and is not (both directions for a partial mesh; `a` lists `b` but not the
/// reverse for an asymmetric link), with what explains it.
public struct MissingEdge: Hashable, Sendable {
    public var a: String
    public var b: String
    public var causes: [EdgeCause]
    public init(a: String, b: String, causes: [EdgeCause]) { self.a = a; self.b = b; self.causes = causes }
}

/// One thing wrong with the cluster as a whole.
public struct ClusterFinding: Hashable, Sendable {
    /// Stable codes, grouped: DNS, membership, versions, configuration.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case dnsCapped = "dns_capped"
        case dnsEmpty = "dns_empty"
        case dnsFailed = "dns_failed"
        case dnsChurn = "dns_churn"
        case dnsDuplicates = "dns_duplicates"
        case dnsStaleRecord = "dns_stale_record"
        case dnsShortNames = "dns_short_names"
        case dnsNoEPMD = "dns_no_epmd"
        case dnsNotRegistered = "dns_basename_not_registered"
        case notInDNS = "not_in_dns"
        case partialMesh = "partial_mesh"
        case asymmetric = "asymmetric"
        case unreachable = "unreachable"
        case isolated = "isolated"
        case otpSkew = "otp_skew"
        case releaseMix = "release_mix"
        case pollInterval = "libcluster_poll_interval"
        case pruneCapped = "libcluster_prune_capped"
        case basenameMismatch = "libcluster_basename_mismatch"
        case queryNotBinary = "libcluster_query_not_binary"
        case gossip = "libcluster_gossip"
        case overlappingPartitions = "prevent_overlapping_partitions_differ"
        case ticktime = "net_ticktime_differs"

        /// `dns`, `membership`, `versions` or `config`.
        public var group: String {
            switch self {
            case .dnsCapped, .dnsEmpty, .dnsFailed, .dnsChurn, .dnsDuplicates, .dnsStaleRecord, .dnsShortNames,
                .dnsNoEPMD, .dnsNotRegistered, .notInDNS:
                return "dns"
            case .partialMesh, .asymmetric, .unreachable, .isolated: return "membership"
            case .otpSkew, .releaseMix: return "versions"
            case .pollInterval, .pruneCapped, .basenameMismatch, .queryNotBinary, .gossip, .overlappingPartitions,
                .ticktime:
                return "config"
            }
        }
    }

    public enum Severity: String, Hashable, Sendable { case error, warning }

    public var kind: Kind
    public var severity: Severity
    /// Every node concerned, sorted.
    public var nodes: [String]
    /// What was seen.
    public var message: String
    /// What libcluster (or the BEAM) does about it.
    public var consequence: String?
    public var fix: String?
    /// The missing links this finding is about, each with its causes.
    public var edges: [MissingEdge]

    public init(_ kind: Kind, _ severity: Severity, nodes: [String], _ message: String, consequence: String? = nil,
                fix: String? = nil, edges: [MissingEdge] = []) {
        self.kind = kind; self.severity = severity; self.nodes = Array(Set(nodes)).sorted(); self.message = message
        self.consequence = consequence; self.fix = fix; self.edges = edges
    }
}

/// The DNSPoll side of the cluster: the query, the basename, and the polls so far (oldest first).
public struct ClusterDNSFacts: Hashable, Sendable {
    public var query: String
    public var basename: String
    public var reports: [DNSPollReport]
    public init(query: String, basename: String, reports: [DNSPollReport]) {
        self.query = query; self.basename = basename; self.reports = reports
    }

    /// The latest poll.
    public var latest: DNSPollReport? { reports.last }
    /// Addresses in the latest answer.
    public var answered: Set<String> { Set(latest?.answers.flatMap { $0.records.map(\.value) } ?? []) }
    /// Addresses in any answer so far.
    public var everAnswered: Set<String> {
        reports.reduce(into: Set<String>()) { s, r in s.formUnion(r.answers.flatMap { $0.records.map(\.value) }) }
    }
}

/// The cluster half of `doctor`: from what the console gathered (DNS polls, every node's peers, each node's facts,
/// probes run on the nodes themselves, the console's own per-node stages) to findings. Pure; no I/O.
public enum ClusterDiagnosis {
    public struct Input: Sendable {
        public var dns: ClusterDNSFacts?
        public var members: MembersReport
        public var facts: [String: ClusterNodeFacts]
        public var probes: [EdgeProbe]
        /// The console's own failed stage per node (from the per-node section).
        public var consoleFailures: [String: (stage: String, detail: String)]
        /// The console runs in an ECS task (task metadata found): Gossip cannot work there.
        public var onECS: Bool

        public init(dns: ClusterDNSFacts?, members: MembersReport, facts: [String: ClusterNodeFacts],
                    probes: [EdgeProbe] = [], consoleFailures: [String: (stage: String, detail: String)] = [:],
                    onECS: Bool = false) {
            self.dns = dns; self.members = members; self.facts = facts; self.probes = probes
            self.consoleFailures = consoleFailures; self.onECS = onECS
        }
    }

    /// Cloud Map MULTIVALUE answers hold at most this many records.
    static let dnsCap = 8

    public static func findings(_ input: Input) -> [ClusterFinding] {
        dnsFindings(input) + membershipFindings(input) + versionFindings(input) + configFindings(input)
    }

    // MARK: DNS

    /// Cluster nodes (asked or listed, not hidden) whose address the DNS answers never held.
    static func nodesOutsideDNS(_ input: Input) -> [String] {
        guard let dns = input.dns, let latest = dns.latest, latest.errors.isEmpty, !dns.answered.isEmpty else {
            return []
        }
        let ever = dns.everAnswered
        let hidden = Set(input.members.hiddenNodes)
        return input.members.nodes.filter { n in
            guard !hidden.contains(n), let name = NodeName(n), name.alive == dns.basename else { return false }
            return !ever.contains(name.host)
        }
    }

    static func dnsFindings(_ input: Input) -> [ClusterFinding] {
        guard let dns = input.dns, let latest = dns.latest else { return [] }
        var out: [ClusterFinding] = []
        let outside = nodesOutsideDNS(input)
        let clusterSize = input.members.nodes.filter { NodeName($0)?.alive == dns.basename }.count
        for w in latest.warnings {
            switch w {
            case .eightRecords:
                var message = "the answer for \(dns.query) holds exactly \(dnsCap) records (Cloud Map MULTIVALUE "
                    + "answers hold at most \(dnsCap))"
                let ever = dns.everAnswered.count
                if ever > dnsCap { message += "; \(ever) addresses over \(dns.reports.count) lookups" }
                if !outside.isEmpty {
                    message += "; \(clusterSize) nodes are in the cluster, \(outside.count) of them never in an answer: "
                        + outside.joined(separator: ", ")
                }
                out.append(ClusterFinding(
                    .dnsCapped, outside.isEmpty && ever <= dnsCap ? .warning : .error, nodes: outside, message,
                    consequence: "libcluster DNSPoll on each task sees at most \(dnsCap) peers per poll: with prune "
                        + "(its default) it disconnects every node that drops out of the next answer, so a cluster of "
                        + "more than \(dnsCap) tasks never settles; a task outside the answer is reached only through "
                        + "others (global's transitive connections), or not at all",
                    fix: "keep at most \(dnsCap) tasks behind one name, or set prune: false in the DNSPoll config "
                        + "(nodes are then only added), or discover tasks another way (the ECS API, SRV records)"))
            case .emptyAnswer(let n):
                out.append(ClusterFinding(
                    .dnsEmpty, .error, nodes: [], "the answer for \(dns.query) is empty",
                    consequence: "libcluster DNSPoll disconnects every DNS-found peer (\(n) now)",
                    fix: "check the Cloud Map service: are the tasks registered and healthy?"))
            case .failedAnswer(let e, let n):
                out.append(ClusterFinding(
                    .dnsFailed, .error, nodes: [], "the lookup of \(dns.query) failed: \(e)",
                    consequence: "libcluster's resolver returns no addresses, so DNSPoll disconnects every DNS-found "
                        + "peer (\(n) now)",
                    fix: "check the name (the Cloud Map namespace) and the VPC's DNS resolver"))
            case .duplicateAddresses(let a):
                out.append(ClusterFinding(
                    .dnsDuplicates, .warning, nodes: a.map(dns.basename.atSign), "addresses listed twice in the answer: "
                        + a.joined(separator: ", "),
                    consequence: "harmless to libcluster (it keeps a set), but a task registered twice",
                    fix: "deregister the duplicate instances in Cloud Map"))
            case .churn(let a):
                out.append(ClusterFinding(
                    .dnsChurn, .warning, nodes: a.map(dns.basename.atSign),
                    "the answer changes between polls: \(a.joined(separator: ", ")) came and went",
                    consequence: "libcluster DNSPoll connects and disconnects these nodes as they come and go"))
            case .shortNamesUnderDNSPoll:
                out.append(ClusterFinding(
                    .dnsShortNames, .error, nodes: [], w.description,
                    consequence: "DNSPoll connects to \(dns.basename)@IP, a long name: short-named nodes never join"))
            case .noEPMD(let address, let cause):
                out.append(ClusterFinding(
                    .dnsNoEPMD, .error, nodes: [dns.basename.atSign(address)], "\(address) is in DNS but its EPMD does "
                        + "not answer (\(cause))",
                    consequence: "libcluster DNSPoll retries it on every poll (\"unable to connect\" in the logs)",
                    fix: "open TCP 4369 between tasks in the security group, or remove the stale record"))
            case .basenameNotRegistered(let address, let basename, let registered):
                out.append(ClusterFinding(
                    .dnsNotRegistered, .error, nodes: [basename.atSign(address)], w.description,
                    consequence: "DNSPoll forms \(basename)@\(address), a name EPMD there does not know (it has "
                        + "\(registered.isEmpty ? "nothing" : registered.joined(separator: ", ")))",
                    fix: "make node_basename and the release's node name agree (RELEASE_NODE)"))
            case .staleRecord(let node, let reason):
                out.append(ClusterFinding(
                    .dnsStaleRecord, .warning, nodes: [node], w.description,
                    consequence: "libcluster DNSPoll keeps trying to connect it on every poll (\(reason))",
                    fix: "a stopped task's record should go when its health check fails; check the service's "
                        + "health check and the record's TTL"))
            }
        }
        if !outside.isEmpty, !latest.warnings.contains(.eightRecords) {
            out.append(ClusterFinding(
                .notInDNS, .warning, nodes: outside,
                "\(outside.count) node\(outside.count == 1 ? " is" : "s are") in the cluster but not in the answer for "
                    + "\(dns.query): \(outside.joined(separator: ", "))",
                consequence: "libcluster DNSPoll on the other tasks never connects to them; they are connected only by "
                    + "their own polls and global's transitive connections",
                fix: "check that these tasks are registered in the Cloud Map service"))
        }
        return out
    }

    // MARK: Membership

    static func membershipFindings(_ input: Input) -> [ClusterFinding] {
        var out: [ClusterFinding] = []
        for f in input.members.findings {
            switch f {
            case .partialMesh(let pairs):
                let edges = pairs.map { MissingEdge(a: $0[0], b: $0[1], causes: causes($0[0], $0[1], input)) }
                out.append(ClusterFinding(
                    .partialMesh, .error, nodes: f.nodes, f.description,
                    consequence: "calls, :global and :pg between these pairs fail or route around; the cluster is "
                        + "split in views", edges: edges))
            case .asymmetric(let a, let b):
                out.append(ClusterFinding(
                    .asymmetric, .error, nodes: [a, b], f.description,
                    consequence: "a connection that one side still counts: it goes down at the next tick",
                    edges: [MissingEdge(a: a, b: b, causes: causes(a, b, input))]))
            case .unreachable(let n, let by, let notBy, let failure):
                let edges = notBy.map { MissingEdge(a: $0, b: n, causes: causes($0, n, input)) }
                out.append(ClusterFinding(
                    .unreachable, .error, nodes: [n] + by + notBy, f.description,
                    consequence: by.isEmpty ? nil : "the nodes that list it can reach it; the console cannot "
                        + "(\(failure.stage))", edges: edges))
            case .listsNobody(let n):
                out.append(ClusterFinding(
                    .isolated, .error, nodes: [n], f.description,
                    consequence: "this node runs alone: its libcluster finds no peer, or none accepts it"))
            }
        }
        return out
    }

    /// Everything that explains why `a` and `b` are not connected, most specific first.
    static func causes(_ a: String, _ b: String, _ input: Input) -> [EdgeCause] {
        var out: [EdgeCause] = []
        if let dns = input.dns, !dns.answered.isEmpty {
            let ever = dns.everAnswered
            let missing = [a, b].filter { n in NodeName(n).map { !ever.contains($0.host) } ?? false }
            if !missing.isEmpty { out.append(.notInDNS(missing)) }
        }
        let fa = input.facts[a], fb = input.facts[b]
        if let ra = fa?.otpMajor, let rb = fb?.otpMajor, abs(ra - rb) > 2 {
            out.append(.otpSkew([a: fa!.otpRelease!, b: fb!.otpRelease!]))
        }
        let probed = input.probes.filter { ($0.from == a && $0.to == b) || ($0.from == b && $0.to == a) }
        for p in probed {
            switch p.outcome {
            case .epmdUnreachable(let d): out.append(.unreachable(from: p.from, to: p.to, stage: "epmd", detail: d))
            case .notRegistered:
                out.append(.unreachable(from: p.from, to: p.to, stage: "epmd_name", detail: "not registered"))
            case .distUnreachable(let port, let d):
                out.append(.unreachable(from: p.from, to: p.to, stage: "dist_port", detail: "port \(port): \(d)"))
            case .reachable, .notProbed: break
            }
        }
        for n in [a, b] {
            if let f = input.consoleFailures[n] { out.append(.consoleCannotReach(node: n, stage: f.stage, detail: f.detail)) }
        }
        if let ta = fa?.netTicktime, let tb = fb?.netTicktime, ta != tb { out.append(.ticktimeMismatch([a: ta, b: tb])) }
        if let va = fa?.release, let vb = fb?.release, va != vb { out.append(.differentReleases([a: va, b: vb])) }
        if !probed.isEmpty, probed.allSatisfy({ if case .reachable = $0.outcome { return true }; return false }),
            !out.contains(where: { if case .notInDNS = $0 { return true }; return false })
        {
            out.append(.reachable)
        }
        return out
    }

    // MARK: Versions

    static func versionFindings(_ input: Input) -> [ClusterFinding] {
        var out: [ClusterFinding] = []
        let facts = input.facts.values.sorted { $0.node < $1.node }
        let majors = facts.compactMap { f in f.otpMajor.map { (f.node, $0) } }
        if let lo = majors.map(\.1).min(), let hi = majors.map(\.1).max(), hi - lo > 2 {
            let groups = Dictionary(grouping: majors, by: \.1).sorted { $0.key < $1.key }
                .map { "OTP \($0.key): \($0.value.map(\.0).joined(separator: ", "))" }
            out.append(ClusterFinding(
                .otpSkew, .error, nodes: majors.filter { $0.1 == lo || $0.1 == hi }.map(\.0),
                "OTP majors more than two apart (\(groups.joined(separator: "; ")))",
                consequence: "a node connects only to the two previous OTP majors: OTP \(lo) and OTP \(hi) refuse "
                    + "each other",
                fix: "upgrade the oldest nodes (or roll the deploy through an intermediate release)"))
        }
        let releases = facts.compactMap { f in f.release.map { (f.node, $0) } }
        let distinct = Set(releases.map(\.1))
        if distinct.count > 1 {
            let groups = Dictionary(grouping: releases, by: \.1).sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value.map(\.0).joined(separator: ", "))" }
            out.append(ClusterFinding(
                .releaseMix, .warning, nodes: releases.map(\.0),
                "\(distinct.count) release versions run at once (\(groups.joined(separator: "; "))): a deploy in "
                    + "progress, or one stuck",
                consequence: "old and new code share :global, :pg and messages until the old tasks stop"))
        }
        return out
    }

    // MARK: Configuration

    static func configFindings(_ input: Input) -> [ClusterFinding] {
        var out: [ClusterFinding] = []
        let facts = input.facts.values.sorted { $0.node < $1.node }
        func nodes(where predicate: (LibclusterTopologyFacts) -> Bool) -> [String] {
            facts.filter { $0.topologies.contains(where: predicate) }.map(\.node)
        }
        let pollInterval = nodes { $0.isDNSPoll && $0.setsPollInterval }
        if !pollInterval.isEmpty {
            let usesDefault = nodes { $0.isDNSPoll && $0.setsPollInterval && $0.pollingIntervalMs == nil }
            out.append(ClusterFinding(
                .pollInterval, .warning, nodes: pollInterval,
                "libcluster DNSPoll config sets poll_interval on \(pollInterval.joined(separator: ", "))",
                consequence: "libcluster's DNSPoll reads polling_interval; poll_interval (the key its docs show) is "
                    + "ignored" + (usesDefault.isEmpty ? "" : ", so it polls every 5000 ms (its default)"),
                fix: "rename poll_interval to polling_interval"))
        }
        let capped = input.dns?.latest?.warnings.contains(.eightRecords) ?? false
        let clusterSize = input.members.nodes.count - input.members.hiddenNodes.count
        if capped || clusterSize > dnsCap {
            let pruning = nodes { $0.isDNSPoll && $0.prune != false }
            if capped, clusterSize > dnsCap || (input.dns?.everAnswered.count ?? 0) > dnsCap, !pruning.isEmpty {
                out.append(ClusterFinding(
                    .pruneCapped, .error, nodes: pruning,
                    "libcluster DNSPoll prunes (prune: true, its default) with \(clusterSize) nodes behind a DNS "
                        + "name capped at \(dnsCap) records",
                    consequence: "every poll disconnects the nodes missing from that answer: the mesh never settles",
                    fix: "set prune: false in the DNSPoll config, or keep at most \(dnsCap) tasks behind the name"))
            }
        }
        var mismatched: [String] = []
        var mismatchText: [String] = []
        for f in facts {
            guard let alive = NodeName(f.node)?.alive else { continue }
            for t in f.topologies where t.isDNSPoll {
                if let b = t.basename, b != alive {
                    mismatched.append(f.node)
                    mismatchText.append("\(f.node) (node_basename \(b))")
                }
            }
        }
        if !mismatched.isEmpty {
            out.append(ClusterFinding(
                .basenameMismatch, .error, nodes: mismatched,
                "libcluster DNSPoll node_basename does not match the node's own name: "
                    + mismatchText.joined(separator: ", "),
                consequence: "DNSPoll forms node_basename@IP for each address: names no node has, so it connects "
                    + "nobody",
                fix: "set node_basename to the release's name (the part of RELEASE_NODE before @)"))
        }
        let notBinary = nodes { $0.isDNSPoll && $0.query != nil && !$0.queryIsBinary }
        if !notBinary.isEmpty {
            out.append(ClusterFinding(
                .queryNotBinary, .error, nodes: notBinary,
                "libcluster DNSPoll query is not a string (a charlist or an atom) on \(notBinary.joined(separator: ", "))",
                consequence: "DNSPoll accepts only a binary query: it logs \"query or basename param is invalid\" and "
                    + "polls nothing",
                fix: "give the query as a string (\"myapp.organization.local\")"))
        }
        let gossip = nodes { $0.isGossip }
        if !gossip.isEmpty {
            out.append(ClusterFinding(
                .gossip, input.onECS ? .error : .warning, nodes: gossip,
                "a libcluster Gossip topology on \(gossip.joined(separator: ", "))",
                consequence: "Gossip finds peers by UDP multicast, which ECS Fargate (awsvpc networking) does not carry: "
                    + "it finds nobody there",
                fix: "use Cluster.Strategy.DNSPoll with the service's Cloud Map name"))
        }
        let popValues = facts.compactMap { f in f.preventOverlappingPartitions.map { (f.node, $0) } }
        if Set(popValues.map(\.1)).count > 1 {
            out.append(ClusterFinding(
                .overlappingPartitions, .warning, nodes: popValues.map(\.0),
                "kernel prevent_overlapping_partitions differs: "
                    + popValues.map { "\($0.0) \($0.1)" }.joined(separator: ", "),
                consequence: "on a partition, nodes with true disconnect others to keep :global consistent; nodes "
                    + "with false do not: the cluster heals differently depending on where it splits",
                fix: "set it alike on every node (vm.args or -kernel prevent_overlapping_partitions)"))
        }
        let ticks = facts.compactMap { f in f.netTicktime.map { (f.node, $0) } }
        if Set(ticks.map(\.1)).count > 1 {
            let groups = Dictionary(grouping: ticks, by: \.1).sorted { $0.key < $1.key }
                .map { "\($0.key) s: \($0.value.map(\.0).joined(separator: ", "))" }
            let common = Dictionary(grouping: ticks, by: \.1).max { $0.value.count < $1.value.count }?.key
            let odd = ticks.filter { $0.1 != common }.map(\.0)
            out.append(ClusterFinding(
                .ticktime, .error, nodes: odd,
                "net_ticktime differs between nodes (\(groups.joined(separator: "; ")))",
                consequence: "the node with the shorter ticktime declares the other dead when it goes quiet for "
                    + "less than the other's tick: connections drop with net_tick_timeout",
                fix: "set the same net_ticktime everywhere (-kernel net_ticktime in vm.args)"))
        }
        return out
    }
}

extension String {
    /// `basename.atSign(address)`: `basename@address`.
    func atSign(_ address: String) -> String { self + "@" + address }
}
