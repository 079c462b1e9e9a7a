import ErlangTestSupport
import Foundation
import XCTest

/// `top` and `health` against real Elixir nodes with planted culprits: a registered process with a flooded mailbox on
/// one node, one holding a large heap and one holding a large binary on another, a node near its process limit, a
/// node that does not answer. Each command must name the culprit on the right node, first.
final class TopHealthTests: XCTestCase {
    static let binary = TermCommandTests.binary.path
    let cookie = "tophealth" + String(UInt32.random(in: 0...UInt32.max))
    var nodes: [TestNode] = []

    override func tearDown() {
        for n in nodes { n.stop() }
        nodes = []
    }

    func start(_ extraArgs: [String] = []) throws -> TestNode {
        let n = try TestNode(kind: .elixir, cookie: cookie, extraArgs: extraArgs)
        nodes.append(n)
        return n
    }

    /// Runs the console; returns stdout, stderr and the exit status.
    func run(_ arguments: [String]) throws -> ConsoleRun {
        try ConsoleRun.run(
            arguments, environment: ["RELEASE_COOKIE": cookie, "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()])
    }

    /// Evaluates `code` on `node` (a one-shot eval) and checks it worked.
    func plant(_ node: TestNode, _ code: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(["eval", node.name, code])
        XCTAssertEqual(r.status, 0, "planting on \(node.name): \(r.out) \(r.err)", file: file, line: line)
    }

    func json(_ r: ConsoleRun, file: StaticString = #filePath, line: UInt = #line)
        throws -> [String: Any]
    {
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        return try XCTUnwrap(object, "no JSON (status \(r.status)): \(r.out) \(r.err)", file: file, line: line)
    }

    func testTopNamesEachCulpritFirstOnTheRightNodeAndTheOutlierNode() throws {
        let (a, b) = (try start(), try start())
        try plant(a, "Process.register(spawn(fn -> receive do :never -> :ok end end), :flooded); "
                  + "for i <- 1..20_000, do: send(:flooded, i); :ok")
        try plant(b, "spawn(fn -> Process.register(self(), :hog); l = Enum.to_list(1..1_000_000); "
                  + "receive do :never -> length(l) end end); :ok")
        try plant(b, "spawn(fn -> Process.register(self(), :binhog); bin = :binary.copy(\"x\", 40_000_000); "
                  + "receive do :never -> byte_size(bin) end end); :ok")
        let scope = ["--once", "--json", "--connect", a.name, "--nodes", b.name]

        var r = try run(["top", "--sort", "mqueue", "--limit", "3"] + scope)
        var j = try json(r)
        XCTAssertEqual(r.status, 0, r.err)
        var rows = try XCTUnwrap(j["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.first?["name"] as? String, "flooded")
        XCTAssertEqual(rows.first?["node"] as? String, a.name)
        XCTAssertEqual(rows.first?["value"] as? Int, 20_000)
        XCTAssertEqual(Set((j["nodes"] as? [String: Any])?.keys.map { $0 } ?? []), [a.name, b.name])

        r = try run(["top", "--sort", "memory"] + scope)
        rows = try XCTUnwrap(try json(r)["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.first?["name"] as? String, "hog")
        XCTAssertEqual(rows.first?["node"] as? String, b.name)
        XCTAssertGreaterThan(rows.first?["value"] as? Int ?? 0, 8_000_000)

        r = try run(["top", "--sort", "binary"] + scope)
        j = try json(r)
        rows = try XCTUnwrap(j["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.first?["name"] as? String, "binhog")
        XCTAssertGreaterThanOrEqual(rows.first?["value"] as? Int ?? 0, 40_000_000)
        let outliers = try XCTUnwrap(j["outliers"] as? [[String: Any]])
        XCTAssertTrue(outliers.contains { $0["node"] as? String == b.name && $0["metric"] as? String == "binary" },
                      "\(outliers)")

        // Reductions are a delta over the window: a busy process is first, not a long-lived one.
        try plant(a, "spawn(fn -> Process.register(self(), :busy); Stream.repeatedly(fn -> :erlang.phash2(make_ref()) end) "
                  + "|> Stream.run() end); :ok")
        r = try run(["top", "--sort", "reductions", "--window", "0.5"] + scope)
        rows = try XCTUnwrap(try json(r)["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.first?["name"] as? String, "busy", "\(rows)")
        try plant(a, "Process.exit(Process.whereis(:busy), :kill)")

        // The text view names the node and the process.
        let text = try run(["top", "--sort", "mqueue", "--limit", "2", "--once", "--connect", a.name, "--nodes", b.name])
        XCTAssertTrue(text.out.contains("flooded"), text.out)
        XCTAssertTrue(text.out.contains(a.name), text.out)
    }

    func testProcessesThatEndDuringTheScanDoNotFailItAndASilentNodeIsReported() throws {
        let (a, b, c) = (try start(), try start(), try start())
        // Thousands of processes that live a moment each, all through the scan.
        try plant(a, "spawn(fn -> Process.register(self(), :churn); "
                  + "Stream.repeatedly(fn -> for _ <- 1..200, do: spawn(fn -> :ok end) end) |> Stream.run() end); :ok")
        for _ in 0..<5 {
            let r = try run(["top", "--once", "--json", "--sort", "reductions", "--window", "0.2", "--node", a.name,
                             "--connect", a.name])
            XCTAssertEqual(r.status, 0, r.out + r.err)
            XCTAssertFalse((try json(r)["rows"] as? [[String: Any]] ?? []).isEmpty)
        }
        try plant(a, "Process.exit(Process.whereis(:churn), :kill)")

        c.signal(SIGSTOP)
        defer { c.signal(SIGCONT) }
        let r = try run(["top", "--once", "--json", "--timeout", "3", "--connect", a.name, "--nodes", "\(b.name),\(c.name)"])
        XCTAssertEqual(r.status, 1, "a node did not answer: \(r.err)")
        let j = try json(r)
        let failures = try XCTUnwrap(j["failures"] as? [String: [String: Any]])
        XCTAssertEqual(Array(failures.keys), [c.name])
        XCTAssertEqual(Set((j["nodes"] as? [String: Any])?.keys.map { $0 } ?? []), [a.name, b.name])
        let h = try run(["health", "--json", "--timeout", "3", "--window", "0.2", "--connect", a.name,
                         "--nodes", "\(b.name),\(c.name)"])
        let hj = try json(h)
        XCTAssertEqual(Array((hj["failures"] as? [String: Any] ?? [:]).keys), [c.name])
        XCTAssertEqual((hj["nodes"] as? [[String: Any]])?.count, 2)
    }

    func testHealthWarnsNearAProcessLimitAndMeasuresSchedulers() throws {
        let (a, small) = (try start(), try start(["+P", "1024"]))
        // 1024 is the smallest process limit: fill it to about 90%.
        try plant(small, "for _ <- 1..860, do: spawn(fn -> receive do :never -> :ok end end); :ok")
        let r = try run(["health", "--json", "--window", "0.3", "--connect", a.name, "--nodes", small.name])
        let j = try json(r)
        XCTAssertEqual(r.status, 1, "a warning: \(r.out)")
        let warnings = try XCTUnwrap(j["warnings"] as? [[String: Any]])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertEqual(warnings.first?["node"] as? String, small.name)
        XCTAssertEqual(warnings.first?["limit"] as? String, "processes")
        XCTAssertEqual(warnings.first?["max"] as? Int, 1024)
        let nodes = try XCTUnwrap(j["nodes"] as? [[String: Any]])
        XCTAssertEqual(nodes.count, 2)
        for n in nodes {
            XCTAssertNotNil((n["memory"] as? [String: Int])?["total"], "\(n)")
            let util = try XCTUnwrap(n["utilization"] as? Double, "\(n)")
            XCTAssertTrue((0...1).contains(util), "\(util)")
            XCTAssertEqual((n["limits"] as? [[String: Any]])?.count, 4, "\(n)")
        }
        // The measurement flag is back to what it was (off) on every node.
        for node in [a, small] {
            let flag = try run(["call", node.name, ":erlang.system_flag(:scheduler_wall_time, false)"])
            XCTAssertEqual(flag.out.trimmingCharacters(in: .whitespacesAndNewlines), "false", flag.out + flag.err)
        }
        let text = try run(["health", "--window", "0", "--connect", a.name, "--nodes", small.name])
        XCTAssertTrue(text.out.contains("processes at 8") || text.out.contains("processes at 9"), text.out)
    }
}
