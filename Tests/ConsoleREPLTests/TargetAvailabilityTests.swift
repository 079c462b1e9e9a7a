import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import Foundation
import XCTest

@testable import ConsoleREPL

/// The decision before a line goes to the target, without a node: one verdict per state, the prompt's label, and
/// what a refused line says.
final class TargetAvailabilityTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let closed = DistributionError(.closedByPeer, stage: .connection, "the peer closed the connection")
    let notRegistered = DistributionError(.nameNotRegistered, stage: .epmd, "demo_a is not registered")

    func target(
        _ state: PeerConnectionState?, changed: Double = 0, at now: Double = 0, left: [NodeSource] = [],
        live: [String] = ["demo_b@vm", "demo_c@vm"]
    ) -> TargetAvailability {
        TargetAvailability(
            target: "demo_a@vm", state: state, since: state == nil ? nil : t0.addingTimeInterval(changed),
            leftDiscovery: left, liveNodes: live, now: t0.addingTimeInterval(now))
    }

    func testVerdicts() {
        XCTAssertEqual(target(.up).verdict, .usable)
        XCTAssertEqual(target(.up, left: [.dns]).verdict, .usable, "still connected: it still answers")
        for attempt: PeerConnectionState in [.resolving, .epmd, .connecting, .handshaking] {
            XCTAssertEqual(target(attempt).verdict, .unavailable, "no second dial while \(attempt)")
        }
        // A recent nodedown or failure: no dial per line.
        XCTAssertEqual(target(.down(closed), at: 0.2).verdict, .unavailable)
        XCTAssertEqual(target(.down(closed), at: 4.9).verdict, .unavailable)
        XCTAssertEqual(target(.failed(notRegistered), changed: 10, at: 11).verdict, .unavailable)
        // Once the quiet period is over, one quick reconnect: a target that came back works again.
        XCTAssertEqual(target(.down(closed), at: 5).verdict, .reconnect)
        XCTAssertEqual(target(.failed(notRegistered), changed: 10, at: 60).verdict, .reconnect)
        XCTAssertEqual(target(nil).verdict, .reconnect)
        // Gone from DNS as well: never dialled (its address may not answer at all).
        XCTAssertEqual(target(.down(closed), at: 600, left: [.dns]).verdict, .unavailable)
        XCTAssertEqual(target(nil, left: [.dns]).verdict, .unavailable)
    }

    func testTheQuietPeriodIsAnInput() {
        var a = target(.down(closed), at: 2)
        XCTAssertEqual(a.verdict, .unavailable)
        a.quietPeriod = 1
        XCTAssertEqual(a.verdict, .reconnect)
    }

    func testPromptLabels() {
        XCTAssertEqual(target(.up).promptLabel.text, "demo_a@vm")
        XCTAssertEqual(target(.up).promptLabel.tone, .up)
        XCTAssertEqual(target(.up, left: [.dns]).promptLabel.text, "demo_a@vm, left dns")
        XCTAssertEqual(target(.up, left: [.dns]).promptLabel.tone, .leaving)
        XCTAssertEqual(target(.down(closed)).promptLabel.text, "demo_a@vm down")
        XCTAssertEqual(target(.down(closed)).promptLabel.tone, .down)
        XCTAssertEqual(target(.down(closed), left: [.dns, .epmd]).promptLabel.text, "demo_a@vm down, left dns and epmd")
        XCTAssertEqual(target(.failed(notRegistered)).promptLabel.text, "demo_a@vm down")
        XCTAssertEqual(target(.epmd).promptLabel.text, "demo_a@vm connecting")
        XCTAssertEqual(target(nil).promptLabel.text, "demo_a@vm not connected")
    }

    func testARefusalSaysWhyNamesTheLiveNodesAndSendsNothing() throws {
        let out = target(.down(closed), at: 2).refusal()
        XCTAssertEqual(
            out.errorText,
            "demo_a@vm is down (closed_by_peer, 2s ago): nothing sent; live nodes: demo_b@vm, demo_c@vm "
                + "(use NODE to switch, connect demo_a@vm to retry now)")
        XCTAssertEqual(out.status, CommandOutput.Status.connectionFailure)
        XCTAssertEqual(out.text, "")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["node"] as? String, "demo_a@vm")
        XCTAssertEqual(json["status"] as? String, "error")
        XCTAssertEqual(json["live_nodes"] as? [String], ["demo_b@vm", "demo_c@vm"])
        XCTAssertEqual((json["error"] as? [String: Any])?["code"] as? String, "not_connected")
        XCTAssertEqual((json["cause"] as? [String: Any])?["code"] as? String, "closed_by_peer")
    }

    func testRefusalsForEachReason() {
        XCTAssertEqual(
            target(.failed(notRegistered), at: 0, live: []).refusal().errorText,
            "demo_a@vm is unreachable (epmd: name_not_registered, 0s ago): nothing sent; no other node is connected "
                + "(connect NODE, or nodes to see what discovery found)")
        XCTAssertEqual(
            target(.down(closed), at: 30, left: [.dns], live: ["myapp@10.0.1.6"]).refusal().errorText,
            "demo_a@vm is down (closed_by_peer, 30s ago) and dns no longer lists it: nothing sent; live nodes: "
                + "myapp@10.0.1.6 (use NODE to switch)")
        XCTAssertEqual(
            target(.epmd, live: ["demo_b@vm"]).refusal().errorText,
            "demo_a@vm is reconnecting (epmd): nothing sent; live nodes: demo_b@vm (use NODE to switch, connect "
                + "demo_a@vm to retry now)")
        XCTAssertEqual(
            target(.epmd, live: ["demo_b@vm"]).refusal(noAnswerWithin: .seconds(1)).errorText,
            "demo_a@vm is unreachable: no answer within 1.0 s (still trying in the background): nothing sent; "
                + "live nodes: demo_b@vm (use NODE to switch, connect demo_a@vm to retry now)")
    }

    func testLeftDiscoveryCountsOnlyPolledSourcesAndOnlyWhenNoneListsIt() {
        var n = DiscoveredNode(name: "myapp@10.0.1.5", sources: [.static], firstSeen: t0)
        XCTAssertEqual(TargetAvailability.leftDiscovery(nil), [])
        XCTAssertEqual(TargetAvailability.leftDiscovery(n), [])
        n.leftSources = [.dns]
        XCTAssertEqual(TargetAvailability.leftDiscovery(n), [.dns], "static (RELEASE_NODE) but gone from DNS")
        n.sources = [.static, .epmd]
        XCTAssertEqual(TargetAvailability.leftDiscovery(n), [], "the EPMD scan still lists it")
        n.sources = []
        n.leftSources = [.static, .peers]
        XCTAssertEqual(TargetAvailability.leftDiscovery(n), [], "only polled sources say a node is gone")
    }
}
