import ErlangTerm
import Foundation
import ErlangTestSupport
import TermSyntax
import XCTest

/// Our `ElixirInspect.inspect` against the real Elixir 1.14 `inspect/2` (scripts/oracle.exs) over generated terms.
final class ElixirInspectParityTests: XCTestCase {
    /// The number a BEAM shows for a remote node in `#PID<N.…>` is the index of the node's name in its atom table;
    /// ask the oracle for each generator node once.
    private func oracleNodeNumbers(_ oracle: BeamOracle, nodes: [Atom]) throws -> [Atom: Int] {
        let pids = nodes.map { Term.pid(Pid(node: $0, id: 1, serial: 0, creation: 1)) }
        var numbers: [Atom: Int] = [:]
        for (node, result) in zip(nodes, try oracle.inspect(pids)) {
            let text = try result.get()  // "#PID<10805.1.0>"
            let digits = text.dropFirst("#PID<".count).prefix { $0.isNumber }
            numbers[node] = Int(digits)
        }
        return numbers
    }

    private struct Mismatch { var term: Term; var ours: String; var theirs: String }

    private func runParity(count: Int, seed: UInt64, batch: Int = 400) throws -> (checked: Int, mismatches: [Mismatch]) {
        let oracle = try BeamOracle.shared()
        var generator = TermGenerator(seed: seed)
        var plain = ElixirInspectOptions.default
        plain.nodeNumbers = try oracleNodeNumbers(oracle, nodes: generator.options.nodes)
        var pretty = ElixirInspectOptions.pretty
        pretty.nodeNumbers = plain.nodeNumbers
        var mismatches: [Mismatch] = []
        var checked = 0
        var done = 0
        while done < count {
            let n = min(batch, count - done)
            let generated = (0..<n).map { _ in generator.next() }
            done += n
            // Take the node's own copy so that maps of more than 32 keys are in its iteration order.
            let terms = try oracle.roundtrip(generated).compactMap { try? $0.get() }
            let plainResults = try oracle.inspect(terms)
            let prettyResults = try oracle.inspectPretty(terms)
            for (i, term) in terms.enumerated() {
                guard case .success(let theirs) = plainResults[i], case .success(let theirsPretty) = prettyResults[i]
                else { continue }
                checked += 1
                let ours = ElixirInspect.inspect(term, options: plain)
                if ours != theirs { mismatches.append(Mismatch(term: term, ours: ours, theirs: theirs)) }
                let oursPretty = ElixirInspect.inspect(term, options: pretty)
                if oursPretty != theirsPretty {
                    mismatches.append(Mismatch(term: term, ours: oursPretty, theirs: theirsPretty))
                }
            }
        }
        return (checked, mismatches)
    }

    func testParityWithElixirInspectOverGeneratedTerms() throws {
        let (checked, mismatches) = try runParity(count: 10_000, seed: 0x1_4E1_11E)
        print("ElixirInspect parity: \(checked) terms × 2 layouts, \(mismatches.count) mismatches")
        for m in mismatches.prefix(3) {
            print("--- term: \(m.term)\n--- ours:\n\(m.ours)\n--- elixir:\n\(m.theirs)")
        }
        if let path = ProcessInfo.processInfo.environment["ELIXIR_INSPECT_MISMATCHES"] {
            // One line per mismatch: where the texts first differ, for sorting out causes.
            var report = ""
            for m in mismatches {
                let a = Array(m.ours.unicodeScalars), b = Array(m.theirs.unicodeScalars)
                var i = 0
                while i < min(a.count, b.count) && a[i] == b[i] { i += 1 }
                func window(_ s: [Unicode.Scalar]) -> String {
                    String(String.UnicodeScalarView(s[max(0, i - 30)..<min(s.count, i + 30)]))
                        .replacingOccurrences(of: "\n", with: "⏎")
                }
                report += "OURS  \(window(a))\nTHEIRS\(window(b))\n\n"
            }
            try report.write(toFile: path, atomically: true, encoding: .utf8)
        }
        XCTAssertGreaterThanOrEqual(checked, 9_900)
        XCTAssertEqual(mismatches.count, 0)
    }
}
