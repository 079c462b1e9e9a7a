import NIOCore
import NIOPosix
import SocketFailure

/// Resolving hosts and opening TCP connections with errors that name the stage.
enum Net {
    /// Resolves `host` (IPv4 preferred, as OTP's default `inet_tcp` listens on IPv4).
    static func resolve(host: String, port: Int, node: String?) throws(DistributionError) -> SocketAddress {
        var address = try HostAddress.resolve(host: host, node: node)
        address.port = port
        if let v4 = address.ipv4 { return SocketAddress(v4, host: host) }
        return SocketAddress(address.ipv6!, host: host)
    }

    /// Whether `host` is an IPv4 or IPv6 address literal (not a name to resolve or to put in TLS SNI).
    static func isIPAddress(_ host: String) -> Bool {
        // Room for either address (16 bytes), without naming in_addr/in6_addr (whose initializers a debug build
        // finds only in NIO's C module).
        var address = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
    }

    static func classify(_ error: any Error) -> ConnectFailure { ConnectFailure(error) }
}

/// Why a TCP connect failed (the one classification of NIO's connect errors, shared with ClusterDiscovery).
public typealias ConnectFailure = SocketFailure.ConnectFailure

/// Collects every byte until the peer closes (EPMD replies end with EOF).
private final class ReadToEOFHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var bytes: [UInt8] = []
    let promise: EventLoopPromise<[UInt8]>
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buf = unwrapInboundIn(data)
        if let b = buf.readBytes(length: buf.readableBytes) { bytes += b }
        if bytes.count > DistributionError.epmdReplyLimit {
            promise.fail(DistributionError.epmdReplyTooLarge)
            context.close(promise: nil)
        }
    }
    func channelInactive(context: ChannelHandlerContext) { promise.succeed(bytes) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

/// An EPMD client (PORT_PLEASE2, NAMES).
public struct EPMDClient: Sendable {
    /// The host whose EPMD is asked.
    public var host: String
    /// The EPMD port: explicit, else `ERL_EPMD_PORT`, else 4369.
    public var port: Int
    /// The bound on the TCP connect, and then on the reply.
    public var timeout: Duration
    /// The event loops the connections run on.
    public var group: any EventLoopGroup
    /// `host`, already resolved (any port); nil = resolve it for each request.
    var resolvedAddress: SocketAddress?

    public init(host: String, port: Int? = nil, timeout: Duration = .seconds(5),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port ?? EPMDClient.environmentPort ?? EPMDMessage.defaultPort
        self.timeout = timeout
        self.group = group
    }

    /// `ERL_EPMD_PORT`, if set to a valid port.
    public static var environmentPort: Int? {
        guard let c = getenv("ERL_EPMD_PORT"), let p = Int(String(cString: c)), p > 0, p < 65536 else { return nil }
        return p
    }

    /// Sends one request and returns the whole reply.
    func exchange(_ request: [UInt8], node: String?) async throws(DistributionError) -> [UInt8] {
        let address: SocketAddress
        if var a = resolvedAddress {
            a.port = port
            address = a
        } else {
            address = try Net.resolve(host: host, port: port, node: node)
        }
        let group = self.group
        let timeout = self.timeout.timeAmount
        let host = self.host, port = self.port
        let promise = group.next().makePromise(of: [UInt8].self)
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHandler(ReadToEOFHandler(promise: promise))
                    }
                }
                .connect(to: address).get()
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                promise.fail(DistributionError.epmdNoAnswer(host: host, port: port, node: node))
                channel.close(promise: nil)
            }
            var buf = channel.allocator.buffer(capacity: request.count)
            buf.writeBytes(request)
            channel.writeAndFlush(buf, promise: nil)
            defer { timer.cancel() }
            return try await promise.futureResult.get()
        } catch let e as DistributionError {
            promise.fail(e)
            throw e
        } catch {
            promise.fail(error)
            throw DistributionError.epmdConnect(Net.classify(error), host: host, port: port, node: node)
        }
    }

    /// Looks up `alive` (the part before `@`).
    public func portPlease(alive: String) async throws(DistributionError) -> EPMDMessage.PortReply {
        let reply = try await exchange(EPMDMessage.portPlease2Request(alive: alive), node: "\(alive)@\(host)")
        do {
            return try EPMDMessage.parsePortReply(reply)
        } catch {
            throw DistributionError.epmdBadReply(error, alive: alive, host: host, port: port)
        }
    }

    /// Every name registered with EPMD on the host.
    public func names() async throws(DistributionError) -> [EPMDMessage.NameEntry] {
        let reply = try await exchange(EPMDMessage.namesRequest(), node: nil)
        do {
            return try EPMDMessage.parseNamesReply(reply)
        } catch {
            throw DistributionError.epmdBadReply(error, alive: nil, host: host, port: port)
        }
    }
}
