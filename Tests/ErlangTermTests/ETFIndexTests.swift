import ErlangTerm
import ErlangTestSupport
import XCTest

/// `ETFIndex` against the tree decoder: the same terms, the same errors, on the BEAM's own bytes and on hostile ones.
final class ETFIndexTests: XCTestCase {
    /// Checks the index's view of `node` against `term` through the reading API (kind, elements, tail, leaves), not
    /// through `term(_:)`.
    private func assertWalk(
        _ index: ETFIndex, _ node: ETFIndex.Node, _ term: Term, file: StaticString = #filePath, line: UInt = #line
    ) {
        func children(_ node: ETFIndex.Node) -> [ETFIndex.Node] { Array(index.elements(node)) }
        let kind = index.kind(node)
        switch term {
        case .integer(let v):
            XCTAssertEqual(kind, .integer, file: file, line: line)
            XCTAssertEqual(index.integer(node), v, file: file, line: line)
        case .atom(let a):
            XCTAssertEqual(kind, .atom, file: file, line: line)
            XCTAssertEqual(index.atom(node), a, file: file, line: line)
        case .binary(let b):
            XCTAssertEqual(kind, .binary, file: file, line: line)
            XCTAssertEqual(index.binary(node).map(Array.init), b, file: file, line: line)
        case .tuple(let elements), .list(let elements):
            XCTAssertEqual(kind, { if case .tuple = term { return .tuple } else { return .list } }(), file: file, line: line)
            let nodes = children(node)
            XCTAssertEqual(nodes.count, elements.count, file: file, line: line)
            XCTAssertEqual(index.count(node), elements.count, file: file, line: line)
            XCTAssertNil(index.tail(node), file: file, line: line)
            for (n, e) in zip(nodes, elements) { assertWalk(index, n, e, file: file, line: line) }
        case .improperList(let elements, let tail):
            XCTAssertEqual(kind, .improperList, file: file, line: line)
            let nodes = children(node)
            XCTAssertEqual(nodes.count, elements.count, file: file, line: line)
            for (n, e) in zip(nodes, elements) { assertWalk(index, n, e, file: file, line: line) }
            if let t = index.tail(node) {
                assertWalk(index, t, tail, file: file, line: line)
            } else {
                XCTFail("no tail", file: file, line: line)
            }
        case .map(let map):
            XCTAssertEqual(kind, .map, file: file, line: line)
            let nodes = children(node)
            XCTAssertEqual(nodes.count, 2 * map.count, file: file, line: line)
            for (i, entry) in map.entries.enumerated() where 2 * i + 1 < nodes.count {
                assertWalk(index, nodes[2 * i], entry.key, file: file, line: line)
                assertWalk(index, nodes[2 * i + 1], entry.value, file: file, line: line)
            }
        default:
            XCTAssertEqual(index.term(node), term, file: file, line: line)
            XCTAssertTrue(children(node).isEmpty, file: file, line: line)
        }
    }

    /// Decodes `bytes` both ways and checks that they agree: the same term, or the same error.
    private func assertAgree(
        _ bytes: [UInt8], limits: ETFLimits = .default, reuse index: inout ETFIndex,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        index.limits = limits
        let tree = Result { () throws(ETFError) -> Term in try ETFDecoder(limits: limits).decode(bytes) }
        let indexed = Result { () throws(ETFError) -> Void in try index.load(bytes) }
        switch (tree, indexed) {
        case (.success(let term), .success):
            XCTAssertEqual(index.term(index.root), term, "\(bytes)", file: file, line: line)
            assertWalk(index, index.root, term, file: file, line: line)
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual(a.code, b.code, "\(bytes): \(a) vs \(b)", file: file, line: line)
            XCTAssertEqual(a.offset, b.offset, "\(bytes): \(a) vs \(b)", file: file, line: line)
            XCTAssertEqual(a.tag, b.tag, "\(bytes): \(a) vs \(b)", file: file, line: line)
            XCTAssertEqual(index.nodeCount, 0, file: file, line: line)
        case (.success(let term), .failure(let e)):
            XCTFail("decoder gave \(term), index threw \(e) for \(bytes)", file: file, line: line)
        case (.failure(let e), .success):
            XCTFail("decoder threw \(e), index accepted \(bytes)", file: file, line: line)
        }
    }

    /// Random terms, encoded by the real BEAM (term_to_binary of what it decoded from ours), read both ways.
    func testAgreesWithTheDecoderOnTheBEAMsBytes() throws {
        let oracle = try BeamOracle.shared()
        var generator = TermGenerator(seed: 0x1D_E7_2026)
        var index = ETFIndex()
        var checked = 0
        for _ in 0..<6 {
            let terms = (0..<500).map { _ in generator.next() }
            let answers = try oracle.batch("roundtrip", try terms.map { try $0.etf() })
            for answer in answers {
                let bytes = try answer.get()
                assertAgree(bytes, reuse: &index)
                // The compressed form too, as the BEAM would send it.
                if let compressed = try? ETFDecoder().decode(bytes).etf(compressionLevel: 6) {
                    assertAgree(compressed, reuse: &index)
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 3000)
        // The BEAM's own deep term, as in the benchmark corpus.
        let deep = try oracle.batch(
            "eval",
            [Array("Enum.reduce(1..500, :leaf, fn i, acc -> if rem(i, 2) == 0, do: [acc, i], else: {acc, i} end)".utf8)])
        if case .success(let bytes) = deep.first {
            assertAgree(bytes, reuse: &index)
            // 500 containers, 500 integers, the atom, and the NIL_EXT tail of each of the 250 lists.
            XCTAssertEqual(index.nodeCount, 1251)
        }
    }

    /// The fuzzer's seeds and thousands of deterministic mutations of them: both readers accept the same inputs, with
    /// the same result, and reject the others with the same error.
    func testAgreesWithTheDecoderOnMutatedFuzzSeeds() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/FuzzETFDecode/seeds").path
        let names = try XCTUnwrap(try? FileManager.default.contentsOfDirectory(atPath: dir)).sorted()
        XCTAssertGreaterThan(names.count, 50)
        var small = ETFLimits()
        small.maxDepth = 3
        small.maxTerms = 20
        small.maxBinaryBytes = 64
        small.maxBigIntegerBytes = 4
        small.maxAtomCharacters = 5
        var random = SeededRandom(seed: 2026)
        var index = ETFIndex()
        for name in names {
            guard let data = FileManager.default.contents(atPath: dir + "/" + name) else { continue }
            let seed = [UInt8](data)
            assertAgree(seed, reuse: &index)
            assertAgree(seed, limits: small, reuse: &index)
            guard !seed.isEmpty else { continue }
            for _ in 0..<60 {
                var m = seed
                switch random.next() % 4 {
                case 0: m[Int(random.next() % UInt64(m.count))] = UInt8(truncatingIfNeeded: random.next())
                case 1: m.removeLast(Int(random.next() % UInt64(m.count)))
                case 2: m.insert(UInt8(truncatingIfNeeded: random.next()), at: Int(random.next() % UInt64(m.count + 1)))
                default:
                    let i = Int(random.next() % UInt64(m.count))
                    m[i] = [97, 98, 104, 106, 107, 108, 116, 119, 0, 255][Int(random.next() % 10)]
                }
                assertAgree(m, reuse: &index)
                assertAgree(m, limits: small, reuse: &index)
            }
        }
    }

    func testListsAreReadAsTermReadsThem() throws {
        var index = ETFIndex()
        let cases: [[UInt8]] = [
            [131, 106],  // []
            [131, 107, 0, 3, 1, 2, 3],  // STRING_EXT
            [131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 2, 97, 2, 97, 3, 106],  // [1 | [2, 3]]
            [131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 2, 2, 3],  // [1 | "\x02\x03"]
            [131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 119, 1, 120],  // [1 | [2 | x]]
            [131, 108, 0, 0, 0, 0, 119, 1, 120],  // [ | x]: just x
            [131, 108, 0, 0, 0, 0, 108, 0, 0, 0, 0, 106],  // nested empty LIST_EXTs
            [131, 104, 2, 108, 0, 0, 0, 0, 97, 7, 108, 0, 0, 0, 1, 97, 1, 97, 2],  // {[ | 7], [1 | 2]}
            // Duplicate keys in two encodings (ATOM_EXT and SMALL_ATOM_UTF8_EXT).
            [131, 116, 0, 0, 0, 2, 100, 0, 1, 97, 97, 1, 119, 1, 97, 97, 2],
            [131, 116, 0, 0, 0, 2, 100, 0, 1, 97, 97, 1, 119, 1, 98, 97, 2],
            [131, 112, 0, 0, 0, 1],  // truncated fun
            [131, 106, 106],  // trailing bytes
        ]
        for bytes in cases { assertAgree(bytes, reuse: &index) }
        try index.load([131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 119, 1, 120])
        XCTAssertEqual(index.kind(index.root), .improperList)
        XCTAssertEqual(index.count(index.root), 2)
        XCTAssertEqual(index.tail(index.root).flatMap { index.atom($0) }, Atom("x"))
        try index.load([131, 107, 0, 2, 200, 7])
        XCTAssertEqual(index.elements(index.root).map { index.integer($0) }, [200, 7])
    }

    func testLimitsAndReuse() throws {
        var limits = ETFLimits()
        limits.maxDepth = 10
        var index = ETFIndex(limits: limits)
        var deep: [UInt8] = [131]
        for _ in 0..<11 { deep += [104, 1] }
        deep += [106]
        XCTAssertThrowsError(try index.load(deep)) { XCTAssertEqual(($0 as? ETFError)?.code, .tooDeep) }
        XCTAssertEqual(index.nodeCount, 0)
        try index.load([131, 104, 2, 97, 1, 109, 0, 0, 0, 2, 104, 105])
        XCTAssertEqual(index.nodeCount, 3)
        let second = Array(index.elements(index.root))[1]
        XCTAssertEqual(index.binary(second).map(Array.init), Array("hi".utf8))
        XCTAssertEqual(try ETFIndex([131, 97, 5]).integer(ETFIndex([131, 97, 5]).root), 5)
    }
}
