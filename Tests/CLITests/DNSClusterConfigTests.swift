import ErlangTestSupport
import Foundation
import XCTest

/// With no discovery flags, the console reads the target's dns_cluster configuration (the `DNSCluster` process of
/// Phoenix apps, read with `sys:get_state/2`) when it has no libcluster DNSPoll topology, and polls its query for the
/// rest of the cluster.
///
/// The dns_cluster package is not installed here, so the target runs a plain GenServer registered as `DNSCluster`
/// (`'Elixir.DNSCluster'`) whose state is a map of exactly the shape `DNSCluster.init/1` builds in
/// phoenixframework/dns_cluster (lib/dns_cluster.ex at commit 790203e, after v0.2.0): `interval`, `basename`,
/// `query` (a list of strings and `{basename, query}` tuples), `resource_types`, `log`, `poll_timer`,
/// `connect_timeout`, `resolver`. It does no DNS polling of its own: what is tested is the console reading that state
/// and using it. (The real package, compiled from its source, was checked by hand to hold this shape.)
final class DNSClusterConfigTests: XCTestCase {
    let cookie = "dc" + String(UInt32.random(in: 0...UInt32.max))
    var processes: [ChildProcess] = []
    var nodes: [TestNode] = []
    var dns: DNSServer?

    override func tearDown() {
        for p in processes { p.stop() }
        for n in nodes { n.stop() }
        dns?.stop()
        processes = []; nodes = []; dns = nil
    }

    /// Starts `alive@127.0.0.1`, an Elixir node running a GenServer registered as `DNSCluster` with the state
    /// `dns_cluster` builds for `query` (Elixir syntax) and `interval`, and, when given, a libcluster topology in its
    /// application environment (Elixir syntax). Returns its node name once the process is registered.
    func startTarget(query: String?, libcluster: String? = nil) throws -> String {
        let alive = "dct\(UInt32.random(in: 0...UInt32.max))"
        let name = "\(alive)@127.0.0.1"
        let log = NSTemporaryDirectory() + "dnscluster-\(alive).log"
        var code = """
            defmodule DNSClusterStateHolder do
              use GenServer
              def init(state), do: {:ok, state}
            end

            """
        if let libcluster { code += "Application.put_env(:libcluster, :topologies, \(libcluster))\n" }
        if let query {
            code += """
                state = %{
                  interval: 1_000,
                  basename: "\(alive)",
                  query: List.wrap(\(query)),
                  resource_types: [:a],
                  log: false,
                  poll_timer: nil,
                  connect_timeout: 10_000,
                  resolver: DNSCluster.Resolver
                }
                {:ok, _} = GenServer.start(DNSClusterStateHolder, state, name: DNSCluster)

                """
        }
        code += "IO.puts(\"target ready\")\nProcess.sleep(:infinity)\n"
        let command = try TestNode.commandLine(
            kind: .elixir, name: name, long: true, cookie: cookie, erlFlags: ["-connect_all false"],
            program: .eval(code))
        let p = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()), outputPath: log)
        processes.append(p)
        let deadline = Date().addingTimeInterval(30)
        while !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("target ready") ?? false) {
            guard p.isRunning, Date() < deadline else {
                throw TestSupportError("\(name) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return name
    }

    func console(_ arguments: [String]) throws -> String {
        try ChildProcess.output(
            of: TermCommandTests.binary.path, arguments,
            environment: ["RELEASE_COOKIE": cookie, "PATH": "/usr/bin:/bin"], timeout: 30)
    }

    /// A peer `peerAlive@127.0.0.1` and a DNS server answering `peers.organization.local` with 127.0.0.1.
    func startPeerAndDNS() throws -> (peer: TestNode, dns: DNSServer) {
        let peer = try TestNode(kind: .erl, cookie: cookie, extraArgs: ["-connect_all", "false"], longHost: "127.0.0.1")
        nodes.append(peer)
        let server = try DNSServer(records: ["peers.organization.local": ["127.0.0.1"]])
        dns = server
        return (peer, server)
    }

    func testTheTargetsDNSClusterQueryFindsTheOtherNodes() throws {
        let (peer, server) = try startPeerAndDNS()
        // A {basename, query} tuple: the peer's alive part differs from the target's.
        let target = try startTarget(query: "{\"\(peer.alive)\", \"peers.organization.local\"}")
        let out = try console(["nodes", "--verbose", "--connect", target, "--dns-server", server.address])
        XCTAssertTrue(
            out.contains(
                "discovery from \(target)'s dns_cluster: query peers.organization.local, basename \(peer.alive), "
                    + "A records, polling every 1000 ms"), out)
        XCTAssertTrue(out.contains(peer.name), "the node the query finds is connected too: \(out)")
        XCTAssertFalse(out.contains(cookie))
    }

    func testALibclusterDNSPollTopologyComesFirstAndNoDNSClusterMeansNothing() throws {
        let (peer, server) = try startPeerAndDNS()
        let both = try startTarget(
            query: "{\"\(peer.alive)\", \"peers.organization.local\"}",
            libcluster: "[ecs: [strategy: Cluster.Strategy.DNSPoll, config: [polling_interval: 1000, "
                + "query: \"peers.organization.local\", node_basename: \"\(peer.alive)\"]]]")
        let out = try console(["nodes", "--verbose", "--connect", both, "--dns-server", server.address])
        XCTAssertTrue(out.contains("discovery from \(both)'s libcluster topology ecs: DNSPoll"), out)
        XCTAssertFalse(out.contains("dns_cluster"), out)
        XCTAssertTrue(out.contains(peer.name), out)

        // Neither (a Phoenix app with query: :ignore starts no DNSCluster process): no discovery.
        let neither = try startTarget(query: nil)
        let alone = try console(["nodes", "--verbose", "--connect", neither, "--dns-server", server.address])
        XCTAssertFalse(alone.contains("discovery from"), alone)
        XCTAssertFalse(alone.contains(peer.name), alone)
    }
}
