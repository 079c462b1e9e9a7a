// The printer profile of a target: read from the node's own answers, clamped to the supported ranges, fetched once
// and cached; and used to render the call's result locally.

@testable import ConsoleREPL
@testable import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import TermSyntax
import XCTest

/// A node that answers `otp_release`, `System.version` and one test call, counting the calls, and whose handshake
/// offered `flags` (nil: the transport cannot tell).
private final class ReleaseNode: RemoteCaller, @unchecked Sendable {
    let otp: String
    let elixir: String?
    let flags: DistributionFlags?
    let lock = NSLock()
    var calls: [String] = []
    init(otp: String, elixir: String?, flags: DistributionFlags? = nil) {
        self.otp = otp; self.elixir = elixir; self.flags = flags
    }
    func ensureConnected(to node: String) async throws(DistributionError) {}
    func peerFlags(of node: String) -> DistributionFlags? { flags }
    func call(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions)
        async throws(DistributionError) -> CallResponse
    {
        lock.withLock { calls.append("\(module.name):\(function.name)") }
        let result: CallResult
        switch (module.name, function.name) {
        case ("erlang", "system_info"): result = .value(.charlist(otp))
        case ("Elixir.System", "version"):
            result = elixir.map { .value(.binary(Array($0.utf8))) }
                ?? .exception(.error, reason: .atom("undef"), stacktrace: .list([]))
        default:
            // {maybe, #{c => 3, a => 1}} with the keys on the wire in that order.
            result = .value(.tuple([.atom("maybe"), .map(TermMap(uniqueEntries: [(key: .atom("c"), value: 3), (key: .atom("a"), value: 1)]))]))
        }
        return CallResponse(result: result, output: "")
    }
}

final class TargetProfileTests: XCTestCase {
    func testProfileFromTheNodesAnswers() {
        XCTAssertEqual(PrinterProfile.forTarget(otpRelease: "25", elixirVersion: "1.14.0"), .elixir114otp25)
        XCTAssertEqual(
            PrinterProfile.forTarget(otpRelease: "27", elixirVersion: "1.18.0-rc.1"),
            PrinterProfile(elixir: .init(1, 18), otp: 27))
        // Out of range: clamped; unknown: the newest.
        XCTAssertEqual(
            PrinterProfile.forTarget(otpRelease: "29", elixirVersion: "1.20.0"), PrinterProfile(elixir: .init(1, 19), otp: 28))
        XCTAssertEqual(
            PrinterProfile.forTarget(otpRelease: "23", elixirVersion: "1.12.3"), PrinterProfile(elixir: .init(1, 14), otp: 24))
        XCTAssertEqual(PrinterProfile.forTarget(otpRelease: "26", elixirVersion: nil), PrinterProfile(elixir: .init(1, 19), otp: 26))
        XCTAssertEqual(PrinterProfile.forTarget(otpRelease: nil, elixirVersion: nil), .newest)
    }

    func testFetchedOnceAndCached() async {
        let node = ReleaseNode(otp: "27", elixir: nil)
        let registry = PrinterProfileRegistry()
        let p = await registry.profile(for: "a@h", caller: node, timeout: .seconds(1))
        XCTAssertEqual(p, PrinterProfile(elixir: .init(1, 19), otp: 27))
        _ = await registry.profile(for: "a@h", caller: node, timeout: .seconds(1))
        XCTAssertEqual(node.calls, ["erlang:system_info", "Elixir.System:version"])
        registry.forget("a@h")
        _ = await registry.profile(for: "a@h", caller: node, timeout: .seconds(1))
        XCTAssertEqual(node.calls.count, 4)
    }

    func testOTP28FromTheHandshakeFlagsWithoutAsking() async {
        // OTP 28 offers ALTACT_SIG (bit 37; challenge flags 0x0000002D_07DF7FBD, ReleaseWireTests): the release is
        // taken from the flags, not asked (this node would answer 25 if asked); the Elixir version is still asked.
        let otp28 = ReleaseNode(otp: "25", elixir: "1.18.2", flags: DistributionFlags(rawValue: 0x0000002D_07DF7FBD))
        let p = await PrinterProfileRegistry().profile(for: "a@h", caller: otp28, timeout: .seconds(1))
        XCTAssertEqual(p, PrinterProfile(elixir: .init(1, 18), otp: 28))
        XCTAssertEqual(otp28.calls, ["Elixir.System:version"])
        // OTP 25-27 send the same flags (0x0000000D_07DF7FBD): they do not tell, so the node is asked.
        let otp26 = ReleaseNode(otp: "26", elixir: "1.16.0", flags: DistributionFlags(rawValue: 0x0000000D_07DF7FBD))
        let q = await PrinterProfileRegistry().profile(for: "a@h", caller: otp26, timeout: .seconds(1))
        XCTAssertEqual(q, PrinterProfile(elixir: .init(1, 16), otp: 26))
        XCTAssertEqual(otp26.calls, ["erlang:system_info", "Elixir.System:version"])
    }

    func testOTP28FromARealHandshake() async throws {
        // A peer that completes the handshake offering OTP 28's flags and then answers nothing: its profile still
        // has OTP 28 (from the flags alone) and the newest Elixir (System.version gets no answer in time).
        let cookie = "tp\(UInt64.random(in: 0...UInt64.max))"
        let node = makeConsoleNode(cookie: cookie)
        defer { node.shutdown() }
        let peer28 = try FakePeer(scenario: .silentAfterHandshake, cookie: cookie, flags: FakePeer.otp28Flags)
        defer { peer28.stop() }
        _ = try await node.connect(to: peer28.name, port: peer28.port)
        XCTAssertEqual(node.peerFlags(of: peer28.name)?.minimumOTPRelease, 28)
        let p = await PrinterProfileRegistry().profile(for: peer28.name, caller: node, timeout: .milliseconds(300))
        XCTAssertEqual(p, PrinterProfile(elixir: .init(1, 19), otp: 28))
        // The same peer with OTP 25's flags: the release must be asked, and nothing answers: no profile.
        let peer25 = try FakePeer(scenario: .silentAfterHandshake, cookie: cookie, name: "fake25@127.0.0.1")
        defer { peer25.stop() }
        _ = try await node.connect(to: peer25.name, port: peer25.port)
        XCTAssertNil(node.peerFlags(of: peer25.name)?.minimumOTPRelease)
        let none = await PrinterProfileRegistry().profile(for: peer25.name, caller: node, timeout: .milliseconds(300))
        XCTAssertNil(none)
    }

    func testCallRendersWithTheTargetsProfile() async {
        var settings = ConsoleSettings()
        settings.syntax = .erlang
        // Without a registry, the default profile (OTP 25): sorted keys, `maybe` bare; no extra call.
        let plain = ReleaseNode(otp: "28", elixir: nil)
        let a = await CallCommand.run(node: "a@h", expression: "m:f()", caller: plain, settings: settings, onOutput: nil)
        XCTAssertEqual(a.text, "{maybe,#{a => 1,c => 3}}")
        XCTAssertEqual(plain.calls, ["m:f"])
        // With one, the node's: OTP 28 prints wire order and quotes 'maybe', in the text and the --json field.
        settings.profiles = PrinterProfileRegistry()
        let otp28 = ReleaseNode(otp: "28", elixir: nil)
        let b = await CallCommand.run(node: "a@h", expression: "m:f()", caller: otp28, settings: settings, onOutput: nil)
        XCTAssertEqual(b.text, "{'maybe',#{c => 3,a => 1}}")
        XCTAssertTrue(b.json.contains(#""result":"{'maybe',#{c => 3,a => 1}}""#), b.json)
    }
}
