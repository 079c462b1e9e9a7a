import ErlangTestSupport
import Foundation
import XCTest

/// With no discovery flags, the console reads the target's libcluster topologies and uses them: a node whose
/// `Cluster.Strategy.Epmd` topology lists another node brings that node into the cluster views; a DNSPoll topology
/// with the ignored `poll_interval` key gets a warning. (libcluster itself is not needed on the node: its
/// application environment is what the console reads.)
final class LibclusterConfigTests: XCTestCase {
    let cookie = "lc" + String(UInt32.random(in: 0...UInt32.max))
    var nodes: [TestNode] = []

    override func tearDown() {
        for n in nodes { n.stop() }
        nodes = []
    }

    func start(topologies: String) throws -> TestNode {
        let alive = "lc\(UInt32.random(in: 0...UInt32.max))"
        let n = try TestNode(
            kind: .erl, alive: alive, cookie: cookie,
            extraArgs: ["-connect_all", "false", "-eval", "application:set_env(libcluster, topologies, \(topologies))"])
        nodes.append(n)
        return n
    }

    func console(_ arguments: [String]) throws -> String {
        try ChildProcess.output(
            of: TermCommandTests.binary.path, arguments,
            environment: ["RELEASE_COOKIE": cookie, "PATH": "/usr/bin:/bin"], timeout: 30)
    }

    func testAnEpmdTopologyOnTheTargetBringsItsNodesIn() throws {
        let other = try TestNode(kind: .erl, cookie: cookie, extraArgs: ["-connect_all", "false"])
        nodes.append(other)
        let target = try start(
            topologies: "[{fixed, [{strategy, 'Elixir.Cluster.Strategy.Epmd'}, {config, [{hosts, ['\(other.name)']}]}]}]")
        let out = try console(["nodes", "--verbose", "--connect", target.name])
        XCTAssertTrue(
            out.contains("discovery from \(target.name)'s libcluster topology fixed: Epmd hosts \(other.name)"), out)
        XCTAssertTrue(out.contains(other.name), "the topology's node is connected too: \(out)")
    }

    func testTheIgnoredPollIntervalIsAWarning() throws {
        let target = try start(
            topologies: "[{dns, [{strategy, 'Elixir.Cluster.Strategy.DNSPoll'}, {config, [{poll_interval, 1000}, "
                + "{query, \"nothing.invalid\"}, {node_basename, \"app\"}]}]}]")
        let out = try console(["members", "--connect", target.name, "--dns-server", "127.0.0.1:9"])
        XCTAssertTrue(out.contains("sets poll_interval, which libcluster's DNSPoll ignores"), out)
    }
}
