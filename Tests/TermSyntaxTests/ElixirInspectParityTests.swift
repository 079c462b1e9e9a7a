import ErlangTerm
import ErlangTestSupport
import Foundation
@testable import TermSyntax
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

    private struct Mismatch {
        var term: Term
        var ours: String
        var theirs: String
    }

    private func runParity(
        count: Int, batch: Int = 400, nodes: [Atom], next: () -> Term
    ) throws -> (checked: Int, mismatches: [Mismatch]) {
        let oracle = try BeamOracle.shared()
        var plain = ElixirInspectOptions.default
        plain.nodeNumbers = try oracleNodeNumbers(oracle, nodes: nodes)
        var pretty = ElixirInspectOptions.pretty
        pretty.nodeNumbers = plain.nodeNumbers
        var mismatches: [Mismatch] = []
        var oracleTime = Duration.zero
        var ourTime = Duration.zero
        defer { print("ElixirInspect parity timing: oracle \(oracleTime), ours \(ourTime)") }
        var checked = 0
        var done = 0
        while done < count {
            let n = min(batch, count - done)
            let generated = (0..<n).map { _ in next() }
            done += n
            // Take the node's own copy so that maps of more than 32 keys are in its iteration order.
            let t0 = ContinuousClock.now
            let terms = try oracle.roundtrip(generated).compactMap { try? $0.get() }
            let plainResults = try oracle.inspect(terms)
            let prettyResults = try oracle.inspectPretty(terms)
            oracleTime += ContinuousClock.now - t0
            let t1 = ContinuousClock.now
            defer { ourTime += ContinuousClock.now - t1 }
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

    /// How many terms each corpus has: 10,000, or `ELIXIR_INSPECT_PARITY_COUNT`.
    private var corpusSize: Int {
        ProcessInfo.processInfo.environment["ELIXIR_INSPECT_PARITY_COUNT"].flatMap { Int($0) } ?? 10_000
    }
    /// The seed offset, `ELIXIR_INSPECT_PARITY_SEED` (default 0), to try other corpora.
    private var seedOffset: UInt64 {
        ProcessInfo.processInfo.environment["ELIXIR_INSPECT_PARITY_SEED"].flatMap { UInt64($0) } ?? 0
    }

    func testParityWithElixirInspectOverGeneratedTerms() throws {
        var generator = TermGenerator(seed: 0x1_4E1_11E &+ seedOffset)
        let (checked, mismatches) = try runParity(count: corpusSize, nodes: generator.options.nodes) {
            generator.next()
        }
        try report("generated", checked, mismatches)
    }

    /// Terms shaped like Elixir data: strings, keyword lists, atom-keyed maps, structs, long collections that hit
    /// `limit: 50`, long strings that hit `printable_limit: 4096`.
    func testParityWithElixirInspectOverElixirShapedTerms() throws {
        var generator = ElixirShapedGenerator(seed: 0xE11_C5 &+ seedOffset)
        let (checked, mismatches) = try runParity(count: corpusSize, nodes: ElixirShapedGenerator.nodes) {
            generator.term(depth: 3)
        }
        try report("elixir-shaped", checked, mismatches)
    }

    /// Atom quoting at every edge of Elixir 1.14's identifier table (generated from v1.14.5's String.Tokenizer by
    /// scripts/gen-elixir-identifier-tables.sh): the first and last code point of each range and the ones just
    /// outside it, alone, after a Latin letter, before one and after `_`, against the real 1.14's `inspect/2`.
    func testAtomQuotingAtIdentifierTableEdges() throws {
        var points = Set<UInt32>()
        for e in ElixirIdentifierTables.base114 {
            let last = e.first + UInt32(e.extra)
            points.formUnion([e.first - 1, e.first, last, last + 1])
        }
        var atoms: [Term] = []
        for c in points.sorted() {
            guard let scalar = Unicode.Scalar(c) else { continue }
            let s = String(scalar)
            for name in [s, "a" + s, s + "a", "a_" + s] { atoms.append(.atom(Atom(name))) }
        }
        let oracle = try BeamOracle.shared()
        var mismatches: [Mismatch] = []
        var checked = 0
        for start in stride(from: 0, to: atoms.count, by: 2000) {
            let batch = Array(atoms[start..<min(start + 2000, atoms.count)])
            for (term, result) in zip(batch, try oracle.inspect(batch)) {
                let theirs = try result.get()
                let ours = ElixirInspect.inspect(term)
                checked += 1
                if ours != theirs { mismatches.append(Mismatch(term: term, ours: ours, theirs: theirs)) }
            }
        }
        try report("identifier table edges", checked, mismatches, expected: atoms.count)
    }

    private func report(
        _ name: String, _ checked: Int, _ mismatches: [Mismatch], expected: Int? = nil
    ) throws {
        print("ElixirInspect parity (\(name)): \(checked) terms × 2 layouts, \(mismatches.count) mismatches")
        for m in mismatches.prefix(3) {
            print("--- ours:\n\(m.ours.prefix(2000))\n--- elixir:\n\(m.theirs.prefix(2000))")
        }
        if let dir = ProcessInfo.processInfo.environment["ELIXIR_INSPECT_MISMATCHES"] {
            let path = dir + "/" + name + ".txt"
            // One line per mismatch: where the texts first differ, for sorting out causes.
            var report = ""
            for m in mismatches {
                let a = Array(m.ours.unicodeScalars)
                let b = Array(m.theirs.unicodeScalars)
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
        XCTAssertGreaterThanOrEqual(checked, expected ?? corpusSize * 99 / 100)
        XCTAssertEqual(mismatches.count, 0)
    }
}

/// A seeded generator of Elixir-looking data for the parity tests.
struct ElixirShapedGenerator {
    static let nodes: [Atom] = ["app@host", "nonode@nohost"]
    var random: SeededRandom
    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    private mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &random) }
    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    static let atoms: [String] = [
        "ok", "error", "nil", "true", "false", "a", "foo_bar", "Foo", "foo?", "bar!", "a b", "Elixir.MyApp.Stats",
        "Elixir.Foo", "+", "::", "...", "..", "&&", "é", "foo@bar", "1a", "", "Elixir.foo", "with\"quote", "%{}",
        "->", "//", "status", "name", "id", "user_id", "inserted_at", "Ωmega", "日本", "µs", "a\u{301}", "_", "_x",
        "x\ny", "Elixir", "Elixir.Elixir.A", "not", "and", "when", "\\\\", "<<>>", "{}", "^^^", "~~~", "<|>",
    ]
    static let words: [String] = [
        "hello", "world", "héllo", "日本語", "emoji 😀", "tab\there", "new\nline", "quote\"d", "\\back", "\u{1B}[0m",
        "nul\u{0}", "bom\u{FEFF}", "del\u{7F}", "nbsp\u{A0}", "#{interp}", "#not", "{}", "a", "", "  spaces  ",
        "\u{7}\u{8}\u{B}\u{C}\u{D}", "ünïcödé", "\u{10FFFF}", "\u{E000}", "c1\u{80}",
    ]

    mutating func string() -> Term {
        if chance(0.005) { return .string(String(repeating: pick(["ab", "é", "x\n"]), count: int(1000...2500))) }
        let n = int(0...12)
        var s = ""
        for _ in 0..<n {
            s += pick(Self.words)
            if chance(0.5) { s += " " }
        }
        if chance(0.05) { return .binary(Array(s.utf8) + [UInt8(int(128...255))]) }
        return .string(s)
    }

    /// An atom, now and then one of Elixir's operator atoms (also as keyword and map keys).
    mutating func atom() -> Atom { Atom(chance(0.1) ? pick(TermGenerator.operatorAtoms) : pick(Self.atoms)) }

    mutating func scalar() -> Term {
        switch int(0...9) {
        case 0, 1: return .atom(atom())
        case 2: return .integer(int(-1000...100_000))
        case 3: return .float(pick([0.5, -2.25, 1.0e20, 1.0e-5, 3.0, 100.0, 0.1, 123.456, -0.0, 1.0e16, 9.99e15]))
        case 4, 5: return string()
        case 6: return .binary((0..<int(0...120)).map { _ in UInt8(int(0...255)) })
        case 7: return .charlist(pick(["abc", "hello world", "a\nb", "\u{7}\u{1B}", "it's", "#{x}", "é"]))
        case 8:
            return .pid(Pid(node: pick(Self.nodes), id: UInt32(int(0...500)), serial: UInt32(int(0...3)), creation: 0))
        default: return Term.bits([UInt8(int(0...255)), UInt8(int(0...255))], bitCount: int(1...15))
        }
    }

    mutating func term(depth: Int) -> Term {
        if depth == 0 { return scalar() }
        switch int(0...13) {
        case 0, 1, 2: return scalar()
        case 3:
            return chance(0.2)
                ? .list((0..<int(40...120)).map { _ in scalar() })
                : .list((0..<int(0...8)).map { _ in term(depth: depth - 1) })
        case 4: return .list((0..<int(0...(chance(0.3) ? 90 : 10))).map { _ in .integer(int(0...300)) })
        case 5: return keyword(depth: depth)
        case 6:
            return chance(0.1)
                ? .tuple((0..<int(40...60)).map { _ in scalar() })
                : .tuple((0..<int(0...5)).map { _ in term(depth: depth - 1) })
        case 7, 8: return atomMap(depth: depth)
        case 9: return mixedMap(depth: depth)
        case 10: return structTerm(depth: depth)
        case 11: return .list((0..<int(1...12)).map { _ in .tuple([.atom(atom()), string()]) })
        case 12:
            return .improperList(
                (0..<int(1...4)).map { _ in term(depth: depth - 1) }, tail: scalar().isList ? .nil : scalar())
        default: return .tuple([.atom(pick(["ok", "error", "reply"])), term(depth: depth - 1)])
        }
    }

    mutating func keyword(depth: Int) -> Term {
        chance(0.2)
            ? .list((0..<int(40...60)).map { _ in .tuple([.atom(atom()), scalar()]) })
            : .list((0..<int(1...8)).map { _ in .tuple([.atom(atom()), term(depth: depth - 1)]) })
    }

    mutating func atomMap(depth: Int) -> Term {
        var m = TermMap()
        let big = chance(0.1)
        for _ in 0..<int(0...(big ? 40 : 8)) {
            let key = chance(0.9) ? atom() : Atom("k\(int(0...99))")
            m[.atom(key)] = big ? scalar() : term(depth: depth - 1)
        }
        return .map(m)
    }

    mutating func mixedMap(depth: Int) -> Term {
        var m = TermMap()
        for _ in 0..<int(0...8) {
            let key: Term = pick([
                .atom(atom()), string(), .integer(int(-5...50)), .tuple([.atom(atom()), .integer(1)]),
            ])
            m[key] = term(depth: depth - 1)
        }
        return .map(m)
    }

    mutating func structTerm(depth: Int) -> Term {
        func s(_ module: String, _ fields: [(String, Term)]) -> Term {
            .map(TermMap([(.atom("__struct__"), .atom(Atom(module)))] + fields.map { (.atom(Atom($0.0)), $0.1) }))
        }
        let iso: Term = .atom("Elixir.Calendar.ISO")
        let micro: Term = .tuple([.integer(int(0...999_999)), .integer(int(0...6))])
        switch int(0...9) {
        case 0:
            let a = int(-5...20)
            let b = int(-5...20)
            return chance(0.5)
                ? s(
                    "Elixir.Range",
                    [("first", .integer(a)), ("last", .integer(b)), ("step", .integer(pick([1, -1, 2, 3])))])
                : s("Elixir.Range", [("first", .integer(a)), ("last", .integer(b))])
        case 1:
            let elements = (0..<int(0...(chance(0.2) ? 70 : 6))).map { _ in scalar() }
            return s(
                "Elixir.MapSet", [("map", .map(TermMap(elements.map { ($0, .list([])) }))), ("version", .integer(2))])
        case 2:
            return s(
                "Elixir.Date",
                [
                    ("calendar", iso), ("year", .integer(int(-20...2100))), ("month", .integer(int(1...12))),
                    ("day", .integer(int(1...28))),
                ])
        case 3:
            return s(
                "Elixir.Time",
                [
                    ("calendar", iso), ("hour", .integer(int(0...23))), ("minute", .integer(int(0...59))),
                    ("second", .integer(int(0...59))), ("microsecond", micro),
                ])
        case 4:
            return s(
                "Elixir.NaiveDateTime",
                [
                    ("calendar", iso), ("year", .integer(int(1...9999))), ("month", .integer(int(1...12))),
                    ("day", .integer(int(1...28))), ("hour", .integer(int(0...23))), ("minute", .integer(int(0...59))),
                    ("second", .integer(int(0...59))), ("microsecond", micro),
                ])
        case 5:
            let utc = chance(0.5)
            return s(
                "Elixir.DateTime",
                [
                    ("calendar", iso), ("year", .integer(int(1...9999))), ("month", .integer(int(1...12))),
                    ("day", .integer(int(1...28))), ("hour", .integer(int(0...23))), ("minute", .integer(int(0...59))),
                    ("second", .integer(int(0...59))), ("microsecond", micro),
                    ("time_zone", .string(utc ? "Etc/UTC" : "Europe/Paris")),
                    ("zone_abbr", .string(utc ? "UTC" : "CET")),
                    ("utc_offset", .integer(utc ? 0 : pick([3600, -18000, 19800, 3661]))),
                    ("std_offset", .integer(utc ? 0 : pick([0, 3600]))),
                ])
        case 6:
            return s(
                "Elixir.URI",
                [
                    ("scheme", .string("https")), ("authority", chance(0.5) ? .nil : .string("example.com")),
                    ("userinfo", .nil), ("host", .string("example.com")), ("port", .integer(443)),
                    ("path", .string("/a b")), ("query", chance(0.5) ? .nil : .string("q=1")), ("fragment", .nil),
                ])
        case 7:
            return s(
                "Elixir.Version",
                [
                    ("major", .integer(int(0...3))), ("minor", .integer(int(0...20))), ("patch", .integer(int(0...9))),
                    ("pre", chance(0.5) ? .list([]) : .list([.string("rc"), .integer(1)])),
                    ("build", chance(0.5) ? .nil : .string("b1")),
                ])
        case 8 where chance(0.5):
            return chance(0.5)
                ? s(
                    "Elixir.Task",
                    [("mfa", .tuple(["erlang", "apply", 2])), ("owner", scalar()), ("pid", scalar()), ("ref", .nil)])
                : s("Elixir.Version.Requirement", [("source", .string("~> 1.\(int(0...9))")), ("lexed", .list([]))])
        case 8:
            return s(
                "Elixir.MyApp.User",
                [("id", .integer(int(1...99))), ("name", string()), ("tags", .list([.atom(atom())]))])
        default:
            return s(pick(["nope", "Elixir.Foo.Bar"]), [("a", term(depth: depth - 1)), ("b", .integer(2))])
        }
    }
}

extension Term {
    fileprivate var isList: Bool {
        switch self {
        case .list, .improperList: return true
        default: return false
        }
    }
}
