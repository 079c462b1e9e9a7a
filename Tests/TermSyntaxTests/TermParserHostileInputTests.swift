import ErlangTerm
import Foundation
import TermSyntax
import XCTest

/// Regressions for what FuzzTermParser found.
final class TermParserHostileInputTests: XCTestCase {
    private func parse(_ text: String, _ syntax: SourceSyntax) throws -> Term { try TermParser.parse(text, syntax: syntax) }

    /// A negative integer in a multi-megabit segment built 2^bits with BigInt, a word at a time: quadratic, more than
    /// 10 s for a 43-byte input (fuzz-out timeout-fb3089c1…, now a FuzzTermParser seed).
    func testHugeNegativeIntegerSegmentIsLinear() throws {
        let clock = ContinuousClock()
        let start = clock.now
        XCTAssertEqual(
            try parse("<<-1:4293796>>", .erlang),
            Term.bits([UInt8](repeating: 0xFF, count: 536_724) + [0xF0], bitCount: 4_293_796))
        XCTAssertEqual(
            try parse("<<-1:16777216>>", .erlang), Term.bits([UInt8](repeating: 0xFF, count: 1 << 21), bitCount: 1 << 24))
        XCTAssertThrowsError(try parse("<< -0068903467007034672293796:4293796:8\"<<", .erlang))
        XCTAssertThrowsError(try parse("<<-1:16777217>>", .erlang))
        XCTAssertLessThan(clock.now - start, .seconds(10))
    }

    /// A string segment with a size makes one integer segment per character; 50 characters of 2 MiB each ran past
    /// the 16 MiB binary limit before it was checked, re-copying the whole binary for every unaligned character
    /// (fuzz-out timeout-813457ec…, now a FuzzTermParser seed).
    func testStringSegmentWithHugeSizeStopsAtTheBinaryLimit() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let chars = String(repeating: "a", count: 50)
        XCTAssertThrowsError(try parse("<<\"\(chars)\":16777216>>", .erlang)) {
            XCTAssertEqual(($0 as? TermSyntaxError)?.code, .tooLarge)
        }
        XCTAssertThrowsError(try parse("<<1:1, \"\(chars)\":16777215>>", .erlang)) {
            XCTAssertEqual(($0 as? TermSyntaxError)?.code, .tooLarge)
        }
        XCTAssertThrowsError(try parse("<<\"\(chars)\"::size(16777216)>>", .elixir)) {
            XCTAssertEqual(($0 as? TermSyntaxError)?.code, .tooLarge)
        }
        // Within the limit it still works, unaligned too.
        guard case .bitstring(let bytes, _) = try parse("<<1:1, \"ab\":4194304>>", .erlang) else {
            return XCTFail("not a bitstring")
        }
        XCTAssertEqual(bytes.count, 1 + 2 * (4_194_304 / 8))
        let seed = Array(
            Data(base64Encoded: "BTw8Iubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubm5ubmPKn/9/86//////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////8gVXsiOjE0NTIyNDk5JTk5OW9rAgBz/119")!
                .dropFirst())
        _ = try? TermParser(syntax: .erlang, maxDepth: 8).parse(String(decoding: seed, as: UTF8.self))
        XCTAssertLessThan(clock.now - start, .seconds(10))
    }

    func testWideIntegerSegmentsAreTwosComplement() throws {
        XCTAssertEqual(try parse("<<-2:72>>", .erlang), Term.bits([UInt8](repeating: 0xFF, count: 8) + [0xFE], bitCount: 72))
        XCTAssertEqual(try parse("<<-2:72/little>>", .erlang), Term.bits([0xFE] + [UInt8](repeating: 0xFF, count: 8), bitCount: 72))
        XCTAssertEqual(try parse("<<1:65>>", .erlang), Term.bits([UInt8](repeating: 0, count: 8) + [0x80], bitCount: 65))
        XCTAssertEqual(
            try parse("<<16#123456789ABCDEF01:72>>", .erlang),
            Term.bits([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01], bitCount: 72))
        XCTAssertEqual(
            try parse("<<-1::size(70)>>", .elixir), Term.bits([UInt8](repeating: 0xFF, count: 8) + [0xFC], bitCount: 70))
        // Wider than the value, positive: zero-extended; narrower: truncated.
        XCTAssertEqual(try parse("<<1:3, -1:67>>", .erlang), Term.bits([0x3F] + [UInt8](repeating: 0xFF, count: 7) + [0xFC], bitCount: 70))
        XCTAssertEqual(
            try parse("<<16#1FFFFFFFFFFFFFFFFFF:68>>", .erlang),
            Term.bits([UInt8](repeating: 0xFF, count: 8) + [0xF0], bitCount: 68))
    }
}
