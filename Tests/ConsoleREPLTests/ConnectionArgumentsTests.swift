import ConsoleREPL
import TermSyntax
import XCTest

/// The connection options' one check and mapping, and the fast path's table of them.
final class ConnectionArgumentsTests: XCTestCase {
    private func option(_ name: String) throws -> ConnectionArguments.FastPathOption {
        try XCTUnwrap(ConnectionArguments.fastPathOption(name), name)
    }

    private func set(_ name: String, _ value: String? = nil, on a: inout ConnectionArguments) throws -> Bool {
        switch try option(name) {
        case .flag(let f):
            f(&a)
            return true
        case .value(let f):
            return f(&a, try XCTUnwrap(value))
        }
    }

    func testValidateRefusesWhatArgumentParserRefuses() {
        var a = ConnectionArguments()
        XCTAssertNoThrow(try a.validate())
        a.options.name = "x"
        a.options.sname = "y"
        XCTAssertThrowsError(try a.validate()) {
            XCTAssertEqual("\($0)", "--name and --sname cannot be used together.")
        }
        a = ConnectionArguments()
        a.options.timeout = .zero
        XCTAssertThrowsError(try a.validate()) { XCTAssertEqual("\($0)", "--timeout must be positive.") }
        a = ConnectionArguments()
        a.options.discovery.pollInterval = ConnectionArguments.duration(seconds: 0.01)
        XCTAssertThrowsError(try a.validate()) {
            XCTAssertEqual("\($0)", "--poll-interval must be 0.1 to 3600 seconds.")
        }
        a = ConnectionArguments()
        a.options.tls.insecure = true
        a.options.tls.verifyHostname = true
        XCTAssertThrowsError(try a.validate()) {
            XCTAssertEqual("\($0)", "--tls-insecure and --tls-verify-hostname cannot be used together.")
        }
    }

    func testStartupOptions() {
        var a = ConnectionArguments()
        a.json = true
        a.options.timeout = ConnectionArguments.duration(seconds: 0.25)
        a.options.connect = ["a@h"]
        a.options.tls.caFile = "ca.pem"
        a.options.discovery.nodes = ["b@h"]
        let o = a.startup
        XCTAssertTrue(o.noColor, "--json implies no colour")
        XCTAssertEqual(o.timeout, .milliseconds(250))
        XCTAssertEqual(o.connect, ["a@h"])
        XCTAssertEqual(o.tls.caFile, "ca.pem")
        XCTAssertEqual(o.discovery.nodes, ["b@h"])
        XCTAssertEqual(o.discovery.pollInterval, .seconds(5))
    }

    /// Seconds as given become whole milliseconds; what is no number cannot trap and is refused by `validate`.
    func testDurationOfSeconds() {
        XCTAssertEqual(ConnectionArguments.duration(seconds: 1.5), .milliseconds(1500))
        XCTAssertEqual(ConnectionArguments.duration(seconds: .nan), .zero)
        XCTAssertEqual(ConnectionArguments.duration(seconds: -.infinity), .milliseconds(-1_000_000_000_000_000))
        var a = ConnectionArguments()
        a.options.timeout = ConnectionArguments.duration(seconds: .nan)
        XCTAssertThrowsError(try a.validate())
        a.options.timeout = ConnectionArguments.duration(seconds: .infinity)
        XCTAssertNoThrow(try a.validate())
    }

    func testFastPathTable() throws {
        var a = ConnectionArguments()
        XCTAssertTrue(try set("--timeout", "1.5", on: &a))
        XCTAssertEqual(a.options.timeout, .milliseconds(1500))
        for bad in ["0", "-1", "inf", "nan", "x"] { XCTAssertFalse(try set("--timeout", bad, on: &a), bad) }
        XCTAssertTrue(try set("--syntax", "ERL", on: &a))
        XCTAssertEqual(a.options.syntax, .erlang)
        XCTAssertFalse(try set("--syntax", "lisp", on: &a))
        XCTAssertTrue(try set("--verbose", on: &a))
        XCTAssertTrue(a.verbose)
        XCTAssertTrue(try set("--connect", "a@h", on: &a))
        XCTAssertEqual(a.options.connect, ["a@h"])
        // What the fast path leaves to ArgumentParser.
        let leftToArgumentParser = [
            "--read-only", "--audit-log", "--yes", "--dns-query", "--nodes", "--epmd-hosts", "--poll-interval",
        ]
        for name in leftToArgumentParser { XCTAssertNil(ConnectionArguments.fastPathOption(name), name) }
        for name in [
            "--json", "--no-color", "--verbose", "--tls-insecure", "--tls-verify-hostname", "--cookie", "--cookie-file",
            "--timeout", "--name", "--sname", "--syntax", "--connect", "--tls-cert", "--tls-key", "--tls-ca",
            "--ssl-dist-optfile",
        ] {
            XCTAssertNotNil(ConnectionArguments.fastPathOption(name), name)
        }
    }
}
