import ErlangTerm
import XCTest

/// Hostile and malformed input: every case is a specific `ETFError`, found before allocating.
final class LimitsTests: XCTestCase {
    private func assertError(
        _ bytes: [UInt8], _ code: ETFError.Code, offset: Int? = nil, tag: UInt8? = nil, limits: ETFLimits = .default,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let t = try Term(etf: bytes, limits: limits)
            XCTFail("decoded to \(String(describing: t).prefix(100)), expected \(code)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            if let offset { XCTAssertEqual(error.offset, offset, "\(error)", file: file, line: line) }
            if let tag { XCTAssertEqual(error.tag, tag, "\(error)", file: file, line: line) }
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    private func atomBytes(_ tag: UInt8, _ text: [UInt8]) -> [UInt8] {
        switch tag {
        case 119, 115: return [131, tag, UInt8(text.count)] + text
        default: return [131, tag, UInt8(text.count >> 8), UInt8(text.count & 255)] + text
        }
    }

    func testHugeDeclaredLengths() {
        assertError([131, 108, 0xFF, 0xFF, 0xFF, 0xFF, 106], .truncated, offset: 1, tag: 108)
        assertError([131, 109, 0xFF, 0xFF, 0xFF, 0xFF], .tooLarge, offset: 1, tag: 109)
        assertError([131, 109, 0x00, 0xFF, 0xFF, 0xFF], .truncated, offset: 1, tag: 109)
        assertError([131, 105, 0xFF, 0xFF, 0xFF, 0xFF, 106], .truncated, offset: 1, tag: 105)
        assertError([131, 116, 0xFF, 0xFF, 0xFF, 0xFF, 97, 1, 97], .truncated, offset: 1, tag: 116)
        // Two pairs need four bytes at least; three bytes remain.
        assertError([131, 116, 0, 0, 0, 2, 97, 1, 106], .truncated, offset: 1, tag: 116)
        assertError([131, 107, 0xFF, 0xFF, 1, 2], .truncated, offset: 1, tag: 107)
        assertError([131, 77, 0xFF, 0xFF, 0xFF, 0xF0, 3], .tooLarge, offset: 1, tag: 77)
        assertError([131, 112, 0xFF, 0xFF, 0xFF, 0xFF], .truncated, offset: 1, tag: 112)
    }

    func testMillionDeepNestingFailsQuicklyWithoutRecursion() {
        let start = Date()
        for open in [[UInt8]([104, 1]), [108, 0, 0, 0, 1], [116, 0, 0, 0, 1, 97, 1]] {
            var bytes: [UInt8] = [131]
            bytes.reserveCapacity(1_000_000 * open.count + 2)
            for _ in 0..<1_000_000 { bytes.append(contentsOf: open) }
            bytes.append(106)
            assertError(bytes, .tooDeep)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testDepthLimitIsExact() throws {
        func nested(_ depth: Int) -> [UInt8] {
            [131] + Array(repeating: [104, 1], count: depth).flatMap { $0 } + [106]
        }
        XCTAssertNoThrow(try Term(etf: nested(1000)))
        assertError(nested(1001), .tooDeep)
        var limits = ETFLimits()
        limits.maxDepth = 3
        XCTAssertNoThrow(try Term(etf: nested(3), limits: limits))
        assertError(nested(4), .tooDeep, offset: 7, tag: 104, limits: limits)
    }

    func testTermCountLimit() {
        var limits = ETFLimits()
        limits.maxTerms = 10
        XCTAssertNoThrow(try Term(etf: [131, 107, 0, 9] + Array(repeating: 1, count: 9), limits: limits))
        assertError([131, 107, 0, 10] + Array(repeating: 1, count: 10), .tooLarge, limits: limits)
        assertError([131, 104, 11] + Array(repeating: 106, count: 11), .tooLarge, limits: limits)
        // LIST_EXT of integers takes a fast path; its elements and its NIL_EXT tail still count, with exact offsets.
        func intList(_ n: Int, _ element: [UInt8]) -> [UInt8] {
            [131, 108, 0, 0, 0, UInt8(n)] + Array(repeating: element, count: n).flatMap { $0 } + [106]
        }
        XCTAssertNoThrow(try Term(etf: intList(8, [97, 1]), limits: limits))
        assertError(intList(9, [97, 1]), .tooLarge, offset: 24, tag: 106, limits: limits)
        assertError(intList(10, [97, 1]), .tooLarge, offset: 24, tag: 97, limits: limits)
        XCTAssertNoThrow(try Term(etf: intList(8, [98, 0, 0, 1, 0]), limits: limits))
        assertError(intList(10, [98, 0, 0, 1, 0]), .tooLarge, offset: 51, tag: 98, limits: limits)
    }

    /// Long lists of integers (at least 16 elements, starting with an integer) are decoded straight into their array,
    /// falling back to the general path at the first element that is not one: the same values, limits and error
    /// offsets as the general path.
    func testLongIntegerListsAndRuns() throws {
        func header(_ tag: UInt8, _ n: Int) -> [UInt8] { [tag, 0, 0, UInt8(n >> 8), UInt8(n & 255)] }
        let small: [UInt8] = [97, 7], wide: [UInt8] = [98, 0xFF, 0xFF, 0xFF, 0xFE]  // 7 and -2
        let mixed = (0..<40).flatMap { $0 % 3 == 0 ? wide : small }
        let values: [Term] = (0..<40).map { $0 % 3 == 0 ? -2 : 7 }
        XCTAssertEqual(try Term(etf: [131] + header(108, 40) + mixed + [106]), .list(values))
        // An integer tail: an improper list.
        XCTAssertEqual(
            try Term(etf: [131] + header(108, 40) + mixed + [97, 5]), .improperList(values, tail: 5))
        // Integers, then something else: the integers read so far stay the list's first elements.
        let tuple: [UInt8] = [104, 2, 119, 2, 111, 107, 97, 1]
        XCTAssertEqual(
            try Term(etf: [131] + header(108, 41) + mixed + tuple + [106]),
            .list(values + [.tuple(["ok", 1])]))
        XCTAssertEqual(
            try Term(etf: [131] + header(108, 81) + mixed + tuple + mixed + [106]),
            .list(values + [.tuple(["ok", 1])] + values))
        // A tuple and a list of many integers after a first element that is not one: the general path.
        XCTAssertEqual(
            try Term(etf: [131, 105, 0, 0, 0, 41] + tuple + mixed), .tuple([.tuple(["ok", 1])] + values))
        XCTAssertEqual(
            try Term(etf: [131] + header(108, 41) + tuple + mixed + [106]), .list([.tuple(["ok", 1])] + values))
        // Too few elements: the error is at the element that is cut, or at the list when too few bytes remain.
        let cut = [131] + header(108, 40) + mixed.prefix(60)
        assertError(Array(cut), .truncated, offset: 65, tag: 97)  // 18 elements in 59 bytes, then 1 of 2 bytes
        assertError([131] + header(108, 40) + Array(repeating: small, count: 16).flatMap { $0 }, .truncated)
        assertError([131] + header(108, 40) + Array(mixed.prefix(30)), .truncated, offset: 1, tag: 108)
        // maxTerms: the list, its elements, its tail; the first element past the limit is the one reported.
        var limits = ETFLimits()
        limits.maxTerms = 15
        let twenty = [131] + header(108, 20) + Array(repeating: small, count: 20).flatMap { $0 } + [106]
        assertError(twenty, .tooLarge, offset: 6 + 2 * 14, tag: 97, limits: limits)
        let afterAtom =
            [131] + header(108, 20) + [119, 1, 97] + Array(repeating: small, count: 19).flatMap { $0 } + [106]
        assertError(afterAtom, .tooLarge, offset: 9 + 2 * 13, tag: 97, limits: limits)
        limits.maxTerms = 22
        XCTAssertNoThrow(try Term(etf: twenty, limits: limits))
        XCTAssertNoThrow(try Term(etf: afterAtom, limits: limits))
        limits.maxTerms = 21
        assertError(twenty, .tooLarge, offset: 46, tag: 106, limits: limits)
        // maxDepth: a list of integers is a container like any other.
        limits = ETFLimits()
        limits.maxDepth = 2
        XCTAssertNoThrow(try Term(etf: [131, 104, 1] + Array(twenty.dropFirst()), limits: limits))
        assertError([131, 104, 1, 104, 1] + Array(twenty.dropFirst()), .tooDeep, offset: 5, tag: 108, limits: limits)
    }

    func testBigIntegerLimits() throws {
        assertError([131, 111, 0x7F, 0xFF, 0xFF, 0xFF, 0], .bigIntegerTooLarge, offset: 1, tag: 111)
        assertError([131, 111, 0, 0, 0x40, 0x01, 0] + Array(repeating: 1, count: 16385), .bigIntegerTooLarge)
        XCTAssertEqual(
            try Term(etf: [131, 111, 0, 0, 0x40, 0x00, 0] + Array(repeating: 0, count: 16383) + [1]),
            .bigInteger(BigInt(1) << (16383 * 8)))
        var limits = ETFLimits()
        limits.maxBigIntegerBytes = 8
        assertError([131, 110, 9, 0] + Array(repeating: 1, count: 9), .bigIntegerTooLarge, limits: limits)
        assertError([131, 110, 9, 0, 1], .truncated, offset: 1, tag: 110)
    }

    func testCompressedLimits() throws {
        // Declares 4 GB.
        assertError([131, 80, 0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0x9C, 0x03, 0, 0, 0, 0, 1], .badCompression, offset: 1, tag: 80)
        // Declares 100 MB from a few bytes: impossible for zlib, refused before allocating.
        assertError([131, 80, 0x06, 0x00, 0x00, 0x00, 0x78, 0x9C, 0x03, 0, 0, 0, 0, 1], .badCompression)
        let term: Term = .binary(Array(repeating: 42, count: 1000))
        let compressed = try term.etf(compressionLevel: 6)
        XCTAssertEqual(compressed[1], 80)
        XCTAssertEqual(try Term(etf: compressed), term)
        // Declared size one more / one less than the real size.
        for delta in [1, -1] {
            var bytes = compressed
            let size = Int(bytes[2]) << 24 | Int(bytes[3]) << 16 | Int(bytes[4]) << 8 | Int(bytes[5])
            let wrong = size + delta
            bytes.replaceSubrange(2..<6, with: [UInt8(wrong >> 24), UInt8((wrong >> 16) & 255), UInt8((wrong >> 8) & 255), UInt8(wrong & 255)])
            assertError(bytes, .badCompression)
        }
        var limits = ETFLimits()
        limits.maxInflatedBytes = 500
        assertError(compressed, .badCompression, limits: limits)
        // Corrupt zlib data.
        var corrupt = compressed
        corrupt[8] ^= 0xFF
        assertError(corrupt, .badCompression)
        // COMPRESSED not right after the version byte.
        assertError([131, 104, 1, 80, 0, 0, 0, 1], .unsupportedTag, offset: 3, tag: 80)
        // Compression is only used when it makes the output smaller.
        XCTAssertEqual(try Term.atom("ok").etf(compressionLevel: 9), [131, 119, 2, 111, 107])
    }

    func testAtomLimits() throws {
        assertError(atomBytes(119, [0xC3, 0x28]), .invalidValue, offset: 1, tag: 119)
        assertError(atomBytes(118, [0xFF]), .invalidValue)
        assertError(atomBytes(118, [0xED, 0xA0, 0x80]), .invalidValue)  // a UTF-16 surrogate
        let a255 = [UInt8](repeating: 97, count: 255), a256 = [UInt8](repeating: 97, count: 256)
        XCTAssertEqual(try Term(etf: atomBytes(119, a255)), .atom(String(repeating: "a", count: 255)))
        assertError(atomBytes(118, a256), .atomTooLong, offset: 1, tag: 118)
        assertError(atomBytes(100, a256), .atomTooLong, offset: 1, tag: 100)
        let check = Array("✓".utf8)
        XCTAssertEqual(
            try Term(etf: atomBytes(118, Array(repeating: check, count: 255).flatMap { $0 })),
            .atom(String(repeating: "✓", count: 255)))
        assertError(atomBytes(118, Array(repeating: check, count: 256).flatMap { $0 }), .atomTooLong)
        assertError(atomBytes(118, [UInt8](repeating: 97, count: 2000)), .atomTooLong)
        // Characters are counted, not bytes: 200 two-byte characters (400 bytes) are fine.
        XCTAssertNoThrow(try Term(etf: atomBytes(118, Array(repeating: Array("é".utf8), count: 200).flatMap { $0 })))
        // The encoder refuses what the decoder refuses.
        XCTAssertThrowsError(try Term.atom(String(repeating: "a", count: 256)).etf()) { error in
            XCTAssertEqual((error as? ETFError)?.code, .unencodable)
        }
        XCTAssertThrowsError(try Term.atom(String(repeating: "✓", count: 256)).etf())
        XCTAssertEqual(try Term.atom(String(repeating: "✓", count: 255)).etf().prefix(4), [131, 118, 2, 253])
        // Node atoms are checked too.
        assertError([131, 88] + Array(atomBytes(119, [0xC3, 0x28]).dropFirst()) + Array(repeating: 0, count: 12), .invalidValue)
        assertError([131, 88, 97, 1] + Array(repeating: 0, count: 12), .invalidValue, tag: 88)
    }

    func testReferenceAndBitBinaryFieldRules() throws {
        let node: [UInt8] = [119, 1, 97]
        func ref(_ n: UInt8, tag: UInt8 = 90) -> [UInt8] {
            [131, tag, 0, n] + node + [0, 0, 0, 1] + Array(repeating: 0, count: 4 * Int(n))
        }
        assertError(ref(0), .invalidValue, offset: 1, tag: 90)
        assertError(ref(6), .invalidValue, offset: 1, tag: 90)
        XCTAssertNoThrow(try Term(etf: ref(5)))
        XCTAssertNoThrow(try Term(etf: ref(1)))
        assertError([131, 77, 0, 0, 0, 1, 0, 0xFF], .invalidValue, offset: 1, tag: 77)
        assertError([131, 77, 0, 0, 0, 1, 9, 0xFF], .invalidValue, offset: 1, tag: 77)
        assertError([131, 77, 0, 0, 0, 0, 3], .invalidValue, offset: 1, tag: 77)
        XCTAssertEqual(try Term(etf: [131, 77, 0, 0, 0, 1, 8, 0xFF]), .binary([0xFF]))
        XCTAssertEqual(try Term(etf: [131, 77, 0, 0, 0, 1, 1, 0xFF]), .bitstring([0x80], bitsInLastByte: 1))
        XCTAssertThrowsError(try Term.reference(Reference(node: "a", creation: 0, ids: [])).etf())
        XCTAssertThrowsError(try Term.reference(Reference(node: "a", creation: 0, ids: [1, 2, 3, 4, 5, 6])).etf())
    }

    func testDuplicateMapKeys() {
        assertError([131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3], .invalidValue, offset: 1, tag: 116)
        // A big map: 100 distinct keys and one duplicate at the end.
        var bytes: [UInt8] = [131, 116, 0, 0, 0, 101]
        for i in 0..<100 { bytes += [98, 0, 0, UInt8(i >> 8), UInt8(i & 255), 106] }
        bytes += [98, 0, 0, 0, 42, 106]
        assertError(bytes, .invalidValue, offset: 1, tag: 116)
        // Same value, different type: 1 and 1.0 are different keys.
        XCTAssertNoThrow(try Term(etf: [131, 116, 0, 0, 0, 2, 97, 1, 106, 70, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 106]))
        // 50k keys decode in reasonable time (duplicate detection is not quadratic).
        var big: [UInt8] = [131, 116, 0, 0, 0xC3, 0x50]
        for i in 0..<50_000 { big += [98, 0, UInt8(i >> 16), UInt8((i >> 8) & 255), UInt8(i & 255), 106] }
        let start = Date()
        XCTAssertEqual((try? Term(etf: big))?.mapValue?.count, 50_000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testRejectedTags() {
        for tag: UInt8 in [82, 117, 121, 0, 1, 255, 131] {
            assertError([131, tag, 0, 0, 0, 0], .unsupportedTag, offset: 1, tag: tag)
        }
        assertError([131, 104, 2, 97, 1, 82, 0], .unsupportedTag, offset: 5, tag: 82)
        do {
            _ = try Term(etf: [131, 121, 0])
        } catch {
            XCTAssertTrue(error.message.contains("LOCAL_EXT"), error.message)
            XCTAssertTrue(error.description.contains("LOCAL_EXT"), error.description)
        }
    }

    func testFloatsAndVersion() {
        assertError([131, 70, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0], .invalidValue, tag: 70)  // NaN
        assertError([131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0], .invalidValue, tag: 70)  // +Inf
        assertError([131, 99] + Array("nan".utf8) + Array(repeating: 0, count: 28), .invalidValue, tag: 99)
        assertError([131, 99] + Array(repeating: 0, count: 31), .invalidValue, tag: 99)
        assertError([130, 97, 1], .badVersion, offset: 0)
        assertError([], .truncated, offset: 0)
        assertError([131], .truncated, offset: 1)
        assertError([131, 97, 1, 0], .trailingBytes, offset: 3)
        XCTAssertThrowsError(try Term.float(.nan).etf())
        XCTAssertThrowsError(try Term.float(-.infinity).etf())
    }

    func testNewFunSizeMustMatch() throws {
        let vector = try XCTUnwrap(GoldenVector.all.first { $0.name == "local_fun_closure" })
        XCTAssertNoThrow(try Term(etf: vector.bytes))
        for delta in [-1, 1] {
            var bytes = vector.bytes
            bytes[5] = UInt8(Int(bytes[5]) + delta)
            XCTAssertThrowsError(try Term(etf: bytes + (delta > 0 ? [0] : [])))
        }
        // A fun inside a tuple: its encoded bytes start at its own tag.
        let tuple = [131, 104, 2, 97, 1] + Array(vector.bytes.dropFirst())
        guard case .tuple(let t) = try Term(etf: tuple), case .localFun(let f) = t[1] else { return XCTFail() }
        XCTAssertEqual(f.encoded, Array(vector.bytes.dropFirst()))
        XCTAssertEqual(try Term.tuple(t).etf(), tuple)
    }

    func testSeveralTermsBackToBack() throws {
        let bytes: [UInt8] = [131, 97, 1, 131, 119, 2, 111, 107, 106]
        let decoder = ETFDecoder()
        try bytes.withUnsafeBytes { buffer in
            let first = try decoder.decode(buffer, at: 0, versionByte: true)
            XCTAssertEqual(first.term, 1)
            XCTAssertEqual(first.end, 3)
            let second = try decoder.decode(buffer, at: first.end, versionByte: true)
            XCTAssertEqual(second.term, "ok")
            let third = try decoder.decode(buffer, at: second.end, versionByte: false)
            XCTAssertEqual(third.term, [])
            XCTAssertEqual(third.end, bytes.count)
            XCTAssertThrowsError(try decoder.decode(buffer, at: 100, versionByte: false))
        }
        var out: [UInt8] = [0xAA]
        try ETFEncoder().encode(.tuple([1, "a"]), into: &out, versionByte: false)
        XCTAssertEqual(out, [0xAA, 104, 2, 97, 1, 119, 1, 97])
    }

    func testEncoderCanonicalisesNonCanonicalValues() throws {
        XCTAssertEqual(try Term.bigInteger(BigInt(5)).etf(), [131, 97, 5])
        XCTAssertEqual(try Term.bitstring([1, 2], bitsInLastByte: 8).etf(), [131, 109, 0, 0, 0, 2, 1, 2])
        XCTAssertEqual(try Term.bitstring([0xFF], bitsInLastByte: 3).etf(), [131, 77, 0, 0, 0, 1, 3, 0xE0])
        XCTAssertEqual(try Term.improperList([1], tail: [2]).etf(), try Term.list([1, 2]).etf())
        XCTAssertEqual(try Term.improperList([], tail: 3).etf(), [131, 97, 3])
        XCTAssertEqual(
            try Term.port(ErlangPort(node: "a", id: 1 << 32, creation: 1)).etf(),
            [131, 120, 119, 1, 97, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(try Term.list(Array(repeating: 300, count: 2)).etf().prefix(2), [131, 108])
        XCTAssertEqual(try Term.list(Array(repeating: 1, count: 65536)).etf().prefix(2), [131, 108])
    }
}
