// The printer profile of a target: read from the node's own answers, clamped to the supported ranges, fetched once
// and cached; and used to render the call's result locally.

@testable import ConsoleREPL
@testable import ErlangDistribution
import ErlangTerm
import Foundation
import TermSyntax
import XCTest

/// A node that answers `otp_release`, `System.version` and one test call, counting the calls.
private final class ReleaseNode: RemoteCaller, @unchecked Sendable {
    let otp: String
    let elixir: String?
    let lock = NSLock()
    var calls: [String] = []
    init(otp: String, elixir: String?) { self.otp = otp; self.elixir = elixir }
    func ensureConnected(to node: String) async throws(DistributionError) {}
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
