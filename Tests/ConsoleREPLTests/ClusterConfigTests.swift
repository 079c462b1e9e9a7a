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
}
