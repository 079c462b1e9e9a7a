import ClusterDiscovery
@testable import ClusterMembership
import ErlangDistribution
import Foundation
import XCTest

@testable import ConsoleREPL

/// What `watch` says of discovery's events, as text and as NDJSON: true and readable.
final class WatchEventTextTests: XCTestCase {
    func text(_ n: String, _ c: PeerListChange) -> String { WatchView.eventText(.peersChanged(node: n, c)) }

    func testAFirstReportListsThePeersAndNeverSaysOfZero() {
        XCTAssertEqual(
            text("demo_a@vm", PeerListChange(sees: ["demo_b@vm", "demo_c@vm"], isFirstReport: true)),
            "demo_a@vm sees 2 peers: demo_b@vm, demo_c@vm")
        XCTAssertEqual(text("a@h", PeerListChange(sees: ["b@h"], isFirstReport: true)), "a@h sees 1 peer: b@h")
        XCTAssertEqual(text("a@h", PeerListChange(sees: [], isFirstReport: true)), "a@h sees no peers")
        let many = (1...6).map { "n\($0)@h" }
        XCTAssertEqual(
            text("a@h", PeerListChange(sees: many, isFirstReport: true)),
            "a@h sees 6 peers: n1@h, n2@h, n3@h, n4@h and 2 more")
    }

    func testChangesAndGaps() {
        XCTAssertEqual(
            text("a@h", PeerListChange(sees: ["b@h", "c@h", "d@h"], isFirstReport: false, added: ["d@h"])),
            "a@h sees 3 peers (+d@h)")
        // It dropped c, which is still up for us: "of", and c named once.
        XCTAssertEqual(
            text("a@h", PeerListChange(sees: ["b@h"], isFirstReport: false, removed: ["c@h"], missing: ["c@h"])),
            "a@h sees 1 of 2 peers (-c@h)")
        XCTAssertEqual(
            text("a@h", PeerListChange(
                sees: ["b@h"], isFirstReport: false, added: ["b@h"], removed: ["c@h"], missing: ["c@h", "d@h"])),
            "a@h sees 1 of 3 peers (+b@h, -c@h); does not see d@h")
        XCTAssertEqual(
            text("a@h", PeerListChange(sees: [], isFirstReport: true, missing: ["b@h"])),
            "a@h sees 0 of 1 peer; does not see b@h")
    }

    func testVanishedReadsAsWhatHappened() {
        XCTAssertEqual(
            WatchView.eventText(.vanished(node: "myapp@10.0.1.5")), "no source lists myapp@10.0.1.5 any more")
    }

    func testPeersChangedJSONKeepsTheCountsAndAddsTheLists() throws {
        let e = DiscoveryEvent(
            time: Date(timeIntervalSince1970: 1_800_000_000),
            kind: .peersChanged(
                node: "a@h",
                PeerListChange(
                    sees: ["b@h"], isFirstReport: false, added: ["b@h"], removed: ["c@h"], missing: ["c@h"])))
        let o = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(WatchView.eventJSON(e).utf8)) as? [String: Any])
        XCTAssertEqual(o["event"] as? String, "peers_changed")
        XCTAssertEqual(o["sees"] as? Int, 1)
        XCTAssertEqual(o["expected"] as? Int, 2)
        XCTAssertEqual(o["peers"] as? [String], ["b@h"])
        XCTAssertEqual(o["added"] as? [String], ["b@h"])
        XCTAssertEqual(o["removed"] as? [String], ["c@h"])
        XCTAssertEqual(o["missing"] as? [String], ["c@h"])
    }

    /// The frame's SEES column never shows more seen than expected (the old `2/0 ✓`).
    func testFrameCountsAgainstWhatTheConsoleCanVouchFor() {
        var t = DiscoveryTable(ownNode: "console@vm")
        t.applyConnection("a@vm", .up, now: Date())
        _ = t.applyPeers("a@vm", visible: ["b@vm", "c@vm"], rtt: .milliseconds(1), now: Date())
        let nodes = t.sortedNodes
        var expected: [String: Int] = [:]
        for n in nodes { expected[n.name] = t.expectedPeers(of: n.name) }
        let snapshot = DiscoverySnapshot(
            time: Date(), ownNode: "console@vm", configuration: DiscoveryConfiguration(staticNodes: ["a@vm"]),
            nodes: nodes, expectedPeers: expected, reports: [], epmd: [:], events: t.events)
        let frame = WatchView.frame(snapshot, now: Date(), width: 160, height: 30, color: false).joined(separator: "\n")
        let row = frame.split(separator: "\n").first { $0.hasPrefix("a@vm") }
        XCTAssertTrue(row?.contains("2/2 ✓") ?? false, frame)
        XCTAssertTrue(frame.contains("a@vm sees 2 peers: b@vm, c@vm"), frame)
        XCTAssertFalse(frame.contains("of 0"), frame)
    }
}
