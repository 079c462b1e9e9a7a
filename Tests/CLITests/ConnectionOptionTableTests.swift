import ArgumentParser
@testable import ConsoleREPL
import XCTest

@testable import beamconsole

/// The executable's ArgumentParser `ConnectionOptions` against the one table of connection options
/// (``ConnectionOption``), which the fast path reads alone: the same options, the same arity, the same meaning.
/// (ArgumentParser's property wrappers cannot be generated from the table; this keeps them in step.)
final class ConnectionOptionTableTests: XCTestCase {
    /// Values to try for `option` (none for a flag).
    private func samples(_ option: ConnectionOption) -> [String?] {
        switch option {
        case _ where option.arity == .flag: return [nil]
        case .timeout, .pollInterval: return ["2.5", "30", "0.1", "1e2"]
        case .maxResultBytes: return ["256", "65536", "1048576"]
        case .syntax: return ["elixir", "erlang", "ex", "ERL", "Elixir"]
        case .dnsType: return ConnectionOption.dnsTypeValues
        default: return ["value-of-\(option.name)", "a@h", "x:1,y"]
        }
    }

    /// `options` applied through the table, in order.
    private func viaTable(_ options: [(ConnectionOption, String?)]) -> ConnectionArguments {
        var a = ConnectionArguments()
        for (o, v) in options { XCTAssertTrue(o.apply(v, to: &a), "\(o.name) \(v ?? "")") }
        return a
    }

    private func viaArgumentParser(_ line: [String]) throws -> ConnectionArguments {
        try ConnectionOptions.parse(line).arguments
    }

    func testEveryEntryMeansTheSameToArgumentParser() throws {
        for option in ConnectionOption.allCases {
            for value in samples(option) {
                let expected = viaTable([(option, value)])
                var line = ["--" + option.name]
                if let value { line.append(value) }
                XCTAssertEqual(try viaArgumentParser(line), expected, "\(line)")
                if let value {
                    XCTAssertEqual(try viaArgumentParser(["--\(option.name)=\(value)"]), expected, "\(line) with =")
                }
            }
        }
    }

    func testArity() throws {
        for option in ConnectionOption.allCases {
            let flag = "--" + option.name
            switch option.arity {
            case .flag:
                XCTAssertThrowsError(try viaArgumentParser([flag + "=x"]), flag)
                XCTAssertFalse(option.apply("x", to: &ConnectionArguments.scratch), flag)
            case .value:
                XCTAssertThrowsError(try viaArgumentParser([flag]), "\(flag) needs a value")
                XCTAssertFalse(option.apply(nil, to: &ConnectionArguments.scratch), flag)
            case .repeatable:
                let twice = [flag, "a", flag, "b"]
                XCTAssertEqual(try viaArgumentParser(twice), viaTable([(option, "a"), (option, "b")]), "\(twice)")
            case .upToNextOption:
                let line = [flag, "a", "b", "--json", flag, "c"]
                XCTAssertEqual(
                    try viaArgumentParser(line),
                    viaTable([(option, "a"), (option, "b"), (.json, nil), (option, "c")]), "\(line)")
            }
        }
    }

    /// What the table refuses, ArgumentParser refuses too, or accepts with a meaning ``ConnectionArguments/validate()``
    /// then refuses (so the fast path, which leaves such a line to ArgumentParser, never hides an error).
    func testValuesTheTableRefuses() {
        let refused: [(ConnectionOption, String)] = [
            (.syntax, "lisp"), (.dnsType, "srv"), (.dnsType, "A"), (.timeout, "x"), (.pollInterval, "1s"), (.maxResultBytes, "64k"),
        ]
        for (option, value) in refused {
            XCTAssertFalse(option.apply(value, to: &ConnectionArguments.scratch), "\(option.name) \(value)")
            XCTAssertThrowsError(try viaArgumentParser(["--" + option.name, value]), "\(option.name) \(value)")
        }
    }

    /// ArgumentParser has no connection option the table lacks.
    func testNoOptionOutsideTheTable() {
        let help = ConnectionOptions.helpMessage(columns: 400)
        var names: Set<String> = []
        // The OPTIONS section: each option's line starts with its name.
        for line in help.split(separator: "\n") {
            let word = line.drop { $0 == " " }
            guard word.hasPrefix("--") else { continue }
            names.insert(String(word.dropFirst(2).prefix { $0 != " " && $0 != "<" && $0 != "," }))
        }
        names.remove("help")
        XCTAssertEqual(names.subtracting(ConnectionOption.allCases.map(\.name)), [], help)
        XCTAssertEqual(Set(ConnectionOption.allCases.map(\.name)).subtracting(names), [], help)
    }

    /// A whole fast-path command line reads the same as through ArgumentParser.
    func testFastPathLineAgreesWithArgumentParser() throws {
        let options = [
            "--json", "--no-color", "--verbose", "--cookie", "c", "--cookie-file=f", "--timeout", "1.5", "--name", "me",
            "--syntax=erl", "--connect", "a@h", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca", "ca.pem",
            "--tls-insecure", "--ssl-dist-optfile", "o.conf",
        ]
        let fast = try XCTUnwrap(FastCall.parse(["call"] + options + ["b@h", ":erlang.node()"]))
        XCTAssertEqual(fast.node, "b@h")
        XCTAssertEqual(fast.arguments, try viaArgumentParser(options))
        XCTAssertNil(FastCall.parse(["call", "--read-only", ":erlang.node()"]), "left to ArgumentParser")
        XCTAssertNil(FastCall.parse(["call", "--timeout", "0", ":erlang.node()"]), "validate() refuses it")
    }
}

extension ConnectionArguments {
    /// Somewhere to apply an option whose result is not looked at.
    fileprivate static var scratch: ConnectionArguments {
        get { ConnectionArguments() }
        set {}
    }
}
