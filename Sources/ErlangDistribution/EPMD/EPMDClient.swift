import Foundation
import NIOCore
import NIOPosix

/// Resolving hosts and opening TCP connections with errors that name the stage.
enum Net {
    /// Resolves `host` (IPv4 preferred, as OTP's default `inet_tcp` listens on IPv4).
    static func resolve(host: String, port: Int, node: String?) throws(DistributionError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            let why = String(cString: gai_strerror(rc))
            throw DistributionError(.hostNotFound, stage: .resolve, node: node, "cannot resolve host '\(host)': \(why)")
        }
        defer { freeaddrinfo(result) }
        var chosen: UnsafeMutablePointer<addrinfo>? = nil
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let cur = p {
            if cur.pointee.ai_family == AF_INET { chosen = cur; break }
            if chosen == nil { chosen = cur }
            p = cur.pointee.ai_next
        }
        guard let c = chosen, let sa = c.pointee.ai_addr else {
            throw DistributionError(.hostNotFound, stage: .resolve, node: node, "no address for host '\(host)'")
        }
        if c.pointee.ai_family == AF_INET {
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
        }
        return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
    }

    /// Whether `host` is an IPv4 or IPv6 address literal (not a name to resolve or to put in TLS SNI).
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func classify(_ error: any Error) -> ConnectFailure { ConnectFailure(error) }
}

/// Why a TCP connect failed, read from NIO's errors.
public enum ConnectFailure: Sendable, Hashable {
    case refused
    case timedOut
    /// The host name did not resolve (NIO's own resolver).
    case unresolved(String)
    case other(String)

    public init(_ error: any Error) {
        if let e = error as? ChannelError, case .connectTimeout = e {
            self = .timedOut
            return
        }
        if let e = error as? IOError {
            self = e.errnoCode == ECONNREFUSED ? .refused : e.errnoCode == ETIMEDOUT ? .timedOut : .other("\(e)")
            return
        }
        if let e = error as? NIOConnectionError {
            for f in e.connectionErrors {
                let c = ConnectFailure(f.error)
                if case .other = c { continue }
                self = c
                return
            }
            if e.connectionErrors.isEmpty, let d = e.dnsAError ?? e.dnsAAAAError {
                self = .unresolved("\(d)")
                return
            }
            if let first = e.connectionErrors.first {
                self = .other("\(first.error)")
                return
            }
        }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") {
            self = .refused
        } else if text.contains("timed out") || text.contains("connectTimeout") {
            self = .timedOut
        } else {
            self = .other(text)
        }
    }
}

/// Collects every byte until the peer closes (EPMD replies end with EOF).
private final class ReadToEOFHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var bytes: [UInt8] = []
    let promise: EventLoopPromise<[UInt8]>
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buf = unwrapInboundIn(data)
        if let b = buf.readBytes(length: buf.readableBytes) { bytes += b }
        if bytes.count > 1 << 20 {
            promise.fail(DistributionError(.epmdProtocol, stage: .epmd, "EPMD reply larger than 1 MiB"))
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
    public var host: String
    /// The EPMD port: explicit, else `ERL_EPMD_PORT`, else 4369.
    public var port: Int
    public var timeout: TimeAmount
    public var group: any EventLoopGroup
    /// `host`, already resolved (any port); nil = resolve it for each request.
    var resolvedAddress: SocketAddress?

    public init(host: String, port: Int? = nil, timeout: TimeAmount = .seconds(5),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port ?? EPMDClient.environmentPort ?? EPMDMessage.defaultPort
        self.timeout = timeout
        self.group = group
    }

    /// `ERL_EPMD_PORT`, if set to a valid port.
    public static var environmentPort: Int? {
        guard let s = ProcessInfo.processInfo.environment["ERL_EPMD_PORT"], let p = Int(s), p > 0, p < 65536 else {
            return nil
        }
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
        let timeout = self.timeout
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
                promise.fail(DistributionError(.epmdTimeout, stage: .epmd, node: node,
                    "EPMD on \(host):\(port) accepted the connection but did not answer in time"))
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
            switch Net.classify(error) {
            case .refused:
                throw DistributionError(.epmdRefused, stage: .epmd, node: node,
                    "connection refused by EPMD at \(host):\(port): no Erlang node runs on that host (or EPMD uses another port; see ERL_EPMD_PORT)")
            case .timedOut:
                throw DistributionError(.epmdTimeout, stage: .epmd, node: node,
                    "TCP connection to EPMD at \(host):\(port) timed out (firewall, or wrong host?)")
            case .other(let s), .unresolved(let s):
                throw DistributionError(.ioError, stage: .epmd, node: node, "EPMD at \(host):\(port): \(s)")
            }
        }
    }

    /// Looks up `alive` (the part before `@`).
    public func portPlease(alive: String) async throws(DistributionError) -> EPMDMessage.PortReply {
        let reply = try await exchange(EPMDMessage.portPlease2Request(alive: alive), node: "\(alive)@\(host)")
        do {
            return try EPMDMessage.parsePortReply(reply)
        } catch {
            throw DistributionError(.epmdProtocol, stage: .epmd, node: "\(alive)@\(host)", error.message)
        }
    }

    /// Every name registered with EPMD on the host.
    public func names() async throws(DistributionError) -> [EPMDMessage.NameEntry] {
        let reply = try await exchange(EPMDMessage.namesRequest(), node: nil)
        do {
            return try EPMDMessage.parseNamesReply(reply)
        } catch {
            throw DistributionError(.epmdProtocol, stage: .epmd, error.message)
        }
    }
}
