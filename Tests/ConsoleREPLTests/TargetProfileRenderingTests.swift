// The local renderers that print a target's terms outside `call`/`multicall` use the target's printer profile: the
// `proc` view, error messages (`termText`) and the exception fallback. Each test uses a term that prints differently
// on the default profile (Elixir 1.14, OTP 25), so it fails if the default were used.

@testable import ConsoleREPL
@testable import ErlangDistribution
import ErlangTerm
import Foundation
import TermSyntax
import XCTest

/// A node that tells its releases, and answers every other call with `other`, counting the calls.
private final class ReleasedNode: RemoteCaller, @unchecked Sendable {
    let otp: String
    let elixir: String?
    let other: CallResult
    let lock = NSLock()
    var calls: [String] = []
    init(otp: String, elixir: String?, other: CallResult) { self.otp = otp; self.elixir = elixir; self.other = other }
    func ensureConnected(to node: String) async throws(DistributionError) {}
    func call(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions)
        async throws(DistributionError) -> CallResponse
    {
        lock.withLock { calls.append("\(module.name):\(function.name)") }
        switch (module.name, function.name) {
        case ("erlang", "system_info") where arguments == [.atom("otp_release")]:
            return CallResponse(result: .value(.charlist(otp)), output: "")
        case ("Elixir.System", "version"):
            let r: CallResult =
                elixir.map { .value(.string($0)) } ?? .exception(.error, reason: .atom("undef"), stacktrace: [])
            return CallResponse(result: r, output: "")
        default:
            return CallResponse(result: other, output: "")
        }
    }
}

final class TargetProfileRenderingTests: XCTestCase {
    // MARK: proc

    /// A minimal `proc` report (``ProcSource``'s map) of a process registered as `name`, calling `fun` now.
    private func report(name: String, function: String = "loop", otp: String = "27") -> ProcReport {
        let pid = Pid(node: "a@h", id: 90, serial: 0, creation: 1)
        let map = TermMap([
            (.atom("pid"), .pid(pid)), (.atom("node"), .atom("a@h")), (.atom("registered_name"), .atom(Atom(name))),
            (.atom("status"), .atom("waiting")),
            (.atom("current_function"), .tuple([.atom("worker"), .atom(Atom(function)), 1])),
            (.atom("group_leader"), .pid(Pid(node: "a@h", id: 70, serial: 0, creation: 1))),
            (.atom("links"), .tuple([[], 0])), (.atom("monitors"), .tuple([[], 0])),
            (.atom("monitored_by"), .tuple([[], 0])), (.atom("state"), .tuple([.atom("skipped"), .atom("not_asked")])),
            (.atom("otp"), .string(otp)),
        ])
        return ProcReport(map)!
    }

    /// The line of `text` that starts with `label`, its runs of spaces made one.
    private func line(_ text: String, _ label: String) -> String? {
        text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.first { $0.hasPrefix(label) }
    }

    func testProcViewRendersWithTheGivenProfile() {
        let location = ProcView.Location(node: "a@h", how: "target")
        // Elixir 1.18 takes scripts mixed in `_`-separated chunks (ElixirInspectReleaseTests): no quotes; 1.14 quotes.
        let r = report(name: "http_сервер")
        let elixir118 = PrinterProfile(elixir: .init(1, 18), otp: 27)
        let t118 = ProcView.text(r, location: location, query: "<0.90.0>", syntax: .elixir, profile: elixir118)
        XCTAssertEqual(line(t118, "registered name"), "registered name :http_сервер")
        let t114 = ProcView.text(r, location: location, query: "<0.90.0>", syntax: .elixir, profile: .elixir114otp25)
        XCTAssertEqual(line(t114, "registered name"), "registered name :\"http_сервер\"")
        // Erlang syntax on OTP 27 quotes 'maybe', as a name and as a function.
        let m = report(name: "maybe", function: "else")
        let e27 = ProcView.text(m, location: location, query: "<0.90.0>", syntax: .erlang, profile: elixir118)
        XCTAssertEqual(line(e27, "registered name"), "registered name 'maybe'")
        XCTAssertEqual(line(e27, "current function"), "current function worker:'else'/1")
        let e25 = ProcView.text(m, location: location, query: "<0.90.0>", syntax: .erlang, profile: .elixir114otp25)
        XCTAssertEqual(line(e25, "registered name"), "registered name maybe")
    }

    func testProcReadsTheProfileOfTheNodeThatHasTheProcess() async {
        let node = ReleasedNode(otp: "27", elixir: "1.18.0", other: .value(.atom("ok")))
        var settings = ConsoleSettings()
        settings.profiles = PrinterProfileRegistry()
        let location = ProcView.Location(node: "a@h", how: "target")
        let out = await ProcCommand.shown(
            report(name: "http_сервер"), location: location, target: .name("http_сервер"), settings: settings,
            caller: node)
        // The query echoed and the registered name, both as Elixir 1.18 prints them.
        XCTAssertTrue(out.text.hasPrefix(":http_сервер #PID<0.90.0> on a@h"), out.text)
        XCTAssertEqual(line(out.text, "registered name"), "registered name :http_сервер")
        XCTAssertEqual(node.calls, ["erlang:system_info", "Elixir.System:version"])
        // A report with nothing that prints differently between releases spends no call on the profile.
        let plain = ReleasedNode(otp: "27", elixir: "1.18.0", other: .value(.atom("ok")))
        let ascii = await ProcCommand.shown(
            report(name: "worker"), location: location, target: .name("worker"), settings: settings, caller: plain)
        XCTAssertEqual(line(ascii.text, "registered name"), "registered name :worker")
        XCTAssertEqual(plain.calls, [])
    }

    // MARK: termText

    func testErrorMessagesShowTheAnswerAsTheNodePrintsIt() {
        // `info` assembled from answers where application:which_applications() returned something odd: shown with
        // the node's own OTP (27 quotes 'maybe'), which the answers tell.
        func results(otp: String) -> [InfoView.Query: CallResult] {
            var r: [InfoView.Query: CallResult] = [:]
            for q in InfoView.Query.allCases { r[q] = .value(.integer(1)) }
            r[.otpRelease] = .value(.charlist(otp))
            r[.ertsVersion] = .value(.charlist("15.0"))
            r[.elixirVersion] = .value(.string("1.17.0"))
            r[.wallClock] = .value(.tuple([1000, 0]))
            r[.memory] = .value([])
            r[.listenMin] = .value(.atom("undefined"))
            r[.listenMax] = .value(.atom("undefined"))
            r[.applications] = .value(.tuple([.atom("maybe")]))
            return r
        }
        func message(otp: String) -> String {
            do {
                _ = try InfoView.assemble(node: "a@h", results: results(otp: otp), distPort: nil)
                return "no error"
            } catch {
                return error.message
            }
        }
        XCTAssertTrue(message(otp: "27").hasSuffix("returned {'maybe'}, expected a list"), message(otp: "27"))
        XCTAssertTrue(message(otp: "25").hasSuffix("returned {maybe}, expected a list"), message(otp: "25"))
        // The function itself prints as the profile says.
        XCTAssertEqual(termText(.atom("else"), profile: PrinterProfile(elixir: .init(1, 17), otp: 28)), "'else'")
    }

    // MARK: ExceptionFormatter

    func testExceptionFallbackRendersWithTheTargetsProfile() async {
        // Neither Exception.format/3 nor erl_error:format_exception/3 answers: the reason is rendered here, as the
        // node's Elixir (1.15: ~c"abc") would print it.
        let node = ReleasedNode(
            otp: "26", elixir: "1.15.7", other: .exception(.error, reason: .atom("undef"), stacktrace: []))
        var settings = ConsoleSettings()
        settings.profiles = PrinterProfileRegistry()
        let text = await ExceptionFormatter.format(
            .error, reason: .charlist("abc"), stacktrace: [], on: "a@h", caller: node, settings: settings)
        XCTAssertEqual(text, "** (error) ~c\"abc\"")
        // Without a registry (nothing to ask), the settings' own profile: Elixir 1.14 prints 'abc'.
        let plain = await ExceptionFormatter.format(
            .error, reason: .charlist("abc"), stacktrace: [], on: "a@h", caller: node, settings: ConsoleSettings())
        XCTAssertEqual(plain, "** (error) 'abc'")
    }
}
