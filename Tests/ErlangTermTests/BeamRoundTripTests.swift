import ErlangTerm
import ErlangTestSupport
import XCTest

/// Random terms through a real BEAM: ours → binary_to_term → term_to_binary([{minor_version, 2}]) → ours.
final class BeamRoundTripTests: XCTestCase {
    /// Whether `term` holds a map of more than 32 keys (OTP emits those in hash order).
    private func hasLargeMap(_ term: Term) -> Bool {
        switch term {
        case .map(let m): return m.count > 32 || m.contains { hasLargeMap($0.key) || hasLargeMap($0.value) }
        case .tuple(let e), .list(let e): return e.contains(where: hasLargeMap)
        case .improperList(let e, let t): return e.contains(where: hasLargeMap) || hasLargeMap(t)
        default: return false
        }
    }

    /// `term` with every map's entries sorted by their key's encoding, so two encodings can be compared whatever
    /// order their maps were written in.
    private func normalised(_ term: Term) -> Term {
        switch term {
        case .map(let m):
            let entries = m.entries.map { (key: normalised($0.key), value: normalised($0.value)) }
                .sorted { ((try? $0.key.etf()) ?? []).lexicographicallyPrecedes((try? $1.key.etf()) ?? []) }
            return .map(TermMap(uniqueEntries: entries))
        case .tuple(let e): return .tuple(e.map(normalised))
        case .list(let e): return .list(e.map(normalised))
        case .improperList(let e, let t): return .improperList(e.map(normalised), tail: normalised(t))
        default: return term
        }
    }

    func testTenThousandRandomTermsRoundTripThroughTheBEAM() throws {
        let oracle = try BeamOracle.shared()
        var generator = TermGenerator(seed: 0xBEA7_2025)
        var checked = 0, byteExact = 0, normalisedOnly = 0
        for _ in 0..<20 {
            let terms = (0..<500).map { _ in generator.next() }
            let ours = try terms.map { try $0.etf() }
            let answers = try oracle.batch("roundtrip", ours)
            for (i, answer) in answers.enumerated() {
                let term = terms[i]
                let beamBytes: [UInt8]
                switch answer {
                case .success(let b): beamBytes = b
                case .failure(let f):
                    XCTFail("BEAM rejected our encoding of \(term): \(f.message)")
                    continue
                }
                let back: Term
                do { back = try Term(etf: beamBytes) } catch {
                    XCTFail("we cannot decode the BEAM's bytes for \(term): \(error)")
                    continue
                }
                XCTAssertEqual(back, term, "round trip changed the term")
                // Our encoding of what we decoded reproduces the BEAM's bytes exactly (stored map order).
                XCTAssertEqual(try back.etf(), beamBytes, "re-encoding the BEAM's bytes of \(term)")
                if hasLargeMap(term) {
                    XCTAssertEqual(try normalised(back).etf(), try normalised(term).etf())
                    normalisedOnly += 1
                } else {
                    XCTAssertEqual(ours[i], beamBytes, "our bytes differ from the BEAM's for \(term)")
                    if ours[i] == beamBytes { byteExact += 1 }
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 10_000)
        print("BEAM round trip: \(checked) terms, \(byteExact) byte-exact, \(normalisedOnly) with large maps")
    }

    /// Terms deeper than the encoder's recursive walk (EncoderCore.recursionDepth), which it finishes with an
    /// explicit stack: random deep terms and the benchmark's 500-level term, byte for byte against the BEAM.
    func testDeepTermsEncodeAsTheBEAMDoes() throws {
        let oracle = try BeamOracle.shared()
        var options = TermGenerator.Options()
        options.maxDepth = 10
        options.maxBreadth = 2
        var generator = TermGenerator(seed: 0xDEE9, options: options)
        var terms: [Term] = (0..<400).map { _ in generator.next() }.filter { !hasLargeMap($0) }
        var nested: Term = "leaf"
        for i in 1...500 { nested = i % 2 == 0 ? .list([nested, .integer(i)]) : .tuple([nested, .integer(i)]) }
        terms.append(nested)
        var chain: Term = .map([:])
        for i in 0..<300 { chain = .map([.integer(i): chain, "l": .list([.integer(i), .list([])])]) }
        terms.append(chain)
        let ours = try terms.map { try $0.etf() }
        let answers = try oracle.batch("roundtrip", ours)
        for (i, answer) in answers.enumerated() {
            let beam = try answer.get()
            XCTAssertEqual(ours[i], beam, "our bytes differ from the BEAM's for a deep term")
            XCTAssertEqual(try Term(etf: beam), terms[i])
        }
        let built = try oracle.batch(
            "eval",
            [Array("Enum.reduce(1..500, :leaf, fn i, acc -> if rem(i, 2) == 0, do: [acc, i], else: {acc, i} end)".utf8)])
        XCTAssertEqual(try built[0].get(), try nested.etf())
    }

    func testCompressionMatchesTheBEAM() throws {
        let oracle = try BeamOracle.shared()
        var generator = TermGenerator(seed: 7)
        var terms: [Term] = [
            .binary(Array(repeating: 7, count: 5000)), .list((0..<400).map { .integer($0 % 3) }),
            .tuple(Array(repeating: .atom("hello_world"), count: 100)), 1, "ok",
        ]
        for _ in 0..<200 {
            let t = generator.next()
            if !hasLargeMap(t) { terms.append(t) }
        }
        let answers = try oracle.batch("compress", try terms.map { try $0.etf() })
        for (term, answer) in zip(terms, answers) {
            let beam = try answer.get()
            XCTAssertEqual(try Term(etf: beam), term)
            XCTAssertEqual(try term.etf(compressionLevel: 6), beam, "compressed encoding of \(term)")
        }
    }

    func testOracleOps() throws {
        let oracle = try BeamOracle.shared()
        XCTAssertEqual(try oracle.inspect([.tuple(["ok", 1])]).map { try $0.get() }, ["{:ok, 1}"])
        XCTAssertEqual(try oracle.formatP([[1, 2]]).map { try $0.get() }, ["[1,2]"])
        XCTAssertEqual(try oracle.formatW([.atom("é"), .atom("a b")]).map { try $0.get() }, ["é", "'a b'"])
        // The oracle runs with the default printable range (latin1), as a stock node does.
        XCTAssertEqual(
            try oracle.formatTP([.charlist("héllo"), .charlist("日本")]).map { try $0.get() },
            ["\"héllo\"", "[26085,26412]"])
        XCTAssertEqual(try oracle.eval("%{a: 1}"), ["a": 1])
        let pretty = try oracle.inspectPretty([.list((0..<40).map { .integer($0 * 1000) })])[0].get()
        XCTAssertTrue(pretty.contains("\n"))
        guard case .failure(let failure) = try oracle.batch("roundtrip", [[131, 1]])[0] else {
            return XCTFail("bad input must fail")
        }
        XCTAssertTrue(failure.message.contains("ArgumentError"), failure.message)
        XCTAssertEqual(try oracle.batch("echo", []).count, 0)
    }
}
