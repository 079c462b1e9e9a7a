import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Receives what happens on an established connection. Called on the channel's event loop.
protocol DistributionConnectionDelegate: AnyObject, Sendable {
    func connectionReceived(_ message: ControlMessage)
    func connectionClosed(_ error: DistributionError)
}

/// The one channel handler per distribution connection: it owns the ``DistributionConnectionMachine`` (framing, the
/// handshake, the established connection), feeds it what happens on the channel, and carries out its actions in
/// ``run(_:context:)``.
///
/// Over TLS it sits behind NIOSSL's handler: it tells the machine when the TLS handshake completes and how TLS
/// failed; the machine starts the distribution handshake then and names TLS failures at the
/// ``DistributionError/Stage/tls`` stage. The handshake machine never knows which transport it runs on.
final class DistributionChannelHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: DistributionConnectionMachine
    private let handshakePromise: EventLoopPromise<HandshakeStateMachine.Result>
    private let logger: Logger
    private var stepTimer: Scheduled<Void>?
    private var tickTimer: RepeatedTask?
    weak var delegate: (any DistributionConnectionDelegate)?
    /// Messages that arrived before a delegate was installed are delivered in order once it is.
    private var pending: [ControlMessage] = []
    /// Why the connection closed, if it closed before a delegate was installed (delivered once it is).
    private var pendingClose: DistributionError?
    /// TLS: what the peer sent first, before decryption (nil = plain TCP).
    private let tlsRecorder: TLSFirstBytesRecorder?

    init(
        machine: DistributionConnectionMachine, promise: EventLoopPromise<HandshakeStateMachine.Result>,
        logger: Logger, tlsRecorder: TLSFirstBytesRecorder? = nil
    ) {
        self.machine = machine
        self.handshakePromise = promise
        self.logger = logger
        self.tlsRecorder = tlsRecorder
    }

    /// The machine's clock: the event loop's (a test loop's time is its own).
    private static func now(_ context: ChannelHandlerContext) -> UInt64 { context.eventLoop.now.uptimeNanoseconds }

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
        run(machine.channelActive(), context: context)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSUserEvent, case .handshakeCompleted = e {
            run(machine.tlsEstablished(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let now = Self.now(context)
        buffer.withUnsafeReadableBytes { machine.bytesReceived($0, now: now) }
        while let action = machine.nextAction(now: now) {
            run(action, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        machine.wrote(now: Self.now(context))
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        run(machine.peerClosed(tlsFirstBytes: tlsRecorder?.firstBytes ?? []), context: context)
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tlsRecorder, TLSFailure.isTLSError(error) {
            // A close without TLS close_notify: channelInactive follows and says what the close means (for example
            // a cookie mismatch during the handshake).
            if case NIOSSLError.uncleanShutdown? = error as? NIOSSLError { return }
            if let action = machine.tlsFailed(reason: "\(error)", firstBytes: tlsRecorder.firstBytes) {
                run(action, context: context)
                return
            }
        }
        run(machine.socketFailed(error), context: context)
    }

    // MARK: - Actions

    func run(_ action: DistributionConnectionMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none, .intercepted:
            break
        case .armStepTimer(let timeout):
            armStepTimer(timeout, context: context)
        case .sendHandshake(let bytes, let timeout):
            armStepTimer(timeout, context: context)
            writeBytes(bytes, context: context)
        case .established(let result, let period):
            stepTimer?.cancel()
            stepTimer = nil
            let amount = period.timeAmount
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            tickTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { [weak self] _ in
                guard let self else { return }
                self.run(self.machine.tickTimerFired(now: Self.now(bound.value)), context: bound.value)
            }
            handshakePromise.succeed(result)
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
        case .failHandshake(let error):
            handshakePromise.fail(error)
            finish()
            context.close(promise: nil)
        case .close(let error):
            logger.debug("distribution connection closing", metadata: ["code": "\(error.code)"])
            if let delegate {
                delegate.connectionClosed(error)
            } else {
                pendingClose = error
            }
            finish()
            context.close(promise: nil)
        }
    }

    private func writeBytes(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buf = context.channel.allocator.buffer(capacity: bytes.count)
        buf.writeBytes(bytes)
        machine.wrote(now: Self.now(context))
        context.writeAndFlush(wrapOutboundOut(buf), promise: nil)
    }

    private func armStepTimer(_ timeout: Duration, context: ChannelHandlerContext) {
        stepTimer?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        stepTimer = context.eventLoop.scheduleTask(in: timeout.timeAmount) { [weak self] in
            guard let self else { return }
            self.run(self.machine.stepTimerFired(), context: bound.value)
        }
    }

    /// Stops the timers; a handshake that never completed fails (a no-op when it already succeeded or failed).
    private func finish() {
        stepTimer?.cancel()
        stepTimer = nil
        tickTimer?.cancel()
        tickTimer = nil
        // Completing a completed promise does nothing: this only fails a handshake that ended without a word.
        handshakePromise.fail(DistributionError(.closedByPeer, stage: .handshake, "connection closed"))
    }
}
