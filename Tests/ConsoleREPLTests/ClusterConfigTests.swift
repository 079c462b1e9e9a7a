@testable import ConsoleREPL
import ErlangTerm
import XCTest

/// libcluster's topologies, as `Application.get_env(:libcluster, :topologies)` returns them, read into discovery
/// options (pure; `LibclusterConfigTests` reads them from a real node).
final class ClusterConfigTests: XCTestCase {
    func kw(_ pairs: [(String, Term)]) -> Term { .list(pairs.map { .tuple([.atom(Atom($0.0)), $0.1]) }) }

    func testDNSPollEpmdLocalEpmdAndGossip() {
        let term = kw([
            ("ecs", kw([
                ("strategy", .atom("Elixir.Cluster.Strategy.DNSPoll")),
                ("config", kw([("polling_interval", .integer(2_000)), ("query", .string("myapp.organization.local")),
                               ("node_basename", .string("myapp"))])),
            ])),
            ("fixed", kw([("strategy", .atom("Elixir.Cluster.Strategy.Epmd")),
                          ("config", kw([("hosts", .list([.atom("a@10.0.0.1"), .atom("b@10.0.0.2")]))]))])),
            ("local", kw([("strategy", .atom("Elixir.Cluster.Strategy.LocalEpmd"))])),
            ("gossip", kw([("strategy", .atom("Elixir.Cluster.Strategy.Gossip"))])),
            ("junk", .integer(1)),
        ])
        let topologies = ClusterConfig.topologies(term)
        XCTAssertEqual(topologies, [
            .dnsPoll(name: "ecs", query: "myapp.organization.local", basename: "myapp", pollingIntervalMs: 2_000,
                     ignoredPollInterval: false),
            .epmd(name: "fixed", hosts: ["a@10.0.0.1", "b@10.0.0.2"]),
            .localEpmd(name: "local"),
            .other(name: "gossip", strategy: "Cluster.Strategy.Gossip"),
        ])
        let (o, notes) = ClusterConfig.discovery(topologies, target: "myapp@10.0.1.5")
        XCTAssertEqual(o.dnsQuery, "myapp.organization.local")
        XCTAssertEqual(o.basename, "myapp")
        XCTAssertEqual(o.pollInterval, .milliseconds(2_000))
        XCTAssertEqual(o.nodes, ["a@10.0.0.1", "b@10.0.0.2"])
        XCTAssertEqual(o.epmdHosts, ["10.0.1.5"])
        XCTAssertTrue(notes.contains { $0.hasPrefix("discovery from myapp@10.0.1.5's libcluster topology ecs: DNSPoll") }, "\(notes)")
        XCTAssertTrue(notes.contains("myapp@10.0.1.5's libcluster topology gossip uses Cluster.Strategy.Gossip: not followed by the console"))
    }

    func testTheDocumentedPollIntervalIsIgnoredByLibclusterAndSaidSo() {
        let term = kw([("dns", kw([
            ("strategy", .atom("Elixir.Cluster.Strategy.DNSPoll")),
            ("config", kw([("poll_interval", .integer(1_000)), ("query", .charlist("q.local")),
                           ("node_basename", .atom("app"))])),
        ]))])
        let topologies = ClusterConfig.topologies(term)
        XCTAssertEqual(topologies, [.dnsPoll(name: "dns", query: "q.local", basename: "app", pollingIntervalMs: nil,
                                             ignoredPollInterval: true)])
        let (o, notes) = ClusterConfig.discovery(topologies, target: "app@h")
        XCTAssertEqual(o.pollInterval, .seconds(5), "libcluster's default, as libcluster itself polls")
        XCTAssertTrue(notes.contains { $0.hasPrefix("warning: app@h's libcluster topology dns sets poll_interval") }, "\(notes)")
    }

    func testNoTopologiesNoSources() {
        XCTAssertEqual(ClusterConfig.topologies(.atom("undefined")), [])
        XCTAssertTrue(ClusterConfig.discovery([], target: "a@h").options.isEmpty)
    }

    // MARK: dns_cluster

    /// A map with atom keys.
    func state(_ pairs: [(String, Term)]) -> Term { .map(TermMap(pairs.map { (.atom(Atom($0.0)), $0.1) })) }

    /// The state `DNSCluster.init/1` builds in phoenixframework/dns_cluster at commit 790203e (after v0.2.0;
    /// lib/dns_cluster.ex): `%{interval:, basename: resolver.basename(node()), query: List.wrap(query),
    /// resource_types:, log:, poll_timer: nil, connect_timeout:, resolver:}`, for
    /// `query: ["myapp.internal", {"worker", "worker.internal"}], interval: 2_000` on node `myapp@10.0.1.5`.
    func testDNSClusterStateOfTheCurrentSource() {
        let term = state([
            ("interval", .integer(2_000)), ("basename", .string("myapp")),
            ("query", .list([.string("myapp.internal"), .tuple([.string("worker"), .string("worker.internal")])])),
            ("resource_types", .list([.atom("a"), .atom("aaaa")])), ("log", .atom("false")), ("poll_timer", .atom("nil")),
            ("connect_timeout", .integer(10_000)), ("resolver", .atom("Elixir.DNSCluster.Resolver")),
        ])
        let c = ClusterConfig.dnsCluster(state: term)
        XCTAssertEqual(c, ClusterConfig.DNSCluster(
            queries: [.init(name: "myapp.internal"), .init(basename: "worker", name: "worker.internal")],
            basename: "myapp", intervalMs: 2_000, resourceTypes: ["a", "aaaa"]))
        let (o, notes) = ClusterConfig.discovery(dnsCluster: c!, target: "myapp@10.0.1.5")
        XCTAssertEqual(o.dnsQuery, "myapp.internal")
        XCTAssertEqual(o.basename, "myapp")
        XCTAssertEqual(o.recordTypes, [.a, .aaaa])
        XCTAssertEqual(o.pollInterval, .milliseconds(2_000))
        XCTAssertEqual(notes, [
            "discovery from myapp@10.0.1.5's dns_cluster: query myapp.internal, basename myapp, A+AAAA records, "
                + "polling every 2000 ms",
            "myapp@10.0.1.5's dns_cluster: another query (worker.internal), not used",
        ])
    }

    /// The state of dns_cluster v0.1.3 (lib/dns_cluster.ex, the version Phoenix 1.7.11's generator depends on):
    /// `query` is one string, there is no `resource_types` (it always asks for A and AAAA), default interval.
    func testDNSClusterStateOfVersion013() {
        let term = state([
            ("interval", .integer(5_000)), ("basename", .string("myapp")), ("query", .string("myapp.internal")),
            ("log", .atom("false")), ("poll_timer", .atom("nil")), ("connect_timeout", .integer(10_000)),
            ("resolver", .atom("Elixir.DNSCluster.Resolver")),
        ])
        let c = ClusterConfig.dnsCluster(state: term)
        XCTAssertEqual(c?.queries, [.init(name: "myapp.internal")])
        XCTAssertEqual(c?.resourceTypes, ["a", "aaaa"])
        let (o, _) = ClusterConfig.discovery(dnsCluster: c!, target: "myapp@10.0.1.5")
        XCTAssertEqual(o.recordTypes, [.a, .aaaa])
        XCTAssertEqual(o.pollInterval, .milliseconds(5_000))
    }

    /// A `{basename, query}` tuple first names the nodes by its basename; without a basename in the state, the
    /// target's alive part is the basename (as `DNSCluster.Resolver.basename(node())`).
    func testDNSClusterBasenames() {
        let tuple = ClusterConfig.DNSCluster(queries: [.init(basename: "worker", name: "w.internal")], basename: "web")
        XCTAssertEqual(ClusterConfig.discovery(dnsCluster: tuple, target: "web@h").options.basename, "worker")
        let bare = ClusterConfig.DNSCluster(queries: [.init(name: "q.internal")])
        XCTAssertEqual(ClusterConfig.discovery(dnsCluster: bare, target: "web@10.0.0.1").options.basename, "web")
    }

    /// SRV records (dns_cluster resolves their targets to addresses) are not followed: said so, and with SRV only
    /// there is nothing to use.
    func testDNSClusterSRVIsNotFollowed() {
        let c = ClusterConfig.DNSCluster(queries: [.init(name: "_app._tcp.q")], basename: "app", resourceTypes: ["srv"])
        let (o, notes) = ClusterConfig.discovery(dnsCluster: c, target: "app@h")
        XCTAssertTrue(o.isEmpty)
        XCTAssertEqual(notes, [
            "app@h's dns_cluster also asks for SRV records: not followed by the console",
            "app@h's dns_cluster asks for no A or AAAA records: not followed by the console",
        ])
    }

    /// What sys:get_state gives for no DNSCluster process (a badrpc), or a process that is something else.
    func testNotADNSClusterState() {
        XCTAssertNil(ClusterConfig.dnsCluster(state: .tuple([.atom("badrpc"), .atom("nodedown")])))
        XCTAssertNil(ClusterConfig.dnsCluster(state: state([("query", .atom("ignore"))])))
        XCTAssertNil(ClusterConfig.dnsCluster(state: state([("query", .list([.integer(1)]))])))
        XCTAssertNil(ClusterConfig.dnsCluster(state: state([("interval", .integer(5_000))])))
    }
}
