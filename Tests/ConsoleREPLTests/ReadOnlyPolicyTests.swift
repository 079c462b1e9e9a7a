import ConsoleREPL
import ErlangTerm
import XCTest

final class ReadOnlyPolicyTests: XCTestCase {
    func testIntrospectionIsAllowed() {
        for (m, f, a) in [("erlang", "memory", 0), ("erlang", "memory", 1), ("Elixir.Node", "list", 0),
                          ("erlang", "system_info", 1), ("erlang", "statistics", 1), ("erlang", "processes", 0),
                          ("application", "which_applications", 0), ("net_kernel", "get_net_ticktime", 0),
                          ("Elixir.Process", "info", 2), ("ets", "info", 1)] {
            XCTAssertTrue(ReadOnlyPolicy.permits(module: Atom(m), function: Atom(f), arity: a), "\(m):\(f)/\(a)")
        }
    }

    func testAnythingThatActsOrRevealsSecretsIsNot() {
        for (m, f, a) in [("erlang", "get_cookie", 0), ("erlang", "halt", 0), ("init", "stop", 0),
                          ("application", "get_env", 2), ("Elixir.Application", "get_env", 2), ("os", "getenv", 1),
                          ("os", "cmd", 1), ("init", "get_arguments", 0), ("ets", "tab2list", 1), ("sys", "get_state", 1),
                          ("erlang", "memory", 2), ("Elixir.Node", "list", 5), ("erlang", "exit", 2),
                          ("Elixir.Code", "eval_string", 1)] {
            XCTAssertFalse(ReadOnlyPolicy.permits(module: Atom(m), function: Atom(f), arity: a), "\(m):\(f)/\(a)")
        }
    }

    func testTheDocumentedListIsTheAllowlist() {
        let elixir = ReadOnlyPolicy.describe(elixir: true)
        XCTAssertTrue(elixir.contains("Node.list/0"))
        XCTAssertTrue(elixir.contains(":erlang.memory/1"))
        let erlang = ReadOnlyPolicy.describe(elixir: false)
        XCTAssertTrue(erlang.contains("erlang:memory/1"))
        XCTAssertEqual(erlang.count, ReadOnlyPolicy.allowlist.reduce(0) { $0 + $1.arities.count })
        // The man page lists every entry.
        let man = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man/beamconsole.1")
        let text = (try? String(contentsOf: man, encoding: .utf8)) ?? ""
        for entry in erlang {
            XCTAssertTrue(text.contains(entry.replacingOccurrences(of: "_", with: "_")), "man page lacks \(entry)")
        }
    }
}
