@testable import ErlangDistribution
import ErlangTerm
import NIOCore
import NIOEmbedded
import XCTest

/// The NIO shell in an embedded channel against a scripted peer: it writes what the machine says, completes the
/// handshake promise, delivers messages, ticks on its timer and reports the close.
final class DistributionChannelHandlerTests: XCTestCase {
    final class Recorder: DistributionConnectionDelegate, @unchecked Sendable {
        var messages: [ControlMessage] = []
        var closed: [DistributionError] = []
        func connectionReceived(_ message: ControlMessage) { messages.append(message) }
        func connectionClosed(_ error: DistributionError) { closed.append(error) }
    }

    let cookie = Array("rhcookie".utf8)

    func handshakeFrame(_ payload: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: FrameParser.frame(payload, mode: .handshake))
    }

    func testHandshakeMessagesTicksAndClose() throws {
        let channel = EmbeddedChannel()
        let loop = channel.embeddedEventLoop
        let promise = loop.makePromise(of: HandshakeStateMachine.Result.self)
        let handler = DistributionChannelHandler(
            machine: DistributionConnectionMachine(configuration: .init(
                handshake: .init(
                    ourName: "rhB@vm", creation: 0x6b090df4, cookie: cookie, expectedPeerName: "rhA@vm",
                    ourChallenge: 0x8809456e),
                connection: .init(tickIntervalNanos: 2_000_000_000, tickTimeNanos: 8_000_000_000))),
            promise: promise, logger: .init(label: "test"))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        let sendName = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
        XCTAssertEqual(sendName.getInteger(at: 2, as: UInt8.self), 0x4E)
        try channel.writeInbound(handshakeFrame([0x73] + Array("ok".utf8)))
        var challenge: [UInt8] = [0x4E]
        challenge.appendBE(UInt64(0x0000000D_07DF7FBD)); challenge.appendBE(UInt32(2991683115))
        challenge.appendBE(UInt32(7)); challenge.appendBE(UInt16(6)); challenge += Array("rhA@vm".utf8)
        try channel.writeInbound(handshakeFrame(challenge))
        let reply = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
        XCTAssertEqual(reply.getInteger(at: 2, as: UInt8.self), 0x72)

        // The acknowledgement and a message in one read: the message is parsed in the connected mode and kept until
        // a delegate is installed.
        let me = Pid(node: "rhB@vm", id: 1, serial: 1, creation: 5)
        let message = ControlMessage.send(from: nil, to: me, message: .atom("hello"))
        let ack = [0x61] + HandshakeDigest.compute(challenge: 0x8809456e, cookie: cookie)
        try channel.writeInbound(ByteBuffer(bytes: FrameParser.frame(ack, mode: .handshake) + message.encodeFrame()))
        let result = try promise.futureResult.wait()
        XCTAssertEqual(result.peerName, "rhA@vm")
        let recorder = Recorder()
        handler.setDelegate(recorder)
        XCTAssertEqual(recorder.messages, [message])

        // Nothing written for the tick interval: the tick timer (period 500 ms here) sends a tick.
        loop.advanceTime(by: .milliseconds(2500))
        let tick = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
        XCTAssertEqual(Array(tick.readableBytesView), FrameParser.tick)

        _ = try? channel.close().wait()
        XCTAssertEqual(recorder.closed.map(\.code), [.closedByPeer])
    }

    func testStepTimeoutFailsTheHandshake() throws {
        let channel = EmbeddedChannel()
        let loop = channel.embeddedEventLoop
        let promise = loop.makePromise(of: HandshakeStateMachine.Result.self)
        try channel.pipeline.syncOperations.addHandler(DistributionChannelHandler(
            machine: DistributionConnectionMachine(configuration: .init(
                handshake: .init(
                    ourName: "rhB@vm", creation: 5, cookie: cookie, expectedPeerName: "rhA@vm", ourChallenge: 1),
                connection: .init(), handshakeStepTimeout: .seconds(2))),
            promise: promise, logger: .init(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = try channel.readOutbound(as: ByteBuffer.self)
        loop.advanceTime(by: .seconds(3))
        XCTAssertThrowsError(try promise.futureResult.wait()) { e in
            XCTAssertEqual((e as? DistributionError)?.code, .handshakeTimeout)
            XCTAssertEqual((e as? DistributionError)?.handshakeStep, .status)
        }
    }
}
