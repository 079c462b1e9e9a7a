// Parity with the shared BEAM oracle (ErlangTestSupport's BeamOracle, ops fmt_p / fmt_w / fmt_tp) over
// ErlangTestSupport's TermGenerator corpus. Terms are first round-tripped through the BEAM so that maps of more than
// 32 keys carry the entry order of OTP's term_to_binary, which is what ErlangMapOrder.otp25 expects.
// ERLFORMAT_ORACLE_COUNT changes the corpus size (default 10,000). Skipped when `elixir` is not installed.

import ErlangTerm
import ErlangTestSupport
import Foundation
import TermSyntax
import XCTest

final class ErlangFormatBeamOracleTests: XCTestCase {
    private var count: Int {
        Int(ProcessInfo.processInfo.environment["ERLFORMAT_ORACLE_COUNT"] ?? "") ?? 10_000
    }

    private func oracle() throws -> BeamOracle {
        // No skipping: a missing BEAM is a failure (make test installs it).
        try BeamOracle.shared()
    }

    /// The answers in `chunk`-sized batches, failures as test failures.
    private func printed(_ oracle: BeamOracle, _ op: String, _ terms: [Term], chunk: Int = 500) throws -> [String] {
        var out: [String] = []
        out.reserveCapacity(terms.count)
        for start in stride(from: 0, to: terms.count, by: chunk) {
            for result in try oracle.printed(op, Array(terms[start..<min(start + chunk, terms.count)])) {
                switch result {
                case .success(let text): out.append(text)
                case .failure(let failure):
                    XCTFail("\(op): \(failure)")
                    out.append("")
                }
            }
        }
        return out
    }

    func testParityWithBeamOracleOverTermGenerator() throws {
        let oracle = try oracle()
        var generator = TermGenerator(seed: 0xE71A_F0A7)
        let generated = (0..<count).map { _ in generator.next() }

        // The BEAM's own encoding of each term: big maps in OTP's order.
        var terms: [Term] = []
        for start in stride(from: 0, to: generated.count, by: 500) {
            for result in try oracle.roundtrip(Array(generated[start..<min(start + 500, generated.count)])) {
                terms.append(try result.get())
            }
        }

        // Node numbers: OTP prints a remote node as the index of its name in the atom table, fixed for the VM's life.
        let nodes = generator.options.nodes
        let probes = try printed(oracle, "fmt_w", nodes.map { .pid(Pid(node: $0, id: 1, serial: 0, creation: 1)) })
        var base = ErlangFormatOptions()
        for (node, text) in zip(nodes, probes) {
            let digits = text.dropFirst().prefix { $0 != "." }
            base.nodeNumbers[node] = try XCTUnwrap(Int(digits), "probe \(text)")
        }
        // io:printable_range() of the oracle's VM.
        let rangeProbe = try printed(oracle, "fmt_tp", [.charlist("п")])
        let unicodeRange = rangeProbe.first == "\"п\""

        var tp = base
        tp.unicode = true
        tp.printableRange = unicodeRange ? .unicode : .latin1
        let formats: [(String, ErlangFormatOptions, Bool)] = [("fmt_p", base, true), ("fmt_w", base, false),
                                                               ("fmt_tp", tp, true)]
        var checked = 0
        var failures: [String] = []
        for (op, options, pretty) in formats {
            let expected = try printed(oracle, op, terms)
            for (term, otp) in zip(terms, expected) {
                let ours =
                    pretty ? ErlangFormat.pretty(term, options: options) : ErlangFormat.write(term, options: options)
                checked += 1
                if ours != otp {
                    failures.append(
                        ErlangFormatParityTests.describe(op, ErlangFormat.write(term, options: tp), otp, ours))
                }
            }
        }
        print("ErlangFormat BEAM-oracle parity: \(terms.count) terms, \(checked) checked, \(failures.count) mismatches")
        for f in failures.prefix(8) { print(f) }
        XCTAssertEqual(failures.count, 0, "\(failures.count) of \(checked) differ")
    }
}
