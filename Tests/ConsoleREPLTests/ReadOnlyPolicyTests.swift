import ConsoleREPL
import ErlangTerm
import TermSyntax
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
                          ("Elixir.Code", "eval_string", 1),
                          // They return the process dictionary.
                          ("erlang", "process_info", 1), ("Elixir.Process", "info", 1)] {
            XCTAssertFalse(ReadOnlyPolicy.permits(module: Atom(m), function: Atom(f), arity: a), "\(m):\(f)/\(a)")
        }
    }

    func testProcessInfoTakesOnlyLiteralHarmlessItems() throws {
        let pid: Term = .pid(Pid(node: "a@b", id: 1, serial: 0, creation: 1))
        for module in ["erlang", "Elixir.Process"] {
            let function = module == "erlang" ? "process_info" : "info"
            func permits(_ arguments: [Term]) -> Bool {
                ReadOnlyPolicy.permits(module: Atom(module), function: Atom(function), arguments: arguments)
            }
            XCTAssertTrue(permits([pid, "memory"]), module)
            XCTAssertTrue(permits([pid, "message_queue_len"]), module)
            XCTAssertTrue(permits([pid, ["memory", "links", "current_stacktrace"]]), module)
            XCTAssertTrue(permits([pid, []]), module)
            for secret: Term in ["dictionary", "messages", "backtrace", ["memory", "dictionary"],
                                 .tuple(["dictionary", "key"]), .string("memory"), 1, .list(["memory"], tail: "x")] {
                XCTAssertFalse(permits([pid, secret]), "\(module) \(secret)")
            }
            XCTAssertFalse(permits([pid]), "\(module)/1")
            XCTAssertFalse(permits([pid, "memory", "x"]), "\(module)/3")
        }
        // Functions without an argument rule take any arguments; unknown ones none.
        XCTAssertTrue(ReadOnlyPolicy.permits(module: "erlang", function: "memory", arguments: ["total"]))
        XCTAssertFalse(ReadOnlyPolicy.permits(module: "erlang", function: "halt", arguments: []))

        // What `call` and `multicall` check: the parsed call, arguments included.
        XCTAssertTrue(ReadOnlyPolicy.permits(try CallExpression.parse("Process.info(:x, :memory)", syntax: .elixir)))
        XCTAssertFalse(
            ReadOnlyPolicy.permits(try CallExpression.parse("Process.info(:x, :dictionary)", syntax: .elixir)))
        XCTAssertFalse(ReadOnlyPolicy.permits(try CallExpression.parse("erlang:process_info(x).", syntax: .erlang)))
        XCTAssertTrue(ReadOnlyPolicy.permits(
            try CallExpression.parse("erlang:process_info(x, [memory, reductions]).", syntax: .erlang)))
        XCTAssertFalse(ReadOnlyPolicy.permits(
            try CallExpression.parse("erlang:process_info(x, [memory, messages]).", syntax: .erlang)))
        XCTAssertFalse(ReadOnlyPolicy.processInfoItems.contains("dictionary"))
    }

    /// The expression check's allowlist term: the policy, with its argument rule, and the harmless functions.
    func testTheExpressionAllowlist() throws {
        guard case .map(let allow) = ReadOnlyCheck.allowTerm() else { return XCTFail("not a map") }
        var keys: [Term: Term] = [:]
        for (k, v) in allow { keys[k] = v }
        func mfa(_ m: String, _ f: String, _ a: Int) -> Term { .tuple([.atom(Atom(m)), .atom(Atom(f)), .integer(a)]) }
        func mf(_ m: String, _ f: String) -> Term { .tuple([.atom(Atom(m)), .atom(Atom(f))]) }
        XCTAssertEqual(keys[mfa("Elixir.Node", "list", 0)], .atom("true"))
        XCTAssertEqual(keys[mf("Elixir.Enum", "map")], .atom("true"))
        XCTAssertEqual(keys[mf("Elixir.Kernel", "+")], .atom("true"))
        XCTAssertEqual(keys[mf("Elixir.Kernel", "..//")], .atom("true"))
        XCTAssertEqual(keys[mfa("Elixir.URI", "default_port", 1)], .atom("true"))
        let items: Term = .list(ReadOnlyPolicy.processInfoItems.sorted().map { .atom(Atom($0)) })
        XCTAssertEqual(keys[mfa("erlang", "process_info", 2)], .tuple(["item_arg", 2, items]))
        XCTAssertEqual(keys[mfa("Elixir.Process", "info", 2)], .tuple(["item_arg", 2, items]))
        let forbidden = [
            mfa("erlang", "process_info", 1), mfa("Elixir.Process", "info", 1), mf("Elixir.Process", "info"),
            mf("Elixir.Kernel", "apply"), mf("erlang", "apply"), mf("Elixir.Kernel", "send"), mf("erlang", "send"),
            mf("Elixir.Kernel", "spawn"), mf("erlang", "spawn"), mf("Elixir.Kernel", "exit"), mf("erlang", "halt"),
            mf("Elixir.Kernel", "struct"), mf("Elixir.Kernel", "@"), mf("Elixir.Kernel", "defmodule"),
            mf("Elixir.Kernel", "use"), mf("Elixir.Kernel", "dbg"), mf("Elixir.String", "to_atom"),
            mf("Elixir.String", "to_existing_atom"), mf("Elixir.List", "to_atom"), mf("erlang", "list_to_atom"),
            mf("erlang", "binary_to_atom"), mf("erlang", "binary_to_term"), mf("erlang", "make_fun"),
            mf("Elixir.Function", "capture"), mf("Elixir.URI", "default_port"), mfa("Elixir.URI", "default_port", 2),
            mf("timer", "tc"), mfa("timer", "tc", 3), mf("Elixir.IO", "puts"), mfa("Elixir.IO", "puts", 2),
            mf("Elixir.IEx.Helpers", "c"), mfa("Elixir.IEx.Helpers", "recompile", 0), mf("erlang", "put"),
            mf("erlang", "garbage_collect"), mfa("erlang", "group_leader", 2), mf("os", "cmd"), mf("os", "getenv"),
        ]
        for key in forbidden { XCTAssertNil(keys[key], "\(key)") }
        // Every key names a module and a function (and an arity); every value is true or an argument rule.
        for (k, v) in keys {
            guard case .tuple(let parts) = k, parts.count == 2 || parts.count == 3 else { return XCTFail("\(k)") }
            XCTAssertTrue(v == .atom("true") || v == .tuple(["item_arg", 2, items]), "\(k) => \(v)")
        }
        XCTAssertTrue(ReadOnlyCheck.erlangFunSource.hasPrefix("fun(Syntax, Forms, Env, Allow) ->"))
        XCTAssertTrue(ReadOnlyCheck.erlangFunSource.hasSuffix("end"))
        XCTAssertTrue(ReadOnlyCheck.erlangFunSource.unicodeScalars.allSatisfy(\.isASCII))
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
