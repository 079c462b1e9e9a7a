import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// The console against a hostile peer (``FakePeer``): a real handshake, then bytes no honest node sends. Each attack
/// must end that connection with a typed ``DistributionError`` naming its stage, within a bound time, without the
/// process's memory growing by more than ``memoryBound``; and a connection to a real `erl` node made before the
/// attack must still answer an RPC after it.
final class HostilePeerTests: XCTestCase {
    /// One real node for the whole class. `net_ticktime 4`: it ticks us every second, so our short tick time
    /// (needed to see a half-open peer time out quickly) does not drop it.
    nonisolated(unsafe) static var erl: TestNode?
    nonisolated(unsafe) static var startError: (any Error)?

    override class func setUp() {
        super.setUp()
        do {
            erl = try TestNode.erl(extraArgs: ["-kernel", "net_ticktime", "4"])
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        erl?.stop()
        erl = nil
        super.tearDown()
    }

    static let cookie = "itcookie"
    static let memoryBound = 64 * 1024 * 1024
    /// Our tick time (4 s) and handshake step timeout (2 s) are short so that the timeouts show quickly.

    /// The resident set of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Runs `scenario` against a node that already has a live connection to the real `erl` node, and checks the
    /// outcome, the time it took, the memory, and that the real connection still works.
    private func attack(
        _ scenario: FakePeer.Scenario, expect code: DistributionError.Code, stage: DistributionError.Stage,
        within bound: Duration, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        if let e = Self.startError { throw e }
        let erl = try XCTUnwrap(Self.erl, file: file, line: line)
        let node = LocalNode(configuration: .init(
            name: .short("bc\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: Self.cookie,
            handshakeStepTimeout: .seconds(2), tickTime: .seconds(4)))
        defer { node.shutdown() }
        let before = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(before.result, .value(.atom(Atom(erl.name))), file: file, line: line)

        let rssBefore = Self.residentBytes()
        let peer = try FakePeer(scenario: scenario, cookie: Self.cookie)
        defer { peer.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let error = await outcome(of: peer, on: node, deadline: start + bound + .seconds(5))
        let elapsed = clock.now - start
        let rssAfter = Self.residentBytes()
        let transcript = peer.transcript.joined(separator: "; ")

        guard let error else {
            return XCTFail("\(scenario): the connection did not end within \(bound + .seconds(5)) [\(transcript)]",
                file: file, line: line)
        }
        XCTAssertEqual(error.code, code, "\(scenario): \(error) [\(transcript)]", file: file, line: line)
        XCTAssertEqual(error.stage, stage, "\(scenario): \(error)", file: file, line: line)
        XCTAssertEqual(error.node, peer.name, file: file, line: line)
        XCTAssertFalse(error.description.contains(Self.cookie), file: file, line: line)
        XCTAssertLessThan(elapsed, bound, "\(scenario) took \(elapsed)", file: file, line: line)
        XCTAssertLessThan(
            rssAfter - rssBefore, Self.memoryBound,
            "\(scenario): resident set grew from \(rssBefore >> 20) MiB to \(rssAfter >> 20) MiB", file: file, line: line)

        // The console carries on: the real connection made before the attack still answers.
        XCTAssertEqual(node.connectionState(of: erl.name), .up, file: file, line: line)
        let after = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(after.result, .value(.atom(Atom(erl.name))), file: file, line: line)
    }

    /// How the connection to `peer` ended: the error `connect` threw (handshake), or the one its `.down` state
    /// carries once the established connection went down. Nil if neither happened before `deadline`.
    private func outcome(of peer: FakePeer, on node: LocalNode, deadline: ContinuousClock.Instant) async
        -> DistributionError?
    {
        do {
            try await node.connect(to: peer.name, port: peer.port)
        } catch {
            XCTAssertEqual(node.connectionState(of: peer.name), .failed(error))
            return error
        }
        while ContinuousClock.now < deadline {
            if case .down(let e) = node.connectionState(of: peer.name) { return e }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    // MARK: - During the handshake

    func testSilentDuringHandshakeTimesOut() async throws {
        try await attack(.silentDuringHandshake, expect: .handshakeTimeout, stage: .handshake, within: .seconds(10))
    }

    func testBogusStatus() async throws {
        try await attack(.bogusStatus, expect: .protocolViolation, stage: .handshake, within: .seconds(5))
    }

    func testOversizedHandshakeLength() async throws {
        try await attack(.oversizedHandshakeLength, expect: .frameTooLarge, stage: .handshake, within: .seconds(5))
    }

    // MARK: - After the handshake

    func testFourGigabyteFrameLength() async throws {
        try await attack(.hugeFrameLength, expect: .frameTooLarge, stage: .connection, within: .seconds(5))
    }

    func testGigabyteBinaryHeaderWithNoBytes() async throws {
        try await attack(.hugeBinaryHeader, expect: .protocolViolation, stage: .connection, within: .seconds(5))
    }

    func testTermNestedAMillionDeep() async throws {
        try await attack(
            .deepNesting(depth: 1_000_000), expect: .protocolViolation, stage: .connection, within: .seconds(10))
    }

    func testHugeBignum() async throws {
        try await attack(.hugeBignum, expect: .protocolViolation, stage: .connection, within: .seconds(5))
    }

    func testInvalidUTF8Atom() async throws {
        try await attack(.invalidUTF8Atom, expect: .protocolViolation, stage: .connection, within: .seconds(5))
    }

    func testUnknownControlOperation() async throws {
        try await attack(.unknownControlOperation, expect: .protocolViolation, stage: .connection, within: .seconds(5))
    }

    func testGarbageFrames() async throws {
        try await attack(.garbageFrames, expect: .protocolViolation, stage: .connection, within: .seconds(5))
    }

    func testTickFlood() async throws {
        // Two million ticks from a peer that reads nothing, then it closes: no write per tick piles up.
        try await attack(.tickFlood(count: 2_000_000), expect: .closedByPeer, stage: .connection, within: .seconds(60))
    }

    func testHalfOpenPeerTimesOutOnTicks() async throws {
        try await attack(.silentAfterHandshake, expect: .tickTimeout, stage: .connection, within: .seconds(12))
    }

    // MARK: - The fake itself

    /// The fake's handshake is a real one: a well-behaved fake stays up until it closes.
    func testWellBehavedFakePeerConnects() async throws {
        if let e = Self.startError { throw e }
        let node = LocalNode(configuration: .init(
            name: .short("bc\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: Self.cookie,
            tickTime: .seconds(4)))
        defer { node.shutdown() }
        let peer = try FakePeer(scenario: .wellBehaved, cookie: Self.cookie)
        try await node.connect(to: peer.name, port: peer.port)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(node.connectionState(of: peer.name), .up, peer.transcript.joined(separator: "; "))
        peer.stop()
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, node.connectionState(of: peer.name) == .up {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard case .down(let e) = node.connectionState(of: peer.name) else { return XCTFail("still up") }
        XCTAssertEqual(e.code, .closedByPeer)
    }

    /// A fake with another cookie: our challenge reply is refused, and we say so.
    func testFakePeerWithAnotherCookieIsCookieMismatch() async throws {
        let node = LocalNode(configuration: .init(
            name: .short("bc\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: Self.cookie))
        defer { node.shutdown() }
        let peer = try FakePeer(scenario: .wellBehaved, cookie: "another")
        defer { peer.stop() }
        do {
            try await node.connect(to: peer.name, port: peer.port)
            XCTFail("expected a cookie mismatch")
        } catch {
            XCTAssertEqual(error.code, .cookieMismatch)
            XCTAssertEqual(error.stage, .handshake)
        }
    }
}
