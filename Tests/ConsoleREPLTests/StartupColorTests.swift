@testable import ConsoleREPL
import XCTest

/// When results carry IEx's syntax colours: only on a terminal, and never with `--no-color`, `NO_COLOR` or
/// `TERM=dumb` (issue 13).
final class StartupColorTests: XCTestCase {
    func color(terminal: Bool, noColor: Bool = false, environment: [String: String] = ["TERM": "xterm-256color"])
        throws -> Bool
    {
        var o = StartupOptions()
        o.cookie = "c"
        o.connect = ["a@10.0.0.1"]
        o.noColor = noColor
        let host = HostFacts(hostname: "box", addressReaching: { _ in "10.0.0.9" }, stdoutIsTerminal: terminal)
        return try Startup.plan(o, environment: environment, host: host).settings.color
    }

    func testColoursOnATerminal() throws {
        XCTAssertTrue(try color(terminal: true))
        XCTAssertTrue(try color(terminal: true, environment: [:]), "no TERM at all is not dumb")
    }

    func testAPipeHasNoColours() throws {
        XCTAssertFalse(try color(terminal: false))
    }

    func testNoColorFlagNO_COLORAndDumbTerminalsTurnThemOff() throws {
        XCTAssertFalse(try color(terminal: true, noColor: true))
        XCTAssertFalse(try color(terminal: true, environment: ["TERM": "xterm", "NO_COLOR": "1"]))
        XCTAssertTrue(try color(terminal: true, environment: ["TERM": "xterm", "NO_COLOR": ""]),
                      "no-color.org: an empty NO_COLOR does not count")
        XCTAssertFalse(try color(terminal: true, environment: ["TERM": "dumb"]))
    }
}
