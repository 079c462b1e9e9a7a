@testable import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import XCTest

/// The events the table derives, checked for truth: a node connected by hand never "leaves" a source it was not
/// listed by, a source a node left is remembered, and a peers report never claims more expected peers than the
/// console can vouch for.
final class DiscoveryEventDerivationTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }

    func kinds(_ t: DiscoveryTable) -> [DiscoveryEvent.Kind] { t.events.map(\.kind) }

    /// `make demo`: `--connect demo_a --nodes demo_b,demo_c`. The static source's rounds list only `--nodes`; the
    /// `--connect` node stays static.
    func testANodeConnectedByHandNeverLeavesTheStaticSource() {
        var t = DiscoveryTable(ownNode: "console@vm")
        t.applyConnection("demo_a@vm", .up, now: t0)
        XCTAssertEqual(t.staticExtras, ["demo_a@vm"])
        for round in 0..<3 {
            _ = t.setSource(.static, nodes: ["demo_b@vm", "demo_c@vm"] + t.staticExtras, now: at(Double(round)))
        }
        XCTAssertEqual(t.nodes["demo_a@vm"]?.sources, [.static])
        XCTAssertEqual(t.nodes["demo_a@vm"]?.leftSources, [])
        XCTAssertFalse(kinds(t).contains(.vanished(node: "demo_a@vm")), "\(kinds(t))")
        XCTAssertNotEqual(t.nodes["demo_a@vm"]?.lastEvent, "no source lists it")
    }

    func testANodeThatLeavesDNSIsRememberedAndVanishesOnlyWhenNoSourceListsIt() {
        var t = DiscoveryTable(ownNode: "console@10.0.0.9")
        _ = t.setSource(.dns, nodes: ["myapp@10.0.0.1", "myapp@10.0.0.2"], now: t0)
        t.applyConnection("myapp@10.0.0.3", .up, now: t0)  // by hand: static
        _ = t.setSource(.dns, nodes: ["myapp@10.0.0.2", "myapp@10.0.0.3"], now: at(1))
        XCTAssertEqual(t.nodes["myapp@10.0.0.1"]?.sources, [])
        XCTAssertEqual(t.nodes["myapp@10.0.0.1"]?.leftSources, [.dns])
        XCTAssertEqual(kinds(t).last, .vanished(node: "myapp@10.0.0.1"))
        // Leaves DNS but stays static: remembered, not vanished.
        _ = t.setSource(.dns, nodes: ["myapp@10.0.0.2"], now: at(2))
        XCTAssertEqual(t.nodes["myapp@10.0.0.3"]?.sources, [.static])
        XCTAssertEqual(t.nodes["myapp@10.0.0.3"]?.leftSources, [.dns])
        XCTAssertFalse(kinds(t).contains(.vanished(node: "myapp@10.0.0.3")))
        // Listed again: no longer "left".
        _ = t.setSource(.dns, nodes: ["myapp@10.0.0.1", "myapp@10.0.0.2"], now: at(3))
        XCTAssertEqual(t.nodes["myapp@10.0.0.1"]?.leftSources, [])
        XCTAssertEqual(t.nodes["myapp@10.0.0.1"]?.sources, [.dns])
    }

    /// Asked before our other connections are up, a node's first report misses nothing and expects what it sees:
    /// never "sees 2 of 0".
    func testAFirstReportBeforeTheOthersAreUpExpectsWhatItSees() {
        var t = DiscoveryTable(ownNode: "console@vm")
        t.applyConnection("a@vm", .up, now: t0)
        _ = t.setSource(.static, nodes: ["b@vm", "c@vm"] + t.staticExtras, now: t0)  // connecting, not up yet
        _ = t.applyPeers("a@vm", visible: ["c@vm", "b@vm"], rtt: .milliseconds(1), now: at(1))
        XCTAssertEqual(
            kinds(t).last, .peersChanged(node: "a@vm", PeerListChange(sees: ["b@vm", "c@vm"], isFirstReport: true)))
        XCTAssertEqual(t.expectedPeers(of: "a@vm"), 2)
        XCTAssertEqual(t.missingPeers(of: "a@vm"), [])
    }

    func testChangesNameWhoJoinedAndLeftAndWhomItMisses() {
        var t = DiscoveryTable(ownNode: "console@vm")
        for n in ["a@vm", "b@vm", "c@vm"] { t.applyConnection(n, .up, now: t0) }
        _ = t.applyPeers("a@vm", visible: ["b@vm", "c@vm"], rtt: .milliseconds(1), now: at(1))
        // The same list again: no event.
        let count = t.totalEvents
        _ = t.applyPeers("a@vm", visible: ["c@vm", "b@vm"], rtt: .milliseconds(1), now: at(2))
        XCTAssertEqual(t.totalEvents, count)
        // a loses c (a partition: c is still up for us) and gains d (a node we do not know yet).
        _ = t.applyPeers("a@vm", visible: ["b@vm", "d@vm"], rtt: .milliseconds(1), now: at(3))
        XCTAssertEqual(
            t.events.last { if case .peersChanged = $0.kind { return true } else { return false } }?.kind,
            .peersChanged(
                node: "a@vm",
                PeerListChange(
                    sees: ["b@vm", "d@vm"], isFirstReport: false, added: ["d@vm"], removed: ["c@vm"],
                    missing: ["c@vm"])))
        XCTAssertEqual(t.expectedPeers(of: "a@vm"), 3)
        // d, a node of its list we did not know, joined the peers source.
        XCTAssertEqual(t.nodes["d@vm"]?.sources, [.peers])
    }

    func testAReportAfterANodedownIsAFirstReportAgain() {
        var t = DiscoveryTable(ownNode: "console@vm")
        for n in ["a@vm", "b@vm"] { t.applyConnection(n, .up, now: t0) }
        _ = t.applyPeers("a@vm", visible: ["b@vm"], rtt: .milliseconds(1), now: at(1))
        t.applyConnection("a@vm", .down(DistributionError(.closedByPeer, stage: .connection, "closed")), now: at(2))
        t.applyConnection("a@vm", .up, now: at(3))
        _ = t.applyPeers("a@vm", visible: ["b@vm"], rtt: .milliseconds(1), now: at(4))
        XCTAssertEqual(
            kinds(t).last, .peersChanged(node: "a@vm", PeerListChange(sees: ["b@vm"], isFirstReport: true)))
    }
}
