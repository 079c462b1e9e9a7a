@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// ``IOServer``: the io protocol requests a remote call's output arrives in.
final class IOServerTests: XCTestCase {
    func testPutCharsForms() async {
        let out = OutputCollector(onOutput: nil)
        let server = IOServer(evaluate: { m, f, a in
            XCTAssertEqual(m, "io_lib"); XCTAssertEqual(f, "format")
            return .list([.charlist("x="), .binary(Array("1".utf8)), .list([10])])
        }, write: { out.append($0) })
        let r1 = await server.handle(request: .tuple(["put_chars", "unicode", .string("hé\n")]))
        XCTAssertEqual(r1, .ok)
        _ = await server.handle(request: .tuple(["put_chars", .charlist("a")]))
        _ = await server.handle(request: .tuple(["put_chars", "unicode", "io_lib", "format", [.charlist("x=~p~n"), [1]]]))
        XCTAssertEqual(out.text, "hé\nax=1\n")
        let eof = await server.handle(request: .tuple(["get_line", "unicode", .string("? ")]))
        XCTAssertEqual(eof, "eof")
        let geo = await server.handle(request: .tuple(["get_geometry", "columns"]))
        XCTAssertEqual(geo, .tuple(["error", "enotsup"]))
        let unknown = await server.handle(request: "what")
        XCTAssertEqual(unknown, .tuple(["error", "request"]))
        let reqs = await server.handle(request: .tuple(["requests", [.tuple(["put_chars", "unicode", .string("z")]), .tuple(["setopts", []])]]))
        XCTAssertEqual(reqs, .ok)
        XCTAssertEqual(out.text, "hé\nax=1\nz")
    }

    /// The steps of one request: `{requests, List}` in order, nested lists flattened, the first error ends it.
    func testServingSteps() {
        func steps(_ request: Term, evaluating results: [Term?] = []) -> [IOServer.Serving.Step] {
            var serving = IOServer.Serving(request), results = results, out: [IOServer.Serving.Step] = []
            while true {
                let step = serving.next()
                out.append(step)
                switch step {
                case .evaluate: serving.evaluated(results.removeFirst())
                case .reply: return out
                case .write: break
                }
            }
        }
        let put: (String) -> Term = { .tuple(["put_chars", "unicode", .string($0)]) }
        let format: Term = .tuple(["put_chars", "io_lib", "format", [.charlist("~p"), [1]]])
        XCTAssertEqual(steps(put("a")), [.write("a"), .reply(.ok)])
        XCTAssertEqual(steps("getopts").count, 1)
        XCTAssertEqual(steps(.tuple(["requests", []])), [.reply(.ok)])
        XCTAssertEqual(steps(.tuple(["requests", ["getopts", .tuple(["requests", []])]])), [.reply(.ok)])
        XCTAssertEqual(steps(.tuple(["requests", [put("a"), .tuple(["requests", [put("b")]]), put("c")]])),
                       [.write("a"), .write("b"), .write("c"), .reply(.ok)])
        XCTAssertEqual(steps(.tuple(["requests", [put("a"), "bad", put("c")]])),
                       [.write("a"), .reply(.tuple(["error", "request"]))])
        XCTAssertEqual(steps(.tuple(["requests", [.tuple(["requests", ["bad"]]), put("c")]])),
                       [.reply(.tuple(["error", "request"]))])
        XCTAssertEqual(steps(.tuple(["requests", [format, put("c")]]), evaluating: [.charlist("1")]),
                       [.evaluate("io_lib", "format", [.charlist("~p"), [1]]), .write("1"), .write("c"), .reply(.ok)])
        XCTAssertEqual(steps(.tuple(["requests", [format, put("c")]]), evaluating: [nil]),
                       [.evaluate("io_lib", "format", [.charlist("~p"), [1]]),
                        .reply(.tuple(["error", .tuple(["error", "format"])]))])
        XCTAssertEqual(steps(.tuple(["get_line", "unicode", .string("? ")])), [.reply("eof")])
    }
}
