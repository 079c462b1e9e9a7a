@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// EPMD requests and replies (``EPMDMessage``).
final class EPMDMessageTests: XCTestCase {
    func testRequests() {
        XCTAssertEqual(EPMDMessage.portPlease2Request(alive: "rhA"), [0, 4, 122, 0x72, 0x68, 0x41])
        XCTAssertEqual(EPMDMessage.namesRequest(), [0, 1, 110])
    }

    func testPortReplies() throws {
        let ok: [UInt8] = [0x77, 0, 0x9e, 0x11, 0x4d, 0, 0, 6, 0, 5, 0, 3] + Array("rhA".utf8) + [0, 0]
        XCTAssertEqual(try EPMDMessage.parsePortReply(ok), .found(.init(
            port: 0x9e11, nodeType: 77, protocolID: 0, highestVersion: 6, lowestVersion: 5, name: "rhA", extra: [])))
        XCTAssertEqual(try EPMDMessage.parsePortReply([0x77, 1]), .notFound(result: 1))
        XCTAssertThrowsError(try EPMDMessage.parsePortReply([0x77]))
        XCTAssertThrowsError(try EPMDMessage.parsePortReply([0x78, 0]))
        XCTAssertThrowsError(try EPMDMessage.parsePortReply([0x77, 0, 0x9e]))
    }

    /// A client stops reading once a PORT2_RESP is whole; every proper prefix is incomplete, and what is complete
    /// parses.
    func testPortReplyCompleteness() throws {
        let withExtra: [UInt8] = [0x77, 0, 0x9e, 0x11, 0x4d, 0, 0, 6, 0, 5, 0, 3] + Array("rhA".utf8) + [0, 2, 7, 9]
        let noExtra: [UInt8] = [0x77, 0, 0x9e, 0x11, 0x4d, 0, 0, 6, 0, 5, 0, 3] + Array("rhA".utf8) + [0, 0]
        for reply in [withExtra, noExtra] {
            XCTAssertTrue(EPMDMessage.isCompletePortReply(reply))
            XCTAssertNoThrow(try EPMDMessage.parsePortReply(reply))
            for n in 0..<reply.count { XCTAssertFalse(EPMDMessage.isCompletePortReply(Array(reply[..<n])), "\(n)") }
        }
        XCTAssertEqual(try EPMDMessage.parsePortReply(withExtra), .found(.init(
            port: 0x9e11, nodeType: 77, protocolID: 0, highestVersion: 6, lowestVersion: 5, name: "rhA", extra: [7, 9])))
        // Errors and replies that are not PORT2_RESP are complete at two bytes (the parser says what is wrong).
        XCTAssertTrue(EPMDMessage.isCompletePortReply([0x77, 1]))
        XCTAssertTrue(EPMDMessage.isCompletePortReply([0x78, 0]))
        // A reply that ends after the name (no extra length) is only complete at end of stream.
        XCTAssertFalse(EPMDMessage.isCompletePortReply(Array(noExtra.dropLast(2))))
    }

    func testNamesReply() throws {
        let bytes: [UInt8] = [0, 0, 0x11, 0x11] + Array("name rhA at port 40465\nname b at port 1\ngarbage\n".utf8)
        XCTAssertEqual(try EPMDMessage.parseNamesReply(bytes).map(\.name), ["rhA", "b"])
        XCTAssertEqual(try EPMDMessage.parseNamesReply(bytes).first?.port, 40465)
        XCTAssertThrowsError(try EPMDMessage.parseNamesReply([0, 0]))
    }
}
