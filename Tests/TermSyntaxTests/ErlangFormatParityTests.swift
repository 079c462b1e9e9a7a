// Parity with the real BEAM over a seeded random corpus: every term is printed by `erl` (OTP 25) with
// io_lib:format/2 and by ErlangFormat, and the texts must be identical. Skipped when `erl` is not installed.
// ERLFORMAT_PARITY_COUNT and ERLFORMAT_PARITY_SEED change the corpus size (default 10,000) and seed.

import ErlangTerm
import Foundation
import TermSyntax
import XCTest

final class ErlangFormatParityTests: XCTestCase {
    private var count: Int {
        Int(ProcessInfo.processInfo.environment["ERLFORMAT_PARITY_COUNT"] ?? "") ?? 10_000
    }
    private var seed: UInt64 {
        UInt64(ProcessInfo.processInfo.environment["ERLFORMAT_PARITY_SEED"] ?? "") ?? 0x5EED_0025
    }

    /// Runs `terms` through `erl` with `formats`, prints them here with the matching options, and returns the
    /// mismatches as readable reports.
    private func mismatches(
        _ terms: [Term], formats: [(String, ErlangFormatOptions, Bool)], extraArgs: [String] = []
    ) throws -> (checked: Int, failures: [String]) {
        let nodes = ErlangFormatCorpus.remoteNodes
        let probes = ErlangFormatOracle.nodeProbes(nodes)
        let answers = try ErlangFormatOracle.run(probes + terms, formats: formats.map(\.0), extraArgs: extraArgs)
        var numbers: [Atom: Int] = [:]
        for (node, answer) in zip(nodes, answers) {
            numbers[node] = try XCTUnwrap(ErlangFormatOracle.nodeNumber(fromPidText: answer.outputs[0]))
        }
        var failures: [String] = []
        var checked = 0
        for (term, answer) in zip(terms, answers.dropFirst(probes.count)) {
            if term != answer.canonical {
                failures.append("round trip changed the term:\n\(ErlangFormat.write(term))\n\(ErlangFormat.write(answer.canonical))")
            }
            for (i, (format, baseOptions, pretty)) in formats.enumerated() {
                var options = baseOptions
                options.nodeNumbers = numbers
                let ours =
                    pretty
                    ? ErlangFormat.pretty(answer.canonical, options: options)
                    : ErlangFormat.write(answer.canonical, options: options)
                checked += 1
                if ours != answer.outputs[i] {
                    failures.append(Self.describe(format, answer.outputs.last ?? "", answer.outputs[i], ours))
                }
            }
        }
        return (checked, failures)
    }

    /// The term, then the first line that differs and the lines around it.
    static func describe(_ format: String, _ term: String, _ expected: String, _ actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        while i < min(e.count, a.count) && e[i] == a[i] { i += 1 }
        let from = max(0, i - 2)
        return "\(format) of \(term)\n--- OTP (from line \(from + 1)):\n"
            + e[from..<min(e.count, i + 3)].joined(separator: "\n") + "\n--- ours:\n"
            + a[from..<min(a.count, i + 3)].joined(separator: "\n")
    }

    private func report(_ result: (checked: Int, failures: [String]), _ what: String) {
        print("ErlangFormat parity \(what): \(result.checked) checked, \(result.failures.count) mismatches")
        for f in result.failures.prefix(8) { print(f) }
        XCTAssertEqual(result.failures.count, 0, "\(what): \(result.failures.count) of \(result.checked) differ")
    }

    func testParityWithOTPOverGeneratedCorpus() throws {
        var corpus = ErlangFormatCorpus(seed: seed)
        let terms = (0..<count).map { _ in corpus.term() }
        var p40 = ErlangFormatOptions()
        p40.lineLength = 40
        let formats: [(String, ErlangFormatOptions, Bool)] = [
            ("~p", ErlangFormatOptions(), true),
            ("~tp", .unicode, true),
            ("~40p", p40, true),
            ("~w", ErlangFormatOptions(), false),
            ("~tw", .unicode, false),  // last: the reports show the term as ~tw
        ]
        report(try mismatches(terms, formats: formats), "corpus")
    }

    /// `~tp` on a node started with `+pc unicode`, where lists and binaries of any printable character are strings.
    func testParityWithPrintableRangeUnicode() throws {
        var corpus = ErlangFormatCorpus(seed: seed &+ 1)
        let terms = (0..<max(count / 4, 1)).map { _ in corpus.term() }
        var tp = ErlangFormatOptions.unicode
        tp.printableRange = .unicode
        let formats: [(String, ErlangFormatOptions, Bool)] = [
            ("~tp", tp, true), ("~p", ErlangFormatOptions(), true), ("~tw", .unicode, false),
        ]
        report(try mismatches(terms, formats: formats, extraArgs: ["+pc", "unicode"]), "+pc unicode")
    }
}
