import ConsoleREPL
import ErlangTestSupport
import Foundation
import XCTest

/// One-shot subcommands against real nodes: text, the documented JSON shapes, exit codes, piped scripts.
final class OneShotCommandTests: XCTestCase {
    nonisolated(unsafe) static var cluster: DemoCluster!

    override class func setUp() {
        cluster = try? DemoCluster(count: 3)
    }

    override class func tearDown() {
        cluster?.stop()
    }

    struct Run {
        var status: Int32
        var out: String
        var err: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any]
        }
    }

    func run(_ args: [String], stdin: String = "", cookie: String? = nil, extraEnvironment: [String: String] = [:])
        throws -> Run
    {
        let cluster = try XCTUnwrap(Self.cluster, "demo cluster did not start")
        let p = Process()
        p.executableURL = TermCommandTests.binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["RELEASE_COOKIE"] = cookie ?? cluster.cookie
        env["RELEASE_NODE"] = nil
        env.merge(extraEnvironment) { _, new in new }
        p.environment = env
        let i = Pipe(), o = Pipe(), e = Pipe()
        p.standardInput = i
        p.standardOutput = o
        p.standardError = e
        try p.run()
        i.fileHandleForWriting.write(Data(stdin.utf8))
        try i.fileHandleForWriting.close()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    var nodes: [String] { Self.cluster?.nodes ?? [] }

    func testNodesJSONShape() throws {
        let r = try run(["nodes", "--json", "--connect", nodes[0], "--connect", nodes[1]])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertTrue((json["self"] as? String)?.hasPrefix("beamconsole_") == true)
        let rows = try XCTUnwrap(json["nodes"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["node"] as? String }, [nodes[0], nodes[1]])
        for row in rows {
            XCTAssertEqual(row["state"] as? String, "up")
            XCTAssertEqual(row["type"] as? String, "normal")
            XCTAssertNotNil(row["since"] as? String)
            XCTAssertNotNil(row["rtt_ms"] as? Double)
            XCTAssertNotNil(row["target"] as? Bool)
        }
    }

    func testCallJSONAndExitCodes() throws {
        var r = try run(["call", nodes[0], "Demo.Stats.info()", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        var json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["status"] as? String, "ok")
        XCTAssertEqual(json["node"] as? String, nodes[0])
        XCTAssertEqual((json["value"] as? [String: Any])?["otp_release"] as? String, "25")
        XCTAssertTrue((json["result"] as? String)?.hasPrefix("%{") == true)

        r = try run(["call", nodes[0], "Demo.Orders.fetch!(7)", "--json"])
        XCTAssertEqual(r.status, 1)
        json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["status"] as? String, "exception")
        XCTAssertEqual(json["class"] as? String, "error")
        XCTAssertTrue((json["message"] as? String)?.hasPrefix("** (ArgumentError) no order with id 7") == true)

        r = try run(["call", nodes[0], "Node.list("])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.err.contains("column"), r.err)

        r = try run(["call", nodes[0], "Node.list()"], cookie: "wrong-cookie")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("cookie"), r.err)
        XCTAssertFalse(r.err.contains("wrong-cookie"), "the cookie must never be printed")
    }

    /// A plain `call` runs on one blocking connection; with BEAMCONSOLE_NIO_CALL it runs on the LocalNode path. Both
    /// must print the same thing and exit the same way, for results, output, exceptions and every kind of failure.
    func testBlockingCallMatchesTheNIOPath() throws {
        let host = Self.cluster.host
        let cases: [[String]] = [
            ["call", nodes[0], ":erlang.node()"],
            ["call", nodes[0], "Demo.Orders.fetch!(1)", "--json"],
            ["call", nodes[0], "Demo.Orders.fetch!(1)"],
            ["call", nodes[0], "IO.puts(\"side\")"],
            ["call", nodes[0], "IO.puts(\"side\")", "--json"],
            ["call", nodes[0], "Demo.Orders.fetch!(7)"],
            ["call", nodes[0], "Demo.Orders.fetch!(7)", "--json"],
            ["call", "--syntax", "erlang", nodes[0], "erlang:exit(bye)"],
            ["call", nodes[0], ":erlang.throw(:ball)"],
            ["call", nodes[0], ":timer.sleep(2000)", "--timeout", "0.3"],
            ["call", nodes[0], "Node.list("],
            ["call", ":erlang.node()"],
            ["call", "--connect", nodes[1], ":erlang.node()"],
            ["call", "--connect", "nosuch@\(host)", ":erlang.node()", "--json"],
            ["call", "nosuch@\(host)", ":erlang.node()"],
            ["call", "nosuch@\(host)", ":erlang.node()", "--json"],
            ["call", "x@no-such-host.invalid", ":erlang.node()"],
            ["call", nodes[0], "Node.get_cookie()"],
        ]
        for args in cases {
            let blocking = try run(args)
            let nio = try run(args, extraEnvironment: ["BEAMCONSOLE_NIO_CALL": "1"])
            XCTAssertEqual(blocking.status, nio.status, "\(args)")
            XCTAssertEqual(blocking.out, nio.out, "\(args)")
            XCTAssertEqual(blocking.err, nio.err, "\(args)")
        }
        let wrong = try run(["call", nodes[0], ":erlang.node()", "--json"], cookie: "wrong-cookie")
        let wrongNIO = try run(["call", nodes[0], ":erlang.node()", "--json"], cookie: "wrong-cookie",
                               extraEnvironment: ["BEAMCONSOLE_NIO_CALL": "1"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertEqual(wrong.out, wrongNIO.out)
        XCTAssertFalse(wrong.out.contains("wrong-cookie"))
    }

    /// `--verbose` says on standard error which route a one-shot command took and why; the output is unchanged.
    func testVerboseSaysWhichRoute() throws {
        // The route, then where the cookie came from (never the cookie).
        let cookieLine = "beamconsole: cookie from RELEASE_COOKIE\n"
        let blockingLine = "beamconsole: route: blocking (a plain call on one connection, on this thread)\n" + cookieLine
        let plain = try run(["call", nodes[0], ":erlang.node()"])
        var r = try run(["call", nodes[0], ":erlang.node()", "--verbose"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, blockingLine)
        XCTAssertEqual(r.out, plain.out)
        r = try run(["call", "--verbose", nodes[0], ":erlang.node()"], extraEnvironment: ["BEAMCONSOLE_NIO_CALL": "1"])
        XCTAssertEqual(r.err, "beamconsole: route: full (BEAMCONSOLE_NIO_CALL is set)\n" + cookieLine)
        XCTAssertEqual(r.out, plain.out)
        // Through ArgumentParser (--yes is not read by the fast path): the same route.
        r = try run(["call", "--yes", "--verbose", nodes[0], ":erlang.node()"])
        XCTAssertEqual(r.err, blockingLine)
        XCTAssertEqual(r.out, plain.out)
        r = try run(["call", "--read-only", "--verbose", nodes[0], ":erlang.node()"])
        XCTAssertEqual(r.err, "beamconsole: route: full (--read-only)\n" + cookieLine)
        r = try run(["nodes", "--verbose", "--connect", nodes[0]])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "beamconsole: route: full (only call runs on the blocking transport)\n" + cookieLine)
        r = try run(["call", "--connect", nodes[1], "--verbose", nodes[0], ":erlang.node()"])
        XCTAssertTrue(r.err.hasPrefix("beamconsole: route: full (it connects to another node"), r.err)
    }

    /// Every option of the table the fast path reads (``ConnectionOption``) is one the built binary's ArgumentParser
    /// knows too (ConnectionOptionTableTests compares their meaning).
    func testFastPathOptionsAreArgumentParserOptions() throws {
        let help = try run(["call", "--help"])
        XCTAssertEqual(help.status, 0, help.err)
        for name in ConnectionOption.allCases.map({ "--" + $0.name }) {
            XCTAssertTrue(help.out.contains(name + " ") || help.out.contains(name + "\n"), name)
        }
    }

    /// The REPL's plain command line (read without ArgumentParser) and ArgumentParser's errors for anything else.
    func testREPLCommandLines() throws {
        var r = try run(["--connect", nodes[0], "--no-history"], stdin: "call :erlang.node()\n")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(":\(nodes[0])"), r.out)
        r = try run(["--connect", nodes[0], "--bogus"], stdin: "")
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("Unknown option '--bogus'"), r.err)
        r = try run(["--connect", nodes[0], "--timeout", "0"], stdin: "")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--timeout must be positive"), r.err)
    }

    func testMulticallTable() throws {
        let r = try run(["multicall", ":erlang.node()", "--nodes"] + nodes)
        XCTAssertEqual(r.status, 0, r.err)
        for n in nodes { XCTAssertTrue(r.out.contains(":\(n)"), r.out) }
        XCTAssertTrue(r.out.contains("3/3 ok"), r.out)
        let j = try run(["multicall", "Demo.Orders.fetch!(1)", "--json", "--nodes"] + nodes)
        let results = try XCTUnwrap(j.json?["results"] as? [[String: Any]], j.out)
        XCTAssertEqual(results.count, 3)
        XCTAssertTrue(results.allSatisfy { $0["status"] as? String == "ok" })
    }

    /// Each node's row has its own output; an exception and an unreachable node are rows of their own (exit 1).
    func testMulticallRowsPerNode() throws {
        let hello = try run(["multicall", "Demo.Stats.hello(\"rows\")", "--json", "--nodes"] + nodes)
        XCTAssertEqual(hello.status, 0, hello.err)
        let rows = try XCTUnwrap(hello.json?["results"] as? [[String: Any]], hello.out)
        XCTAssertEqual(rows.compactMap { $0["node"] as? String }, nodes.sorted())
        for row in rows {
            XCTAssertEqual(row["output"] as? String, "hello, rows, from \(row["node"] as? String ?? "?")\n")
        }

        let boom = try run(["multicall", "Demo.Orders.fetch!(99)", "--nodes"] + nodes)
        XCTAssertEqual(boom.status, 1)
        XCTAssertTrue(boom.out.contains("0/3 ok"), boom.out)
        XCTAssertTrue(boom.out.contains("** (error) %{__exception__: true, __struct__: ArgumentError"), boom.out)
        let boomJSON = try run(["multicall", "Demo.Orders.fetch!(99)", "--json", "--nodes"] + nodes)
        for row in (boomJSON.json?["results"] as? [[String: Any]]) ?? [] {
            XCTAssertEqual(row["status"] as? String, "exception")
            XCTAssertEqual(row["class"] as? String, "error")
            XCTAssertTrue((row["reason"] as? String)?.contains("no order with id 99") == true, boomJSON.out)
        }

        let missing = "nosuch_\(UInt32.random(in: 0...UInt32.max))@\(Self.cluster?.host ?? "localhost")"
        let partial = try run(["multicall", ":erlang.node()", "--json", "--nodes"] + [nodes[0], missing])
        XCTAssertEqual(partial.status, 1)
        let byNode = Dictionary(
            uniqueKeysWithValues: ((partial.json?["results"] as? [[String: Any]]) ?? []).map { ($0["node"] as? String ?? "", $0) })
        XCTAssertEqual(byNode[nodes[0]]?["status"] as? String, "ok")
        XCTAssertEqual(byNode[missing]?["status"] as? String, "error")
        XCTAssertEqual((byNode[missing]?["error"] as? [String: Any])?["stage"] as? String, "epmd", partial.out)
    }

    func testEvalElixirAndErlang() throws {
        var r = try run(["eval", nodes[0], "x = 20 + 22; IO.puts(\"side\"); {x, node()}"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "side\n{42, :\(nodes[0])}\n")
        r = try run(["eval", "--syntax", "erlang", nodes[0], "X = 6 * 7, {X, node()}"])
        XCTAssertEqual(r.out, "{42,\(nodes[0])}\n")
        r = try run(["eval", nodes[0], "raise \"boom\""])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("** (RuntimeError) boom"), r.err)
    }

    func testTheCookieComesFromTheReleasesCookieFileAndVerboseSaysSo() throws {
        let cluster = try XCTUnwrap(Self.cluster)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("releases"), withIntermediateDirectories: true)
        try (cluster.cookie + "\n").write(
            to: root.appendingPathComponent("releases/COOKIE"), atomically: true, encoding: .utf8)
        let r = try run(
            ["call", "--verbose", nodes[0], ":erlang.node()"],
            extraEnvironment: ["RELEASE_COOKIE": "", "RELEASE_ROOT": root.path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, ":\(nodes[0])\n")
        XCTAssertTrue(r.err.contains("cookie from \(root.path)/releases/COOKIE (RELEASE_ROOT)"), r.err)
        XCTAssertFalse(r.err.contains(cluster.cookie), "never the cookie itself")
    }

    func testPipedScriptExitStatusReflectsFailures() throws {
        var r = try run(["--connect", nodes[0]], stdin: "nodes\ncall :erlang.node()\n")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(":\(nodes[0])"), r.out)
        r = try run(["--connect", nodes[0]], stdin: "call :erlang.node()\nDemo.Orders.fetch!(99)\nnodes\n")
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.err.contains("no order with id 99"), r.err)
        r = try run(["--connect", nodes[0]], stdin: "use notanode\n")
        XCTAssertEqual(r.status, 65)
        r = try run(["--connect", nodes[0]], stdin: "bogus\n")  // code: an undefined function on the node
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("undefined function bogus/0"), r.err)
    }

    func testPingAndConnectFailureNamesTheStage() throws {
        var r = try run(["ping", nodes[1], "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.json?["result"] as? String, "pong")
        r = try run(["connect", "nosuch@\(Self.cluster.host)", "--json"])
        XCTAssertEqual(r.status, 2)
        let err = (r.json?["nodes"] as? [String: Any])?["nosuch@\(Self.cluster.host)"] as? [String: Any]
        XCTAssertEqual(err?["stage"] as? String, "epmd")
        XCTAssertEqual(err?["code"] as? String, "name_not_registered")
        XCTAssertNotNil(err?["registered_names"] as? [String])
    }

    func testDoctorJSONAndExitStatus() throws {
        let cluster = try XCTUnwrap(Self.cluster)
        var r = try run(["doctor", "--json", nodes[0], nodes[1]])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertFalse(r.out.contains(cluster.cookie) || r.err.contains(cluster.cookie), "the cookie leaked")
        var json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["ok"] as? Bool, true)
        let targets = try XCTUnwrap(json["targets"] as? [[String: Any]])
        XCTAssertEqual(targets.map { $0["node"] as? String }, [nodes[0], nodes[1]])
        for t in targets {
            XCTAssertEqual(t["peer_cookie_hash"] as? String, json["cookie_hash"] as? String)
            let stages = try XCTUnwrap(t["stages"] as? [[String: Any]])
            XCTAssertEqual(stages.map { $0["status"] as? String },
                           ["ok", "ok", "ok", "ok", "skipped", "ok", "ok", "ok", "ok"], "\(stages)")
        }

        let wrong = "doctor-wrong-\(UInt32.random(in: 0...UInt32.max))"
        r = try run(["doctor", "--json", nodes[0]], cookie: wrong)
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertFalse(r.out.contains(wrong) || r.err.contains(wrong), "the cookie leaked")
        json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["ok"] as? Bool, false)
        let t = try XCTUnwrap((json["targets"] as? [[String: Any]])?.first)
        XCTAssertEqual(t["failed_stage"] as? String, "cookie")

        r = try run(["doctor", nodes[0]], cookie: wrong)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.out.contains("✗ cookie"), r.out)
        XCTAssertFalse(r.out.contains(wrong))
    }
}
