import ClusterDiscovery
import ErlangDistribution
import ErlangTerm

/// How the target clusters, read from the target itself: libcluster's topologies
/// (`Application.get_env(:libcluster, :topologies)`), turned into the discovery sources the console uses, so that
/// `members`, `dns`, `watch`, `doctor` and `multicall` cover the whole cluster with no `--dns-query`. Flags override.
/// Pure: the term is an input (``read(from:caller:timeout:)`` fetches it).
public enum ClusterConfig {
    /// One libcluster topology.
    public enum Topology: Equatable, Sendable {
        /// `Cluster.Strategy.DNSPoll`: `query`, `node_basename`, and `polling_interval` in ms (libcluster's code reads
        /// `polling_interval`; the documented `poll_interval` is ignored there, so it is reported, not used).
        case dnsPoll(name: String, query: String, basename: String, pollingIntervalMs: Int?, ignoredPollInterval: Bool)
        /// `Cluster.Strategy.Epmd`: a fixed list of nodes.
        case epmd(name: String, hosts: [String])
        /// `Cluster.Strategy.LocalEpmd`: the nodes the local EPMD lists.
        case localEpmd(name: String)
        /// `Cluster.Strategy.Gossip` (UDP multicast: not on Fargate), or any other strategy: named, not used.
        case other(name: String, strategy: String)
    }

    /// The topologies in `term` (the keyword list libcluster reads), in order; entries that are not topologies are
    /// skipped.
    public static func topologies(_ term: Term) -> [Topology] {
        guard let pairs = term.keywordPairs else { return [] }
        return pairs.compactMap { name, spec in
            guard let spec = spec.keywordPairs else { return nil }
            func value(_ key: String, in pairs: [(Atom, Term)]) -> Term? { pairs.first { $0.0.name == key }?.1 }
            guard case .atom(let strategy)? = value("strategy", in: spec) else { return nil }
            let config = value("config", in: spec)?.keywordPairs ?? []
            let short = strategy.name.replacingEvery("Elixir.", with: "")
            switch short {
            case "Cluster.Strategy.DNSPoll":
                guard let query = value("query", in: config).flatMap(text),
                    let basename = value("node_basename", in: config).flatMap(text)
                else { return .other(name: name.name, strategy: short) }
                var interval: Int?
                if case .integer(let ms)? = value("polling_interval", in: config) { interval = ms }
                return .dnsPoll(
                    name: name.name, query: query, basename: basename, pollingIntervalMs: interval,
                    ignoredPollInterval: value("poll_interval", in: config) != nil)
            case "Cluster.Strategy.Epmd":
                let hosts = value("hosts", in: config)?.listElements?.compactMap { $0.atomValue?.name } ?? []
                return .epmd(name: name.name, hosts: hosts)
            case "Cluster.Strategy.LocalEpmd":
                return .localEpmd(name: name.name)
            default:
                return .other(name: name.name, strategy: short)
            }
        }
    }

    /// A string from a binary, a charlist or an atom.
    static func text(_ t: Term) -> String? {
        if case .atom(let a) = t { return a.name }
        return t.stringValue
    }

    /// The discovery options the topologies describe (the first DNSPoll, every Epmd host list, LocalEpmd as the
    /// target's host), and one line per topology saying what was found and what is used.
    public static func discovery(_ topologies: [Topology], target: String) -> (options: DiscoveryOptions, notes: [String]) {
        var o = DiscoveryOptions()
        var notes: [String] = []
        for t in topologies {
            switch t {
            case .dnsPoll(let name, let query, let basename, let ms, let ignored):
                if o.dnsQuery == nil {
                    o.dnsQuery = query
                    o.basename = basename
                    if let ms, ms > 0 { o.pollInterval = .milliseconds(ms) }
                    notes.append(
                        "discovery from \(target)'s libcluster topology \(name): DNSPoll query \(query), "
                            + "node_basename \(basename), polling every \(ms.map { "\($0) ms" } ?? "5000 ms (default)")")
                } else {
                    notes.append("\(target)'s libcluster topology \(name): a second DNSPoll (\(query)), not used")
                }
                if ignored {
                    notes.append(
                        "warning: \(target)'s libcluster topology \(name) sets poll_interval, which libcluster's DNSPoll "
                            + "ignores (it reads polling_interval)")
                }
            case .epmd(let name, let hosts):
                o.nodes += hosts
                notes.append("discovery from \(target)'s libcluster topology \(name): Epmd hosts \(hosts.joined(separator: ", "))")
            case .localEpmd(let name):
                if let host = NodeName(target)?.host, !o.epmdHosts.contains(host) { o.epmdHosts.append(host) }
                notes.append("discovery from \(target)'s libcluster topology \(name): LocalEpmd (the EPMD on \(NodeName(target)?.host ?? target))")
            case .other(let name, let strategy):
                notes.append("\(target)'s libcluster topology \(name) uses \(strategy): not followed by the console")
            }
        }
        return (o, notes)
    }

    /// Asks `target` for `Application.get_env(:libcluster, :topologies)` (`application:get_env/2`); nil when it
    /// has none or cannot be asked.
    public static func read(from target: String, caller: any RemoteCaller, timeout: Duration) async -> [Topology]? {
        guard
            let r = try? await caller.call(
                node: target, module: "application", function: "get_env",
                arguments: [.atom("libcluster"), .atom("topologies")],
                options: CallOptions(method: .rex, timeout: timeout, captureOutput: false)),
            case .value(let v) = r.result, let found = v.tagged("ok"), found.count == 1
        else { return nil }
        return topologies(found[0])
    }
}

// MARK: - dns_cluster

/// How a Phoenix app (1.7.11+) clusters: the `dns_cluster` package's `DNSCluster` GenServer
/// (`{DNSCluster, query: Application.get_env(:myapp, :dns_cluster_query) || :ignore}` in its supervision tree), read
/// from the running process's state. Every `interval` ms it resolves each query's records (A and AAAA by default) and
/// connects `<basename>@<address>` for each, the basename being its own node's alive part (or a `{basename, query}`
/// tuple's); it never disconnects. `query: :ignore` starts no process, so there is nothing to read.
extension ClusterConfig {
    /// The parts of a `DNSCluster` process's state the console uses.
    public struct DNSCluster: Equatable, Sendable {
        /// One query: a name, with the basename of a `{basename, query}` tuple when it has one.
        public struct Query: Equatable, Sendable {
            public var basename: String?
            public var name: String
            public init(basename: String? = nil, name: String) { self.basename = basename; self.name = name }
        }
        /// `query`, in order (one string before 0.2.0; a list of strings and `{basename, query}` tuples since).
        public var queries: [Query]
        /// Its own node's alive part (`basename`).
        public var basename: String?
        /// `interval`, in ms (dns_cluster's default is 5000).
        public var intervalMs: Int?
        /// `resource_types` (the `a`, `aaaa` and `srv` atoms; since 0.2.0's successor), else what older versions ask
        /// for: A and AAAA.
        public var resourceTypes: [String]
        public init(queries: [Query], basename: String? = nil, intervalMs: Int? = nil, resourceTypes: [String] = ["a", "aaaa"]) {
            self.queries = queries; self.basename = basename; self.intervalMs = intervalMs
            self.resourceTypes = resourceTypes
        }
    }

    /// The registered name `DNSCluster.start_link/1` gives the process unless `name:` says otherwise.
    public static let dnsClusterName = "Elixir.DNSCluster"

    /// The configuration in a `DNSCluster` process's state (the map `DNSCluster.init/1` builds: `interval`,
    /// `basename`, `query`, optionally `resource_types`, and fields the console does not use); nil when the term is
    /// not such a state or has no usable query.
    public static func dnsCluster(state: Term) -> DNSCluster? {
        guard case .map(let m) = state else { return nil }
        func field(_ key: String) -> Term? { m[.atom(Atom(key))] }
        let raw: [Term]
        switch field("query") {
        case .binary?: raw = [field("query")!]
        case .list(let l)?: raw = l
        default: return nil
        }
        let queries: [DNSCluster.Query] = raw.compactMap { q in
            if case .binary = q, let name = q.stringValue, !name.isEmpty { return .init(name: name) }
            if let t = q.tupleElements, t.count == 2, let b = t[0].stringValue, let name = t[1].stringValue,
                !b.isEmpty, !name.isEmpty
            {
                return .init(basename: b, name: name)
            }
            return nil
        }
        guard !queries.isEmpty else { return nil }
        var types = ["a", "aaaa"]
        if let list = field("resource_types")?.listElements {
            types = list.compactMap { $0.atomName }
        }
        return DNSCluster(
            queries: queries, basename: field("basename").flatMap { $0.stringValue }.flatMap { $0.isEmpty ? nil : $0 },
            intervalMs: field("interval")?.intValue, resourceTypes: types)
    }

    /// The discovery options a `DNSCluster` state describes (its first query, with its basename, its record types
    /// among A and AAAA, its interval), and one line per fact saying what is used and what is not.
    public static func discovery(dnsCluster c: DNSCluster, target: String) -> (options: DiscoveryOptions, notes: [String]) {
        var o = DiscoveryOptions()
        var notes: [String] = []
        let types = c.resourceTypes.compactMap { t -> DNSRecordType? in
            switch t {
            case "a": return .a
            case "aaaa": return .aaaa
            default: return nil
            }
        }
        if c.resourceTypes.contains("srv") {
            notes.append("\(target)'s dns_cluster also asks for SRV records: not followed by the console")
        }
        guard !types.isEmpty else {
            notes.append("\(target)'s dns_cluster asks for no A or AAAA records: not followed by the console")
            return (o, notes)
        }
        let first = c.queries[0]
        guard let basename = first.basename ?? c.basename ?? NodeName(target)?.alive else { return (o, notes) }
        o.dnsQuery = first.name
        o.basename = basename
        o.recordTypes = types
        if let ms = c.intervalMs, ms > 0 { o.pollInterval = .milliseconds(ms) }
        notes.append(
            "discovery from \(target)'s dns_cluster: query \(first.name), basename \(basename), "
                + "\(types.map { $0.rawValue }.joined(separator: "+")) records, "
                + "polling every \(c.intervalMs.map { "\($0) ms" } ?? "5000 ms (default)")")
        for q in c.queries.dropFirst() {
            notes.append("\(target)'s dns_cluster: another query (\(q.name)), not used")
        }
        return (o, notes)
    }

    /// Asks `target` for the state of its `DNSCluster` process (`sys:get_state('Elixir.DNSCluster', 1000)`: read-only,
    /// and bounded on the node by its own 1 s timeout); nil when it runs none (`:ignore`, or not a Phoenix app), does
    /// not answer in time, or holds no usable query.
    public static func readDNSCluster(from target: String, caller: any RemoteCaller, timeout: Duration) async
        -> DNSCluster?
    {
        guard
            let r = try? await caller.call(
                node: target, module: "sys", function: "get_state",
                arguments: [.atom(Atom(dnsClusterName)), .integer(1000)],
                options: CallOptions(method: .rex, timeout: timeout, captureOutput: false)),
            case .value(let v) = r.result
        else { return nil }
        return dnsCluster(state: v)
    }
}
