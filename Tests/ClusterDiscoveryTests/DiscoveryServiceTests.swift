import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import ErlangTestSupport
import XCTest

/// Discovery against a real DNS server (dnsmasq on loopback) and real Erlang nodes with long names `alive@127.0.0.1`.
final class DiscoveryServiceTests: XCTestCase {
    /// A long-named erl node `alive@127.0.0.1`, dnsmasq with `myapp.organization.local` → 127.0.0.1, and our node.
    struct Fixture {
        let peer: TestNode
        let dns: DNSServer
        let node: LocalNode
        init() throws {
            let cookie = "disc\(UInt64.random(in: 0...UInt64.max))"
            peer = try TestNode(kind: .erl, cookie: cookie, longHost: "127.0.0.1")
            dns = try DNSServer(records: ["myapp.organization.local": ["127.0.0.1"]])
            node = LocalNode(configuration: .init(
                name: .long("dc\(UInt32.random(in: 0...UInt32.max))@127.0.0.1"), cookie: cookie,
                connectTimeout: .seconds(3), handshakeStepTimeout: .seconds(3)))
        }
        func stop() {
            node.shutdown()
            dns.stop()
            peer.stop()
        }
    }

    func service(_ node: LocalNode, dns: DNSServer, basename: String, epmdPort: Int? = nil) -> DiscoveryService {
        DiscoveryService(node: node, configuration: DiscoveryConfiguration(
            dnsPoll: DNSPollConfiguration(query: "myapp.\(dns.domain)", basename: basename, pollInterval: .milliseconds(500)),
            resolver: DNSResolver(servers: [dns.address], timeout: .seconds(1), tries: 1), epmdPort: epmdPort))
    }

    func testPollConnectsTheNodesDNSListsAndReportsEPMD() async throws {
        let f = try Fixture()
        defer { f.stop() }
        let (peer, dns, node) = (f.peer, f.dns, f.node)
        let discovery = service(node, dns: dns, basename: peer.alive)

        await discovery.pollOnce(waitForConnections: true)
        var snap = discovery.snapshot()
        let entry = try XCTUnwrap(snap.nodes.first { $0.name == peer.name })
        XCTAssertEqual(entry.connection, .up)
        XCTAssertEqual(entry.sources, [.dns])
        XCTAssertEqual(entry.epmdPort, peer.epmdPort)
        XCTAssertNotNil(entry.visiblePeers, "the node was asked for its peers")
        XCTAssertNotNil(entry.rtt)
        let first = try XCTUnwrap(snap.reports.last)
        XCTAssertEqual(first.added, [peer.name])
        XCTAssertEqual(first.warnings, [])
        XCTAssertEqual(first.answers.first?.records.first?.ttl, 10)

        // The record goes away: libcluster would disconnect; we keep the last answer and say so.
        try dns.setRecords([:])
        await discovery.pollOnce(waitForConnections: true)
        snap = discovery.snapshot()
        let second = try XCTUnwrap(snap.reports.last)
        XCTAssertEqual(second.nodes, [peer.name])
        XCTAssertEqual(second.libclusterDisconnects, [peer.name])
        XCTAssertTrue(second.warnings.contains { $0.code == "failed_answer" || $0.code == "empty_answer" }, "\(second.warnings)")
    }

    func testWarningsForRecordsWithoutTheBasenameOrWithoutEPMD() async throws {
        let f = try Fixture()
        defer { f.stop() }
        let (peer, dns, node) = (f.peer, f.dns, f.node)

        // The basename is wrong: EPMD there lists what is registered instead.
        let wrong = service(node, dns: dns, basename: "nosuchapp")
        await wrong.pollOnce(waitForConnections: true)
        let w = try XCTUnwrap(wrong.snapshot().reports.last?.warnings)
        guard case .basenameNotRegistered(let address, let basename, let registered)? = w.first(where: { $0.code == "basename_not_registered" }) else {
            return XCTFail("no basename_not_registered warning in \(w)")
        }
        XCTAssertEqual(address, "127.0.0.1")
        XCTAssertEqual(basename, "nosuchapp")
        XCTAssertTrue(registered.contains(peer.alive), "\(registered)")
        XCTAssertTrue(wrong.snapshot().nodes.contains { n in
            if case .failed(let e)? = n.connection { return e.stage == .epmd && e.code == .nameNotRegistered }
            return false
        })

        // No EPMD where the record points (a closed port stands in for a blocked 4369).
        let closed = try freeTCPPort()
        let noEPMD = service(node, dns: dns, basename: peer.alive, epmdPort: closed)
        await noEPMD.pollOnce(waitForConnections: true)
        let w2 = try XCTUnwrap(noEPMD.snapshot().reports.last?.warnings)
        XCTAssertTrue(w2.contains { $0.code == "no_epmd" }, "\(w2)")
    }

    func testAKilledNodeGivesNodedownAndAStaleRecord() async throws {
        let f = try Fixture()
        defer { f.stop() }
        let (peer, dns, node) = (f.peer, f.dns, f.node)
        let discovery = service(node, dns: dns, basename: peer.alive)
        discovery.startListening()
        await discovery.pollOnce(waitForConnections: true)
        XCTAssertEqual(discovery.snapshot().nodes.first?.connection, .up)

        peer.stop()  // SIGKILL
        // The nodedown event arrives (bounded wait: never hang the suite).
        var down: DistributionError?
        let deadline = Date().addingTimeInterval(10)
        while down == nil, Date() < deadline {
            for e in discovery.snapshot().events {
                if case .nodeDown(let n, let reason) = e.kind, n == peer.name { down = reason }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(down?.stage, .connection)
        await discovery.pollOnce(waitForConnections: false)
        let w = try XCTUnwrap(discovery.snapshot().reports.last?.warnings)
        XCTAssertTrue(w.contains { if case .staleRecord(let n, _) = $0 { return n == peer.name } else { return false } }, "\(w)")
    }
}
