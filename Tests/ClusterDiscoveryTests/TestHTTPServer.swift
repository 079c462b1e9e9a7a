import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server (NIO's server pipeline) on 127.0.0.1 at a free port, playing the ECS metadata endpoint
/// with one behaviour for every request.
final class TestHTTPServer: @unchecked Sendable {
    enum Behavior: Sendable {
        /// Answers with this status and body (with a Content-Length), then closes.
        case respond(HTTPResponseStatus, body: [UInt8])
        /// Streams `total` bytes of body in `chunk`-byte chunks (chunked encoding, no Content-Length).
        case stream(chunk: Int, total: Int)
        /// Declares a Content-Length of `declared`, sends a few bytes, then waits.
        case declareLength(Int)
        /// Accepts the connection, reads the request and never answers.
        case silent
    }

    /// What the server saw and did, shared with its handlers.
    final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var _requests: [HTTPRequestHead] = []
        private var _bytesStreamed = 0
        private var _streamOutcome: Bool?

        var requests: [HTTPRequestHead] { lock.withLock { _requests } }
        /// Body bytes of a `.stream` response accepted by the socket.
        var bytesStreamed: Int { lock.withLock { _bytesStreamed } }
        /// nil while streaming; true if every byte was written, false if a write failed (the client went away).
        var streamOutcome: Bool? { lock.withLock { _streamOutcome } }

        func received(_ head: HTTPRequestHead) { lock.withLock { _requests.append(head) } }
        func streamed(_ n: Int) { lock.withLock { _bytesStreamed += n } }
        func streamEnded(complete: Bool) { lock.withLock { _streamOutcome = complete } }
    }

    let state = State()
    let port: Int
    private let channel: any Channel

    init(_ behavior: Behavior) async throws {
        let state = self.state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.configureHTTPServerPipeline()
                    try ch.pipeline.syncOperations.addHandler(Handler(behavior: behavior, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    /// `http://127.0.0.1:PORT/v4/<id>`, the shape of ECS_CONTAINER_METADATA_URI_V4.
    var uri: String { "http://127.0.0.1:\(port)/v4/0123abcd-test" }

    func stop() async { try? await channel.close() }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static func closedPort() async throws -> Int {
        let ch = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = ch.localAddress!.port!
        try await ch.close()
        return port
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let behavior: Behavior
        let state: State
        init(behavior: Behavior, state: State) { self.behavior = behavior; self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): state.received(head)
            case .body: break
            case .end: respond(channel: context.channel)
            }
        }

        private func respond(channel: any Channel) {
            switch behavior {
            case .silent:
                break
            case .respond(let status, let body):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(body.count))
                channel.write(HTTPServerResponsePart.head(.init(version: .http1_1, status: status, headers: headers)),
                              promise: nil)
                channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
            case .declareLength(let n):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(n))
                channel.write(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok, headers: headers)),
                              promise: nil)
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{\"Cluster\": "))),
                                      promise: nil)
            case .stream(let chunk, let total):
                channel.writeAndFlush(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok)), promise: nil)
                stream(channel: channel, chunk: chunk, left: total)
            }
        }

        private func stream(channel: any Channel, chunk: Int, left: Int) {
            let state = self.state
            guard left > 0 else {
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { result in
                    if case .success = result { state.streamEnded(complete: true) } else { state.streamEnded(complete: false) }
                }
                return
            }
            let n = min(chunk, left)
            let part = HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: " "), count: n)))
            channel.writeAndFlush(part).whenComplete { result in
                switch result {
                case .success:
                    state.streamed(n)
                    channel.eventLoop.execute { self.stream(channel: channel, chunk: chunk, left: left - n) }
                case .failure:
                    state.streamEnded(complete: false)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

/// A raw TCP server on 127.0.0.1 at a free port: it answers every connection's first read with `reply` and closes,
/// or (with `reply` nil) reads and never answers.
final class TestTCPServer: @unchecked Sendable {
    let port: Int
    private let channel: any Channel

    init(reply: [UInt8]?) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Handler(reply: reply)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    func stop() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: [UInt8]?
        var answered = false
        init(reply: [UInt8]?) { self.reply = reply }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let reply, !answered else { return }
            answered = true
            let channel = context.channel
            channel.writeAndFlush(ByteBuffer(bytes: reply)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
