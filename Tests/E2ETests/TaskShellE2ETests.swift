import ErlangTestSupport
import Foundation
import XCTest

/// `beamconsole` with no flags in an ECS task's exec shell (`aws ecs execute-command`), simulated by running it
/// inside a task's network namespace: the target is the one name the task's EPMD lists (its host part confirmed by
/// the handshake), the cookie is `RELEASE_COOKIE` or the running release's `releases/COOKIE`, and the rest of the
/// cluster comes from the target's libcluster topology, resolved through the task's own resolver (dnsmasq, as the
/// VPC resolver answers Cloud Map names). Needs root (CI runs as root); never skips.
///
/// One cluster of three tasks is shared by the class, and one real `mix release` (built once per test process) runs
/// as a fourth task, started by the first test that needs it.
final class TaskShellE2ETests: NetnsClusterTestCase {
    override class func makeCluster() throws -> NetnsCluster { try NetnsCluster(taskCount: 3, pollingInterval: 1) }

    override class var commandTimeout: TimeInterval { 40 }

    nonisolated(unsafe) private static var release: Result<NetnsCluster.ReleaseTask, any Error>?
    private static let releaseLock = NSLock()

    override class func tearDown() {
        releaseLock.withLock { release = nil }
        super.tearDown()
    }

    /// The class's running release (built and started on first use), in DNS and connected by every task.
    func sharedRelease() throws -> NetnsCluster.ReleaseTask {
        let c = try sharedCluster()
        return try Self.releaseLock.withLock {
            if let r = Self.release { return try r.get() }
            let r = Result { try c.addRelease(from: NetnsCluster.buildRelease()) }
            Self.release = r
            return try r.get()
        }
    }

    /// The nodes the cluster has now: the running tasks in DNS with its cookie and basename, and the release if it
    /// was started.
    func clusterNodes(_ c: NetnsCluster) -> Set<String> {
        let records = Set(c.dnsRecords)
        var nodes = Set(
            c.tasks.filter { c.isRunning($0) && records.contains($0.ip) && $0.cookie == c.cookie && $0.basename == c.basename }
                .map(\.node))
        if case .success(let r)? = Self.releaseLock.withLock({ Self.release }), c.isRunning(r) { nodes.insert(r.node) }
        return nodes
    }

    /// Runs the built `beamconsole` in `namespace` with the minimal environment plus `environment` (no RELEASE_* unless
    /// given), and checks that the cookie appears in none of its output.
    func shell(
        _ namespace: String, _ arguments: [String], environment: [String: String] = [:], file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> NetnsCluster.CommandResult {
        let c = try sharedCluster()
        let r = try c.run(in: namespace, [Self.binary] + arguments, environment: environment, timeout: Self.commandTimeout)
        XCTAssertFalse(r.timedOut, "beamconsole \(arguments) did not finish", file: file, line: line)
        XCTAssertFalse(r.stdout.contains(c.cookie) || r.stderr.contains(c.cookie), "the cookie was printed", file: file, line: line)
        return r
    }

    /// `members --json` in `namespace`, until it lists `expected` (the tasks mesh within a poll or two of a change).
    func members(
        in namespace: String, environment: [String: String], expected: Set<String>, verbose: Bool = true
    ) throws -> (result: NetnsCluster.CommandResult, nodes: Set<String>) {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let r = try shell(namespace, ["members", "--json"] + (verbose ? ["--verbose"] : []), environment: environment)
            let nodes = Set(r.json?["nodes"] as? [String] ?? [])
            if (r.status == 0 && nodes == expected) || Date() >= deadline { return (r, nodes) }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// The note on where discovery came from, as the console words it for the test cluster's topology.
    func discoveryNote(_ c: NetnsCluster, target: String) -> String {
        "discovery from \(target)'s libcluster topology ecs: DNSPoll query \(c.query), node_basename \(c.basename), "
            + "polling every \(Int(c.pollingInterval * 1000)) ms"
    }

    // MARK: - Tests

    /// A task shell whose environment has only RELEASE_COOKIE: members, multicall and dns cover every node of the
    /// cluster, and --verbose says where the target, the cookie and the discovery came from.
    func testTaskShellWithOnlyReleaseCookieFindsTheTargetAndTheWholeCluster() throws {
        let c = try sharedCluster()
        let task = try XCTUnwrap(c.tasks.first)
        let expected = clusterNodes(c)
        XCTAssertGreaterThanOrEqual(expected.count, 3)
        let env = ["RELEASE_COOKIE": c.cookie]

        let (r, nodes) = try members(in: task.namespace, environment: env, expected: expected)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(nodes, expected, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("target \(task.node) from the local EPMD (the only name it lists"), r.stderr)
        XCTAssertTrue(r.stderr.contains("cookie from RELEASE_COOKIE"), r.stderr)
        XCTAssertTrue(r.stderr.contains(discoveryNote(c, target: task.node)), r.stderr)

        let multi = try shell(task.namespace, ["multicall", ":erlang.node()", "--json"], environment: env)
        XCTAssertEqual(multi.status, 0, multi.stdout + multi.stderr)
        let results = try XCTUnwrap(multi.json?["results"] as? [[String: Any]], multi.stdout)
        XCTAssertEqual(Set(results.compactMap { $0["node"] as? String }), expected, multi.stdout)

        // The Cloud Map name from the topology, asked of the task's own resolver (its resolv.conf: dnsmasq).
        let dns = try shell(task.namespace, ["dns", "--json"], environment: env)
        XCTAssertEqual(dns.status, 0, dns.stdout + dns.stderr)
        let poll = try XCTUnwrap((dns.json?["polls"] as? [[String: Any]])?.last, dns.stdout)
        let records = try XCTUnwrap(poll["records"] as? [[String: Any]], dns.stdout)
        XCTAssertEqual(
            Set(records.compactMap { $0["address"] as? String }).map { "\(c.basename)@\($0)" }.sorted(),
            expected.sorted(), dns.stdout)
        XCTAssertEqual(poll["servers"] as? [String], ["\(c.dnsIP):53"], dns.stdout)
    }

    /// A task shell with no RELEASE_* at all, in a task running a real `mix release`: the cookie is the running
    /// release's `releases/COOKIE` (found through its VM's `-root`), the target its node, and members lists every
    /// node of the cluster.
    func testTaskShellWithOnlyTheReleaseOnDiskFindsTheCookieTargetAndCluster() throws {
        let c = try sharedCluster()
        let release = try sharedRelease()
        let expected = clusterNodes(c)
        XCTAssertTrue(expected.contains(release.node))

        let (r, nodes) = try members(in: release.namespace, environment: [:], expected: expected)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(nodes, expected, r.stdout + r.stderr)
        XCTAssertTrue(
            r.stderr.contains("cookie from \(release.root)/releases/COOKIE (the release running here)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("target \(release.node) from the local EPMD (the only name it lists"), r.stderr)
        XCTAssertTrue(r.stderr.contains(discoveryNote(c, target: release.node)), r.stderr)

        // info --json records the same origins (no discovery: info does not act on the cluster).
        let info = try shell(release.namespace, ["info", "--json"])
        XCTAssertEqual(info.status, 0, info.stdout + info.stderr)
        let origins = (info.json?["console_host"] as? [String: Any])?["origins"] as? [String] ?? []
        XCTAssertTrue(origins.contains("cookie from \(release.root)/releases/COOKIE (the release running here)"), info.stdout)
        XCTAssertTrue(origins.contains { $0.hasPrefix("target \(release.node) from the local EPMD") }, info.stdout)
    }

    /// RELEASE_NODE in the shell's environment still names the target, in a plain task (with RELEASE_COOKIE) and in
    /// the release's task (cookie from releases/COOKIE); without a host part (the task's environment has
    /// RELEASE_NODE=myapp and the release's env.sh adds its address), the host part guessed is confirmed by the
    /// handshake and the node's own name taken, for the cluster commands and for a plain call.
    func testReleaseNodeInTheEnvironmentStillWorks() throws {
        let c = try sharedCluster()
        let task = try XCTUnwrap(c.tasks.first)
        let release = try sharedRelease()
        let expected = clusterNodes(c)

        for (namespace, env, target, cookieOrigin) in [
            (task.namespace, ["RELEASE_COOKIE": c.cookie, "RELEASE_NODE": task.node, "RELEASE_DISTRIBUTION": "name"],
             task.node, "RELEASE_COOKIE"),
            (release.namespace, ["RELEASE_NODE": release.node], release.node,
             "\(release.root)/releases/COOKIE (the release running here)"),
        ] {
            let (r, nodes) = try members(in: namespace, environment: env, expected: expected)
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            XCTAssertEqual(nodes, expected, r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains("target \(target) from RELEASE_NODE"), r.stderr)
            XCTAssertTrue(r.stderr.contains("cookie from \(cookieOrigin)"), r.stderr)
            XCTAssertTrue(r.stderr.contains(discoveryNote(c, target: target)), r.stderr)
        }

        let alive = try XCTUnwrap(release.node.split(separator: "@").first.map(String.init))
        let (r, nodes) = try members(in: release.namespace, environment: ["RELEASE_NODE": alive], expected: expected)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(nodes, expected, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("target \(release.node) from RELEASE_NODE=\(alive) (as the node calls itself)"), r.stderr)
        XCTAssertTrue(r.stderr.contains(discoveryNote(c, target: release.node)), r.stderr)
        let call = try shell(
            release.namespace, ["call", "--syntax", "erlang", "erlang:node()"], environment: ["RELEASE_NODE": alive])
        XCTAssertEqual(call.status, 0, call.stdout + call.stderr)
        XCTAssertEqual(call.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "'\(release.node)'", call.stdout)
    }

    /// `trace` and `log` from a task shell with no RELEASE_* against the real release it runs next to: a call made
    /// meanwhile is shown with its arguments, the node confirms nothing is left, and a level change reverts.
    func testTraceAndLogLevelOnTheRealRelease() throws {
        let c = try sharedCluster()
        let release = try sharedRelease()
        // The trace runs in the background of one shell; a call that matches its pattern is made while it waits.
        let script = "\(Self.binary) trace :lists.seq/2 '[1, 12345]' --count 1 --for 20s > trace.out 2>&1 & "
            + "T=$!; sleep 2; \(Self.binary) eval 'length(:lists.seq(1, 12345))'; wait $T; echo \"trace exit $?\"; cat trace.out"
        let r = try c.run(in: release.namespace, ["/bin/sh", "-c", "cd \"$HOME\"; " + script], timeout: Self.commandTimeout)
        XCTAssertFalse(r.timedOut, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("12345\n"), r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("tracing :lists.seq/2 on \(release.node)"), r.stdout)
        XCTAssertTrue(r.stdout.contains(":lists.seq(1, 12345)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("nothing of the trace is left on \(release.node)"), r.stdout)
        XCTAssertFalse(r.stdout.contains(c.cookie))

        let show = try shell(release.namespace, ["log", "level", "--node", release.node])
        XCTAssertEqual(show.status, 0, show.stderr)
        let primary = try XCTUnwrap(show.stdout.components(separatedBy: "primary ").dropFirst().first?.prefix { $0.isLetter })
        let set = try shell(release.namespace, ["log", "level", "debug", "--for", "2s"])
        XCTAssertEqual(set.status, 0, set.stderr)
        XCTAssertTrue(set.stdout.contains("\(release.node): primary level debug (was \(primary))"), set.stdout)
        XCTAssertTrue(set.stdout.contains("\(release.node): primary level back to \(primary) (time up)"), set.stdout)
    }
}
