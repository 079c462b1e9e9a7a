import ErlangTestSupport
import Foundation
import XCTest

/// Fifty tasks: the network-namespace ECS service (``NetnsCluster``) at the size of a real service, started in
/// parallel with light nodes, meshed by DNSPoll; the console finds all of them through DNS and `members`, `multicall`,
/// `watch` and `doctor` each complete correctly over all fifty. Needs root (CI runs as root); never skips.
final class ScaleE2ETests: NetnsClusterTestCase {
    static let size = 50

    override class func makeCluster() throws -> NetnsCluster {
        let started = Date()
        let c = try NetnsCluster(
            taskCount: size, pollingInterval: 1, timeout: 240, extraErlFlags: NetnsCluster.largeClusterErlFlags)
        do {
            let up = Date().timeIntervalSince(started)
            let mesh = try c.waitForMesh(c.tasks, timeout: 120)
            let rss = c.residentKB(c.tasks).values.reduce(0, +)
            print(String(
                format: "ScaleE2ETests: %d tasks up in %.1f s, full mesh %.1f s later; nodes' RSS %.0f MB",
                size, up, mesh, Double(rss) / 1024))
        } catch {
            c.teardown()
            throw error
        }
        return c
    }

    override class var commandTimeout: TimeInterval { 60 }

    /// Also prints how long the command took, and checks that it finished and did not print the cookie.
    override func beamconsole(_ args: [String], cookie: String? = nil, timeout: TimeInterval? = nil) throws
        -> NetnsCluster.CommandResult
    {
        let c = try sharedCluster()
        let started = Date()
        let timeout = timeout ?? Self.commandTimeout
        let r = try super.beamconsole(args, cookie: cookie, timeout: timeout)
        print(String(format: "ScaleE2ETests: beamconsole %@ over %d nodes: %.2f s", args[0], Self.size,
                     Date().timeIntervalSince(started)))
        XCTAssertFalse(r.timedOut, "beamconsole \(args[0]) did not finish within \(timeout) s")
        XCTAssertFalse(r.stdout.contains(c.cookie) || r.stderr.contains(c.cookie))
        return r
    }

    var names: Set<String> { Set(Self.cluster?.tasks.map(\.node) ?? []) }

    // MARK: - Tests

    func testMembersShowsTheFullFiftyByFiftyMatrixWithNoFindings() throws {
        let c = try sharedCluster()
        let r = try beamconsole(["members", "--json"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(r.json, r.stdout + r.stderr)
        XCTAssertEqual(Set(json["nodes"] as? [String] ?? []), names)
        let lists = try XCTUnwrap(json["lists"] as? [String: [String]])
        XCTAssertEqual(Set(lists.keys), names, "every node was asked")
        for (n, list) in lists {
            XCTAssertEqual(Set(list), names.subtracting([n]), "\(n) lists every other node")
        }
        XCTAssertEqual((json["findings"] as? [Any])?.count, 0, "\(json["findings"] ?? "")")
        XCTAssertEqual((json["errors"] as? [String: Any])?.count, 0, "\(json["errors"] ?? "")")

        // The text matrix fits 80 columns: a row per node, its name whole, one cell per node (49 ✓ and itself).
        let text = try beamconsole(["members"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(text.status, 0, text.stderr)
        let rows = text.stdout.split(separator: "\n").filter { $0.contains("✓") && $0.contains("@") }
        XCTAssertEqual(rows.count, Self.size, text.stdout)
        XCTAssertEqual(Set(rows.compactMap { $0.split(separator: " ").first { $0.contains("@") }.map(String.init) }), names,
                       text.stdout)
        XCTAssertTrue(rows.allSatisfy { $0.filter { $0 == "✓" }.count == Self.size - 1 }, text.stdout)
        XCTAssertTrue(rows.allSatisfy { $0.count <= 80 }, text.stdout)
        XCTAssertTrue(text.stdout.contains("no findings"), text.stdout)
    }

    func testMulticallReachesAllFifty() throws {
        let c = try sharedCluster()
        let r = try beamconsole(["multicall", ":erlang.node()", "--json", "--yes"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let results = try XCTUnwrap(r.json?["results"] as? [[String: Any]], r.stdout)
        XCTAssertEqual(results.count, Self.size)
        for row in results {
            let n = row["node"] as? String ?? ""
            XCTAssertEqual(row["status"] as? String, "ok", "\(row)")
            XCTAssertEqual(row["result"] as? String, ":\"\(n)\"", "each node answers with its own name: \(row)")
        }
        XCTAssertEqual(Set(results.compactMap { $0["node"] as? String }), names)
        print("ScaleE2ETests: multicall over \(Self.size): \(r.json?["elapsed_ms"] ?? "?") ms in the calls")
    }

    func testWatchListsAllFiftyUp() throws {
        let c = try sharedCluster()
        let r = try beamconsole(["watch", "--json", "--duration", "4"] + c.discoveryArguments(pollInterval: 1))
        XCTAssertEqual(r.status, 0, r.stderr)
        let objects = r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let snapshot = try XCTUnwrap(objects.first { $0["event"] as? String == "snapshot" }, r.stdout)
        let nodes = try XCTUnwrap(snapshot["nodes"] as? [[String: Any]])
        let up = nodes.filter { $0["state"] as? String == "up" }.compactMap { $0["node"] as? String }
        XCTAssertEqual(Set(up), names, r.stdout)
        // Every node sees all the others, and nothing went down while watching.
        for n in nodes {
            XCTAssertEqual((n["sees"] as? [String])?.count, Self.size - 1, "\(n)")
            XCTAssertEqual(n["expected_peers"] as? Int, Self.size - 1, "\(n)")
        }
        let trouble = objects.filter { ["nodedown", "connect_failed", "dns_warning"].contains($0["event"] as? String ?? "") }
        XCTAssertEqual(trouble.count, 0, "\(trouble)")
    }

    func testDoctorPassesEveryStageForAllFifty() throws {
        let c = try sharedCluster()
        let r = try beamconsole(["doctor", "--json"] + c.discoveryArguments(pollInterval: 1), timeout: 90)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let targets = try XCTUnwrap(r.json?["targets"] as? [[String: Any]], r.stdout)
        XCTAssertEqual(Set(targets.compactMap { $0["node"] as? String }), names)
        for t in targets {
            XCTAssertEqual(t["failed_stage"] as? String ?? "none", "none", "\(t)")
            let stages = t["stages"] as? [[String: Any]] ?? []
            XCTAssertFalse(stages.isEmpty, "\(t)")
            // TLS is "skipped" (plain distribution); every other stage passed, down to the ticks.
            XCTAssertTrue(stages.allSatisfy { ["ok", "skipped"].contains($0["status"] as? String ?? "") }, "\(t)")
            let passed = Set(stages.filter { $0["status"] as? String == "ok" }.compactMap { $0["name"] as? String })
            XCTAssertTrue(passed.isSuperset(of: ["dns", "tcp_epmd", "epmd_name", "tcp_dist", "handshake", "cookie", "ticks"]),
                          "\(t)")
        }
    }
    func testTopAndHealthCoverAllFifty() throws {
        let c = try sharedCluster()
        let r = try beamconsole(["top", "--json", "--limit", "20", "--sort", "reductions"] + c.discoveryArguments(pollInterval: 1),
                                timeout: 90)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let json = try XCTUnwrap(r.json, r.stdout)
        XCTAssertEqual(Set((json["nodes"] as? [String: Any])?.keys.map { $0 } ?? []), names, r.stdout)
        let rows = try XCTUnwrap(json["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 20)
        let values = rows.compactMap { $0["value"] as? Int }
        XCTAssertEqual(values, values.sorted(by: >), "merged largest first")
        XCTAssertEqual((json["failures"] as? [String: Any])?.count, 0, r.stdout)

        let h = try beamconsole(["health", "--json", "--window", "0.5"] + c.discoveryArguments(pollInterval: 1), timeout: 90)
        XCTAssertEqual(h.status, 0, h.stdout + h.stderr)
        let nodes = try XCTUnwrap(h.json?["nodes"] as? [[String: Any]], h.stdout)
        XCTAssertEqual(Set(nodes.compactMap { $0["node"] as? String }), names)
        for n in nodes {
            XCTAssertNotNil(n["utilization"] as? Double, "\(n)")
            // Every peer of the mesh has a distribution connection; the console's own is one more.
            XCTAssertGreaterThanOrEqual((n["dist_queued"] as? [String: Any])?.count ?? 0, Self.size - 1, "\(n)")
        }
    }
    /// `top` live on a terminal over all fifty for ten seconds: it refreshes, q quits, and the console's own CPU time
    /// and peak RSS (measured by /usr/bin/time) are printed for the benchmark notes.
    func testTopLiveOverFiftyRefreshesAndQuits() throws {
        let c = try sharedCluster()
        let costFile = c.directory.appendingPathComponent("top-live-cost-\(UUID().uuidString)").path
        let args = (["top", "--interval", "1", "--sort", "memory", "--limit", "15"] + c.discoveryArguments(pollInterval: 1))
            .joined(separator: " ")
        let t = try TmuxTerminal(
            command: "ip netns exec \(c.consoleNamespace) /usr/bin/time -o \(costFile) -f '%U %S %M' "
                + "\(Self.binary) \(args)",
            environment: ["RELEASE_COOKIE": c.cookie, "TERM": "xterm-256color", "HOME": c.directory.path],
            columns: 160, rows: 40)
        defer { t.stop() }
        let first = try t.waitFor(timeout: 30) { $0.contains("across 50 nodes") }
        XCTAssertTrue(first.contains("across 50 nodes"), first)
        Thread.sleep(forTimeInterval: 10)
        let screen = try t.screen()
        XCTAssertTrue(screen.contains("q quits"), screen)
        XCTAssertTrue(c.tasks.contains { screen.contains($0.node) }, screen)
        try t.press("q")
        let after = try t.waitFor(timeout: 10) { $0.contains("[exited 0]") }
        XCTAssertTrue(after.contains("[exited 0]"), "q quits with status 0: \(after)")
        let cost = (try? String(contentsOfFile: costFile, encoding: .utf8))?.split(separator: " ") ?? []
        XCTAssertEqual(cost.count, 3, "/usr/bin/time wrote \(cost)")
        if cost.count == 3, let user = Double(cost[0]), let sys = Double(String(cost[1])),
            let rss = Double(cost[2].trimmingCharacters(in: .whitespacesAndNewlines))
        {
            print(String(format: "ScaleE2ETests: top live over 50 nodes for about 11 s: CPU %.2f s (user %.2f, system %.2f), peak RSS %.1f MB",
                         user + sys, user, sys, rss / 1024))
        }
    }
}
