import ErlangTestSupport
import Foundation
import XCTest

/// `proc` against real Elixir nodes with planted processes: a GenServer's state, a flooded mailbox, a huge state,
/// dead pids and unknown names, pids as `top` prints them, a name found on another node, `--json`, `--read-only`,
/// `--audit-log`.
final class ProcCommandTests: XCTestCase {
    nonisolated(unsafe) static var nodes: [TestNode] = []
    nonisolated(unsafe) static var setupError: String?
    static let cookie = "proctests" + String(UInt32.random(in: 0...UInt32.max))

    typealias Run = ConsoleRun

    static func run(_ args: [String]) throws -> Run {
        var env = ProcessInfo.processInfo.environment
        env["RELEASE_COOKIE"] = cookie
        env["RELEASE_NODE"] = nil
        return try ConsoleRun.run(args, environment: env)
    }

    func run(_ args: [String]) throws -> Run {
        if let e = Self.setupError { throw TestSupportError("setup failed: \(e)") }
        return try Self.run(args)
    }

    var a: String { Self.nodes[0].name }
    var b: String { Self.nodes[1].name }

    override class func setUp() {
        do {
            nodes = [try TestNode(kind: .elixir, cookie: cookie), try TestNode(kind: .elixir, cookie: cookie)]
            let a = nodes[0].name, b = nodes[1].name
            // Planted on A: a GenServer (an Agent), a blocked GenServer with a flooded mailbox, a blocked one with
            // an empty mailbox, a GenServer holding a huge state, a process registered globally. On B: a name A
            // does not have, with A and B connected.
            let planted = """
                {:ok, _} = Agent.start(fn -> %{a: 1} end, name: :bc_agent)
                {:ok, f} = Agent.start(fn -> :flooded end, name: :bc_flood)
                Agent.cast(f, fn s -> Process.sleep(:infinity); s end)
                Enum.each(1..200_000, &send(f, {:m, &1}))
                {:ok, s} = Agent.start(fn -> :stuck end, name: :bc_stuck)
                Agent.cast(s, fn s -> Process.sleep(:infinity); s end)
                {:ok, _} = Agent.start(fn -> Enum.to_list(1..5_000_000) end, name: :bc_huge)
                {:ok, _} = Agent.start(fn -> String.duplicate("x", 2_000_000) end, name: :bc_bigbin)
                :yes = :global.register_name(:bc_global, Process.whereis(:bc_agent))
                true = Node.connect(:"\(b)")
                spawn(fn -> {:ok, _} = Registry.start_link(keys: :unique, name: BcReg); Process.sleep(:infinity) end)
                Process.sleep(300)
                {:ok, _} = Agent.start(fn -> :via_state end, name: {:via, Registry, {BcReg, "k"}})
                :planted
                """
            let r = try run(["eval", a, planted, "--timeout", "60"])
            guard r.status == 0, r.out.contains(":planted") else {
                setupError = "planting on A: \(r.status) \(r.out) \(r.err)"
                return
            }
            let r2 = try run(["eval", b, "{:ok, _} = Agent.start(fn -> [:on_b] end, name: :bc_only_on_b); :planted"])
            guard r2.status == 0, r2.out.contains(":planted") else {
                setupError = "planting on B: \(r2.status) \(r2.out) \(r2.err)"
                return
            }
        } catch {
            setupError = "\(error)"
        }
    }

    override class func tearDown() {
        for n in nodes { n.stop() }
        nodes = []
    }

    func testAGenServerShowsItsStateInSections() throws {
        let r = try run(["proc", ":bc_agent", "--connect", a])
        XCTAssertEqual(r.status, 0, r.err)
        for section in ["identity\n", "running\n", "sizes\n", "links (", "monitors (", "monitored by (", "stacktrace\n",
                        "state\n"]
        {
            XCTAssertTrue(r.out.contains(section), "\(section): \(r.out)")
        }
        XCTAssertTrue(r.out.hasPrefix(":bc_agent #PID<0."), r.out)
        XCTAssertTrue(r.out.contains("on \(a) (the target)"), r.out)
        XCTAssertTrue(r.out.contains("behaviour"), r.out)
        XCTAssertTrue(r.out.contains("gen_server"), r.out)
        XCTAssertTrue(r.out.contains(":gen_server.loop/7"), r.out)
        XCTAssertTrue(r.out.contains("state\n  %{a: 1}\n"), r.out)
        // Elixir module names and plain names mean the same atom; Erlang syntax renders in Erlang.
        let plain = try run(["proc", "bc_agent", "--connect", a, "--syntax", "erlang"])
        XCTAssertEqual(plain.status, 0, plain.err)
        XCTAssertTrue(plain.out.contains("gen_server:loop/7"), plain.out)
        XCTAssertTrue(plain.out.contains("#{a => 1}"), plain.out)
        let noState = try run(["proc", ":bc_agent", "--connect", a, "--no-state"])
        XCTAssertTrue(noState.out.contains("(not fetched: --no-state)"), noState.out)
        XCTAssertFalse(noState.out.contains("%{a: 1}"), noState.out)
    }

    func testAFloodedMailboxIsShownQuicklyWithoutItsState() throws {
        let started = Date()
        let r = try run(["proc", ":bc_flood", "--connect", a])
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("message queue      200000") || r.out.contains("message queue  200000")
            || r.out.range(of: #"message queue +200000"#, options: .regularExpression) != nil, r.out)
        XCTAssertTrue(r.out.contains("(not fetched: 200000 messages queued, above 10000"), r.out)
        XCTAssertFalse(r.out.contains(":flooded"), "the state must not be read: \(r.out)")
        XCTAssertLessThan(elapsed, 10, "no state fetch, no waiting behind the mailbox")
    }

    func testAHugeStateIsRefusedOnTheNodeAndTheOutputStaysSmall() throws {
        let r = try run(["proc", ":bc_huge", "--connect", a, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertLessThan(r.out.utf8.count, 20_000)
        let json = try XCTUnwrap(r.json, r.out)
        let state = try XCTUnwrap(json["state"] as? [String: Any])
        XCTAssertEqual(state["status"] as? String, "refused")
        XCTAssertEqual(state["reason"] as? String, "total_heap_size")
        XCTAssertGreaterThan(state["value"] as? Int ?? 0, 4_000_000)
        // A 2 MB binary (off the heap, so under the threshold) is read and cut while rendered on the node.
        let big = try run(["proc", ":bc_bigbin", "--connect", a])
        XCTAssertEqual(big.status, 0, big.err)
        XCTAssertLessThan(big.out.utf8.count, 20_000)
        XCTAssertTrue(big.out.contains("\"xxxxxxxx"), big.out)
        XCTAssertTrue(big.out.contains("<> ..."), String(big.out.suffix(300)))
    }

    func testABlockedGenServerTimesOutInOneLine() throws {
        let r = try run(["proc", ":bc_stuck", "--connect", a])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("(no answer to sys:get_state within 2000 ms"), r.out)
        XCTAssertTrue(r.out.contains("Process.sleep/1") || r.out.contains("timer.sleep"), r.out)
    }

    func testDeadPidsAndUnknownNamesGiveOneLineAndStatusOne() throws {
        let spawned = try run(["eval", a, "p = spawn(fn -> :ok end); Process.sleep(100); IO.puts(:erlang.pid_to_list(p))"])
        let range = try XCTUnwrap(spawned.out.range(of: #"<0\.\d+\.\d+>"#, options: .regularExpression), spawned.out)
        let dead = String(spawned.out[range])
        var r = try run(["proc", dead, "--node", a])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "no process #PID\(dead) on \(a): it is not alive\n")
        XCTAssertEqual(r.out, "")
        r = try run(["proc", ":bc_no_such_name", "--connect", a])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertTrue(r.err.hasPrefix("no process registered as :bc_no_such_name on \(a), nor on the 1 other node asked"),
                      r.err)
        r = try run(["proc", ":bc_no_such_name", "--node", a, "--json"])
        XCTAssertEqual(r.status, 1)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["status"] as? String, "error")
        XCTAssertEqual((json["error"] as? [String: Any])?["code"] as? String, "not_registered")
        r = try run(["proc", "<0.1>", "--node", a])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.err.contains("is not a pid as the node prints it"), r.err)
        // The shape is right, but the node refuses it.
        r = try run(["proc", "<0.99999999.0>", "--node", a])
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(r.err, "\(a) cannot read <0.99999999.0> as a pid (erlang:list_to_pid/1 refused it)\n")
    }

    func testAPidAsTopPrintsItWorksWithNode() throws {
        let listed = try run(["eval", a, "IO.puts(:erlang.pid_to_list(Process.whereis(:bc_agent)))"])
        let range = try XCTUnwrap(listed.out.range(of: #"<0\.\d+\.\d+>"#, options: .regularExpression), listed.out)
        let pid = String(listed.out[range])
        let r = try run(["proc", pid, "--node", a, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["pid"] as? String, pid)
        XCTAssertEqual(json["registered_name"] as? String, "bc_agent")
        XCTAssertEqual(json["found"] as? String, "node")
        let hash = try run(["proc", "#PID" + pid, "--node", a, "--no-state"])
        XCTAssertEqual(hash.status, 0, hash.err)
    }

    func testJSONShape() throws {
        let r = try run(["proc", ":bc_agent", "--connect", a, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["status"] as? String, "ok")
        XCTAssertEqual(json["query"] as? String, ":bc_agent")
        XCTAssertEqual(json["node"] as? String, a)
        XCTAssertEqual(json["found"] as? String, "target")
        XCTAssertEqual(json["registered_name"] as? String, "bc_agent")
        XCTAssertEqual(json["behaviour"] as? String, "gen_server")
        XCTAssertEqual(json["process_status"] as? String, "waiting")
        XCTAssertEqual(json["message_queue_len"] as? Int, 0)
        XCTAssertEqual(json["trap_exit"] as? Bool, false)
        XCTAssertEqual(json["priority"] as? String, "normal")
        XCTAssertEqual(json["word_size"] as? Int, 8)
        for key in ["memory_bytes", "total_heap_size_words", "heap_size_words", "stack_size_words", "reductions"] {
            XCTAssertNotNil(json[key] as? Int, key)
        }
        let initial = try XCTUnwrap(json["initial_call"] as? [String: Any])
        XCTAssertEqual(initial["module"] as? String, "proc_lib")
        XCTAssertEqual(initial["arity"] as? Int, 5)
        let current = try XCTUnwrap(json["current_function"] as? [String: Any])
        XCTAssertEqual(current["module"] as? String, "gen_server")
        // The one-shot eval that started it lent it the console's group leader: a pid on another node.
        XCTAssertTrue((json["group_leader"] as? String)?.hasPrefix("<") == true, "\(json["group_leader"] ?? "")")
        for key in ["links", "monitors", "monitored_by"] {
            let list = try XCTUnwrap(json[key] as? [String: Any], key)
            XCTAssertNotNil(list["count"] as? Int, key)
            XCTAssertNotNil(list["items"] as? [Any], key)
            XCTAssertEqual(list["more"] as? Int, 0, key)
        }
        let stack = try XCTUnwrap(json["stacktrace"] as? [[String: Any]])
        XCTAssertEqual(stack.first?["module"] as? String, "gen_server")
        XCTAssertNotNil(stack.first?["line"] as? Int)
        let state = try XCTUnwrap(json["state"] as? [String: Any])
        XCTAssertEqual(state["status"] as? String, "ok")
        XCTAssertEqual(state["text"] as? String, "%{a: 1}")
        XCTAssertEqual(state["truncated"] as? Bool, false)
        XCTAssertEqual(state["syntax"] as? String, "elixir")
    }

    func testANameOnlyAnotherNodeHasIsFoundThere() throws {
        let r = try run(["proc", "bc_only_on_b", "--connect", a])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("on \(b) (not registered on the target; found by asking the cluster)"), r.out)
        XCTAssertTrue(r.out.contains("[:on_b]"), r.out)
        // With --node, only that node is asked.
        let only = try run(["proc", "bc_only_on_b", "--node", a])
        XCTAssertEqual(only.status, 1)
        // A global name, in either syntax.
        let global = try run(["proc", "{:global, :bc_global}", "--connect", b, "--json"])
        XCTAssertEqual(global.status, 0, global.err)
        XCTAssertEqual(global.json?["registered_name"] as? String, "bc_agent")
        XCTAssertEqual(global.json?["node"] as? String, a)
        XCTAssertEqual(global.json?["found"] as? String, "owner")
        // A via name (an Elixir Registry).
        let via = try run(["proc", "{:via, Registry, {BcReg, \"k\"}}", "--connect", a])
        XCTAssertEqual(via.status, 0, via.err)
        XCTAssertTrue(via.out.contains("state\n  :via_state\n"), via.out)
    }

    /// A node without Elixir: the state is rendered by io_lib on the node, in Erlang syntax; OTP 25 has no
    /// '$initial_call' item, and that is not an error.
    func testANodeWithoutElixirRendersTheStateWithIoLib() throws {
        if let e = Self.setupError { throw TestSupportError("setup failed: \(e)") }
        let erl = try TestNode(kind: .erl, cookie: Self.cookie)
        defer { erl.stop() }
        let r = try run(["proc", "kernel_sup", "--node", erl.name, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(r.json, r.out)
        XCTAssertEqual(json["behaviour"] as? String, "gen_server")
        XCTAssertEqual(json["application"] as? String, "kernel")
        let state = try XCTUnwrap(json["state"] as? [String: Any])
        XCTAssertEqual(state["status"] as? String, "ok")
        XCTAssertEqual(state["syntax"] as? String, "erlang")
        XCTAssertTrue((state["text"] as? String)?.hasPrefix("{state,{local,kernel_sup}") == true, "\(state)")
        let links = try XCTUnwrap(json["links"] as? [String: Any])
        XCTAssertGreaterThan(links["count"] as? Int ?? 0, 3)
    }

    func testAllowedUnderReadOnlyAndTheStateReadIsAudited() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("proc-audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        let r = try run(["proc", "bc_agent", "--connect", a, "--read-only", "--audit-log", log.path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("%{a: 1}"), r.out)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "\(lines)")
        let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(entry["operation"] as? String, "proc_state")
        XCTAssertEqual(entry["mfa"] as? String, "sys:get_state/2")
        XCTAssertEqual(entry["targets"] as? [String], [a])
        XCTAssertEqual(entry["outcome"] as? String, "ok")
        XCTAssertFalse(lines[0].contains("a: 1"), "the state itself is not recorded")
        // No state read, no line.
        _ = try run(["proc", "bc_agent", "--connect", a, "--no-state", "--audit-log", log.path])
        XCTAssertEqual(try String(contentsOf: log, encoding: .utf8).split(separator: "\n").count, 1)
    }
}
