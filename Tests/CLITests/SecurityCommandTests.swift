import ErlangTestSupport
import Foundation
import XCTest

/// `--read-only`, `--audit-log`, confirmation, and the cookie kept out of everything the console produces.
final class SecurityCommandTests: XCTestCase {
    nonisolated(unsafe) static var cluster: DemoCluster!
    static let binary = TermCommandTests.binary.path

    override class func setUp() { cluster = try? DemoCluster(count: 2) }
    override class func tearDown() { cluster?.stop() }

    var dir: URL!
    override func setUpWithError() throws {
        _ = try XCTUnwrap(Self.cluster, "demo cluster did not start")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(at: dir) } }

    var nodes: [String] { Self.cluster.nodes }
    var cookie: String { Self.cluster.cookie }

    /// Everything a run produced, for the cookie scan.
    nonisolated(unsafe) static var produced: [String] = []

    struct Run {
        var status: Int32
        var out: String
    }

    func run(_ args: [String], stdin: String? = nil, env extra: [String: String] = [:], cookieEnv: Bool = true) throws -> Run {
        var env = ProcessInfo.processInfo.environment
        env["RELEASE_COOKIE"] = cookieEnv ? cookie : nil
        env["RELEASE_NODE"] = nil
        env["XDG_STATE_HOME"] = dir.path
        for (k, v) in extra { env[k] = v }
        let file = dir.appendingPathComponent("out-\(UUID().uuidString)")
        var arguments = args
        var executable = Self.binary
        if let stdin {
            let input = dir.appendingPathComponent("in-\(UUID().uuidString)")
            try stdin.write(to: input, atomically: true, encoding: .utf8)
            arguments = ["-c", "exec \"$0\" \"$@\" < \"\(input.path)\"", Self.binary] + args
            executable = "/bin/sh"
        }
        let p = try ChildProcess(executable: executable, arguments: arguments, environment: env, outputPath: file.path)
        guard let raw = p.wait(timeout: 60) else {
            p.stop()
            throw TestSupportError("beamconsole \(args) did not finish")
        }
        let out = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        Self.produced.append(out)
        return Run(status: (raw >> 8) & 0xff, out: out)
    }

    func testReadOnlyAllowsIntrospectionAndRefusesEverythingElse() throws {
        let ok = try run(["call", "--read-only", nodes[0], "Node.list()"])
        XCTAssertEqual(ok.status, 0, ok.out)
        XCTAssertTrue(ok.out.contains(nodes[1]), ok.out)
        let memory = try run(["call", "--read-only", "--syntax", "erlang", nodes[0], "erlang:memory(total)"])
        XCTAssertEqual(memory.status, 0, memory.out)

        let halt = try run(["call", "--read-only", nodes[0], ":init.stop()"])
        XCTAssertEqual(halt.status, 77, halt.out)
        XCTAssertTrue(halt.out.contains("refused: init:stop/0 is not on the --read-only allowlist"), halt.out)
        let env = try run(["call", "--read-only", nodes[0], "Application.get_env(:demo, :secret)"])
        XCTAssertEqual(env.status, 77, env.out)
        // Any expression is checked on the node before it runs: pure code runs, anything else is refused by name.
        let pure = try run(["eval", "--read-only", "--json", nodes[0], "Enum.sum(1..4) + length(Node.list())"])
        XCTAssertEqual(pure.status, 0, pure.out)
        let eval = try run(["eval", "--read-only", "--json", nodes[0], "Demo.Orders.create(\"x\")"])
        XCTAssertEqual(eval.status, 77, eval.out)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(eval.out.utf8)) as? [String: Any], eval.out)
        XCTAssertEqual(doc["status"] as? String, "refused")
        XCTAssertTrue(eval.out.contains("Demo.Orders.create/1"), eval.out)
        let orders = try run(["eval", nodes[0], "length(Demo.Orders.list())"])
        XCTAssertEqual(orders.out.trimmingCharacters(in: .whitespacesAndNewlines), "2", "the refused line did not run")
        let multi = try run(["multicall", "--read-only", "Demo.Orders.fetch!(1)", "--nodes"] + nodes)
        XCTAssertEqual(multi.status, 77, multi.out)
        let multiOK = try run(["multicall", "--read-only", ":erlang.system_info(:otp_release)", "--nodes"] + nodes)
        XCTAssertEqual(multiOK.status, 0, multiOK.out)

        // The node really was not touched: still up after the refused :init.stop().
        let still = try run(["ping", nodes[0]])
        XCTAssertEqual(still.status, 0, still.out)

        // The REPL applies it too.
        let repl = try run(["--read-only", "--connect", nodes[0]], stdin: ":erlang.node()\n:erlang.halt()\n")
        XCTAssertEqual(repl.status, 77, repl.out)
        XCTAssertTrue(repl.out.contains(":\(nodes[0])"), repl.out)
        XCTAssertTrue(repl.out.contains("refused"), repl.out)
    }

    func testAuditLogHasOneLinePerRemoteOperation() throws {
        let log = dir.appendingPathComponent("audit.jsonl").path
        _ = try run(["call", "--audit-log", log, nodes[0], "Demo.Stats.hello(\"audit\")"])
        _ = try run(["eval", "--audit-log", log, nodes[0], "x = 40\nx + 2"])
        _ = try run(["call", "--audit-log", log, nodes[0], "Demo.Orders.fetch!(99)"])
        _ = try run(["multicall", "--audit-log", log, ":erlang.node()", "--nodes"] + nodes)
        _ = try run(["call", "--read-only", "--audit-log", log, nodes[0], ":init.stop()"])
        _ = try run(["ping", "--audit-log", log, nodes[0]])  // not a remote operation of the user's

        let text = try String(contentsOfFile: log, encoding: .utf8)
        Self.produced.append(text)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, text)
        let entries = try lines.map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(entries.map { $0["operation"] as? String }, ["call", "eval", "call", "multicall", "call"])
        XCTAssertEqual(entries.map { $0["outcome"] as? String }, ["ok", "ok", "exception", "ok", "refused"])
        XCTAssertEqual(entries[0]["mfa"] as? String, "Elixir.Demo.Stats:hello/1")
        XCTAssertEqual(entries[0]["targets"] as? [String], [nodes[0]])
        XCTAssertEqual(entries[1]["source"] as? String, "x = 40\nx + 2")
        XCTAssertEqual((entries[3]["results"] as? [String: String])?.keys.sorted(), nodes.sorted())
        for e in entries {
            XCTAssertNotNil(e["time"] as? String)
            XCTAssertNotNil(e["duration_ms"] as? Double)
            XCTAssertTrue((e["console"] as? String)?.hasPrefix("beamconsole_") ?? false)
        }
        let mode = try FileManager.default.attributesOfItem(atPath: log)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    /// A distinctive cookie goes through every scenario — results, errors, JSON, eval sources, history, the audit log,
    /// `--cookie` on the command line, a wrong cookie, doctor, watch — and appears in none of what is produced.
    func testTheCookieNeverAppears() throws {
        let log = dir.appendingPathComponent("audit.jsonl").path
        let cookieFile = dir.appendingPathComponent("cookie")
        try cookie.write(to: cookieFile, atomically: true, encoding: .utf8)
        chmod(cookieFile.path, 0o600)

        let asked = try run(["call", "--audit-log", log, nodes[0], "Node.get_cookie()"])
        XCTAssertEqual(asked.status, 0, asked.out)
        XCTAssertTrue(asked.out.contains("[cookie redacted]"), asked.out)
        _ = try run(["call", "--json", nodes[0], ":erlang.get_cookie()"])
        _ = try run(["eval", "--audit-log", log, nodes[0], "String.length(\"\(cookie)\")"])
        _ = try run(["eval", "--json", nodes[0], "raise \"#{Node.get_cookie()}\""])
        _ = try run(["call", "--cookie", cookie, nodes[0], "Node.self()"], cookieEnv: false)
        _ = try run(["call", "--cookie-file", cookieFile.path, nodes[0], "Node.self()"], cookieEnv: false)
        _ = try run(["ping", "--json", nodes[0]], env: ["RELEASE_COOKIE": cookie + "x"])
        _ = try run(["doctor", "--json", nodes[0]])
        _ = try run(["doctor", nodes[0]], env: ["RELEASE_COOKIE": cookie + "x"])
        _ = try run(["members", "--json", "--connect", nodes[0]])
        _ = try run(["info", "--json", nodes[0]])
        _ = try run(["watch", "--json", "--duration", "1", "--connect", nodes[0]])
        _ = try run(["nodes", "--json", "--connect", nodes[0]])
        // History (a terminal): a line with the cookie in it is kept out, the other one is kept.
        let t = try TmuxTerminal(
            command: "\(Self.binary) --connect \(nodes[0])",
            environment: ["RELEASE_COOKIE": cookie, "XDG_STATE_HOME": dir.path, "TERM": "xterm-256color"])
        defer { t.stop() }
        try t.waitFor { $0.contains("beamconsole(\(self.nodes[0]))> ") }
        try t.type("eval String.length(\"\(cookie)\")")
        try t.press("Enter")
        try t.waitFor { $0.contains("\n\(self.cookie.count)") }
        try t.type("Node.self()")
        try t.press("Enter")
        let screen = try t.waitFor { $0.contains(":\(self.nodes[0])") }
        Self.produced.append(screen.replacingOccurrences(of: "eval String.length(\"\(cookie)\")", with: ""))  // our own typing
        try t.press("C-d")
        let history = try String(contentsOfFile: dir.appendingPathComponent("beamconsole/history").path, encoding: .utf8)
        XCTAssertTrue(history.contains("Node.self()"), history)
        Self.produced.append(history)

        Self.produced.append(try String(contentsOfFile: log, encoding: .utf8))
        for (i, text) in Self.produced.enumerated() {
            XCTAssertFalse(text.contains(cookie), "output #\(i) contains the cookie: \(text.prefix(300))")
        }
    }

    /// At a terminal, a multicall to more than one node asks first; n does nothing, y runs it; --yes skips the question.
    func testMulticallAsksBeforeActingOnSeveralNodes() throws {
        let t = try TmuxTerminal(
            command: "\(Self.binary) --connect \(nodes[0]) --connect \(nodes[1])",
            environment: ["RELEASE_COOKIE": cookie, "XDG_STATE_HOME": dir.path, "TERM": "xterm-256color"], columns: 200)
        defer { t.stop() }
        try t.waitFor { $0.contains("beamconsole(\(self.nodes[0]))> ") }
        try t.type("multicall Demo.Stats.hello(\"confirm\")")
        try t.press("Enter")
        try t.waitFor { $0.contains("on 2 nodes (") && $0.contains("[y/N]") }
        try t.type("n")
        try t.press("Enter")
        var screen = try t.waitFor { $0.contains("not run") }
        XCTAssertFalse(screen.contains("hello, confirm"), screen)
        try t.type("multicall Demo.Stats.hello(\"confirm\")")
        try t.press("Enter")
        try t.waitFor { $0.components(separatedBy: "[y/N]").count == 3 }
        try t.type("y")
        try t.press("Enter")
        screen = try t.waitFor { $0.contains(":ok") }
        XCTAssertTrue(screen.contains(nodes[1]), screen)
    }
}
