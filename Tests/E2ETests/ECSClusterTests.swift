import ErlangTestSupport
import Foundation
import XCTest

/// The built `beamconsole` against an ECS Fargate service simulated with network namespaces (``NetnsCluster``):
/// tasks with their own IPs and EPMDs, `myapp@<task IP>` nodes clustered by DNSPoll against dnsmasq, the console
/// in a namespace of its own. Needs root; without it every test fails (CI runs as root).
///
/// One cluster of four tasks is shared by the class; a test that needs a task of its own adds one and kills it in a
/// teardown block, so the tests do not depend on their order.
final class ECSClusterTests: NetnsClusterTestCase {
    /// A name without records: a task polling it connects to nobody by itself.
    static let nowhere = "nobody.organization.local"

    override class func makeCluster() throws -> NetnsCluster { try NetnsCluster(taskCount: 4, pollingInterval: 1) }

    /// Tasks that should be in the mesh: running, in DNS, with the cluster's cookie and basename.
    func meshTasks(_ cluster: NetnsCluster) -> [NetnsCluster.SimulatedTask] {
        let records = Set(cluster.dnsRecords)
        return cluster.tasks.filter {
            cluster.isRunning($0) && records.contains($0.ip) && $0.cookie == cluster.cookie
                && $0.basename == cluster.basename
        }
    }

    /// `members --json` through `node`: each asked node's Node.list.
    func lists(via node: String) throws -> [String: Set<String>] {
        let r = try beamconsole(["members", "--json", "--connect", node, "--timeout", "5"])
        let json = try XCTUnwrap(r.json, "members printed no JSON (status \(r.status)): \(r.stdout) \(r.stderr)")
        let lists = try XCTUnwrap(json["lists"] as? [String: [String]], r.stdout)
        return lists.mapValues(Set.init)
    }

    /// Polls `members` until every one of `tasks` lists all the others, or fails after `timeout`.
    func waitForMesh(
        _ tasks: [NetnsCluster.SimulatedTask], timeout: TimeInterval, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String: Set<String>] = [:]
        while Date() < deadline {
            last = try lists(via: tasks[0].node)
            let complete = tasks.allSatisfy { t in
                guard let list = last[t.node] else { return false }
                return Set(tasks.map(\.node)).subtracting([t.node]).isSubset(of: list)
            }
            if complete { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("no full mesh of \(tasks.map(\.node)) within \(timeout) s; lists: \(last)", file: file, line: line)
    }

    /// `ping NODE --json` from the console: the error object of a failed ping (nil when it answered pong).
    func pingError(_ node: String, cookie: String? = nil) throws -> (error: [String: Any]?, seconds: Double) {
        let started = Date()
        let r = try beamconsole(["ping", node, "--json", "--timeout", "10"], cookie: cookie, timeout: 40)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertFalse(r.timedOut, "beamconsole ping did not finish")
        let json = try XCTUnwrap(r.json, "ping printed no JSON (status \(r.status)): \(r.stdout) \(r.stderr)")
        if json["result"] as? String == "pong" {
            XCTAssertEqual(r.status, 0, r.stderr)
            return (nil, seconds)
        }
        XCTAssertEqual(json["result"] as? String, "pang", r.stdout)
        XCTAssertNotEqual(r.status, 0, "a failed ping exits non-zero")
        return (json["error"] as? [String: Any], seconds)
    }

    // MARK: Tests

    func testTasksFormAFullMeshByDNS() throws {
        let cluster = try sharedCluster()
        let mesh = meshTasks(cluster)
        XCTAssertGreaterThanOrEqual(mesh.count, 4)
        try waitForMesh(mesh, timeout: 5)

        let r = try beamconsole(["members", "--json", "--connect", mesh[0].node, "--timeout", "5"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let json = try XCTUnwrap(r.json)
        let kinds = (json["findings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        XCTAssertFalse(kinds.contains("partial_mesh"), r.stdout)
        XCTAssertFalse(kinds.contains("asymmetric"), r.stdout)
        XCTAssertEqual((json["errors"] as? [String: Any])?.count, 0, r.stdout)

        // Every node is reachable from the console at its own address, as `myapp@<task IP>`.
        for task in mesh {
            XCTAssertNil(try pingError(task.node).error, task.description)
        }
    }

    func testTaskAddedToDNSLaterJoinsWithinTwoPollIntervals() throws {
        let cluster = try sharedCluster()
        let others = meshTasks(cluster)
        // A task that polls a name without records, so that only the others' DNS polls can connect it.
        let late = try cluster.addTask(inDNS: false, query: Self.nowhere)
        addTeardownBlock {
            try? cluster.removeDNSRecords([late.ip])
            cluster.killTask(late)
        }
        XCTAssertFalse(try lists(via: others[0].node)[others[0].node, default: []].contains(late.node))

        let published = Date().timeIntervalSince1970
        try cluster.addDNSRecords([late.ip])
        try waitForMesh(others + [late], timeout: 2 * cluster.pollingInterval + 3)

        // Every other task's log has the nodeup, within two poll intervals of the record's publication; at least one
        // of them connected it from its own DNS poll (the others may get it first from `global`'s transitive connects,
        // in which case their poll finds it connected already and does nothing, as libcluster does).
        var connectedByPoll: [String] = []
        for task in others {
            let lines = try String(contentsOfFile: task.logPath, encoding: .utf8).split(separator: "\n")
            let up = try XCTUnwrap(
                lines.first { $0.hasSuffix(" nodeup \(late.node)") }, "no nodeup: \(cluster.log(of: task))")
            let at = Double(up.split(separator: " ")[0])! / 1000
            XCTAssertLessThanOrEqual(at - published, 2 * cluster.pollingInterval, "\(task.node) saw it late")
            if lines.contains(where: { $0.hasSuffix(" connected \(late.node)") }) { connectedByPoll.append(task.node) }
        }
        XCTAssertFalse(connectedByPoll.isEmpty, "no task's DNS poll connected \(late.node)")
    }

    func testKilledTaskDropsOutWhileItsStaleRecordStays() throws {
        let cluster = try sharedCluster()
        let victim = try cluster.addTask()
        // Its stale record would stay for the later tests (whose console follows the tasks' own DNSPoll topology).
        addTeardownBlock { try? cluster.removeDNSRecords([victim.ip]) }
        let survivors = meshTasks(cluster).filter { $0.node != victim.node }
        try waitForMesh(survivors + [victim], timeout: 5)

        cluster.killTask(victim)
        XCTAssertTrue(cluster.dnsRecords.contains(victim.ip), "the stale record stays")
        let deadline = Date().addingTimeInterval(5)
        var listing: [String] = []
        repeat {
            let lists = try lists(via: survivors[0].node)
            listing = survivors.map(\.node).filter { lists[$0]?.contains(victim.node) ?? true }
            if listing.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        XCTAssertEqual(listing, [], "still listing \(victim.node) after it was killed")

        // DNS still answers with the dead task's address, and after two more polls nobody has it back.
        let dns = "{{\(cluster.dnsIP.replacingOccurrences(of: ".", with: ","))},53}"
        let r = try beamconsole([
            "call", survivors[0].node, "--syntax", "erlang",
            "inet_res:lookup(\"\(cluster.query)\", in, a, [{nameservers, [\(dns)]}])",
        ])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("{\(victim.ip.replacingOccurrences(of: ".", with: ","))}"), r.stdout)
        Thread.sleep(forTimeInterval: 2 * cluster.pollingInterval)
        let lists = try lists(via: survivors[0].node)
        XCTAssertTrue(survivors.allSatisfy { !(lists[$0.node]?.contains(victim.node) ?? false) }, "\(lists)")
        for task in survivors {
            XCTAssertTrue(cluster.log(of: task, bytes: 100_000).contains("nodedown \(victim.node)"), task.description)
        }
    }

    func testBlockedEPMDFailsAtStageEPMDAndBlockedDistPortsAtStageConnect() throws {
        let cluster = try sharedCluster()
        let task = try cluster.addTask(inDNS: false, query: Self.nowhere)
        addTeardownBlock {
            try? cluster.unblockPorts(task)
            cluster.killTask(task)
        }
        XCTAssertNil(try pingError(task.node).error, "reachable before blocking")

        try cluster.blockPorts(task, NetnsCluster.epmdPorts, how: .reject)
        var (error, seconds) = try pingError(task.node)
        XCTAssertEqual(error?["stage"] as? String, "epmd", "\(error ?? [:])")
        XCTAssertEqual(error?["code"] as? String, "epmd_refused", "\(error ?? [:])")
        XCTAssertLessThan(seconds, 5, "a refused connection fails at once")

        try cluster.unblockPorts(task)
        try cluster.blockPorts(task, NetnsCluster.distPorts, how: .drop)
        (error, seconds) = try pingError(task.node)
        XCTAssertEqual(error?["stage"] as? String, "connect", "\(error ?? [:])")
        XCTAssertEqual(error?["code"] as? String, "connect_timeout", "\(error ?? [:])")
    }

    func testTaskWithAnotherCookieFailsAtStageHandshake() throws {
        let cluster = try sharedCluster()
        let task = try cluster.addTask(cookie: "not-" + cluster.cookie, inDNS: false, query: Self.nowhere)
        addTeardownBlock { cluster.killTask(task) }
        let (error, _) = try pingError(task.node)
        XCTAssertEqual(error?["stage"] as? String, "handshake", "\(error ?? [:])")
        // With its own cookie it answers.
        XCTAssertNil(try pingError(task.node, cookie: task.cookie).error)
    }
}
