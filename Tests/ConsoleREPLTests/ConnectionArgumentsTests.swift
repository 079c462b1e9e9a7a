import ConsoleREPL
import TermSyntax
import XCTest

/// The connection options' one check and mapping, and the fast path's table of them.
final class ConnectionArgumentsTests: XCTestCase {
    private func set(_ name: String, _ value: String? = nil, on a: inout ConnectionArguments) throws -> Bool {
        try XCTUnwrap(ConnectionOption(longName: name), name).apply(value, to: &a)
    }

    func testValidateRefusesWhatArgumentParserRefuses() {
        var a = ConnectionArguments()
        XCTAssertNoThrow(try a.validate())
        a.name = "x"
        a.sname = "y"
        XCTAssertThrowsError(try a.validate()) {
            XCTAssertEqual("\($0)", "--name and --sname cannot be used together.")
        }
        a = ConnectionArguments()
        a.timeout = 0
        XCTAssertThrowsError(try a.validate()) { XCTAssertEqual("\($0)", "--timeout must be positive.") }
        a = ConnectionArguments()
        a.pollInterval = 0.01
        XCTAssertThrowsError(try a.validate()) {
            XCTAssertEqual("\($0)", "--poll-interval must be 0.1 to 3600 seconds.")
        }
        for notFinite in [Double.infinity, .nan] {
            a = ConnectionArguments()
            a.timeout = notFinite
            XCTAssertThrowsError(try a.validate(), "\(notFinite)")
            a = ConnectionArguments()
            a.pollInterval = notFinite
            XCTAssertThrowsError(try a.validate(), "\(notFinite)")
        }
        a = ConnectionArguments()
        a.timeout = 1e300
        XCTAssertNoThrow(try a.validate())
        XCTAssertEqual(a.startup.timeout, .seconds(4_000_000_000))
        a = ConnectionArguments()
        a.tlsInsecure = true
        a.tlsVerifyHostname = true
        XCTAssertThrowsError(try a.validate()) {
            XCTAssertEqual("\($0)", "--tls-insecure and --tls-verify-hostname cannot be used together.")
        }
    }

    func testStartupOptions() {
        var a = ConnectionArguments()
        a.json = true
        a.timeout = 0.25
        a.connect = ["a@h"]
        a.tlsCA = "ca.pem"
        a.nodes = ["b@h"]
        let o = a.startup
        XCTAssertTrue(o.noColor, "--json implies no colour")
        XCTAssertEqual(o.timeout, .milliseconds(250))
        XCTAssertEqual(o.connect, ["a@h"])
        XCTAssertEqual(o.tls.caFile, "ca.pem")
        XCTAssertEqual(o.discovery.nodes, ["b@h"])
        XCTAssertEqual(o.discovery.pollInterval, .seconds(5))
    }

    func testOptionTable() throws {
        var a = ConnectionArguments()
        XCTAssertTrue(try set("--timeout", "1.5", on: &a))
        XCTAssertEqual(a.timeout, 1.5)
        for bad in ["inf", "nan", "x", ""] { XCTAssertFalse(try set("--timeout", bad, on: &a), bad) }
        // In range or not is validate()'s to say (ArgumentParser prints its message).
        XCTAssertTrue(try set("--timeout", "0", on: &a))
        XCTAssertThrowsError(try a.validate())
        a = ConnectionArguments()
        XCTAssertTrue(try set("--syntax", "ERL", on: &a))
        XCTAssertEqual(a.syntax, .erlang)
        XCTAssertFalse(try set("--syntax", "lisp", on: &a))
        XCTAssertTrue(try set("--verbose", on: &a))
        XCTAssertTrue(a.verbose)
        XCTAssertFalse(try set("--verbose", "yes", on: &a), "a flag takes no value")
        XCTAssertFalse(try set("--cookie", nil, on: &a), "an option takes a value")
        XCTAssertTrue(try set("--connect", "a@h", on: &a))
        XCTAssertTrue(try set("--connect", "b@h", on: &a))
        XCTAssertEqual(a.connect, ["a@h", "b@h"])
        XCTAssertTrue(try set("--dns-type", "both", on: &a))
        XCTAssertEqual(a.dnsTypes, [.a, .aaaa])
        XCTAssertFalse(try set("--dns-type", "srv", on: &a))
        XCTAssertNil(ConnectionOption(longName: "-h"))
        XCTAssertNil(ConnectionOption(longName: "--bogus"))
        XCTAssertNil(ConnectionOption(longName: "cookie"), "names are given with their dashes")
        XCTAssertEqual(ConnectionOption(longName: "--cookie-file"), .cookieFile)
        // What the fast path leaves to ArgumentParser: repeatable and discovery options, the policy, the audit log.
        XCTAssertEqual(
            Set(ConnectionOption.allCases.filter { !$0.readByFastPath }.map(\.name)),
            [
                "read-only", "allow-trace", "audit-log", "yes", "dns-query", "basename", "poll-interval", "dns-server", "dns-type",
                "epmd-hosts", "nodes",
            ])
    }
}
