@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// ``FrameParser``: the modes, the switch with buffered bytes, the length limit.
final class FrameParserTests: XCTestCase {
    func testDripFedHandshakeThenConnectedModeInSameRead() throws {
        var p = FrameParser(mode: .handshake)
        // 's' "ok" (2-byte len) followed in the same read by a 4-byte tick and a 4-byte frame.
        let bytes: [UInt8] = [0, 3, 0x73, 0x6F, 0x6B, 0, 0, 0, 0, 0, 0, 0, 2, 9, 8]
        var frames: [FrameParser.Frame] = []
        for (i, b) in bytes.enumerated() {
            p.append([b])
            while let f = try p.next() {
                frames.append(f)
                if i == 4 { p.mode = .connected }
            }
        }
        XCTAssertEqual(frames, [.data([0x73, 0x6F, 0x6B]), .tick, .data([9, 8])])
    }

    func testModeSwitchKeepsBufferedBytes() throws {
        var p = FrameParser(mode: .handshake)
        p.append([0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 1, 7])
        XCTAssertEqual(try p.next(), .data([0x61]))
        p.mode = .connected
        XCTAssertEqual(try p.next(), .tick)
        XCTAssertEqual(try p.next(), .data([7]))
        XCTAssertNil(try p.next())
    }

    func testOversizeLengthRejectedBeforeAllocating() {
        var p = FrameParser(mode: .connected, maxFrameSize: 1024)
        p.append([0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try p.next()) { XCTAssertEqual(($0 as? DistributionError)?.code, .frameTooLarge) }
    }

    func testFrameEncoding() {
        XCTAssertEqual(FrameParser.frame([1, 2], mode: .handshake), [0, 2, 1, 2])
        XCTAssertEqual(FrameParser.frame([1], mode: .connected), [0, 0, 0, 1, 1])
    }
}
