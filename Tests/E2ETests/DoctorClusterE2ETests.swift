import ErlangTestSupport
import Foundation
import XCTest

/// `doctor` in cluster mode (no NODE named) against simulated ECS services (``NetnsCluster``): a healthy cluster
/// gives no finding, and each fault is named with the node or pair it concerns. Needs root (CI runs as root).
///
/// One cluster of four tasks is shared; a test that needs a task of its own adds one and kills it (and its DNS
/// record) in a teardown block, and a cut is undone the same way, so the tests do not depend on their order.
final class DoctorClusterE2ETests: NetnsClusterTestCase {
    override class func makeCluster() throws -> NetnsCluster {
        // Without global's partition prevention: a cut between two tasks must stay a cut between two tasks.
        try NetnsCluster(taskCount: 4, pollingInterval: 1, extraErlFlags: NetnsCluster.largeClusterErlFlags)
    }

    /// Runs `doctor --json` over the DNS name (no NODE: cluster mode); returns its JSON and status.
    func doctor(file: StaticString = #filePath, line: UInt = #line) throws -> (json: [String: Any], status: Int32) {
        let cluster = try sharedCluster()
        let r = try beamconsole(["doctor", "--json", "--timeout", "10"] + cluster.discoveryArguments(), timeout: 60)
        let json = try XCTUnwrap(r.json, "doctor printed no JSON (status \(r.status)): \(r.stdout) \(r.stderr)",
                                 file: file, line: line)
        return (json, r.status)
    }

    func findings(_ json: [String: Any]) -> [[String: Any]] {
        ((json["cluster"] as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
    }

    func kinds(_ json: [String: Any]) -> [String] { findings(json).compactMap { $0["kind"] as? String } }

    /// Waits until the tasks running and in DNS all list each other (the cluster is back to healthy).
    func waitForMesh(_ cluster: NetnsCluster, timeout: TimeInterval = 30) throws {
        let records = Set(cluster.dnsRecords)
        let tasks = cluster.tasks.filter { cluster.isRunning($0) && records.contains($0.ip) }
        _ = try cluster.waitForMesh(tasks, timeout: timeout)
    }

    /// A task of this test's own, removed (killed, its record deleted) when the test ends.
    func ownTask(erlFlags: String = "", intervalKey: String = "polling_interval") throws -> NetnsCluster.SimulatedTask {
        let cluster = try sharedCluster()
        let task = try cluster.addTask(erlFlags: erlFlags, intervalKey: intervalKey)
        addTeardownBlock {
            cluster.killTask(task)
            try? cluster.removeDNSRecords([task.ip])
        }
        try waitForMesh(cluster)
        return task
    }

    func testAHealthyClusterHasNoFinding() throws {
        let cluster = try sharedCluster()
        try waitForMesh(cluster)
        let (json, status) = try doctor()
        XCTAssertEqual(kinds(json), [], "\(findings(json))")
        XCTAssertEqual(json["healthy"] as? Bool, true)
        XCTAssertEqual(status, 0)
        let nodes = try XCTUnwrap((json["cluster"] as? [String: Any])?["nodes"] as? [String])
        XCTAssertEqual(Set(nodes), Set(cluster.tasks.filter { cluster.isRunning($0) }.map(\.node)))
    }

    func testACutBetweenTwoTasksIsNamedWithThePairAndWhatEachSideSees() throws {
        let cluster = try sharedCluster()
        try waitForMesh(cluster)
        let (a, b) = (cluster.tasks[0], cluster.tasks[1])
        try cluster.cut(a, b)
        addTeardownBlock {
            try? cluster.unblockPorts(a)
            try? cluster.unblockPorts(b)
            _ = try? self.beamconsole(["call", a.node, ":net_kernel.connect_node(:\"\(b.node)\")"])
        }
        // The connection up between them is not closed by the firewall (nor is its FIN let through): drop it on
        // both sides, as their tick timeouts would.
        for (x, y) in [(a, b), (b, a)] {
            let r = try beamconsole(["call", x.node, ":erlang.disconnect_node(:\"\(y.node)\")"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let (json, status) = try doctor()
        XCTAssertEqual(kinds(json), ["partial_mesh"], "\(findings(json))")
        XCTAssertEqual(status, 1, "unhealthy (every node passes its stages, so not 2)")
        let mesh = try XCTUnwrap(findings(json).first)
        XCTAssertEqual(mesh["nodes"] as? [String], [a.node, b.node].sorted())
        let edge = try XCTUnwrap((mesh["edges"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set([edge["a"] as? String, edge["b"] as? String]), Set([a.node, b.node]))
        let causes = try XCTUnwrap(edge["causes"] as? [[String: Any]])
        let unreachable = causes.filter { $0["code"] as? String == "unreachable" }
        XCTAssertEqual(Set(unreachable.compactMap { $0["from"] as? String }), Set([a.node, b.node]), "\(causes)")
        XCTAssertEqual(Set(unreachable.compactMap { $0["stage"] as? String }), ["epmd"], "\(causes)")
    }

    func testANodeWithAnotherNetTicktimeIsNamed() throws {
        let odd = try ownTask(erlFlags: "-kernel net_ticktime 20")
        let (json, status) = try doctor()
        XCTAssertEqual(kinds(json), ["net_ticktime_differs"], "\(findings(json))")
        XCTAssertEqual(findings(json).first?["nodes"] as? [String], [odd.node])
        XCTAssertEqual(status, 1)
    }

    func testALibclusterConfigWithPollIntervalIsNamed() throws {
        let odd = try ownTask(intervalKey: "poll_interval")
        let (json, status) = try doctor()
        XCTAssertEqual(kinds(json), ["libcluster_poll_interval"], "\(findings(json))")
        let finding = try XCTUnwrap(findings(json).first)
        XCTAssertEqual(finding["nodes"] as? [String], [odd.node])
        XCTAssertEqual(finding["group"] as? String, "config")
        XCTAssertEqual(status, 1)
    }
}

/// Ten tasks behind a name whose answer holds eight (Cloud Map MULTIVALUE): `doctor` names the cap with the two tasks
/// outside the answer, and libcluster's pruning that keeps such a cluster from settling, where the per-node stages
/// alone say 10/10 ok.
final class DoctorCappedDNSE2ETests: NetnsClusterTestCase {
    override class func makeCluster() throws -> NetnsCluster {
        let cluster = try NetnsCluster(taskCount: 8, pollingInterval: 1, extraErlFlags: NetnsCluster.largeClusterErlFlags)
        // Two more tasks that are not in the answer: they poll it (and see the eight), nobody sees them in DNS.
        try cluster.addTasks(count: 2, inDNS: false)
        return cluster
    }

    func testTenTasksBehindEightRecordsAreNamed() throws {
        let cluster = try sharedCluster()
        let outside = cluster.tasks.suffix(2).map(\.node).sorted()
        // The two outside connect to the eight by their own polls.
        let inside = Array(cluster.tasks.prefix(8))
        for t in cluster.tasks.suffix(2) { _ = try cluster.waitForMesh(inside + [t], timeout: 30) }
        let r = try beamconsole(["doctor", "--json", "--timeout", "10"] + cluster.discoveryArguments(), timeout: 90)
        let json = try XCTUnwrap(r.json, "doctor printed no JSON (status \(r.status)): \(r.stdout) \(r.stderr)")
        XCTAssertEqual(r.status, 1, r.stderr)
        let findings = ((json["cluster"] as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
        let byKind = Dictionary(findings.map { ($0["kind"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        // With a fixed answer, global's transitive connections (connect_all) still join the two outside tasks to
        // each other: the mesh is complete, and the cap and the pruning are what `doctor` must name.
        XCTAssertEqual(Set(byKind.keys), ["dns_capped", "libcluster_prune_capped"], "\(findings)")
        XCTAssertEqual(byKind["dns_capped"]?["nodes"] as? [String], outside)
        XCTAssertEqual(byKind["dns_capped"]?["severity"] as? String, "error")
        XCTAssertEqual(byKind["libcluster_prune_capped"]?["nodes"] as? [String], cluster.tasks.map(\.node).sorted())
        XCTAssertEqual((json["cluster"] as? [String: Any])?["dns_answered"] as? Int, 8)
        // Every task passes its own stages: the per-node half alone would say 10/10 ok.
        XCTAssertEqual(json["ok"] as? Bool, true)
        XCTAssertEqual(json["healthy"] as? Bool, false)
    }
}
