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
}
