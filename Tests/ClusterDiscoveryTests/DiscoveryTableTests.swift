@testable import ClusterDiscovery
import ClusterMembership
@testable import ErlangDistribution
import XCTest

/// The discovery table's decisions, without I/O: what to connect, when to retry, what the events and warnings are.
final class DiscoveryTableTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }
    let refused = DistributionError(.epmdRefused, stage: .epmd, "refused")
    let cookie = DistributionError(.cookieMismatch, stage: .handshake, "cookie")

    func report(_ seq: Int, nodes: [String], added: [String] = [], removed: [String] = []) -> DNSPollReport {
        DNSPollReport(
            sequence: seq, answers: [], errors: [], answerNodes: nodes, nodes: nodes, added: added, removed: removed,
            libclusterConnects: added, libclusterDisconnects: removed, warnings: [])
    }

    func testNewDNSNodesAreConnectedAndTheirAddressesProbed() {
        var t = DiscoveryTable(ownNode: "console@10.0.0.9")
        let a = t.applyDNS(
            report(1, nodes: ["myapp@10.0.0.1", "myapp@10.0.0.2"], added: ["myapp@10.0.0.1", "myapp@10.0.0.2"]),
            addresses: ["10.0.0.1", "10.0.0.2"], now: t0)
        XCTAssertEqual(Set(a), [.connect("myapp@10.0.0.1"), .connect("myapp@10.0.0.2"),
                                .probeEPMD(address: "10.0.0.1"), .probeEPMD(address: "10.0.0.2")])
        XCTAssertEqual(t.nodes["myapp@10.0.0.1"]?.sources, [.dns])
        // The same answer again: nothing new to connect, and no probes within the re-probe interval.
        XCTAssertEqual(t.applyDNS(report(2, nodes: ["myapp@10.0.0.1", "myapp@10.0.0.2"]),
                                  addresses: ["10.0.0.1", "10.0.0.2"], now: at(1)), [])
        let kinds = t.events.map(\.kind)
        XCTAssertEqual(kinds.first, .dnsChanged(sequence: 1, added: ["myapp@10.0.0.1", "myapp@10.0.0.2"], removed: []))
        XCTAssertTrue(kinds.contains(.discovered(node: "myapp@10.0.0.2", source: .dns)))
    }

    func testOwnNodeIsNeverAMember() {
        var t = DiscoveryTable(ownNode: "myapp@10.0.0.9")
        _ = t.setSource(.dns, nodes: ["myapp@10.0.0.9", "myapp@10.0.0.1"], now: t0)
        XCTAssertEqual(t.nodes.keys.sorted(), ["myapp@10.0.0.1"])
    }

    func testFailedNodesAreRetriedWithBackOffAndUpNodesAreNot() {
        var t = DiscoveryTable()
        t.retryBase = .seconds(1)
        t.maxRetry = .seconds(8)
        _ = t.setSource(.dns, nodes: ["a@h", "b@h"], now: t0)
        t.applyConnection("a@h", .failed(cookie), now: t0, jitter: 0.5)  // retry after 1 s
        t.applyConnection("b@h", .up, now: t0)
        XCTAssertEqual(t.retries(now: at(0.5)), [])
        XCTAssertEqual(t.retries(now: at(1.0)), [.connect("a@h")])
        t.applyConnection("a@h", .connecting, now: at(1.0))
        XCTAssertEqual(t.retries(now: at(1.5)), [], "an attempt in flight is not retried")
        t.applyConnection("a@h", .failed(cookie), now: at(1.5), jitter: 0.5)  // second failure: 2 s
        XCTAssertEqual(t.retries(now: at(3.4)), [])
        XCTAssertEqual(t.retries(now: at(3.5)), [.connect("a@h")])
        // Back-off is capped and jitter spreads it (0.5x to 1.5x).
        for i in 0..<10 { t.applyConnection("a@h", .failed(cookie), now: at(10 + Double(i)), jitter: 1) ; t.applyConnection("a@h", .connecting, now: at(10 + Double(i))) }
        t.applyConnection("a@h", .failed(cookie), now: at(100), jitter: 1)
        XCTAssertEqual(t.nodes["a@h"]?.retryAt, at(112))
        // Up resets the failures.
        t.applyConnection("a@h", .up, now: at(200))
        XCTAssertEqual(t.nodes["a@h"]?.failures, 0)
        XCTAssertEqual(t.retries(now: at(300)), [])
    }

    func testNodedownIsAnEventWithTheReasonAndTheNodeIsRetried() {
        var t = DiscoveryTable()
        _ = t.setSource(.dns, nodes: ["a@h"], now: t0)
        t.applyConnection("a@h", .up, now: t0)
        let down = DistributionError(.tickTimeout, stage: .connection, "no tick")
        t.applyConnection("a@h", .down(down), now: at(1), jitter: 0)
        XCTAssertEqual(t.events.last?.kind, .nodeDown(node: "a@h", reason: down))
        XCTAssertEqual(t.nodes["a@h"]?.lastEvent, "nodedown: tick_timeout")
        XCTAssertEqual(t.retries(now: at(10)), [.connect("a@h")])
    }

    func testNodesThatLeaveEverySourceAreReportedAndNotRetried() {
        var t = DiscoveryTable()
        _ = t.setSource(.dns, nodes: ["a@h", "b@h"], now: t0)
        t.applyConnection("b@h", .failed(refused), now: t0)
        _ = t.setSource(.dns, nodes: ["a@h"], now: at(1))
        XCTAssertEqual(t.events.last?.kind, .vanished(node: "b@h"))
        XCTAssertEqual(t.retries(now: at(100)), [])
    }

    func testPeersListsAddUnknownNodesAndCountTheMesh() {
        var t = DiscoveryTable(ownNode: "console@h")
        _ = t.setSource(.static, nodes: ["a@h"], now: t0)
        t.applyConnection("a@h", .up, now: t0)
        let actions = t.applyPeers("a@h", visible: ["b@h", "c@h"], rtt: .milliseconds(2), now: at(1))
        XCTAssertEqual(Set(actions), [.connect("b@h"), .connect("c@h")])
        XCTAssertEqual(t.nodes["b@h"]?.sources, [.peers])
        t.applyConnection("b@h", .up, now: at(1))
        t.applyConnection("c@h", .up, now: at(1))
        _ = t.applyPeers("b@h", visible: ["a@h"], rtt: .milliseconds(1), now: at(2))
        XCTAssertEqual(t.expectedPeers(of: "b@h"), 2)
        XCTAssertEqual(t.nodes["b@h"]?.visiblePeers, ["a@h"])
        XCTAssertEqual(
            t.events.last?.kind,
            .peersChanged(node: "b@h", PeerListChange(sees: ["a@h"], isFirstReport: true, missing: ["c@h"])))
    }

    func testHandMadeConnectionsJoinAsStatic() {
        var t = DiscoveryTable()
        t.applyConnection("x@h", .up, now: t0)
        XCTAssertEqual(t.nodes["x@h"]?.sources, [.static])
    }

    func testRecordWarningsFromEPMDAndConnections() {
        var t = DiscoveryTable()
        _ = t.applyDNS(report(1, nodes: ["myapp@10.0.0.1", "myapp@10.0.0.2", "myapp@10.0.0.3"]),
                       addresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3"], now: t0)
        t.applyEPMD(address: "10.0.0.1", .failed(code: "epmd_refused", message: "refused"))
        t.applyEPMD(address: "10.0.0.2", .names([.init(name: "other", port: 9000)]))
        t.applyEPMD(address: "10.0.0.3", .names([.init(name: "myapp", port: 9001)]))
        t.applyConnection("myapp@10.0.0.3", .up, now: t0)
        let killed = DistributionError(.closedByPeer, stage: .connection, "closed")
        t.applyConnection("myapp@10.0.0.3", .down(killed), now: at(1))
        XCTAssertEqual(t.nodes["myapp@10.0.0.3"]?.epmdPort, 9001)
        let w = t.recordWarnings(addresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3"], basename: "myapp")
        XCTAssertEqual(w, [
            .noEPMD(address: "10.0.0.1", cause: "epmd_refused: refused"),
            .basenameNotRegistered(address: "10.0.0.2", basename: "myapp", registered: ["other"]),
            .staleRecord(node: "myapp@10.0.0.3", reason: "closed_by_peer"),
        ])
        XCTAssertEqual(w.map(\.code), ["no_epmd", "basename_not_registered", "stale_record"])
    }

    func testEventsAreBounded() {
        var t = DiscoveryTable()
        t.maxEvents = 10
        for i in 0..<50 { _ = t.setSource(.static, nodes: ["n\(i)@h"], now: at(Double(i))) }
        XCTAssertEqual(t.events.count, 10)
        XCTAssertEqual(t.totalEvents, 99)
    }
}
