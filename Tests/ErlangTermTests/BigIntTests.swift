import ErlangTerm
import XCTest

/// The codec's own `BigInt`, without a BEAM: edge values, carries and borrows across words, the sign of zero, text in
/// every radix, `Double` rounding, shifts, and the time text takes at the decoder's largest magnitude.
/// BigIntBeamOracleTests checks random values against the BEAM.
final class BigIntTests: XCTestCase {
    private let two64 = BigInt(1) << 64
    private let intMaxPlusOne = BigInt(Int.max) + 1
    private let intMinMinusOne = BigInt(Int.min) - 1

    private func assertZero(_ v: BigInt, _ what: String, line: UInt = #line) {
        XCTAssertFalse(v.isNegative, "\(what) is a negative zero", line: line)
        XCTAssertEqual(v.magnitudeWords, [], what, line: line)
        XCTAssertEqual(v.signum(), 0, what, line: line)
        XCTAssertTrue(v.isZero, what, line: line)
        XCTAssertEqual(v, BigInt(), what, line: line)
        XCTAssertEqual(v.hashValue, BigInt().hashValue, what, line: line)
        XCTAssertEqual(v.description, "0", what, line: line)
    }

    func testZeroIsNeverNegative() {
        let five: BigInt = 5
        let big = two64 + 3
        assertZero(BigInt(), "BigInt()")
        assertZero(0, "literal 0")
        assertZero(-0, "literal -0")
        assertZero(BigInt(0), "BigInt(0)")
        assertZero(-BigInt(0), "-BigInt(0)")
        assertZero(BigInt(isNegative: true, magnitudeWords: []), "negative with no words")
        assertZero(BigInt(isNegative: true, magnitudeWords: [0, 0, 0]), "negative with zero words")
        assertZero(BigInt(isNegative: true, littleEndianMagnitude: [0, 0, 0, 0, 0, 0, 0, 0, 0]), "negative zero bytes")
        assertZero(five - five, "5 - 5")
        assertZero(-five + five, "-5 + 5")
        assertZero(big - big, "big - big")
        assertZero(-big + big, "-big + big")
        assertZero(-big - (-big), "-big - -big")
        assertZero(-big * 0, "-big * 0")
        assertZero(BigInt(0) * -big, "0 * -big")
        assertZero(BigInt(-0.0), "BigInt(-0.0)")
        assertZero(BigInt(-0.75), "BigInt(-0.75)")
        assertZero(BigInt(exactly: -0.0)!, "BigInt(exactly: -0.0)")
        assertZero(BigInt("-0")!, "\"-0\"")
        assertZero(BigInt("-000", radix: 16)!, "\"-000\" in hex")
        assertZero(BigInt(-5) >> -0 + 5, "-5 >> 0 + 5")
        assertZero(big >> 1000, "big >> 1000")
        assertZero(BigInt(0) << 1000, "0 << 1000")
        assertZero(BigInt(-7).magnitude - 7, "|-7| - 7")
        assertZero(BigInt(0).power(3), "0^3")
        XCTAssertEqual(BigInt(-1) >> 1000, -1, "floor of a negative shifted right is -1, not zero")
        XCTAssertEqual(Term.int(big - big), .integer(0))
    }

    func testPlusMinusOne() {
        let one: BigInt = 1
        let minusOne: BigInt = -1
        XCTAssertEqual(one.magnitudeWords, [1])
        XCTAssertFalse(one.isNegative)
        XCTAssertEqual(minusOne.magnitudeWords, [1])
        XCTAssertTrue(minusOne.isNegative)
        XCTAssertEqual(one.signum(), 1)
        XCTAssertEqual(minusOne.signum(), -1)
        XCTAssertEqual(-one, minusOne)
        XCTAssertEqual(one + minusOne, 0)
        XCTAssertEqual(minusOne * minusOne, one)
        XCTAssertEqual(minusOne.description, "-1")
        XCTAssertEqual(one.description, "1")
        XCTAssertEqual(Int(exactly: minusOne), -1)
        XCTAssertEqual(UInt64(truncatingIfNeeded: minusOne), UInt64.max)
        XCTAssertEqual(Double(minusOne), -1.0)
        XCTAssertEqual(minusOne.power(3), -1)
        XCTAssertEqual(minusOne.power(4), 1)
        XCTAssertEqual(one.littleEndianMagnitude, [1])
        XCTAssertLessThan(minusOne, 0)
        XCTAssertLessThan(minusOne, one)
        XCTAssertEqual(minusOne.magnitude, one)
    }

    func testIntBoundaries() {
        XCTAssertEqual(Int(exactly: BigInt(Int.max)), Int.max)
        XCTAssertEqual(Int(exactly: BigInt(Int.min)), Int.min)
        XCTAssertEqual(Int(exactly: BigInt(Int.min + 1)), Int.min + 1)
        XCTAssertNil(Int(exactly: intMaxPlusOne))
        XCTAssertNil(Int(exactly: intMinMinusOne))
        XCTAssertNil(Int(exactly: two64))
        XCTAssertNil(Int(exactly: -two64))
        XCTAssertEqual(Int(exactly: intMaxPlusOne - 1), Int.max)
        XCTAssertEqual(Int(exactly: intMinMinusOne + 1), Int.min)
        XCTAssertEqual(BigInt(Int.min).magnitudeWords, [1 << 63])
        XCTAssertTrue(BigInt(Int.min).isNegative)
        XCTAssertEqual(intMaxPlusOne, -BigInt(Int.min))
        XCTAssertEqual(intMaxPlusOne.description, "9223372036854775808")
        XCTAssertEqual(intMinMinusOne.description, "-9223372036854775809")
        XCTAssertEqual(BigInt(Int.max).description, String(Int.max))
        XCTAssertEqual(BigInt(Int.min).description, String(Int.min))
        XCTAssertEqual(BigInt(UInt64.max).description, String(UInt64.max))
        XCTAssertEqual(BigInt(UInt8(200)), 200)
        XCTAssertEqual(BigInt(Int8.min), -128)
        // Two's complement low bits, as UInt64(truncatingIfNeeded:) gives them for Int.
        for v in [0, 1, -1, Int.max, Int.min, 12345, -98765] {
            XCTAssertEqual(UInt64(truncatingIfNeeded: BigInt(v)), UInt64(truncatingIfNeeded: v), "\(v)")
        }
        XCTAssertEqual(UInt64(truncatingIfNeeded: intMinMinusOne), UInt64(1) << 63 - 1)
        XCTAssertEqual(UInt64(truncatingIfNeeded: -two64), 0)
        XCTAssertEqual(UInt64(truncatingIfNeeded: -(two64 + 1)), UInt64.max)
        // Term.int keeps the canonical form at both edges.
        XCTAssertEqual(Term.int(BigInt(Int.max)), .integer(Int.max))
        XCTAssertEqual(Term.int(BigInt(Int.min)), .integer(Int.min))
        XCTAssertEqual(Term.int(intMaxPlusOne), .bigInteger(intMaxPlusOne))
        XCTAssertEqual(Term.int(intMinMinusOne), .bigInteger(intMinMinusOne))
        XCTAssertEqual(Term.integer(Int.min).bigIntValue, BigInt(Int.min))
    }

    func testTwoToThe64AndCarriesAcrossWords() {
        XCTAssertEqual(two64.magnitudeWords, [0, 1])
        XCTAssertEqual((two64 - 1).magnitudeWords, [UInt64.max])
        XCTAssertEqual((two64 + 1).magnitudeWords, [1, 1])
        XCTAssertEqual((-two64 + 1).magnitudeWords, [UInt64.max])
        XCTAssertTrue((-two64 + 1).isNegative)
        XCTAssertEqual((-two64 - 1).magnitudeWords, [1, 1])
        XCTAssertEqual((two64 - 1).description, "18446744073709551615")
        XCTAssertEqual(two64.description, "18446744073709551616")
        XCTAssertEqual((two64 + 1).description, "18446744073709551617")
        XCTAssertEqual((-two64 - 1).description, "-18446744073709551617")
        // A carry that ripples through every word, and the borrow that undoes it.
        let allOnes = BigInt(isNegative: false, magnitudeWords: Array(repeating: .max, count: 10))
        let power640 = allOnes + 1
        XCTAssertEqual(power640.magnitudeWords, Array(repeating: 0, count: 10) + [1])
        XCTAssertEqual(power640, BigInt(1) << 640)
        XCTAssertEqual(power640 - 1, allOnes)
        XCTAssertEqual(1 + allOnes, power640, "carry with the short operand on the left")
        XCTAssertEqual(-allOnes - 1, -power640)
        XCTAssertEqual(-power640 + 1, -allOnes)
        XCTAssertEqual((power640 - allOnes), 1, "a borrow that clears every high word")
        // Multiplication carries: (2^64 - 1)^2 = 2^128 - 2^65 + 1.
        let m = two64 - 1
        XCTAssertEqual((m * m).magnitudeWords, [1, UInt64.max - 1])
        XCTAssertEqual(allOnes * allOnes, (BigInt(1) << 1280) - (BigInt(1) << 641) + 1)
        XCTAssertEqual(allOnes * 2, (power640 << 1) - 2)
        XCTAssertEqual(BigInt(3) * -allOnes, -(allOnes + allOnes + allOnes))
        XCTAssertEqual(two64.power(10), power640)
        XCTAssertEqual(BigInt(-2).power(3), -8)
        XCTAssertEqual(BigInt(7).power(0), 1)
        XCTAssertEqual(BigInt(0).power(0), 1)
        XCTAssertEqual(BigInt(10).power(40).description, "1" + String(repeating: "0", count: 40))
        var x: BigInt = 10
        x += 5
        x -= 20
        x *= -3
        XCTAssertEqual(x, 15)
    }

    func testLiteralsOfAnySize() {
        let big: BigInt = 340_282_366_920_938_463_463_374_607_431_768_211_456
        let negative: BigInt = -340_282_366_920_938_463_463_374_607_431_768_211_457
        let minusTwo64: BigInt = -18_446_744_073_709_551_616
        XCTAssertEqual(big, BigInt(1) << 128)
        XCTAssertEqual(negative, -(BigInt(1) << 128) - 1)
        XCTAssertEqual(minusTwo64, -two64)
        XCTAssertEqual(minusTwo64.magnitudeWords, [0, 1])
        let minInt: BigInt = -9_223_372_036_854_775_808
        XCTAssertEqual(minInt, BigInt(Int.min))
    }

    func testRadixParsing() {
        XCTAssertEqual(BigInt("ff", radix: 16), 255)
        XCTAssertEqual(BigInt("FF", radix: 16), 255)
        XCTAssertEqual(BigInt("+7"), 7)
        XCTAssertEqual(BigInt("-z", radix: 36), -35)
        XCTAssertEqual(BigInt("Zz", radix: 36), 35 * 36 + 35)
        XCTAssertEqual(BigInt("101", radix: 2), 5)
        XCTAssertEqual(BigInt("0000000000000000000000000000000000000012"), 12)
        XCTAssertEqual(BigInt("FFFFFFFFFFFFFFFFFFFFFFFF", radix: 16), (BigInt(1) << 96) - 1)
        XCTAssertEqual(
            BigInt("123456789012345678901234567890"),
            BigInt(123_456_789_012) * BigInt(10).power(18) + BigInt(345_678_901_234_567_890))
        XCTAssertEqual(BigInt(Substring("x-42y").dropFirst().dropLast()), -42)
        // Errors.
        for bad in ["", "-", "+", "--1", "+-1", "12a", " 1", "1 ", "1_000", "1.0", "0x10", "١٢", "1e5", "∞"] {
            XCTAssertNil(BigInt(bad), "\"\(bad)\" in radix 10")
        }
        XCTAssertNil(BigInt("2", radix: 2))
        XCTAssertNil(BigInt("8", radix: 8))
        XCTAssertNil(BigInt("g", radix: 16))
        XCTAssertNil(BigInt("0x10", radix: 16))
        XCTAssertNil(BigInt("[", radix: 36), "the character after Z")
        XCTAssertNil(BigInt("@", radix: 36), "the character before A")
        XCTAssertNil(BigInt("`", radix: 36), "the character before a")
        XCTAssertNil(BigInt("/", radix: 10), "the character before 0")
        XCTAssertNil(BigInt(":", radix: 36), "the character after 9")
        XCTAssertNil(BigInt(String(repeating: "9", count: 100) + "x"), "an error after many chunks")
    }

    func testTextInEveryRadixRoundTrips() {
        var rng = SystemRandomNumberGenerator()
        let values: [BigInt] =
            [0, 1, -1, BigInt(Int.max), BigInt(Int.min), intMaxPlusOne, intMinMinusOne, two64, -two64, two64 - 1]
            + (0..<20).map { i in
                let words = (0...i).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) }
                return BigInt(isNegative: i % 2 == 0, magnitudeWords: words)
            }
        for v in values {
            for radix in 2...36 {
                let text = String(v, radix: radix)
                XCTAssertEqual(BigInt(text, radix: radix), v, "\(v) in radix \(radix): \(text)")
                XCTAssertEqual(BigInt(String(v, radix: radix, uppercase: true), radix: radix), v)
                XCTAssertEqual(text, text.lowercased())
                if let small = Int(exactly: v) { XCTAssertEqual(text, String(small, radix: radix)) }
                XCTAssertEqual(text.first == "-", v.isNegative)
                XCTAssertFalse(text.drop { $0 == "-" }.hasPrefix("0") && !v.isZero, "no leading zeros: \(text)")
            }
            XCTAssertEqual(BigInt(v.description), v)
            XCTAssertEqual(String(v), v.description)
        }
        XCTAssertEqual(String(two64, radix: 16), "10000000000000000")
        XCTAssertEqual(String(-two64 + 1, radix: 16, uppercase: true), "-FFFFFFFFFFFFFFFF")
        XCTAssertEqual(String(two64, radix: 2), "1" + String(repeating: "0", count: 64))
        XCTAssertEqual(String(two64.power(2), radix: 36), "f5lxx1zz5pnorynqglhzmsp34")
        // A chunk boundary: 10^19 and 10^38 have zero chunks below the top one.
        XCTAssertEqual(BigInt(10).power(19).description, "1" + String(repeating: "0", count: 19))
        XCTAssertEqual((BigInt(10).power(38) + 7).description, "1" + String(repeating: "0", count: 37) + "7")
        XCTAssertEqual((-BigInt(10).power(57)).description, "-1" + String(repeating: "0", count: 57))
    }

    func testDoubleConversionRoundsToNearestEven() {
        // Every case against Swift's own correctly rounded decimal parser.
        func check(_ v: BigInt, line: UInt = #line) {
            let expected = Double(v.description)!
            XCTAssertEqual(Double(v), expected, "\(v)", line: line)
            XCTAssertEqual(Double(-v), -expected, "-\(v)", line: line)
        }
        let ulp64 = BigInt(1) << 12  // the spacing of doubles in [2^64, 2^65)
        check(two64)
        check(two64 + (ulp64 >> 1))  // a tie: to even, down
        check(two64 + (ulp64 >> 1) + 1)  // just above the tie: up
        check(two64 + ulp64 + (ulp64 >> 1))  // a tie: to even, up
        check(two64 - 1)  // rounds up to 2^64
        XCTAssertEqual(Double(two64 + (ulp64 >> 1)), 0x1p64)
        XCTAssertEqual(Double(two64 + (ulp64 >> 1) + 1), 0x1p64 + 0x1p12)
        // A tie in the top words decided by a bit in a low word (the sticky bit).
        let high = (BigInt(1) << 256) + (BigInt(1) << 203)  // half the spacing of doubles at 2^256
        check(high)
        check(high + 1)
        XCTAssertEqual(Double(high), 0x1p256)
        XCTAssertGreaterThan(Double(high + 1), 0x1p256)
        // A tie in a full top word (no shift), broken by the next word or by a lower one.
        let fullTopTie = BigInt(isNegative: false, magnitudeWords: [0, (1 << 63) | (1 << 10)])
        check(fullTopTie)
        check(fullTopTie + 1)
        check(fullTopTie + (BigInt(1) << 63))
        check((fullTopTie << 64) + 1)
        XCTAssertEqual(Double(fullTopTie), 0x1p127)
        XCTAssertEqual(Double(fullTopTie + 1), 0x1p127 + 0x1p75)
        XCTAssertEqual(Double((fullTopTie << 64) + 1), 0x1p191 + 0x1p139)
        // Top word with a leading zero run of every length, and the one the shift leaves out.
        for k in 0..<64 { check((BigInt(1) << (64 + k)) + (BigInt(1) << k) + 3) }
        // The top of the range: the largest finite double, the tie above it (to even: infinity), and beyond.
        let maxFinite = BigInt(Double.greatestFiniteMagnitude)
        XCTAssertEqual(maxFinite, (BigInt(1) << 1024) - (BigInt(1) << 971))
        XCTAssertEqual(Double(maxFinite), .greatestFiniteMagnitude)
        XCTAssertEqual(Double(maxFinite + (BigInt(1) << 969)), .greatestFiniteMagnitude)
        XCTAssertEqual(Double(maxFinite + (BigInt(1) << 970)), .infinity)
        XCTAssertEqual(Double(BigInt(1) << 1024), .infinity)
        XCTAssertEqual(Double(-(BigInt(1) << 5000)), -.infinity)
        XCTAssertEqual(Double(BigInt(1) << 1023), 0x1p1023)
    }

    func testFromDouble() {
        XCTAssertEqual(BigInt(2.5), 2)
        XCTAssertEqual(BigInt(-2.5), -2)
        XCTAssertEqual(BigInt(0x1p63), intMaxPlusOne)
        XCTAssertEqual(BigInt(-0x1p63), BigInt(Int.min))
        XCTAssertEqual(BigInt(0x1p64), two64)
        XCTAssertEqual(BigInt(-0x1p64 - 0x1p12), -two64 - 4096)
        XCTAssertEqual(BigInt(Double.greatestFiniteMagnitude).description, Self.maxDoubleText)
        XCTAssertEqual(BigInt(1e300), BigInt(Self.exact1e300)!)
        XCTAssertNil(BigInt(exactly: 0.5))
        XCTAssertNil(BigInt(exactly: -1e-300))
        XCTAssertNil(BigInt(exactly: .infinity))
        XCTAssertNil(BigInt(exactly: -.infinity))
        XCTAssertNil(BigInt(exactly: .nan))
        XCTAssertEqual(BigInt(exactly: 1e300), BigInt(1e300))
        XCTAssertEqual(BigInt(exactly: -0x1p1000), -(BigInt(1) << 1000))
        for d in [0x1p53 + 2, 0x1p62, 0x1p63 + 0x1p11, 1.2345e19, -9.87e25, 0x1.fffffffffffffp1023] {
            XCTAssertEqual(Double(BigInt(d)), d, "\(d)")
            XCTAssertEqual(BigInt(d).description, BigInt(exactly: d)!.description)
        }
    }

    /// `Double.greatestFiniteMagnitude`, (2 - 2^-52) * 2^1023, written out.
    static let maxDoubleText =
        "1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895586327668781"
        + "7154045895351438246423432132688946418276846754670353751698604991057655128207624549009038932894407586"
        + "8508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184"
        + "124858368"
    /// The double nearest 1e300, exactly.
    static let exact1e300 =
        "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864"
        + "0437044438328838781769425232353604305756447921847867069828483872009265758037378302337947880900593689"
        + "5323497079994508111903896764088007465274278014249457925878882005684283811566947219638686545940054016"
        + "0"

    func testShifts() {
        XCTAssertEqual(BigInt(1) << 64, two64)
        XCTAssertEqual(two64 >> 64, 1)
        XCTAssertEqual(two64 >> 63, 2)
        XCTAssertEqual(two64 >> 65, 0)
        XCTAssertEqual(BigInt(5) >> -1, 10)
        XCTAssertEqual(BigInt(5) << -1, 2)
        XCTAssertEqual(BigInt(-5) >> 1, -3, "rounds toward negative infinity, as Int and bsr do")
        XCTAssertEqual(BigInt(-4) >> 1, -2)
        XCTAssertEqual(BigInt(-5) << 1, -10)
        XCTAssertEqual(-two64 >> 64, -1)
        XCTAssertEqual((-two64 - 1) >> 64, -2)
        XCTAssertEqual(BigInt(Int.min) >> 63, -1)
        for (v, s) in [(-7, 1), (-7, 2), (-8, 3), (7, 2), (Int.min, 5), (Int.max, 62)] {
            XCTAssertEqual(BigInt(v) >> s, BigInt(v >> s), "\(v) >> \(s)")
        }
        let x = BigInt(isNegative: false, magnitudeWords: [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, 0x1])
        for s in [0, 1, 4, 63, 64, 65, 100, 127, 128, 129, 200] {
            XCTAssertEqual((x << s) >> s, x, "<< then >> \(s)")
            XCTAssertEqual(x << s, x * BigInt(2).power(s), "<< \(s)")
            XCTAssertEqual((-x) << s, -(x << s))
        }
        var y = x
        y <<= 3
        y >>= 3
        XCTAssertEqual(y, x)
        XCTAssertEqual(BigInt(1) << Int.min, 0)
        XCTAssertEqual(BigInt(-1) << Int.min, -1)
    }

    func testOrderAndHashing() {
        let values: [BigInt] = [
            -(two64 * two64), -two64 - 1, -two64, intMinMinusOne, BigInt(Int.min), -1, 0, 1, BigInt(Int.max),
            intMaxPlusOne, two64 - 1, two64, two64 + 1, two64 * two64,
        ]
        for (i, a) in values.enumerated() {
            for (j, b) in values.enumerated() {
                XCTAssertEqual(a < b, i < j, "\(a) < \(b)")
                XCTAssertEqual(a == b, i == j, "\(a) == \(b)")
            }
        }
        XCTAssertEqual(values.shuffled().sorted(), values)
        XCTAssertEqual(Set(values + values.map { BigInt($0.description)! }).count, values.count)
        XCTAssertEqual(BigInt(isNegative: false, magnitudeWords: [5, 0, 0]).hashValue, BigInt(5).hashValue)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let a = Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0...63, using: &rng)
            let b = Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0...63, using: &rng)
            XCTAssertEqual(BigInt(a) < BigInt(b), a < b)
            let (sum, o1) = a.addingReportingOverflow(b)
            if !o1 { XCTAssertEqual(BigInt(a) + BigInt(b), BigInt(sum), "\(a) + \(b)") }
            let (difference, o2) = a.subtractingReportingOverflow(b)
            if !o2 { XCTAssertEqual(BigInt(a) - BigInt(b), BigInt(difference), "\(a) - \(b)") }
            let (product, o3) = a.multipliedReportingOverflow(by: b)
            if !o3 { XCTAssertEqual(BigInt(a) * BigInt(b), BigInt(product), "\(a) * \(b)") }
            XCTAssertEqual(BigInt(a).description, String(a))
            XCTAssertEqual(Double(BigInt(a)), Double(a))
        }
    }

    func testMagnitudeBytes() {
        XCTAssertEqual(BigInt().littleEndianMagnitude, [])
        XCTAssertEqual(BigInt(0x0102).littleEndianMagnitude, [2, 1])
        XCTAssertEqual(BigInt(-0x0102).littleEndianMagnitude, [2, 1])
        XCTAssertEqual(two64.littleEndianMagnitude, [0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(two64.magnitudeBitWidth, 65)
        XCTAssertEqual(BigInt().magnitudeBitWidth, 0)
        XCTAssertEqual(BigInt(isNegative: true, littleEndianMagnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]), -two64)
        let bytes: [UInt8] = (1...17).map { UInt8($0) }
        let v = BigInt(isNegative: false, littleEndianMagnitude: bytes)
        XCTAssertEqual(v.littleEndianMagnitude, bytes)
        XCTAssertEqual(v.magnitudeWords, [0x0807_0605_0403_0201, 0x100F_0E0D_0C0B_0A09, 0x11])
        XCTAssertEqual(BigInt(isNegative: false, littleEndianMagnitude: bytes.lazy.map { $0 }), v, "any sequence")
    }

    func testCodecBytes() throws {
        XCTAssertEqual(try Term.int(two64).etf(), [131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(try Term.int(-two64).etf(), [131, 110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(try Term.int(intMaxPlusOne).etf(), [131, 110, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x80])
        let big255 = (BigInt(1) << (255 * 8)) - 1
        XCTAssertEqual(try Term.int(big255).etf(), [131, 110, 255, 0] + Array(repeating: 0xFF, count: 255))
        let large: [UInt8] = [131, 111, 0, 0, 1, 0, 1] + Array(repeating: 0, count: 255) + [1]
        XCTAssertEqual(try Term.int(-big255 - 1).etf(), large)
        // A zero or Int-sized magnitude is decoded as an Int, whatever the sign byte or the high zero bytes say.
        XCTAssertEqual(try Term(etf: [131, 110, 2, 1, 0, 0]), .integer(0))
        XCTAssertEqual(try Term(etf: [131, 111, 0, 0, 0, 10, 1] + [5] + Array(repeating: 0, count: 9)), .integer(-5))
        XCTAssertEqual(try Term(etf: [131, 110, 12, 1] + Array(repeating: 0, count: 8) + [1, 0, 0, 0]), .int(-two64))
        for n in 9...40 {
            let bytes: [UInt8] = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            for sign: UInt8 in [0, 1] {
                let etf: [UInt8] = [131, 110, UInt8(n), sign] + bytes
                let term = try Term(etf: etf)
                XCTAssertEqual(term, .int(BigInt(isNegative: sign == 1, littleEndianMagnitude: bytes)))
                XCTAssertEqual(try term.etf(), etf)
            }
        }
    }

    /// Text is quadratic in the length: the decoder's largest magnitude (16 KiB, 39 457 digits) must stay far from
    /// a hang, in the debug build the tests run.
    func testTextOfTheLargestDecodableMagnitudeIsFast() throws {
        var rng = SystemRandomNumberGenerator()
        let maxBytes = ETFLimits.default.maxBigIntegerBytes
        let words = (0..<(maxBytes / 8)).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) | (1 << 63) }
        let v = BigInt(isNegative: true, magnitudeWords: words)
        let clock = ContinuousClock()
        var text = ""
        let printing = clock.measure { text = v.description }
        XCTAssertEqual(text.utf8.count, 1 + 39_457)
        var back: BigInt?
        let parsing = clock.measure { back = BigInt(text) }
        XCTAssertEqual(back, v)
        var hex = ""
        let hexPrinting = clock.measure { hex = String(v, radix: 16) }
        XCTAssertEqual(hex.utf8.count, 1 + maxBytes * 2)
        print("BigInt text of \(maxBytes) bytes: print \(printing), parse \(parsing), hex \(hexPrinting)")
        XCTAssertLessThan(printing, .milliseconds(500))
        XCTAssertLessThan(parsing, .milliseconds(500))
        XCTAssertLessThan(hexPrinting, .milliseconds(500))
    }
}
