import ClusterDiscovery
import XCTest

/// `DNSResolver.parseAnswer` on raw answers (what FuzzDNS exercises), and regressions for what it found.
final class DNSAnswerParsingTests: XCTestCase {
    /// One A record for `a` with `ttl`: header, question `a IN A`, answer (compressed name) 10.0.0.1.
    private func answerA(ttl: UInt32) -> [UInt8] {
        [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1]
            + [UInt8(ttl >> 24), UInt8((ttl >> 16) & 0xFF), UInt8((ttl >> 8) & 0xFF), UInt8(ttl & 0xFF)]
            + [0, 4, 10, 0, 0, 1]
    }

    /// One SRV record `_e._tcp` → `b` port 4369 with `ttl`.
    private func answerSRV(ttl: UInt32) -> [UInt8] {
        let name: [UInt8] = [2, 0x5F, 0x65, 4, 0x5F, 0x74, 0x63, 0x70, 0]
        return [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0] + name + [0, 33, 0, 1, 0xC0, 12, 0, 33, 0, 1]
            + [UInt8(ttl >> 24), UInt8((ttl >> 16) & 0xFF), UInt8((ttl >> 8) & 0xFF), UInt8(ttl & 0xFF)]
            + [0, 9, 0, 1, 0, 5, 0x11, 0x11, 1, 0x62, 0]
    }

    func testParsesAAndSRV() throws {
        XCTAssertEqual(try DNSResolver.parseAnswer(answerA(ttl: 10), type: .a), [DNSRecord(value: "10.0.0.1", ttl: 10)])
        XCTAssertEqual(
            try DNSResolver.parseAnswer(answerSRV(ttl: 30), type: .srv),
            [DNSRecord(value: "b", ttl: 30, port: 4369, priority: 1, weight: 5)])
    }

    /// c-ares reads TTLs into an int, so 2^31 and above came out negative (FuzzDNS's `ttl >= 0` invariant); RFC 2181
    /// §8 makes a TTL with the top bit set zero.
    func testTTLWithTopBitSetIsZero() throws {
        XCTAssertEqual(try DNSResolver.parseAnswer(answerA(ttl: 0xFFFF_FFFF), type: .a).map(\.ttl), [0])
        XCTAssertEqual(try DNSResolver.parseAnswer(answerA(ttl: 0x8000_0000), type: .a).map(\.ttl), [0])
        XCTAssertEqual(try DNSResolver.parseAnswer(answerA(ttl: 0x7FFF_FFFF), type: .a).map(\.ttl), [0x7FFF_FFFF])
        XCTAssertEqual(try DNSResolver.parseAnswer(answerSRV(ttl: 0xFFFF_FFFF), type: .srv).map(\.ttl), [0])
    }

    func testMalformedAnswersAreTypedErrors() {
        XCTAssertThrowsError(try DNSResolver.parseAnswer([], type: .a)) {
            XCTAssertEqual(($0 as? DNSError)?.code, .other)
        }
        XCTAssertThrowsError(try DNSResolver.parseAnswer(Array(answerA(ttl: 1).prefix(20)), type: .a))
        // c-ares skips answer records of other types: an A answer holds no SRV records.
        XCTAssertEqual(try DNSResolver.parseAnswer(answerA(ttl: 1), type: .srv), [])
    }
}
