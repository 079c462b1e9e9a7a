import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// Runs the built `beamconsole` binary, as a user would.
final class TermCommandTests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var out: String { String(decoding: stdout, as: UTF8.self) }
    }

    static let binary: URL = {
        // Tests/CLITests/TermCommandTests.swift → repository root → .build/debug/beamconsole
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let env = ProcessInfo.processInfo.environment["BEAMCONSOLE_BIN"]
        return env.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent(".build/debug/beamconsole")
    }()

    func run(_ args: [String], stdin: [UInt8] = []) throws -> Run {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(stdin))
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: Array(out), stderr: String(decoding: err, as: UTF8.self))
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// ETF produced by the real VM for an Elixir expression.
    func beamETF(_ elixir: String) throws -> [UInt8] {
        try BeamOracle.shared().batch("eval", [Array(elixir.utf8)])[0].get()
    }

    /// What the BEAM prints for ETF bytes with one of the oracle's ops (`inspect_pretty_full`, `fmt_p`).
    func beamPrinted(_ op: String, _ etf: [UInt8]) throws -> String {
        String(decoding: try BeamOracle.shared().batch(op, [etf])[0].get(), as: UTF8.self)
    }

    func testDecodeHexPrintsWhatInspectPrints() throws {
        let expressions = [
            "%{user_id: 42, roles: [:admin, :ops], name: \"Zoë\"}",
            "{:ok, [1, 2, 3], 'abc', <<1, 2, 255>>}",
            "Enum.to_list(1..60)",
            "%{nested: %{list: Enum.map(1..12, &{&1, \"item #{&1}\"})}}",
        ]
        for expr in expressions {
            let etf = try beamETF(expr)
            let expected = try beamPrinted("inspect_pretty_full", etf)
            let r = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex"], stdin: Array(hex(etf).utf8))
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.out, expected + "\n", expr)
        }
    }

    func testDecodeRawWithoutVersionByteAndErlangSyntax() throws {
        let etf = try beamETF("{:ok, [a: 1], \"bin\"}")
        let expected = try beamPrinted("fmt_p", etf)
        let r = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--syntax", "erlang"], stdin: Array(etf.dropFirst()))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.out, expected + "\n")
    }

    func testDecodeCompressed() throws {
        let etf = try beamETF(":erlang.term_to_binary(String.duplicate(\"abc\", 1000), [:compressed])")
        // eval returns the ETF of the binary; its content is the compressed term.
        guard case .binary(let inner) = try Term(etf: etf) else { return XCTFail("expected a binary") }
        XCTAssertEqual(inner[1], 80, "expected a compressed term")
        let r = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex"], stdin: Array(hex(inner).utf8))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.out, "\"" + String(repeating: "abc", count: 1000) + "\"\n")
    }

    func testDecodePhoenixTokenPayload() throws {
        // The shape of Phoenix.Token.sign/4: "SFMyNTY." <> url64(term_to_binary({data, signed_at, max_age})) <> "." <> sig
        let tokenETF = try beamETF(
            "\"SFMyNTY.\" <> Base.url_encode64(:erlang.term_to_binary({%{user_id: 7}, 1700000000000, 86400}), padding: false) <> \".c2lnbmF0dXJl\""
        )
        guard case .binary(let token) = try Term(etf: tokenETF) else { return XCTFail("expected a binary") }
        let r = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--base64"], stdin: token)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.out, "{%{user_id: 7}, 1700000000000, 86400}\n")
    }

    func testDecodeJSON() throws {
        let etf = try beamETF("%{name: \"x\", tags: [:a, :b], n: 1.5, ok: true, none: nil}")
        let r = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex", "--json"], stdin: Array(hex(etf).utf8))
        XCTAssertEqual(r.status, 0, r.stderr)
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any]
        XCTAssertEqual(parsed?["name"] as? String, "x")
        XCTAssertEqual(parsed?["tags"] as? [String], ["a", "b"])
        XCTAssertEqual(parsed?["n"] as? Double, 1.5)
        XCTAssertEqual(parsed?["ok"] as? Bool, true)
        XCTAssertTrue(parsed?["none"] is NSNull)

        let tuple = try beamETF("{:ok, 1}")
        let bad = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex", "--json"], stdin: Array(hex(tuple).utf8))
        XCTAssertEqual(bad.status, 65)
        XCTAssertTrue(bad.stderr.contains("tuple has no JSON form"), bad.stderr)
    }

    func testBadInputExitsWithOneLineErrorNamingOffset() throws {
        // A list claiming 4 G elements in 7 bytes.
        let r = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex"], stdin: Array("836cffffffff6a".utf8))
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("at byte 1"), r.stderr)

        let truncated = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex"], stdin: Array("836d000000ff6869".utf8))
        XCTAssertEqual(truncated.status, 65)
        XCTAssertTrue(truncated.stderr.contains("BINARY_EXT"), truncated.stderr)

        let notHex = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25", "--hex"], stdin: Array("83zz".utf8))
        XCTAssertEqual(notHex.status, 65)
        XCTAssertTrue(notHex.stderr.contains("invalid hex digit"), notHex.stderr)

        let empty = try run(["term", "decode", "--elixir-version", "1.14", "--otp-release", "25"], stdin: [])
        XCTAssertEqual(empty.status, 65)
    }

    func testEncodeMatchesTheBEAM() throws {
        let cases = [
            ("%{user_id: 42, roles: [:admin]}", "elixir"),
            ("{:ok, [1, 2, 3], \"héllo\", 'abc', 123456789012345678901234567890}", "elixir"),
            ("[a: 1, b: [c: 2]]", "elixir"),
        ]
        for (literal, syntax) in cases {
            let expected = try beamETF(literal)
            let r = try run(["term", "encode", "--syntax", syntax, literal])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, expected, literal)
            let h = try run(["term", "encode", "--syntax", syntax, "--hex", literal])
            XCTAssertEqual(h.out, hex(expected) + "\n")
        }
        let erl = try run(["term", "encode", "--syntax", "erlang", "--hex", "{ok, [1,2,3], <<\"bin\">>, #{a => 1}}"])
        XCTAssertEqual(erl.out, hex(try beamETF("{:ok, [1, 2, 3], \"bin\", %{a: 1}}")) + "\n")
    }

    func testEncodeCompressedDecodesBack() throws {
        let big = "\"" + String(repeating: "abc", count: 500) + "\""
        let r = try run(["term", "encode", "--compressed", big])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout[1], 80, "expected tag 80")
        XCTAssertLessThan(r.stdout.count, 200)
        XCTAssertEqual(try Term(etf: r.stdout), .string(String(repeating: "abc", count: 500)))
    }

    func testEncodeSyntaxErrorNamesLineAndColumn() throws {
        let r = try run(["term", "encode", "%{a: 1,, b: 2}"])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stderr.contains("line 1"), r.stderr)
        XCTAssertTrue(r.stderr.contains("column"), r.stderr)
    }

    /// `--elixir-version`/`--otp-release` choose the releases imitated; without them the newest (OTP 28). The term
    /// is `{maybe, #{c => 3, a => 1}}` with the map's keys on the wire in the order `c, a`, as an OTP 26+ node
    /// writes a map whose internal order is that (see ErlangFormatProfileTests for the sources).
    func testProfileOptions() throws {
        let etf: [UInt8] = [131, 104, 2, 119, 5] + Array("maybe".utf8) + [116, 0, 0, 0, 2, 119, 1, 99, 97, 3, 119, 1, 97, 97, 1]
        let newest = try run(["term", "decode", "--syntax", "erlang"], stdin: etf)
        XCTAssertEqual(newest.status, 0, newest.stderr)
        XCTAssertEqual(newest.out, "{'maybe',#{c => 3,a => 1}}\n")
        let otp26 = try run(["term", "decode", "--syntax", "erlang", "--otp-release", "26"], stdin: etf)
        XCTAssertEqual(otp26.out, "{maybe,#{c => 3,a => 1}}\n")
        let otp25 = try run(["term", "decode", "--syntax", "erlang", "--otp-release", "25", "--elixir-version", "1.14.5"], stdin: etf)
        XCTAssertEqual(otp25.out, "{maybe,#{a => 1,c => 3}}\n")
        for bad in [["--otp-release", "23"], ["--otp-release", "x"], ["--elixir-version", "1.13"], ["--elixir-version", "2"]] {
            let r = try run(["term", "decode"] + bad, stdin: etf)
            XCTAssertNotEqual(r.status, 0, bad.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(bad[0]), r.stderr)
        }
        let help = try run(["term", "decode", "--help"])
        XCTAssertTrue(help.out.contains("--elixir-version"), help.out)
        XCTAssertTrue(help.out.contains("newest"), help.out)
        let encodeHelp = try run(["term", "encode", "--help"])
        XCTAssertTrue(encodeHelp.out.contains("--otp-release"), encodeHelp.out)
        let encoded = try run(["term", "encode", "--otp-release", "26", "--elixir-version", "1.16", "--hex", "{:ok, 1}"])
        XCTAssertEqual(encoded.out, "83680277026f6b6101\n")
    }
}
