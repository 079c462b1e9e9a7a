import ErlangTestSupport
import Foundation
import XCTest

/// With no flags but the cookie, the console finds the node running on its host through the local EPMD, as in an
/// exec shell in an ECS task. Each test runs its own EPMD on a private port (`ERL_EPMD_PORT`), so that only its own
/// nodes are listed; the nodes are stopped by PID and the EPMD with its own kill request.
final class LocalTargetTests: XCTestCase {
    let cookie = "lt" + String(UInt32.random(in: 0...UInt32.max))
    let port = Int.random(in: 20_000...29_999)
    var nodes: [ChildProcess] = []

    override func tearDown() {
        for n in nodes { n.stop() }
        // EPMD refuses to stop while a node is still registered: the stopped nodes' connections close a moment later.
        guard let epmd = TestNode.which("epmd") else { return }
        for _ in 0..<50 {
            let out = (try? ChildProcess.output(of: epmd, ["-port", "\(port)", "-kill"])) ?? ""
            if !out.contains("not allowed") { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    func startNode(_ alive: String, longHost: String? = nil) throws {
        let erl = try XCTUnwrap(TestNode.which("erl"))
        let name = longHost.map { ["-name", "\(alive)@\($0)"] } ?? ["-sname", alive]
        let p = try ChildProcess(
            executable: erl, arguments: name + ["-setcookie", cookie, "-noshell", "-noinput"],
            environment: ["ERL_EPMD_PORT": "\(port)", "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()],
            outputPath: NSTemporaryDirectory() + "lt-\(alive).log")
        nodes.append(p)
        let epmd = try XCTUnwrap(TestNode.which("epmd"))
        for _ in 0..<100 {
            if (try? ChildProcess.output(of: epmd, ["-port", "\(port)", "-names"]))?.contains("name \(alive) ") == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("\(alive) did not register with the EPMD on port \(port)")
    }

    func console(_ arguments: [String]) throws -> String {
        try ChildProcess.output(
            of: TermCommandTests.binary.path, arguments,
            environment: ["ERL_EPMD_PORT": "\(port)", "RELEASE_COOKIE": cookie, "PATH": "/usr/bin:/bin"], timeout: 30)
    }

    func testTheOneLocalNodeIsTheTarget() throws {
        try startNode("solo")
        let node = "solo@\(TestNode.shortHost)"
        let out = try console(["nodes", "--verbose"])
        XCTAssertTrue(out.contains("target \(node) from the local EPMD (the only name it lists"), out)
        XCTAssertTrue(out.contains("\(node) *  up"), out)
        let eval = try console(["eval", "--syntax", "erlang", "node()"])
        XCTAssertEqual(eval.trimmingCharacters(in: .whitespacesAndNewlines), node)
    }

    func testALongNamedLocalNodeIsTakenAsItCallsItself() throws {
        try startNode("long", longHost: "127.0.0.1")
        let out = try console(["nodes", "--verbose"])
        XCTAssertTrue(out.contains("target long@127.0.0.1 from the local EPMD (the only name it lists; as the node calls itself)"), out)
        XCTAssertTrue(out.contains("long@127.0.0.1 *  up"), out)
    }

    func testSeveralLocalNodesAreListedAndNoneIsPicked() throws {
        try startNode("web")
        try startNode("worker")
        let out = try console(["nodes", "--verbose"])
        XCTAssertTrue(out.contains("the local EPMD lists web, worker: give the target with --connect"), out)
        XCTAssertTrue(out.contains("no connections"), out)
    }
}
