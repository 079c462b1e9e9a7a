@testable import ConsoleREPL
import ErlangTerm
import XCTest

/// The pure parts of evaluation: the terms sent to and read from the node's evaluator, grouping of many nodes'
/// results, and which values need the node to render them. (The evaluator itself runs on real nodes in
/// `ConsoleEvaluatorTerminalTests` and `EvaluatorTests`.)
final class EvaluationTests: XCTestCase {
    func testRequestCarriesRenderingSettings() {
        var settings = ConsoleSettings()
        settings.width = 200
        settings.color = true
        var r = Evaluation.Request(code: "1 + 1", settings: settings)
        XCTAssertEqual(r.width, 80, "IEx renders at the terminal's width, at most 80 columns")
        XCTAssertTrue(r.color)
        XCTAssertFalse(r.raw)
        settings.json = true
        r = Evaluation.Request(code: "x", settings: settings)
        XCTAssertFalse(r.color, "no colours in JSON")
        XCTAssertTrue(r.raw, "JSON keeps the raw value")
        let m = r.term.mapValue!
        XCTAssertEqual(m[Atom("code")], .string("x"))
        XCTAssertEqual(m[Atom("read_only")], .atom(.false))
    }

    func testRepliesAreRead() {
        func ok(_ fields: [(String, Term)]) -> Term {
            .tuple([.atom("ok"), .map(TermMap(fields.map { (.atom(Atom($0.0)), $0.1) }))])
        }
        XCTAssertEqual(Evaluation.Reply(.atom("incomplete")), .incomplete)
        XCTAssertEqual(
            Evaluation.Reply(
                ok([("text", .string("42")), ("truncated", .atom(.false)), ("counter", .integer(3)),
                    ("value", .tuple([.atom("value"), .integer(42)]))])),
            .value(text: "42", truncated: false, counter: 3, raw: .value(.integer(42))))
        XCTAssertEqual(
            Evaluation.Reply(
                ok([("text", .string("[…")), ("truncated", .atom(.true)), ("counter", .integer(1)),
                    ("value", .atom("too_large"))])),
            .value(text: "[…", truncated: true, counter: 1, raw: .tooLarge))
        XCTAssertEqual(
            Evaluation.Reply(
                .tuple([.atom("error"), .map([.atom("text"): .string("** (RuntimeError) boom"), .atom("kind"): .atom("error")])])),
            .error(text: "** (RuntimeError) boom", kind: "error"))
        XCTAssertEqual(Evaluation.Reply(.tuple([.atom("refused"), .string("File.rm/1")])), .refused("File.rm/1"))
        XCTAssertNil(Evaluation.Reply(.tuple([.atom("ok"), .integer(1)])), "a lying node gets no reply, not a crash")
        XCTAssertNil(Evaluation.Reply(.list([])))
    }

    func testIncompleteAsksForMoreInputAndRefusalsAreStatus77() {
        XCTAssertTrue(EvalCommand.render(.incomplete, node: "a@h", output: "").needsMoreInput)
        XCTAssertEqual(EvalCommand.render(.refused("File.rm/1"), node: "a@h", output: "").status, 77)
        let out = EvalCommand.render(.value(text: "x", truncated: true, counter: 1, raw: .none), node: "a@h", output: "")
        XCTAssertTrue(out.text.contains("truncated"), out.text)
    }

    func testBootstrapIsOneErlEvalCallWithTheSourceInline() throws {
        let (m, f, args) = Evaluation.bootstrap(Evaluation.start(console: "c@h", syntax: .elixir), readOnly: false)
        XCTAssertEqual(m, "erl_eval")
        XCTAssertEqual(f, "exprs")
        XCTAssertEqual(args.count, 2)
        XCTAssertEqual(args[1], .list([.tuple([.atom("Args"), .tuple([.atom("start"), .atom("c@h"), .atom("elixir"), .atom("none")])])]))
        for readOnly in [false, true] {
            let text = EvaluatorSource.text(readOnly: readOnly)
            XCTAssertFalse(text.contains("'$READ_ONLY_CHECK'"), "the read-only check is in place")
            XCTAssertTrue(text.unicodeScalars.allSatisfy { $0.value < 128 }, "ASCII source")
        }
        XCTAssertTrue(EvaluatorSource.text(readOnly: true).contains(ReadOnlyCheck.erlangFunSource))
        // erl_eval:exprs/2 returns {value, Value, Bindings}.
        XCTAssertEqual(
            Evaluation.bootstrapValue(.tuple([.atom("value"), .integer(1), .list([])])), .integer(1))
        XCTAssertNil(Evaluation.bootstrapValue(.integer(1)))
    }

    func testStructsNeedTheNodeToRenderThem() {
        let money = Term.map([.atom("__struct__"): .atom("Elixir.Money"), .atom("amount"): .integer(1)])
        XCTAssertTrue(money.needsNodeRendering)
        XCTAssertTrue(Term.list([.integer(1), .tuple([money])]).needsNodeRendering)
        XCTAssertTrue(Term.map([.atom("m"): money]).needsNodeRendering)
        XCTAssertFalse(Term.map([.atom("a"): .list([.integer(1)])]).needsNodeRendering)
        XCTAssertFalse(Term.string("plain").needsNodeRendering)
    }

    func testIdenticalResultsAreGroupedLargestFirst() {
        func r(_ n: String, _ text: String, ok: Bool = true) -> MulticallCommand.NodeResult {
            .init(node: n, text: text, ok: ok, row: [:])
        }
        let groups = MulticallCommand.group([
            r("a@h", ":ok"), r("b@h", "** (exit) timeout", ok: false), r("c@h", ":ok"), r("d@h", "{:error, :x}"),
            r("e@h", "** (exit) timeout", ok: false), r("f@h", ":ok"),
        ])
        XCTAssertEqual(groups.map { $0.map(\.node) }, [["a@h", "c@h", "f@h"], ["b@h", "e@h"], ["d@h"]])
        let text = MulticallCommand.render(groups, width: 80)
        XCTAssertEqual(
            text,
            """
            3 nodes → :ok
                a@h, c@h, f@h
            2 nodes → ** (exit) timeout
                b@h, e@h
            1 node → {:error, :x}
                d@h

            """)
        let multiLine = MulticallCommand.render([[r("a@h", "%{\n  a: 1\n}")]], width: 80)
        XCTAssertEqual(multiLine, "1 node →\n  %{\n    a: 1\n  }\n    a@h\n")
    }

    func testContinuationPromptIsAsWideAsThePrompt() {
        XCTAssertEqual(REPL.continuationPrompt(for: "beamconsole(a@h)> "), "...........(a@h)> ")
        XCTAssertEqual(REPL.continuationPrompt(for: ""), "")
    }
}
