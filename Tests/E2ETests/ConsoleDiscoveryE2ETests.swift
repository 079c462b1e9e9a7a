import ErlangTestSupport
import Foundation
import XCTest

/// The console's own discovery, `watch`, `dns` and `doctor` against the network-namespace ECS service: it finds the
/// tasks from the Cloud Map name as libcluster DNSPoll does, sees scale-up and scale-down live, flags stale records,
/// and names the failing stage of broken tasks. Needs root (CI runs as root); never skips.
final class ConsoleDiscoveryE2ETests: NetnsClusterTestCase {
    /// A name without records: a task polling it connects to nobody by itself.
    static let nowhere = "nobody.organization.local"

    override class func makeCluster() throws -> NetnsCluster { try NetnsCluster(taskCount: 3, pollingInterval: 1) }

    override class var commandTimeout: TimeInterval { 40 }

    /// Healthy tasks: running, in DNS, the cluster's cookie and basename.
    func healthy(_ c: NetnsCluster) -> [NetnsCluster.SimulatedTask] {
        let records = Set(c.dnsRecords)
        return c.tasks.filter { c.isRunning($0) && records.contains($0.ip) && $0.cookie == c.cookie && $0.basename == c.basename }
    }

    /// Runs `watch --json` in the console namespace while `during` changes the cluster, then two more poll intervals
    /// (plus a second), then stops it with SIGTERM (by PID); returns the NDJSON objects.
    func watch(during: (NetnsCluster) throws -> Void) throws -> [[String: Any]] {
        let c = try sharedCluster()
        let ipTool = try XCTUnwrap(findExecutable("ip"))
        let out = c.directory.appendingPathComponent("watch-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: out) }
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": c.directory.path,
                   "RELEASE_COOKIE": c.cookie]
        let p = try ChildProcess(
            executable: ipTool,
            arguments: ["netns", "exec", c.consoleNamespace, Self.binary, "watch", "--json"] + c.discoveryArguments(pollInterval: 1),
            environment: env, outputPath: out.path)
        defer { p.stop() }
        Thread.sleep(forTimeInterval: 1.5)
        try during(c)
        Thread.sleep(forTimeInterval: 2 * c.pollingInterval + 1)
        p.signal(SIGTERM)
        XCTAssertNotNil(p.wait(timeout: 10), "watch did not stop on SIGTERM")
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(objects.count, lines.count, "every line is JSON")
        XCTAssertFalse(text.contains(c.cookie))
        return objects
    }

    func time(_ o: [String: Any]) -> Double {
        guard let s = o["time"] as? String, let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s)
        else { return .infinity }
        return d.timeIntervalSince1970
    }

    // MARK: - Tests

    func testDiscoveryFindsAndConnectsEveryTask() throws {
        let c = try sharedCluster()
        let tasks = healthy(c)
        XCTAssertGreaterThanOrEqual(tasks.count, 3)

        // The tasks mesh within a poll or two of starting; members over DNS discovery sees every one of them.
        var members = try beamconsole(["members", "--json"] + c.discoveryArguments(pollInterval: 1))
        let deadline = Date().addingTimeInterval(3 * c.pollingInterval + 2)
        while members.status != 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.3)
            members = try beamconsole(["members", "--json"] + c.discoveryArguments(pollInterval: 1))
        }
        XCTAssertEqual(members.status, 0, members.stdout + members.stderr)
        let m = try XCTUnwrap(members.json, members.stdout)
        XCTAssertEqual(Set(m["nodes"] as? [String] ?? []), Set(tasks.map(\.node)), members.stdout)
        XCTAssertEqual((m["findings"] as? [Any])?.count, 0, members.stdout)

        let dns = try beamconsole(["dns", "--json"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(dns.status, 0, dns.stdout + dns.stderr)
        let poll = try XCTUnwrap((dns.json?["polls"] as? [[String: Any]])?.last, dns.stdout)
        let records = try XCTUnwrap(poll["records"] as? [[String: Any]])
        XCTAssertEqual(Set(records.compactMap { $0["address"] as? String }), Set(tasks.map(\.ip)))
        XCTAssertTrue(records.allSatisfy { $0["connection"] as? String == "up" && $0["ttl"] as? Int == 10 }, dns.stdout)
        XCTAssertEqual(poll["servers"] as? [String], ["\(c.dnsIP):53"])

        let multi = try beamconsole(["multicall", ":erlang.node()", "--json"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(multi.status, 0, multi.stdout + multi.stderr)
        let results = try XCTUnwrap(multi.json?["results"] as? [[String: Any]])
        XCTAssertEqual(Set(results.compactMap { $0["node"] as? String }), Set(tasks.map(\.node)))
    }

    /// A task registered in DNS shows up (dns_changed, nodeup) and a task deregistered and stopped goes (dns_changed,
    /// nodedown with its reason), each within two poll intervals.
    func testWatchSeesScaleUpAndScaleDownWithinTwoPollIntervals() throws {
        var joined: NetnsCluster.SimulatedTask?, left: NetnsCluster.SimulatedTask?
        var published = 0.0, deregistered = 0.0
        let events = try watch { c in
            let up = try c.addTask(inDNS: false, query: Self.nowhere)
            joined = up
            published = Date().timeIntervalSince1970
            try c.addDNSRecords([up.ip])
            Thread.sleep(forTimeInterval: 3)
            let down = try c.addTask(inDNS: false, query: Self.nowhere)
            left = down
            try c.addDNSRecords([down.ip])
            Thread.sleep(forTimeInterval: 2.5)
            deregistered = Date().timeIntervalSince1970
            try c.removeDNSRecords([down.ip])  // ECS deregisters from Cloud Map, then stops the task
            c.killTask(down)
        }
        let c = try sharedCluster()
        addTeardownBlock { if let joined { c.killTask(joined) } }
        let new = try XCTUnwrap(joined).node, gone = try XCTUnwrap(left).node
        let interval = c.pollingInterval
        XCTAssertEqual(events.first?["event"] as? String, "snapshot")

        let added = try XCTUnwrap(events.first { $0["event"] as? String == "dns_changed" && ($0["added"] as? [String] ?? []).contains(new) }, "\(events)")
        XCTAssertLessThanOrEqual(time(added) - published, 2 * interval + 0.3)
        let up = try XCTUnwrap(events.first { $0["event"] as? String == "nodeup" && $0["node"] as? String == new }, "\(events)")
        XCTAssertLessThanOrEqual(time(up) - published, 2 * interval + 0.5)

        let removed = try XCTUnwrap(events.first { $0["event"] as? String == "dns_changed" && ($0["removed"] as? [String] ?? []).contains(gone) }, "\(events)")
        XCTAssertLessThanOrEqual(time(removed) - deregistered, 2 * interval + 0.3)
        let down = try XCTUnwrap(events.first { $0["event"] as? String == "nodedown" && $0["node"] as? String == gone }, "\(events)")
        XCTAssertLessThanOrEqual(time(down) - deregistered, 2 * interval + 0.5)
        let reason = try XCTUnwrap(down["reason"] as? [String: Any])
        XCTAssertEqual(reason["stage"] as? String, "connection")
        XCTAssertNotNil(reason["code"] as? String)
    }

    /// A SIGKILLed task whose record stays: nodedown with the reason, then the record is flagged as stale.
    func testKilledTaskGivesNodedownAndItsRecordIsFlaggedStale() throws {
        var victim: NetnsCluster.SimulatedTask?
        var killed = 0.0
        let events = try watch { c in
            let v = try c.addTask(query: Self.nowhere)
            victim = v
            Thread.sleep(forTimeInterval: 3)
            killed = Date().timeIntervalSince1970
            c.killTask(v)
        }
        let c = try sharedCluster()
        let v = try XCTUnwrap(victim)
        addTeardownBlock { try? c.removeDNSRecords([v.ip]) }
        XCTAssertTrue(c.dnsRecords.contains(v.ip), "the record stays")
        let down = try XCTUnwrap(events.first { $0["event"] as? String == "nodedown" && $0["node"] as? String == v.node }, "\(events)")
        XCTAssertLessThan(time(down) - killed, 2)
        XCTAssertEqual((down["reason"] as? [String: Any])?["stage"] as? String, "connection")
        let stale = events.first {
            $0["event"] as? String == "dns_warning" && ($0["message"] as? String ?? "").contains("stale record: \(v.node)")
        }
        XCTAssertNotNil(stale, "\(events.filter { $0["event"] as? String == "dns_warning" })")
        // The one-shot dns view says that EPMD there no longer has the basename.
        let dns = try beamconsole(["dns"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(dns.status, 1, dns.stdout)
        XCTAssertTrue(dns.stdout.contains("\(v.ip): \"\(c.basename)\" is not registered in EPMD"), dns.stdout)
    }

    /// Broken tasks in DNS, each named at its stage by `doctor --dns-query`: a wrong cookie (cookie), a wrong basename
    /// (EPMD name, listing what is registered), 4369 dropped (TCP to EPMD), 9000-9010 dropped (TCP to the dist port).
    func testDoctorNamesTheFailingStageOfEachBrokenTask() throws {
        let c = try sharedCluster()
        let cookie = try c.addTask(cookie: "wrong-" + c.cookie, query: Self.nowhere)
        let basename = try c.addTask(basename: "otherapp", query: Self.nowhere)
        let epmd = try c.addTask(query: Self.nowhere)
        let dist = try c.addTask(query: Self.nowhere)
        addTeardownBlock {
            try? c.removeDNSRecords([cookie.ip, basename.ip, epmd.ip, dist.ip])
            for t in [epmd, dist] { try? c.unblockPorts(t) }
            for t in [cookie, basename, epmd, dist] { c.killTask(t) }
        }
        try c.blockPorts(epmd, NetnsCluster.epmdPorts, how: .drop)
        try c.blockPorts(dist, NetnsCluster.distPorts, how: .drop)

        let r = try beamconsole(["doctor", "--json"] + c.discoveryArguments(pollInterval: 1), timeout: 60)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        let targets = try XCTUnwrap(r.json?["targets"] as? [[String: Any]], r.stdout)
        var failed: [String: String] = [:]
        var byNode: [String: [String: Any]] = [:]
        for t in targets {
            let node = t["node"] as? String ?? ""
            byNode[node] = t
            failed[node] = t["failed_stage"] as? String ?? "none"
        }
        let name = { (t: NetnsCluster.SimulatedTask) in "\(c.basename)@\(t.ip)" }  // the node DNSPoll forms from the record
        XCTAssertEqual(failed[name(cookie)], "cookie", r.stdout)
        XCTAssertEqual(failed[name(basename)], "epmd_name", r.stdout)
        XCTAssertEqual(failed[name(epmd)], "tcp_epmd", r.stdout)
        XCTAssertEqual(failed[name(dist)], "tcp_dist", r.stdout)
        for t in healthy(c) where ![cookie, basename, epmd, dist].map(\.ip).contains(t.ip) {
            XCTAssertEqual(failed[t.node], "none", r.stdout)
        }
        let stages = byNode[name(basename)]?["stages"] as? [[String: Any]] ?? []
        let nameStage = stages.first { $0["name"] as? String == "epmd_name" }
        XCTAssertTrue("\(nameStage ?? [:])".contains("otherapp"), "lists what is registered: \(nameStage ?? [:])")
        let text = try beamconsole(["doctor"] + c.discoveryArguments(pollInterval: 1), timeout: 60)
        XCTAssertTrue(text.stdout.contains("RELEASE_COOKIE"), text.stdout)
        XCTAssertTrue(text.stdout.contains("4369"), text.stdout)
        XCTAssertTrue(text.stdout.contains("9000-9010"), text.stdout)
        XCTAssertFalse(text.stdout.contains(c.cookie))
    }
}
