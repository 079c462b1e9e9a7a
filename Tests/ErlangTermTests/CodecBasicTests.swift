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

    /// The encoder reads a map entry's value right after its key (EncoderCore.valueOffset).
    func testMapEntryLayout() {
        XCTAssertEqual(MemoryLayout<TermMap.Element>.offset(of: \.key), 0)
        XCTAssertEqual(MemoryLayout<TermMap.Element>.offset(of: \.value), MemoryLayout<Term>.stride)
    }

    /// Every copy length of the encoder's short-copy path (atoms, binaries, node names), and the long-name fallbacks.
    func testEncodesEveryShortLength() throws {
        for n in 0...40 {
            let text = String((0..<n).map { Character(Unicode.Scalar(UInt8(97 + $0 % 26))) })
            let atom = Term.atom(Atom(text))
            XCTAssertEqual(try atom.etf(), [131, 119, UInt8(n)] + Array(text.utf8), "atom of \(n)")
            let binary = Term.binary(Array(text.utf8))
            XCTAssertEqual(try binary.etf(), [131, 109, 0, 0, 0, UInt8(n)] + Array(text.utf8), "binary of \(n)")
            let pid = Term.pid(Pid(node: Atom(text), id: 1, serial: 2, creation: 3))
            XCTAssertEqual(
                try pid.etf(),
                [131, 88, 119, UInt8(n)] + Array(text.utf8) + [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], "pid of \(n)")
            let nested = Term.map([atom: .tuple([binary, pid, .list([atom, 1])])])
            XCTAssertEqual(try Term(etf: nested.etf()), nested)
        }
        // 255 bytes is the last small-atom length; 100 two-byte characters need ATOM_UTF8_EXT.
        let long = String(repeating: "x", count: 255)
        XCTAssertEqual(try Term.atom(Atom(long)).etf(), [131, 119, 255] + Array(long.utf8))
        let wide = String(repeating: "é", count: 200)
        XCTAssertEqual(try Term.atom(Atom(wide)).etf(), [131, 118, 1, 144] + Array(wide.utf8))
        let widePid = Term.pid(Pid(node: Atom(wide), id: 1, serial: 2, creation: 3))
        XCTAssertEqual(try Term(etf: widePid.etf()), widePid)
        XCTAssertThrowsError(try Term.atom(Atom(String(repeating: "y", count: 256))).etf())
        XCTAssertThrowsError(try Term.list([1, .tuple([.atom(Atom(String(repeating: "y", count: 256)))])]).etf())
    }

    func testLegacyAtomDecodes() throws {
        XCTAssertEqual(try Term(etf: [131, 100, 0, 5] + Array("hello".utf8)), "hello")
        XCTAssertEqual(try Term(etf: [131, 115, 1, 0xE9]), .atom("é"))
    }
}

extension Array where Element == UInt8 {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
