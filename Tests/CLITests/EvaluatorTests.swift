import ErlangTestSupport
import Foundation
import XCTest

/// Evaluation without a terminal, against real nodes: the console's REPL fed by a pipe, and the one-shot `eval` and
/// `multicall` of any expression. Nodes without Elixir or without IEx get the behaviour their runtime allows.
final class EvaluatorTests: XCTestCase {
    static let binary = TermCommandTests.binary.path
    let cookie = "evaltests" + String(UInt32.random(in: 0...UInt32.max))
    var nodes: [TestNode] = []

    override func tearDown() {
        for n in nodes { n.stop() }
        nodes = []
    }

    func start(_ kind: TestNode.Kind, extraArgs: [String] = []) throws -> TestNode {
        let n = try TestNode(kind: kind, cookie: cookie, extraArgs: extraArgs)
        nodes.append(n)
        return n
    }

    /// Runs the console with `arguments`, `input` on standard input; returns standard output and error together.
    func run(_ arguments: [String], input: String? = nil) throws -> String {
        let quoted = ([Self.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var line = quoted.joined(separator: " ") + "; echo \"[status $?]\""
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("in-\(UUID().uuidString)")
            try input.write(to: file, atomically: true, encoding: .utf8)
            line = "(" + quoted.joined(separator: " ") + " < '\(file.path)'); echo \"[status $?]\""
        }
        return try ChildProcess.output(
            of: "/bin/sh", ["-c", line], environment: ["RELEASE_COOKIE": cookie, "PATH": "/usr/bin:/bin"], timeout: 60)
    }

    func testANodeWithoutElixirIsEvaluatedAsTheErlShellWould() throws {
        let n = try start(.erl)
        let out = try run(
            ["--connect", n.name], input: "X = 21.\nY = X *\n2.\nb().\nf(X).\nlists:seq(1, 3).\nbinary_to_atom(1).\n")
        XCTAssertTrue(out.contains("\n42\n") || out.hasPrefix("21\n42\n"), out)
        XCTAssertTrue(out.contains("X = 21\nY = 42"), "b() lists the bindings: \(out)")
        XCTAssertTrue(out.contains("[1,2,3]"), out)
        XCTAssertTrue(out.contains("** exception error: bad argument"), out)
    }

    func testANodeWithoutIExSaysSoInOneLine() throws {
        let lib = try ChildProcess.output(of: TestNode.which("elixir")!, ["-e", "IO.write(:code.lib_dir(:elixir))"])
        let n = try start(.erl, extraArgs: ["-pa", lib + "/ebin", "-eval", "application:ensure_all_started(elixir)"])
        let out = try run(["--connect", n.name], input: "Enum.sum(1..4)\nh Enum.map\n")
        XCTAssertTrue(out.contains("10\n"), out)
        XCTAssertTrue(out.contains("h/1 is an IEx helper, and this node has no IEx"), out)
        XCTAssertFalse(out.contains("CompileError"), out)
    }

    func testOneShotJSONKeepsTheRawValueNextToTheRenderedText() throws {
        let n = try start(.elixir)
        let out = try run(["eval", "--json", n.name, "%{list: Enum.to_list(1..3), at: ~D[2026-12-07]}"])
        let json = try XCTUnwrap(out.split(separator: "\n").first.map(String.init))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["status"] as? String, "ok")
        XCTAssertEqual(object["result"] as? String, "%{at: ~D[2026-12-07], list: [1, 2, 3]}")
        let value = try XCTUnwrap(object["value"] as? [String: Any])
        XCTAssertEqual(value["list"] as? [Int], [1, 2, 3])
        XCTAssertTrue(out.contains("[status 0]"), out)
    }

    func testAHugeResultIsCutOnTheNode() throws {
        let n = try start(.elixir)
        let out = try run(["eval", n.name, "List.duplicate(String.duplicate(\"a\", 4000), 50)"])
        XCTAssertTrue(out.contains("truncated on the node"), String(out.suffix(300)))
        XCTAssertLessThan(out.utf8.count, 70_000)
    }

    func testExceptionsReadAsInIExAndStatusIsOne() throws {
        let n = try start(.elixir)
        let out = try run(["eval", n.name, "Enum.fetch!([], 3)"])
        XCTAssertTrue(out.contains("** (Enum.OutOfBoundsError) out of bounds error"), out)
        XCTAssertTrue(out.contains("[status 1]"), out)
        let thrown = try run(["eval", n.name, "throw(:ball)"])
        XCTAssertTrue(thrown.contains("** (throw) :ball"), thrown)
    }

    func testMulticallGroupsIdenticalResultsAndKeepsFailuresApart() throws {
        let a = try start(.elixir)
        let b = try start(.elixir)
        let code = "if node() == :\"\(a.name)\", do: raise(\"boom\"), else: :ok"
        let out = try run(["multicall", code, "--connect", a.name, "--nodes", b.name])
        XCTAssertTrue(out.contains("1 node → :ok\n    \(b.name)"), out)
        XCTAssertTrue(out.contains("1 node → ** (RuntimeError) boom"), out)
        XCTAssertTrue(out.contains("1/2 ok"), out)
        XCTAssertTrue(out.contains("[status 1]"), out)
    }
}
