import BigInt
import ErlangTerm
import XCTest

final class CodecBasicTests: XCTestCase {
    private func roundTrip(_ term: Term, _ hex: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try term.etf()
        XCTAssertEqual(bytes.hex, hex, "encode \(term)", file: file, line: line)
        XCTAssertEqual(try Term(etf: bytes), term, file: file, line: line)
    }

    func testSimpleValues() throws {
        try roundTrip(1, "836101")
        try roundTrip(-1, "8362ffffffff")
        try roundTrip(.integer(1 << 40), "836e0600000000000001")
        try roundTrip("ok", "8377026f6b")
        try roundTrip(1.5, "83463ff8000000000000")
        try roundTrip([], "836a")
        try roundTrip([1, 2], "836b00020102")
        try roundTrip(.tuple(["ok", 300]), "836802 77026f6b 620000012c".replacingOccurrences(of: " ", with: ""))
        try roundTrip(.improperList([1], tail: 2), "836c00000001610161 02".replacingOccurrences(of: " ", with: ""))
        try roundTrip(.int(BigInt(1) << 70), "836e0900000000000000000040")
        try roundTrip(.int(-(BigInt(1) << 63)), "836e080100000000000000 80".replacingOccurrences(of: " ", with: ""))
    }

    func testLegacyAtomDecodes() throws {
        XCTAssertEqual(try Term(etf: [131, 100, 0, 5] + Array("hello".utf8)), "hello")
        XCTAssertEqual(try Term(etf: [131, 115, 1, 0xE9]), .atom("é"))
    }
}

extension Array where Element == UInt8 {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
