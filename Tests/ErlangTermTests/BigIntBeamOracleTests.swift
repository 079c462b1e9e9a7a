import ErlangTerm
import ErlangTestSupport
import XCTest

/// Random big integers against the BEAM (scripts/oracle.exs, op `integer_ops`), both ways: the BEAM prints what we
/// encode (integer_to_binary in radix 10, 2, 7, 16, 36) and we compare our text and parse its text back; the BEAM
/// parses our text and we decode its numbers; `+ - *`, `bsl`, `bsr`, `pow` and comparisons are computed on both sides;
/// `term_to_binary` of each value is compared with our encoding byte for byte.
final class BigIntBeamOracleTests: XCTestCase {
    private struct Case {
        var a: BigInt
        var b: BigInt
        var shift: Int
        var float: Double
        var exponent: Int
        /// (radix, our text of `a` in it), for the BEAM to parse.
        var texts: [(Int, String)]
    }

    private static let two64 = BigInt(1) << 64
    /// Values at the edges of words, of `Int` and of SMALL_BIG_EXT.
    private static let edges: [BigInt] = {
        let one: BigInt = 1
        var values: [BigInt] = [
            0, 1, -1, 2, -2, 255, 256, BigInt(Int.max), BigInt(Int.min), BigInt(Int.max) + 1, BigInt(Int.min) - 1,
            two64 - 1, two64, two64 + 1, -two64 + 1, -two64, -two64 - 1, (one << 128) - 1, one << 128,
            (one << (255 * 8)) - 1, one << (255 * 8),
        ]
        values += values.filter { !$0.isZero }.map { -$0 }
        return values
    }()

    private func randomWord(_ rng: inout SeededRandom) -> UInt64 {
        // Runs of zero and all-one words make carries and borrows ripple.
        switch rng.next() % 4 {
        case 0: return 0
        case 1: return .max
        default: return rng.next()
        }
    }

    private func randomBigInt(_ rng: inout SeededRandom) -> BigInt {
        let roll = rng.next() % 100
        if roll < 10 { return Self.edges[Int(rng.next() % UInt64(Self.edges.count))] }
        let count: Int
        switch roll {
        case ..<60: count = 1 + Int(rng.next() % 3)
        case ..<90: count = 4 + Int(rng.next() % 30)
        default: count = 34 + Int(rng.next() % 200)
        }
        return randomBigInt(words: count, &rng)
    }

    private func randomBigInt(words count: Int, _ rng: inout SeededRandom) -> BigInt {
        var words = (0..<count).map { _ in randomWord(&rng) }
        if rng.next() % 2 == 0, words[count - 1] == 0 { words[count - 1] = 1 }
        if rng.next() % 8 == 0 { words[count - 1] >>= rng.next() % 64 }
        return BigInt(isNegative: rng.next() % 2 == 0, magnitudeWords: words)
    }

    private func randomFloat(near a: BigInt, _ rng: inout SeededRandom) -> Double {
        let largest = a.isNegative ? -Double.greatestFiniteMagnitude : .greatestFiniteMagnitude
        let nearest = Double(a).isFinite ? Double(a) : largest
        switch rng.next() % 6 {
        case 0: return nearest
        case 1: return nearest.nextUp.isFinite ? nearest.nextUp : nearest
        case 2: return nearest.nextDown.isFinite ? nearest.nextDown : nearest
        case 3:
            let d = Double(bitPattern: rng.next())
            return d.isFinite ? d : 1.5
        case 4:
            let sign: FloatingPointSign = rng.next() % 2 == 0 ? .minus : .plus
            return Double(sign: sign, exponent: Int(rng.next() % 1024), significand: 1)
        default: return [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 0x1p63, -0x1p63, 0x1p64, -0x1p64][Int(rng.next() % 10)]
        }
    }

    private func makeCase(_ a: BigInt, _ b: BigInt, _ rng: inout SeededRandom) -> Case {
        let shift: Int
        switch rng.next() % 10 {
        case 0: shift = 0
        case 1: shift = 64 * Int(1 + rng.next() % 4)
        case 2: shift = Int(rng.next() % 5000)
        default: shift = Int(rng.next() % 200)
        }
        let exponent = a.magnitudeWords.count > 64 ? Int(rng.next() % 2) : Int(rng.next() % 4)
        let radix = 2 + Int(rng.next() % 35)
        let texts: [(Int, String)] = [
            (10, a.description), (16, String(a, radix: 16, uppercase: rng.next() % 2 == 0)), (2, String(a, radix: 2)),
            (36, String(a, radix: 36)), (radix, String(a, radix: radix)),
        ]
        return Case(a: a, b: b, shift: shift, float: randomFloat(near: a, &rng), exponent: exponent, texts: texts)
    }

    /// `float/1` as erts computes it (big.c `big_to_double`): d = d * 2^64 + digit from the top digit down, each step
    /// rounded, so that it can differ from the correctly rounded value in the last bit. Nil where erts fails (badarg).
    private func ertsFloat(_ a: BigInt) -> Double? {
        var d = 0.0
        for w in a.magnitudeWords.reversed() {
            d = d * 0x1p64 + Double(w)
            if !d.isFinite { return nil }
        }
        return a.isNegative ? -d : d
    }

    private func check(_ c: Case, _ answer: Term, _ counts: inout (floatsOffByRounding: Int, checked: Int)) throws {
        guard case .tuple(let r) = answer, r.count == 16 else {
            XCTFail("unexpected answer for \(c.a): \(answer)")
            return
        }
        let a = c.a
        let what = "a = \(a.description.prefix(60)) (\(a.magnitudeWords.count) words), b = \(c.b.description.prefix(9))"
        // Text, ours against the BEAM's, and the BEAM's parsed by us.
        for (i, radix) in [10, 2, 7, 16, 36].enumerated() {
            guard case .binary(let bytes) = r[i] else {
                XCTFail("radix \(radix) text is not a binary: \(what)")
                continue
            }
            let beamText = String(decoding: bytes, as: UTF8.self)
            XCTAssertEqual(String(a, radix: radix, uppercase: true), beamText, "radix \(radix): \(what)")
            XCTAssertEqual(BigInt(beamText, radix: radix), a, "parsing the BEAM's radix-\(radix) text: \(what)")
        }
        XCTAssertEqual(r[5], .int(a + c.b), "a + b: \(what)")
        XCTAssertEqual(r[6], .int(a - c.b), "a - b: \(what)")
        XCTAssertEqual(r[7], .int(a * c.b), "a * b: \(what)")
        XCTAssertEqual(r[8], .int(a << c.shift), "a bsl \(c.shift): \(what)")
        XCTAssertEqual(r[9], .int(a >> c.shift), "a bsr \(c.shift): \(what)")
        XCTAssertEqual(r[10], .integer(a < c.b ? -1 : (a == c.b ? 0 : 1)), "compare(a, b): \(what)")
        // float(a): ours is correctly rounded (checked against Swift's decimal parser); the BEAM's is erts's
        // digit-by-digit sum, which can be one ulp away.
        let ours = Double(a)
        XCTAssertEqual(ours, Double(a.description), "Double(a) against Double(text): \(what)")
        switch r[11] {
        case .float(let beam):
            XCTAssertEqual(beam, ertsFloat(a), "the BEAM's float(a) is erts's sum: \(what)")
            if beam != ours {
                counts.floatsOffByRounding += 1
                XCTAssertTrue(beam == ours.nextUp || beam == ours.nextDown, "\(beam) vs \(ours), an ulp apart: \(what)")
            }
        case .atom("overflow"):
            XCTAssertNil(ertsFloat(a), "the BEAM's float(a) overflowed: \(what)")
            XCTAssertTrue(ours.isInfinite || ours.magnitude == .greatestFiniteMagnitude, "float(a) overflow: \(what)")
        default:
            XCTFail("float(a) answered \(r[11]): \(what)")
        }
        XCTAssertEqual(
            r[12], .integer(TermOrder.compare(.int(a), .float(c.float), mode: .arithmetic)),
            "compare(a, \(c.float)) by value: \(what)")
        XCTAssertEqual(r[13], .int(a.power(c.exponent)), "a ** \(c.exponent): \(what)")
        XCTAssertEqual(r[14], .binary(try Term.int(a).etf()), "term_to_binary(a), byte for byte: \(what)")
        XCTAssertEqual(
            r[15], .list(c.texts.map { _ in .int(a) }),
            "the BEAM parsing our texts in radix \(c.texts.map(\.0)): \(what)")
        counts.checked += 1
    }

    private func run(_ cases: [Case], _ counts: inout (floatsOffByRounding: Int, checked: Int)) throws {
        let oracle = try BeamOracle.shared()
        let items = try cases.map { c -> [UInt8] in
            let texts: [Term] = c.texts.map { .tuple([.integer($0.0), .string($0.1)]) }
            let request: [Term] = [
                .int(c.a), .int(c.b), .integer(c.shift), .float(c.float), .integer(c.exponent), .list(texts),
            ]
            return try Term.tuple(request).etf()
        }
        let answers = try oracle.batch("integer_ops", items)
        XCTAssertEqual(answers.count, cases.count)
        for (c, answer) in zip(cases, answers) {
            switch answer {
            case .success(let bytes): try check(c, try Term(etf: bytes, limits: Self.answerLimits), &counts)
            case .failure(let f): XCTFail("the BEAM failed on a = \(c.a.description.prefix(60)): \(f.message)")
            }
        }
    }

    /// Answers carry products and shifts of the largest values, beyond the decoder's default big-integer bound.
    private static let answerLimits: ETFLimits = {
        var limits = ETFLimits()
        limits.maxBigIntegerBytes = 1 << 20
        return limits
    }()

    func testRandomBigIntegersAgreeWithTheBEAM() throws {
        var rng = SeededRandom(seed: 0xB16_1A7)
        var counts = (floatsOffByRounding: 0, checked: 0)
        for _ in 0..<4 {
            let cases = (0..<500).map { _ in makeCase(randomBigInt(&rng), randomBigInt(&rng), &rng) }
            try run(cases, &counts)
        }
        XCTAssertEqual(counts.checked, 2000)
        print(
            "BigInt vs the BEAM: \(counts.checked) random cases, \(counts.floatsOffByRounding) where erts's float/1 is"
                + " one ulp off")
    }

    func testEveryPairOfEdgeValuesAgreesWithTheBEAM() throws {
        var rng = SeededRandom(seed: 42)
        var counts = (floatsOffByRounding: 0, checked: 0)
        var cases: [Case] = []
        for a in Self.edges {
            for b in Self.edges { cases.append(makeCase(a, b, &rng)) }
        }
        try run(cases, &counts)
        XCTAssertEqual(counts.checked, Self.edges.count * Self.edges.count)
    }

    /// The decoder's largest magnitude (16 KiB, 2048 words): all ones (a carry through every word) and random.
    func testTheLargestDecodableMagnitudesAgreeWithTheBEAM() throws {
        var rng = SeededRandom(seed: 2048)
        let words = ETFLimits.default.maxBigIntegerBytes / 8
        let allOnes = BigInt(isNegative: false, magnitudeWords: Array(repeating: .max, count: words))
        let r = (0..<4).map { _ in randomBigInt(words: words, &rng) }
        let pairs: [(BigInt, BigInt)] = [
            (allOnes, 1), (-allOnes, 1), (r[0], -r[0]), (r[1], randomBigInt(&rng)), (-r[2], randomBigInt(&rng)),
            (r[3], r[0]),
        ]
        var counts = (floatsOffByRounding: 0, checked: 0)
        try run(pairs.map { makeCase($0.0, $0.1, &rng) }, &counts)
        XCTAssertEqual(counts.checked, pairs.count)
    }

    /// The case the digit-by-digit sum gets wrong: a tie in the top word that a lower word breaks. erts rounds the top
    /// word first (to even, down), then adds the next one; the value is above the tie, so it rounds up.
    func testFloatOfATieBrokenByALowerWordIsCorrectlyRounded() throws {
        let a = BigInt(isNegative: false, magnitudeWords: [1 << 63, (1 << 63) | (1 << 10)])
        var counts = (floatsOffByRounding: 0, checked: 0)
        var rng = SeededRandom(seed: 1)
        try run([makeCase(a, 1, &rng)], &counts)
        XCTAssertEqual(counts.checked, 1)
        XCTAssertEqual(counts.floatsOffByRounding, 1, "erts's float/1 differs here")
        XCTAssertEqual(Double(a), 0x1p127 + 0x1p75, "ours rounds up")
        XCTAssertEqual(ertsFloat(a), 0x1p127, "erts rounds down")
    }
}
