import ErlangTerm
import TermSyntax
import XCTest

@testable import ConsoleREPL

/// The pure parts of `trace` and `log`: what is typed, the match spec sent to the nodes, the limits, and how events
/// are shown. (The behaviour on real nodes is in CLITests/TraceLogTests.)
final class TraceLogParsingTests: XCTestCase {
    func spec(_ f: String, _ pattern: String? = nil, _ ms: String? = nil, _ syntax: SourceSyntax = .elixir) throws -> TraceSpec {
        try TraceSpec.parse(f, pattern: pattern, matchSpec: ms, syntax: syntax)
    }

    func testFunctionForms() throws {
        XCTAssertEqual(try spec("MyApp.Worker.handle/2").mfaTerm,
                       .tuple([.atom("Elixir.MyApp.Worker"), .atom("handle"), .integer(2)]))
        XCTAssertEqual(try spec("MyApp.Worker.handle").mfaTerm,
                       .tuple([.atom("Elixir.MyApp.Worker"), .atom("handle"), .atom("_")]))
        XCTAssertEqual(try spec("MyApp.Worker.handle/_").arity, nil)
        XCTAssertEqual(try spec(":lists.seq/2").mfaTerm, .tuple([.atom("lists"), .atom("seq"), .integer(2)]))
        XCTAssertEqual(try spec("lists:seq/2", nil, nil, .erlang).mfaTerm, .tuple([.atom("lists"), .atom("seq"), .integer(2)]))
        XCTAssertEqual(try spec("'Elixir.Hot':f/1", nil, nil, .erlang).module, "Elixir.Hot")
        XCTAssertEqual(try spec("Kernel.is_nil?/1").function, "is_nil?")
        XCTAssertEqual(try spec("Hot.f/1").display(syntax: .elixir), "Hot.f/1")
        XCTAssertEqual(try spec(":lists.seq").display(syntax: .elixir), ":lists.seq/_")
        XCTAssertEqual(try spec("lists:seq/2", nil, nil, .erlang).display(syntax: .erlang), "lists:seq/2")
        // Whole modules and everything are broad (refused without --force by the command).
        XCTAssertTrue(try spec("MyApp.Worker").isBroad)
        XCTAssertTrue(try spec("MyApp.Worker._").isBroad)
        XCTAssertTrue(try spec("lists:_", nil, nil, .erlang).isBroad)
        XCTAssertTrue(try spec("_").isBroad)
        XCTAssertFalse(try spec("Hot.f/1").isBroad)
        XCTAssertThrowsError(try spec("Hot.f/x"))
        XCTAssertThrowsError(try spec("Hot.f/256"))
        XCTAssertThrowsError(try spec("3"))
        XCTAssertThrowsError(try spec(String(repeating: "A", count: 2000)))
    }

    func testPatternsBecomeMatchSpecHeads() throws {
        // `_` matches anything; a variable too, the same value each time it appears.
        var s = try spec("Hot.f", "[1, _]")
        XCTAssertEqual(s.arity, 2)
        XCTAssertEqual(s.matchSpec, [.tuple([.list([.integer(1), .atom("_")]), .list([]), .list([])])])
        s = try spec("Hot.f/2", "(x, x)")
        XCTAssertEqual(s.matchSpec, [.tuple([.list([.atom("$1"), .atom("$1")]), .list([]), .list([])])])
        s = try spec("Hot.f/3", "[%{id: id}, :ok, \"x y\"]")
        XCTAssertEqual(s.matchSpec.first, .tuple([
            .list([.map(TermMap([(.atom("id"), .atom("$1"))])), .atom("ok"), .binary(Array("x y".utf8))]),
            .list([]), .list([]),
        ]))
        // Keyword keys, atoms and strings are not variables.
        s = try spec("Hot.f/1", "[[name: n, other: _]]")
        XCTAssertEqual(s.matchSpec.first, .tuple([
            .list([.list([.tuple([.atom("name"), .atom("$1")]), .tuple([.atom("other"), .atom("_")])])]), .list([]), .list([]),
        ]))
        // Erlang: capitalised names are variables.
        s = try spec("lists:seq/2", "[X, X]", nil, .erlang)
        XCTAssertEqual(s.matchSpec.first, .tuple([.list([.atom("$1"), .atom("$1")]), .list([]), .list([])]))
        s = try spec("lists:seq/2", "[_, 'Quoted']", nil, .erlang)
        XCTAssertEqual(s.matchSpec.first, .tuple([.list([.atom("_"), .atom("Quoted")]), .list([]), .list([])]))
        XCTAssertThrowsError(try spec("Hot.f/1", "[1, 2]"))  // arity mismatch
        XCTAssertThrowsError(try spec("Hot.f/1", "1"))  // not a list
        XCTAssertThrowsError(try spec("Hot.f/1", "[1]", "[{[1], [], []}]"))  // not both
    }

    func testReturnsAddExceptionTraceToEveryClause() throws {
        let s = try spec("Hot.f/1", nil, "[{[:_], [], []}, {[1], [], [{:message, false}]}]")
        XCTAssertEqual(s.matchSpec(returns: true), .list([
            .tuple([.list([.atom("_")]), .list([]), .list([.tuple([.atom("exception_trace")])])]),
            .tuple([.list([.integer(1)]), .list([]),
                    .list([.tuple([.atom("message"), .atom("false")]), .tuple([.atom("exception_trace")])])]),
        ]))
        XCTAssertEqual(s.matchSpec(returns: false), .list(s.matchSpec))
        XCTAssertThrowsError(try spec("Hot.f/1", nil, "[{1, 2}]"))
        XCTAssertThrowsError(try spec("Hot.f/1", nil, "[]"))
    }

    func testTraceRequestLimits() throws {
        var r = try TraceRequest.parse("Hot.f/1")
        XCTAssertEqual(r.count, 100)
        XCTAssertEqual(r.rate, 50)
        XCTAssertEqual(r.seconds, 30)
        XCTAssertEqual(r.maxTotal(nodes: 1), 100)
        XCTAssertEqual(r.maxTotal(nodes: 50), 500)
        r = try TraceRequest.parse("Hot.f [1, _] --count 5 --rate 10/s --for 2m --returns --nodes a@h,b@h --max 7")
        XCTAssertEqual(r.pattern, "[1, _]")
        XCTAssertEqual(r.count, 5)
        XCTAssertEqual(r.rate, 10)
        XCTAssertEqual(r.seconds, 120)
        XCTAssertTrue(r.returns)
        XCTAssertEqual(r.nodes, ["a@h", "b@h"])
        XCTAssertEqual(r.maxTotal(nodes: 2), 7)
        r = try TraceRequest.parse("Hot.f/1 --match-spec [{[:_], [], []}] --pid <0.12.0>")
        XCTAssertEqual(r.matchSpec, "[{[:_], [], []}]")
        XCTAssertEqual(r.processesTerm(), .tuple([.atom("pid"), .binary(Array("<0.12.0>".utf8))]))
        XCTAssertEqual(try TraceRequest.parse("Hot.f/1 --pid my_server").processesTerm(),
                       .tuple([.atom("name"), .atom("my_server")]))
        XCTAssertEqual(try TraceRequest.parse("Hot.f/1 --for 1h --force").seconds, 3600)
        for bad in ["", "--count 1", "Hot.f/1 --for 10m", "Hot.f/1 --for 2h --force", "Hot.f/1 --count 0",
                    "Hot.f/1 --rate 5000", "Hot.f/1 --all --node a@h", "Hot.f/1 --pid <0.1.0> --all",
                    "Hot.f/1 --pid {:global, :x}", "Hot.f/1 --bogus", "Hot.f/1 [1, 2", "Hot.f/1 --for soon"] {
            XCTAssertThrowsError(try TraceRequest.parse(bad), bad)
        }
    }

    func testTraceAndLogLinesParse() throws {
        XCTAssertEqual(try ConsoleCommand.parse("trace Hot.f/1 --returns"),
                       .trace({ var r = TraceRequest(function: "Hot.f/1"); r.returns = true; return r }()))
        XCTAssertEqual(try ConsoleCommand.parse("log level"), .log(LogRequest(action: .show)))
        // `log` alone is code (a variable called log); so is `trace` followed by nothing else … it is a command.
        XCTAssertEqual(try ConsoleCommand.parse("log"), .eval(node: nil, code: "log"))
        XCTAssertTrue(ConsoleCommand.names.contains("trace"))
        XCTAssertTrue(ConsoleCommand.names.contains("log"))
        XCTAssertTrue(try ConsoleCommand.parse("trace Hot.f/1").streams)
        XCTAssertTrue(try ConsoleCommand.parse("log tail").streams)
        XCTAssertFalse(try ConsoleCommand.parse("log level").streams)
    }

    func testLogRequests() throws {
        var r = try LogRequest.parse("level debug --module MyApp.Repo --for 30s --all")
        XCTAssertEqual(r.action, .set(level: "debug", module: "Elixir.MyApp.Repo"))
        XCTAssertEqual(r.seconds, 30)
        XCTAssertTrue(r.all)
        XCTAssertTrue(r.mutates)
        r = try LogRequest.parse("level :warn")
        XCTAssertEqual(r.action, .set(level: "warning", module: nil))
        XCTAssertEqual(r.seconds, 300)
        r = try LogRequest.parse("level --module :ssl notice")
        XCTAssertEqual(r.action, .set(level: "notice", module: "ssl"))
        r = try LogRequest.parse("level --node a@h")
        XCTAssertEqual(r.action, .show)
        XCTAssertFalse(r.mutates)
        r = try LogRequest.parse("tail --level error --limit 10 --rate 5/s --for 1m --nodes a@h,b@h")
        XCTAssertEqual(r.action, .tail(level: "error"))
        XCTAssertEqual([r.limit, r.rate], [10, 5])
        XCTAssertEqual(r.seconds, 60)
        XCTAssertEqual(r.nodes, ["a@h", "b@h"])
        XCTAssertEqual(try LogRequest.parse("tail").seconds, 600)
        XCTAssertEqual(try LogRequest.parse("revert").action, .revert)
        for bad in ["", "level loud", "level debug info", "level --module 3x debug", "level debug --limit 3",
                    "tail --level loud", "tail --limit 0", "tail x", "level debug --for 2d", "revert --all",
                    "frobnicate", "level --module", "tail --rate 0"] {
            XCTAssertThrowsError(try LogRequest.parse(bad), bad)
        }
    }

    func testWordsDurationsAndTimes() {
        XCTAssertEqual(CommandWords.split("Hot.f [1, _] --count 5"), ["Hot.f", "[1, _]", "--count", "5"])
        XCTAssertEqual(CommandWords.split("a \"b c\" {d, e} 'f g'"), ["a", "\"b c\"", "{d, e}", "'f g'"])
        XCTAssertNil(CommandWords.split("a [1, 2"))
        XCTAssertNil(CommandWords.split("a \"open"))
        XCTAssertEqual(DurationText.seconds("30s"), 30)
        XCTAssertEqual(DurationText.seconds("5m"), 300)
        XCTAssertEqual(DurationText.seconds("5min"), 300)
        XCTAssertEqual(DurationText.seconds("1h"), 3600)
        XCTAssertEqual(DurationText.seconds("500ms"), 0.5)
        XCTAssertEqual(DurationText.seconds("2.5"), 2.5)
        XCTAssertNil(DurationText.seconds("-1s"))
        XCTAssertNil(DurationText.seconds("soon"))
        XCTAssertEqual(DurationText.text(0.25), "250 ms")
        XCTAssertEqual(DurationText.text(1.96), "2 s")
        XCTAssertEqual(DurationText.text(300), "5 min")
        XCTAssertEqual(DurationText.text(3725), "1 h 2 min 5 s")
        // 2026-12-07T17:22:01.123456Z is 1796664121123456 µs after the epoch (date -d @1796664121).
        XCTAssertEqual(UTCTime.iso(micros: 1_796_664_121_123_456), "2026-12-07T17:22:01.123456Z")
        XCTAssertEqual(UTCTime.clock(micros: 1_796_664_121_123_456), "17:22:01.123456")
        XCTAssertEqual(UTCTime.iso(micros: 0), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(UTCTime.iso(micros: 951_782_400_000_000), "2000-02-29T00:00:00.000000Z")
        XCTAssertEqual(UTCTime.iso(micros: -1), "1969-12-31T23:59:59.999999Z")
    }

    func testEventsAsShown() throws {
        let call = try XCTUnwrap(TraceEvent(.map(TermMap([
            (.atom("kind"), .atom("call")), (.atom("ts"), .integer(1_796_664_121_123_456)),
            (.atom("pid"), .binary(Array("<0.85.0>".utf8))), (.atom("name"), .atom("hot_worker")),
            (.atom("mfa"), .binary(Array("Hot.f/1".utf8))), (.atom("text"), .binary(Array("Hot.f(41)".utf8))),
        ]))))
        XCTAssertEqual(call.text(node: "a@h", syntax: .elixir), "17:22:01.123456 a@h <0.85.0> :hot_worker  Hot.f(41)")
        XCTAssertEqual(call.text(node: "a@h", syntax: .erlang), "17:22:01.123456 a@h <0.85.0> hot_worker  Hot.f(41)")
        var ret = call
        ret.kind = "return"
        ret.name = nil
        ret.text = "42"
        XCTAssertEqual(ret.text(node: "a@h", syntax: .elixir), "17:22:01.123456 a@h <0.85.0>  Hot.f/1 → 42")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(call.json(node: "a@h").utf8)) as? [String: Any])
        XCTAssertEqual(json["event"] as? String, "call")
        XCTAssertEqual(json["time"] as? String, "2026-12-07T17:22:01.123456Z")
        XCTAssertEqual(json["name"] as? String, "hot_worker")
        XCTAssertNil(TraceEvent(.atom("junk")))
    }
}

/// The OTP 27+ path of the tracer cannot run here (OTP 25): its calls are checked against the trace module's exports
/// as OTP ships them (lib/kernel/src/trace.erl, `-export([function/4, send/3, recv/3, process/4, port/4, info/3,
/// session_create/3, session_destroy/1, session_info/1])`, erlang/otp commit 0078e8d5, "since OTP 27.0").
final class TraceSessionSourceTests: XCTestCase {
    static let otp27TraceExports: Set<String> = [
        "function/4", "send/3", "recv/3", "process/4", "port/4", "info/3", "session_create/3", "session_destroy/1",
        "session_info/1",
    ]

    func testEverySessionCallIsAnExportOfOTP27sTraceModule() {
        let calls = [
            ("trace:session_create(beamconsole, T, [])", "session_create/3"),
            ("trace:function(S, {M, F, A}, MS, [local])", "function/4"),
            ("trace:function(S, {M, F, A}, true, [call_count])", "function/4"),
            ("trace:process(S, Procs, true, [call, timestamp])", "process/4"),
            ("trace:process(S, X, false, [call])", "process/4"),
            ("trace:info(S, X, call_count)", "info/3"),
            ("trace:session_destroy(S)", "session_destroy/1"),
        ]
        for (text, export) in calls {
            XCTAssertTrue(TraceSource.text.contains(text), text)
            XCTAssertTrue(Self.otp27TraceExports.contains(export), export)
        }
        // Every trace: call in the source is one of those.
        var rest = Substring(TraceSource.text)
        var seen = 0
        while let r = rest.range(of: "trace:") {
            let before = rest[..<r.lowerBound].last
            rest = rest[r.upperBound...]
            guard before.map({ !$0.isLetter && $0 != "_" }) ?? true else { continue }  // erlang:trace(...) etc.
            let name = rest.prefix { $0.isLetter || $0 == "_" }
            XCTAssertTrue(Self.otp27TraceExports.contains { $0.hasPrefix(name + "/") }, "trace:\(name)")
            seen += 1
        }
        XCTAssertGreaterThanOrEqual(seen, 7)
    }
}
