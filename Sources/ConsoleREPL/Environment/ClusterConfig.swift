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
            let short = strategy.name.replacingOccurrences(of: "Elixir.", with: "")
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
