#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import SocketFailure

/// A resolved host address (IPv4 or IPv6) with a settable port: what `getaddrinfo` returned, chosen as OTP's default
/// `inet_tcp` would (IPv4 preferred). Shared by the NIO path (``Net/resolve(host:port:node:)``) and the blocking one.
struct HostAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 { Int32(storage.ss_family) }

    /// Resolves `host`; the error names the `resolve` stage.
    static func resolve(host: String, node: String?) throws(DistributionError) -> HostAddress {
        var hints = addrinfo()
        #if os(Linux)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, "0", &hints, &result)
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
        guard let c = chosen, let sa = c.pointee.ai_addr,
            c.pointee.ai_family == AF_INET || c.pointee.ai_family == AF_INET6
        else {
            throw DistributionError(.hostNotFound, stage: .resolve, node: node, "no address for host '\(host)'")
        }
        var address = HostAddress()
        address.length = c.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &address.storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(c.pointee.ai_addrlen)))
        }
        return address
    }

    /// The port (host byte order).
    var port: Int {
        get {
            withUnsafeBytes(of: storage) { raw in
                // sin_port and sin6_port sit at the same offset, in network byte order.
                Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
            }
        }
        set {
            withUnsafeMutableBytes(of: &storage) { raw in
                raw[2] = UInt8((newValue >> 8) & 0xFF)
                raw[3] = UInt8(newValue & 0xFF)
            }
        }
    }

    /// The address as `sockaddr_in`, if it is IPv4.
    var ipv4: sockaddr_in? {
        guard family == AF_INET else { return nil }
        return withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
    }

    /// The address as `sockaddr_in6`, if it is IPv6.
    var ipv6: sockaddr_in6? {
        guard family == AF_INET6 else { return nil }
        return withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
    }
}

/// A TCP socket with blocking semantics and deadlines (`poll(2)`), for the thread-free one-shot path
/// (``BlockingConnection``). No event loop, no threads: every call returns when the bytes moved or the deadline passed.
final class BlockingSocket {
    /// Why an operation failed.
    enum Failure: Error {
        case connect(ConnectFailure)
        /// The deadline passed.
        case timedOut
        /// A socket error after the connection was made (`what`: the system call and `strerror`).
        case io(String)
    }

    private(set) var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Closes the socket (idempotent).
    func close() {
        if fd >= 0 {
            #if canImport(Glibc)
                _ = Glibc.close(fd)
            #elseif canImport(Musl)
                _ = Musl.close(fd)
            #else
                _ = Darwin.close(fd)
            #endif
            fd = -1
        }
    }

    /// Connects to `address` within `timeout` (non-blocking connect, then `poll` for writability).
    static func connect(to address: HostAddress, timeout: Duration, noDelay: Bool) throws(Failure) -> BlockingSocket {
        #if os(Linux)
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(address.family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .connect(.other(Self.describe("socket(domain:type:protocol:)", errno))) }
        let s = BlockingSocket(fd: fd)
        #if !os(Linux)
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if noDelay {
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var addr = address
        let rc = withUnsafePointer(to: &addr.storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { cConnect(fd, $0, address.length) }
        }
        if rc != 0 {
            let e = errno
            guard e == EINPROGRESS else { throw .connect(classify(e)) }
            let deadline = ContinuousClock.now + timeout
            while true {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let n = poll(&pfd, 1, pollTimeout(until: deadline))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .connect(.other(describe("poll", errno)))
                }
                if n == 0 { throw .connect(.timedOut) }
                break
            }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err != 0 { throw .connect(classify(err)) }
        }
        return s
    }

    private static func classify(_ e: Int32) -> ConnectFailure {
        switch e {
        case ECONNREFUSED: return .refused
        case ETIMEDOUT: return .timedOut
        default: return .other(describe("connect(descriptor:addr:size:)", e))
        }
    }

    /// NIO's `IOError` text for the same failure (so that messages match the NIO path's).
    static func describe(_ call: String, _ e: Int32) -> String {
        "\(call): \(String(cString: strerror(e))) (errno: \(e))"
    }

    /// Milliseconds until `deadline` for `poll` (-1: none; at least 0).
    static func pollTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let left = deadline - ContinuousClock.now
        if left <= .zero { return 0 }
        let (s, atto) = left.components
        let ms = s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }

    /// `send`'s flags: never SIGPIPE, never block (the descriptor may be in blocking mode, see ``setBlocking()``).
    #if os(Linux)
        private static let sendFlags = Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
    #else
        private static let sendFlags = Int32(MSG_DONTWAIT)
    #endif

    /// Writes all of `bytes` (waiting for the socket to drain as needed, until `deadline`).
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant?) throws(Failure) {
        let r: Result<Void, Failure> = bytes.withUnsafeBytes { raw in
            Result { () throws(Failure) in try write(raw, deadline: deadline) }
        }
        try r.get()
    }

    /// Writes all of `bytes` (waiting for the socket to drain as needed, until `deadline`): one `send` when the
    /// socket buffer has room, however many frames the bytes hold.
    ///
    /// While the socket cannot take more, `drain` is called whenever the peer's bytes are waiting to be read, and
    /// reads them: a peer that answers many requests while we still write more never waits for us to finish
    /// writing while we wait for it to read (both sides' buffers full). `drain` returns false to stop being called
    /// (at EOF, or when the reader holds as much as it will buffer).
    func write(
        _ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant?, drain: () throws(Failure) -> Bool
    ) throws(Failure) {
        try write(bytes, deadline: deadline, reading: true, drain)
    }

    /// Writes all of `bytes` (waiting for the socket to drain as needed, until `deadline`).
    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant?) throws(Failure) {
        try write(bytes, deadline: deadline, reading: false) { false }
    }

    private func write(
        _ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant?, reading: Bool,
        _ drain: () throws(Failure) -> Bool
    ) throws(Failure) {
        var offset = 0
        var reading = reading
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Self.sendFlags)
            if n >= 0 {
                offset += n
                continue
            }
            let e = errno
            if e == EINTR { continue }
            guard e == EAGAIN || e == EWOULDBLOCK else { throw .io(Self.describe("write", e)) }
            guard reading else {
                try wait(for: Int16(POLLOUT), deadline: deadline)
                continue
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT) | Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Self.pollTimeout(until: deadline))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .io(Self.describe("poll", errno))
            }
            if ready == 0 { throw .timedOut }
            if pfd.revents & Int16(POLLIN) != 0 { reading = try drain() }
        }
    }

    /// One non-blocking `recv` into `buffer`: the byte count, 0 at EOF, nil when nothing is waiting.
    func receiveAvailable(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int? {
        while true {
            let n = recv(fd, buffer.baseAddress!, buffer.count, Int32(MSG_DONTWAIT))
            if n >= 0 { return n }
            let e = errno
            if e == EINTR { continue }
            if e == ECONNRESET { return 0 }
            if e == EAGAIN || e == EWOULDBLOCK { return nil }
            throw .io(Self.describe("read", e))
        }
    }

    /// Puts the descriptor in blocking mode, for ``receive(into:waiting:)``. ``read(max:deadline:)`` and
    /// ``write(_:deadline:)-(UnsafeRawBufferPointer,_)`` keep their deadline semantics (`MSG_DONTWAIT`, then `poll`).
    func setBlocking() {
        let flags = fcntl(fd, F_GETFL, 0)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        blocking = true
    }

    private var blocking = false
    /// How long ``receive(into:waiting:)`` polls with `MSG_DONTWAIT` before it blocks (0 = block at once).
    var spinNanos: Int64 = 0
    /// The receive timeout set on the descriptor (`SO_RCVTIMEO`), in microseconds; 0 = none set yet.
    private var receiveTimeoutMicros = 0

    /// Reads what is available into `buffer`, waiting at most `timeout` for the first byte: on a descriptor in
    /// blocking mode this is one `recv` system call (the wait is `SO_RCVTIMEO`, set again only when the timeout
    /// changes), where `poll` + `recv` would be two. Returns the byte count, 0 at EOF; throws ``Failure/timedOut``
    /// when nothing arrived in time (or a signal interrupted the wait: the caller looks at its clocks again).
    func receive(into buffer: UnsafeMutableRawBufferPointer, waiting timeout: Duration) throws(Failure) -> Int {
        let (s, atto) = timeout.components
        // At most an hour per wait (callers wait in slices of a second or less anyway).
        let micros = s < 0 ? 0 : s >= 3600 ? 3_600_000_000 : Int(s) * 1_000_000 + Int(atto / 1_000_000_000_000)
        var flags: Int32 = 0
        if !blocking || micros <= 0 {
            flags = Int32(MSG_DONTWAIT)
        } else if micros != receiveTimeoutMicros {
            var tv = timeval(tv_sec: .init(micros / 1_000_000), tv_usec: .init(micros % 1_000_000))
            if setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 {
                receiveTimeoutMicros = micros
            } else {
                receiveTimeoutMicros = 0
                flags = Int32(MSG_DONTWAIT)
            }
        }
        // Busy-poll briefly before sleeping in `recv`: a reply that comes within the spin is read without the
        // sleep and wake-up (on a VM, waking an idle vCPU costs tens of µs, more than a loopback round trip).
        if flags == 0, spinNanos > 0 {
            let until = ContinuousClock.now + .nanoseconds(min(spinNanos, micros > 0 ? Int64(micros) * 1000 : 0))
            repeat {
                let n = recv(fd, buffer.baseAddress!, buffer.count, Int32(MSG_DONTWAIT))
                if n >= 0 { return n }
                if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { break }
            } while ContinuousClock.now < until
        }
        let n = recv(fd, buffer.baseAddress!, buffer.count, flags)
        if n >= 0 { return n }
        let e = errno
        if e == ECONNRESET { return 0 }
        if e == EAGAIN || e == EWOULDBLOCK || e == EINTR {
            if flags != 0, micros > 0 {
                // Non-blocking descriptor (or no timeout could be set): wait with poll instead.
                try wait(for: Int16(POLLIN), deadline: ContinuousClock.now + timeout)
                return try receive(into: buffer, waiting: .zero)
            }
            throw .timedOut
        }
        throw .io(Self.describe("read", e))
    }

    /// Reads what is available (at most `max` bytes), waiting until `deadline`. Returns an empty array at EOF.
    func read(max: Int = 65536, deadline: ContinuousClock.Instant?) throws(Failure) -> [UInt8] {
        while true {
            var e: Int32 = 0
            // Uninitialised capacity: zero-filling 64 KiB per read cost more than the rest of a one-shot call's I/O.
            let buffer = [UInt8](unsafeUninitializedCapacity: max) { raw, count in
                let n = recv(fd, raw.baseAddress!, max, Int32(MSG_DONTWAIT))
                count = Swift.max(0, n)
                if n < 0 { e = errno }
            }
            if e == 0 { return buffer }
            if e == EINTR { continue }
            if e == ECONNRESET { return [] }
            guard e == EAGAIN || e == EWOULDBLOCK else { throw .io(Self.describe("read", e)) }
            try wait(for: Int16(POLLIN), deadline: deadline)
        }
    }

    private func wait(for events: Int16, deadline: ContinuousClock.Instant?) throws(Failure) {
        while true {
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&pfd, 1, Self.pollTimeout(until: deadline))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(Self.describe("poll", errno))
            }
            if n == 0 { throw .timedOut }
            return
        }
    }
}

// `connect` is also a method name here; this is the C function.
private func cConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
        Glibc.connect(fd, address, length)
    #elseif canImport(Musl)
        Musl.connect(fd, address, length)
    #else
        Darwin.connect(fd, address, length)
    #endif
}
