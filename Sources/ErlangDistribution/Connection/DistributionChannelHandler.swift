import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Receives what happens on an established connection. Called on the channel's event loop.
protocol DistributionConnectionDelegate: AnyObject, Sendable {
    func connectionReceived(_ message: ControlMessage)
    func connectionClosed(_ error: DistributionError)
}

/// The one channel handler per distribution connection: it owns the frame parser, the handshake machine and the
/// connection machine, and carries out their actions in ``run(_:context:)``.
///
/// Over TLS it sits behind NIOSSL's handler: it starts the distribution handshake when the TLS handshake completes,
/// frames the handshake with 4-byte lengths, and names TLS failures at the ``DistributionError/Stage/tls`` stage.
/// The handshake machine never knows which transport it runs on.
final class DistributionChannelHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var parser: FrameParser
    private var handshake: HandshakeStateMachine
    private var connection: ConnectionStateMachine?
    private let connectionConfiguration: ConnectionStateMachine.Configuration
    private let handshakeStepTimeout: TimeAmount
    private let handshakePromise: EventLoopPromise<HandshakeStateMachine.Result>
    private let logger: Logger
    private var stepTimer: Scheduled<Void>?
    private var tickTimer: RepeatedTask?
    private var finished = false
    weak var delegate: (any DistributionConnectionDelegate)?
    /// Bytes that arrived before a delegate was installed are delivered in order once it is.
    private var pending: [ControlMessage] = []
    /// TLS: our configuration and what the peer sent first (nil = plain TCP).
    private let tls: (configuration: DistributionTLSConfiguration, recorder: TLSFirstBytesRecorder)?
    /// TLS: whether the TLS handshake completed (the distribution handshake starts then).
    private var tlsEstablished = false
    /// Whether any handshake message arrived (a plain peer's first bytes are checked for a TLS alert before that).
    private var receivedHandshakeMessage = false
    /// Why the connection closed, if it closed before a delegate was installed (delivered once it is).
    private var pendingClose: DistributionError?

    init(
        handshake: HandshakeStateMachine, connection: ConnectionStateMachine.Configuration, maxFrameSize: Int,
        handshakeStepTimeout: TimeAmount, promise: EventLoopPromise<HandshakeStateMachine.Result>, logger: Logger,
        tls: (configuration: DistributionTLSConfiguration, recorder: TLSFirstBytesRecorder)? = nil
    ) {
        self.tls = tls
        self.parser = FrameParser(mode: .forHandshake(tls: tls != nil), maxFrameSize: maxFrameSize)
        self.handshake = handshake
        self.connectionConfiguration = connection
        self.handshakeStepTimeout = handshakeStepTimeout
        self.handshakePromise = promise
        self.logger = logger
    }

    private static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Installs the delegate (on the event loop) and flushes messages that arrived before it.
    func setDelegate(_ d: any DistributionConnectionDelegate) {
        delegate = d
        let queued = pending
        pending = []
        for m in queued { d.connectionReceived(m) }
        if let error = pendingClose {
            pendingClose = nil
            d.connectionClosed(error)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        armStepTimer(context: context)
        if tls == nil { runHandshake(handshake.start(), context: context) }  // under TLS: once TLS is up
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSUserEvent, case .handshakeCompleted = e, tls != nil, !tlsEstablished, !finished {
            tlsEstablished = true
            armStepTimer(context: context)
            runHandshake(handshake.start(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { parser.append($0) }
        connection?.bytesRead(now: Self.now)
        if connection == nil, tls == nil, !receivedHandshakeMessage, parser.bufferedByteCount >= 2,
            TLSFailure.looksLikeTLSRecord(parser.peek(2))
        {
            // No handshake message starts with a 0x15xx length: this is a TLS record (the alert a TLS node sends).
            fail(TLSFailure.peerExpectsTLS(), context: context)
            return
        }
        while !finished {
            let frame: FrameParser.Frame?
            do {
                frame = try parser.next()
            } catch {
                fail(error, context: context)
                return
            }
            guard let frame else { break }
            if connection == nil {
                receivedHandshakeMessage = true
                guard case .data(let bytes) = frame else { continue }
                armStepTimer(context: context)
                runHandshake(handshake.received(bytes), context: context)
            } else {
                run(connection!.frameReceived(frame, now: Self.now), context: context)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        connection?.wrote(now: Self.now)
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let tls, !tlsEstablished, !finished {
            fail(TLSFailure.classify(reason: "EOF during handshake", firstBytes: tls.recorder.firstBytes,
                                     configuration: tls.configuration), context: context)
        } else if connection == nil {
            runHandshake(handshake.peerClosed(), context: context)
        } else {
            run(connection!.peerClosed(), context: context)
        }
        finish(context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls, TLSFailure.isTLSError(error) {
            // A close without TLS close_notify: channelInactive follows and says what the close means (for example
            // a cookie mismatch during the handshake).
            if case NIOSSLError.uncleanShutdown? = error as? NIOSSLError { return }
            if !tlsEstablished || connection == nil {
                fail(TLSFailure.classify(reason: "\(error)", firstBytes: tls.recorder.firstBytes,
                                         configuration: tls.configuration), context: context)
                return
            }
        }
        let stage: DistributionError.Stage = connection == nil ? .handshake : .connection
        fail(
            error as? DistributionError ?? DistributionError(.ioError, stage: stage, "socket error: \(error)"),
            context: context)
    }

    // MARK: - Actions

    private func runHandshake(_ action: HandshakeStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .wait:
            break
        case .send(let payload):
            writeBytes(FrameParser.frame(payload, mode: parser.mode), context: context)
        case .established(let result):
            stepTimer?.cancel()
            stepTimer = nil
            parser.mode = .connected
            connection = ConnectionStateMachine(configuration: connectionConfiguration, now: Self.now)
            let period = TimeAmount.nanoseconds(
                Int64(min(1_000_000_000, max(50_000_000, connectionConfiguration.tickIntervalNanos / 4))))
            tickTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) {
                [weak self] _ in
                guard let self, let c = self.connection else { return }
                _ = c
                self.run(self.connection!.timerFired(now: Self.now), context: context)
            }
            handshakePromise.succeed(result)
        // Frames that came in the same read are parsed by the caller's loop in the new mode.
        case .fail(let error):
            fail(error, context: context)
        }
    }

    func run(_ action: ConnectionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .sendTick:
            // A peer that does not read fills the socket; queueing ticks behind that would only grow memory.
            guard context.channel.isWritable else { break }
            writeBytes(FrameParser.tick, context: context)
        case .deliver(let message):
            if let delegate {
                delegate.connectionReceived(message)
            } else {
                pending.append(message)
            }
        case .close(let error):
            fail(error, context: context)
        }
    }

    private func writeBytes(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buf = context.channel.allocator.buffer(capacity: bytes.count)
        buf.writeBytes(bytes)
        connection?.wrote(now: Self.now)
        context.writeAndFlush(wrapOutboundOut(buf), promise: nil)
    }

    private func armStepTimer(context: ChannelHandlerContext) {
        stepTimer?.cancel()
        stepTimer = context.eventLoop.scheduleTask(in: handshakeStepTimeout) { [weak self] in
            guard let self, self.connection == nil, !self.finished else { return }
            if self.tls != nil, !self.tlsEstablished {
                self.fail(TLSFailure.peerSilent(waited: self.handshakeStepTimeout), context: context)
                return
            }
            self.runHandshake(self.handshake.timedOut(), context: context)
        }
    }

    private func fail(_ error: DistributionError, context: ChannelHandlerContext) {
        guard !finished else { return }
        if connection == nil {
            handshakePromise.fail(error)
        } else {
            logger.debug("distribution connection closing", metadata: ["code": "\(error.code)"])
            if let delegate {
                delegate.connectionClosed(error)
            } else {
                pendingClose = error
            }
        }
        finish(context: context)
        context.close(promise: nil)
    }

    private func finish(context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        stepTimer?.cancel()
        tickTimer?.cancel()
        if connection == nil {
            handshakePromise.fail(DistributionError(.closedByPeer, stage: .handshake, "connection closed"))
        }
    }
}
