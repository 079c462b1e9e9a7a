import ErlangTestSupport
import Foundation
import XCTest

/// `versions` and `ets` against real nodes with planted culprits: node A runs `demo` 1.0.0 and owns a big ETS table
/// (and a private one); node B runs `demo` 2.0.0 with other code for `demo_mod` and another `password` in its
/// environment.
final class VersionsEtsCommandTests: XCTestCase {
    static let binary = TermCommandTests.binary.path
    nonisolated(unsafe) static var a: TestNode?
    nonisolated(unsafe) static var b: TestNode?
    nonisolated(unsafe) static var dir = ""
    nonisolated(unsafe) static var setupError: String?
    static let cookie = "vetests" + String(UInt32.random(in: 0...UInt32.max))

    /// Loads and starts `demo` (version `Vsn`, env pool_size 10 and password `Pw`, module `demo_mod`), spawns
    /// `culprit_owner` owning `culprit_tab` (`Count` objects: 20,000 on A, 5,000 on B) and the private `secret_tab`, and writes the culprit's
    /// memory in bytes to `MemFile`.
    static let plant = """
        -module(plant).
        -export([start/4]).
        start(Vsn, Pw, Count, MemFile) ->
          Self = self(),
          spawn(fun() ->
              register(culprit_owner, self()),
              T = ets:new(culprit_tab, [named_table, public]),
              [ets:insert(T, {I, lists:seq(1, 100)}) || I <- lists:seq(1, Count)],
              ets:new(secret_tab, [named_table, private]),
              ets:insert(secret_tab, {password, Pw}),
              Mem = ets:info(T, memory) * erlang:system_info(wordsize),
              ok = file:write_file(MemFile, integer_to_list(Mem)),
              Self ! planted,
              receive stop -> ok end
          end),
          receive planted -> ok end,
          ok = application:load({application, demo, [{description, "demo"}, {vsn, Vsn}, {modules, [demo_mod]},
              {registered, []}, {applications, [kernel, stdlib]}, {env, [{pool_size, 10}, {password, Pw}]}]}),
          ok = application:start(demo),
          {module, demo_mod} = code:ensure_loaded(demo_mod),
          ok.
        """

    override class func setUp() {
        do {
            guard let erlc = TestNode.which("erlc") else { throw TestSupportError("erlc not found") }
            dir = NSTemporaryDirectory() + "vetests-\(UUID().uuidString)"
            for sub in ["common", "v1", "v2"] {
                try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
            }
            try plant.write(toFile: "\(dir)/common/plant.erl", atomically: true, encoding: .utf8)
            try "-module(demo_mod).\n-export([f/0]).\nf() -> one.\n"
                .write(toFile: "\(dir)/v1/demo_mod.erl", atomically: true, encoding: .utf8)
            try "-module(demo_mod).\n-export([f/0]).\nf() -> two.\n"
                .write(toFile: "\(dir)/v2/demo_mod.erl", atomically: true, encoding: .utf8)
            for sub in ["common", "v1", "v2"] {
                let src = sub == "common" ? "plant.erl" : "demo_mod.erl"
                _ = try ChildProcess.output(of: erlc, ["-o", "\(dir)/\(sub)", "\(dir)/\(sub)/\(src)"])
            }
            func start(_ v: String, _ vsn: String, _ pw: String, _ count: Int) throws -> TestNode {
                try TestNode(kind: .erl, cookie: cookie, extraArgs: [
                    "-pa", "\(dir)/common", "-pa", "\(dir)/\(v)",
                    "-eval", "plant:start(\"\(vsn)\", \"\(pw)\", \(count), \"\(dir)/mem-\(v)\")",
                ])
            }
            a = try start("v1", "1.0.0", "hunter2", 20000)
            b = try start("v2", "2.0.0", "s3cr3t", 5000)
            // The -eval runs after EPMD registration: wait for the plant.
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !["v1", "v2"].allSatisfy({ FileManager.default.fileExists(atPath: "\(dir)/mem-\($0)") }) {
                Thread.sleep(forTimeInterval: 0.1)
            }
        } catch {
            setupError = "\(error)"
        }
    }

    override class func tearDown() {
        a?.stop()
        b?.stop()
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    typealias Run = ConsoleRun

    func nodes() throws -> (TestNode, TestNode) {
        if let e = Self.setupError { throw TestSupportError("setup failed: \(e)") }
        return (try XCTUnwrap(Self.a), try XCTUnwrap(Self.b))
    }

    func run(_ args: [String]) throws -> Run {
        try ConsoleRun.run(args, environment: ["RELEASE_COOKIE": Self.cookie, "PATH": "/usr/bin:/bin"])
    }

    // MARK: - ets

    func testTheBiggestTableIsNamedFirstOnItsNodeWithItsOwnerAndMemory() throws {
        let (a, b) = try nodes()
        let memory = try XCTUnwrap(Int(try String(contentsOfFile: "\(Self.dir)/mem-v1", encoding: .utf8)))
        let r = try run(["ets", "--connect", a.name, "--nodes", b.name, "--limit", "3", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["command"] as? String, "ets")
        XCTAssertEqual(json["sort"] as? String, "memory")
        let tables = try XCTUnwrap(json["tables"] as? [[String: Any]])
        XCTAssertEqual(tables.count, 3)
        let first = tables[0]
        XCTAssertEqual(first["name"] as? String, "culprit_tab")
        XCTAssertEqual(first["size"] as? Int, 20000)
        XCTAssertEqual(first["memory_bytes"] as? Int, memory, "words × wordsize, as the node reports")
        XCTAssertEqual(first["protection"] as? String, "public")
        XCTAssertEqual(first["type"] as? String, "set")
        XCTAssertEqual((first["owner"] as? [String: Any])?["name"] as? String, "culprit_owner")
        XCTAssertTrue(((first["owner"] as? [String: Any])?["pid"] as? String)?.hasPrefix("<") == true)
        XCTAssertEqual(first["node"] as? String, a.name)
        XCTAssertEqual(tables[1]["name"] as? String, "culprit_tab", "B's smaller culprit comes second")
        XCTAssertEqual(tables[1]["node"] as? String, b.name)
        XCTAssertEqual(tables[1]["size"] as? Int, 5000)
        let counts = try XCTUnwrap(json["nodes"] as? [[String: Any]])
        XCTAssertEqual(counts.compactMap { $0["node"] as? String }, [a.name, b.name].sorted())
        XCTAssertEqual((json["failures"] as? [Any])?.count, 0)

        // On one node, in text: the culprit's row comes first, with its node and owner.
        let text = try run(["ets", "--connect", a.name, "--node", a.name, "--sort", "size", "--limit", "2"])
        XCTAssertEqual(text.status, 0, text.err)
        let lines = text.out.split(separator: "\n")
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("NODE") }, text.out)
        let row = String(lines[header + 1])
        XCTAssertTrue(row.hasPrefix(a.name) && row.contains("culprit_tab") && row.contains("culprit_owner"), text.out)
        XCTAssertTrue(row.contains("20000"), row)
        XCTAssertEqual(lines.count - header - 1, 2, "--limit 2: two rows")
    }

    func testPeekShowsAtMostKObjectsRefusesAPrivateTableAndIsAudited() throws {
        let (a, _) = try nodes()
        let audit = NSTemporaryDirectory() + "ve-audit-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: audit) }
        var r = try run(["ets", "culprit_tab", "--node", a.name, "--peek", "3", "--json", "--audit-log", audit])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        let objects = try XCTUnwrap(json["objects"] as? [String])
        XCTAssertEqual(objects.count, 3)
        XCTAssertTrue(objects.allSatisfy { $0.hasPrefix("{") && $0.contains("|...]}") }, "\(objects)")
        XCTAssertEqual(json["more"] as? Bool, true)
        XCTAssertEqual((json["table"] as? [String: Any])?["size"] as? Int, 20000)

        r = try run(["ets", "culprit_tab", "--node", a.name, "--peek", "3"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.split(separator: "\n").filter { $0.hasPrefix("  {") }.count, 3, r.out)
        XCTAssertTrue(r.out.contains("owner <") && r.out.contains("(culprit_owner)"), r.out)

        r = try run(["ets", "culprit_tab", "--node", a.name, "--peek", "101"])
        XCTAssertEqual(r.status, 65, "K is capped at 100")

        r = try run(["ets", "secret_tab", "--node", a.name, "--peek", "3", "--audit-log", audit])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("secret_tab on \(a.name) is private"), r.err)
        XCTAssertTrue(r.err.contains("culprit_owner"), r.err)
        XCTAssertFalse(r.out.contains("hunter2") || r.err.contains("hunter2"))
        r = try run(["ets", "secret_tab", "--node", a.name, "--peek", "3", "--json"])
        XCTAssertEqual(((r.json?["error"]) as? [String: Any])?["code"] as? String, "private_table", r.out)

        r = try run(["ets", "no_such_table", "--node", a.name, "--peek", "3"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("no table no_such_table"), r.err)

        let records = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(records.map { $0["operation"] as? String }, ["ets_peek", "ets_peek"])
        XCTAssertEqual(records.map { $0["outcome"] as? String }, ["ok", "private_table"])
        XCTAssertEqual(records.first?["targets"] as? [String], [a.name])
        XCTAssertEqual(records.first?["source"] as? String, "ets culprit_tab --node \(a.name) --peek 3")
    }

    // MARK: - versions

    func testVersionsNamesTheNodeWithAnotherApplicationVersionAndTheDifferingModule() throws {
        let (a, b) = try nodes()
        var r = try run(["versions", "--connect", a.name, "--nodes", b.name, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["status"] as? String, "ok")
        let perNode = try XCTUnwrap(json["nodes"] as? [[String: Any]])
        XCTAssertEqual(perNode.compactMap { $0["node"] as? String }, [a.name, b.name].sorted())
        for n in perNode {
            XCTAssertEqual(n["otp"] as? String, "25")
            XCTAssertNotNil(n["erts"] as? String)
            XCTAssertTrue(n["elixir"] is NSNull, "an erl node has no Elixir")
            XCTAssertTrue(n["release"] is NSNull)
            XCTAssertEqual(n["modified_count"] as? Int, 0)
            let apps = try XCTUnwrap(n["applications"] as? [[String: Any]])
            XCTAssertTrue(apps.contains { $0["name"] as? String == "kernel" })
        }
        let differences = try XCTUnwrap(json["differences"] as? [[String: Any]])
        let demo = try XCTUnwrap(differences.first { $0["name"] as? String == "demo" }, "\(differences)")
        XCTAssertEqual(demo["item"] as? String, "application")
        let groups = try XCTUnwrap(demo["groups"] as? [[String: Any]])
        XCTAssertEqual(Set(groups.map { "\($0["value"] ?? "") \(($0["nodes"] as? [String]) ?? [])" }),
                       ["1.0.0 [\"\(a.name)\"]", "2.0.0 [\"\(b.name)\"]"])
        XCTAssertEqual(differences.count, 1, "kernel and stdlib agree: \(differences)")
        let modules = try XCTUnwrap(json["modules"] as? [[String: Any]])
        // Another application's digest may differ too when the nodes have loaded different modules of it (a module
        // loaded on some nodes only): it is asked for, but no module of it differs.
        let demoModules = try XCTUnwrap(modules.first { $0["application"] as? String == "demo" }, "\(modules)")
        for other in modules where other["application"] as? String != "demo" {
            XCTAssertEqual((other["differing"] as? [Any])?.count, 0, "\(other)")
        }
        let differing = try XCTUnwrap(demoModules["differing"] as? [[String: Any]])
        XCTAssertEqual(differing.compactMap { $0["module"] as? String }, ["demo_mod"])
        XCTAssertEqual((differing.first?["groups"] as? [Any])?.count, 2)

        r = try run(["versions", "--connect", a.name, "--nodes", b.name])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("applications (3)  demo 1.0.0, kernel"), r.out)
        let line = try XCTUnwrap(r.out.split(separator: "\n").first { $0.contains("application demo") }, r.out)
        XCTAssertTrue(line.contains("1.0.0: \(a.name)") && line.contains("2.0.0: \(b.name)"), String(line))
        XCTAssertTrue(r.out.contains("module demo_mod (demo)"), r.out)
    }

    func testEnvSaysWhichKeyDiffersWithoutItsValueUnlessShown() throws {
        let (a, b) = try nodes()
        var r = try run(["versions", "--env", "demo", "--connect", a.name, "--nodes", b.name])
        XCTAssertEqual(r.status, 0, r.err)
        let password = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("password") }, r.out)
        XCTAssertTrue(password.contains("differs (2 groups)"), String(password))
        XCTAssertTrue(password.contains(a.name) && password.contains(b.name), String(password))
        let pool = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("pool_size") }, r.out)
        XCTAssertTrue(pool.hasSuffix("same on all"), String(pool))
        for secret in ["hunter2", "s3cr3t"] { XCTAssertFalse(r.out.contains(secret) || r.err.contains(secret)) }

        r = try run(["versions", "--env", "demo", "--connect", a.name, "--nodes", b.name, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        for secret in ["hunter2", "s3cr3t"] { XCTAssertFalse(r.out.contains(secret)) }
        let keys = try XCTUnwrap(r.json?["keys"] as? [[String: Any]], r.out)
        XCTAssertEqual(keys.compactMap { $0["key"] as? String }, ["password", "pool_size"])
        XCTAssertEqual(keys.compactMap { $0["same"] as? Bool }, [false, true])

        r = try run(["versions", "--env", "demo", "--show", "password", "--connect", a.name, "--nodes", b.name])
        XCTAssertEqual(r.status, 0, r.err)
        let shown = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("password") }, r.out)
        XCTAssertTrue(shown.contains("\"hunter2\" on \(a.name)") && shown.contains("\"s3cr3t\" on \(b.name)"), String(shown))
        XCTAssertFalse(r.out.contains("same on all: 10"), "pool_size was not asked for")

        r = try run(["versions", "--env", "no_such_app", "--connect", a.name])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("not loaded on: \(a.name)"), r.out)
    }

    // MARK: - Failures

    func testANodeThatDoesNotAnswerOrIsDownIsReportedAndTheRestShown() throws {
        let (a, _) = try nodes()
        let stopped = try TestNode(kind: .erl, cookie: Self.cookie)
        defer { stopped.stop() }
        stopped.signal(SIGSTOP)
        let down = "nosuch\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"
        for command in [["versions"], ["ets", "--limit", "2"]] {
            let r = try run(command + ["--connect", a.name, "--nodes", "\(stopped.name),\(down)", "--timeout", "2",
                                       "--json"])
            XCTAssertEqual(r.status, 1, "\(command): \(r.err)")
            let json = try XCTUnwrap(r.json, r.out)
            XCTAssertEqual(json["status"] as? String, "partial")
            let failures = try XCTUnwrap(json["failures"] as? [[String: Any]])
            XCTAssertEqual(failures.compactMap { $0["node"] as? String }, [stopped.name, down].sorted(), "\(command)")
            XCTAssertTrue(failures.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
            if command[0] == "versions" {
                XCTAssertEqual((json["nodes"] as? [[String: Any]])?.compactMap { $0["node"] as? String }, [a.name])
            } else {
                XCTAssertEqual((json["tables"] as? [[String: Any]])?.first?["node"] as? String, a.name)
            }
        }
        let text = try run(["ets", "--connect", a.name, "--nodes", down, "--limit", "1"])
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.out.contains("culprit_tab") && text.out.contains("failed\n  \(down)  connect:"), text.out)
    }
}
