@testable import ConsoleREPL
import ErlangTerm
import TermSyntax
import XCTest

/// `proc`'s process argument: pids as the node prints them, registered names in either syntax, global/via tuples.
final class ProcTargetTests: XCTestCase {
    func parse(_ s: String) throws -> ProcTarget { try ProcTarget.parse(s) }

    func testPids() throws {
        XCTAssertEqual(try parse("<0.123.0>"), .pid("<0.123.0>"))
        XCTAssertEqual(try parse("#PID<0.123.0>"), .pid("<0.123.0>"))
        XCTAssertEqual(try parse("0.123.0"), .pid("<0.123.0>"))
        XCTAssertEqual(try parse("  <5.9.1>  "), .pid("<5.9.1>"))
        XCTAssertEqual(try parse("<00.0123.0>"), .pid("<0.123.0>"), "normalised")
        for bad in ["<0.1>", "<0.1.2.3>", "<a.1.0>", "<0.1.0", "0.1.0>", "<0..0>", "<4294967296.1.0>", "#PID<0.1.0",
                    "<-1.2.3>", "<0.1.0>x", "<0. 1.0>", "1.2"]
        {
            XCTAssertThrowsError(try parse(bad), bad)
        }
        XCTAssertThrowsError(try parse("<0.1>")) {
            XCTAssertEqual("\($0)", "proc: <0.1> is not a pid as the node prints it (<0.123.0>)")
        }
    }

    func testNames() throws {
        XCTAssertEqual(try parse("my_server"), .name("my_server"))
        XCTAssertEqual(try parse(":my_server"), .name("my_server"))
        XCTAssertEqual(try parse("MyApp.Worker"), .name("Elixir.MyApp.Worker"))
        XCTAssertEqual(try parse("Elixir.MyApp.Worker"), .name("Elixir.MyApp.Worker"))
        XCTAssertEqual(try parse("Worker"), .name("Elixir.Worker"))
        XCTAssertEqual(try parse(":\"odd name\""), .name("odd name"))
        XCTAssertEqual(try parse("'odd name'"), .name("odd name"))
        XCTAssertEqual(try parse(":\"Elixir.MyApp.Worker\""), .name("Elixir.MyApp.Worker"))
        XCTAssertEqual(try parse("node_watcher@x"), .name("node_watcher@x"))
        for bad in ["", "my server", "MyApp..Worker", "MyApp.worker", "my-server", ":", "\"str\"", "%{}", "[a]",
                    String(repeating: "a", count: 256), String(repeating: "a", count: 2000)]
        {
            XCTAssertThrowsError(try parse(bad), bad)
        }
    }

    func testGlobalAndVia() throws {
        XCTAssertEqual(try parse("{:global, :my_server}"), .global(.atom("my_server")))
        XCTAssertEqual(try parse("{global, my_server}"), .global(.atom("my_server")))
        XCTAssertEqual(try parse("{:global, {:worker, 3}}"), .global(.tuple([.atom("worker"), .integer(3)])))
        XCTAssertEqual(
            try parse("{:via, Registry, {MyApp.Registry, \"key\"}}"),
            .via(module: .atom("Elixir.Registry"), name: .tuple([.atom("Elixir.MyApp.Registry"), .string("key")])))
        XCTAssertEqual(
            try parse("{via, gproc, {n, l, worker}}"),
            .via(module: .atom("gproc"), name: .tuple([.atom("n"), .atom("l"), .atom("worker")])))
        for bad in ["{:local, :x}", "{:global}", "{:via, \"mod\", :x}", "{:global, :x", "{1, 2}"] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
    }

    /// What travels to the node: names as binaries, so that a typo never creates an atom there.
    func testArgumentsCarryNoNewAtoms() throws {
        XCTAssertEqual(try parse("MyApp.Worker").argument, .tuple([.atom("name"), .string("Elixir.MyApp.Worker")]))
        XCTAssertEqual(try parse("<0.1.0>").argument, .tuple([.atom("pid_text"), .string("<0.1.0>")]))
        XCTAssertEqual(
            try parse("{:global, {:w, 1}}").argument,
            .tuple([.atom("global"), .tuple([.tuple([.atom("$bc_atom"), .string("w")]), .integer(1)])]))
    }

    func testDisplayAndTheREPLLine() throws {
        XCTAssertEqual(try parse("MyApp.Worker").display(syntax: .elixir, profile: .elixir114otp25), "MyApp.Worker")
        XCTAssertEqual(
            try parse("MyApp.Worker").display(syntax: .erlang, profile: .elixir114otp25), "'Elixir.MyApp.Worker'")
        XCTAssertEqual(try parse("{global, w}").display(syntax: .elixir, profile: .elixir114otp25), "{:global, :w}")
        // The REPL splits on spaces; proc joins the words back.
        guard case .inspect(let r) = try ConsoleCommand.parse("proc {:global, :w} --node a@h --no-state") else {
            return XCTFail("not an inspection")
        }
        XCTAssertEqual(r.positional, ["{:global,", ":w}"])
        XCTAssertEqual(r.nodes, ["a@h"])
        XCTAssertEqual(r.flags, ["--no-state"])
        XCTAssertEqual(try ProcTarget.parse(r.positional.joined(separator: " ")), .global(.atom("w")))
    }
}
