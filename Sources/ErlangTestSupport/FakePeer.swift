import ErlangDistribution
import Foundation

/// A hostile Erlang node for tests: a TCP server on 127.0.0.1 that plays the accepting side of a real version-6
/// distribution handshake (it checks our challenge reply against the cookie and proves it knows the cookie in its
/// acknowledgement), then misbehaves as its ``Scenario`` says. Some scenarios misbehave during the handshake instead.
///
/// It does not register with EPMD: connect with an explicit port (`LocalNode.connect(to: name, port: peer.port)`).
/// It serves one connection, on a thread of its own, with blocking sockets; ``stop()`` closes everything.
///
/// ```
/// console                         FakePeer
///   send_name 'N' ───────────────►
///                 ◄─────────────── status "sok"
///                 ◄─────────────── challenge 'N' (flags, challenge, creation, name)
///   challenge_reply 'r' ─────────►  digest checked: MD5(cookie ++ "\(challenge)")
///                 ◄─────────────── challenge_ack 'a'
///                 ◄─────────────── the scenario's bytes
/// ```
public final class FakePeer: @unchecked Sendable {
    /// How the peer misbehaves.
    public enum Scenario: Sendable, Hashable, CustomStringConvertible {
        // During the handshake.
        /// Reads send_name and never answers.
        case silentDuringHandshake
        /// Answers send_name with an unknown status.
        case bogusStatus
        /// Announces a 65535-byte handshake message and sends three bytes of it.
        case oversizedHandshakeLength
        // After the handshake.
        /// Announces a frame of 2³²−1 bytes.
        case hugeFrameLength
        /// A pass-through frame whose message is a BINARY_EXT header announcing 1 GiB, with no bytes following.
        case hugeBinaryHeader
        /// A control message whose message term is a 1-tuple nested `depth` deep (2 bytes per level).
        case deepNesting(depth: Int)
        /// A LARGE_BIG_EXT announcing 2³²−1 magnitude bytes.
        case hugeBignum
        /// An ATOM_UTF8_EXT whose bytes are not UTF-8.
        case invalidUTF8Atom
        /// A well-formed control tuple with an operation no OTP release defines.
        case unknownControlOperation
        /// Frames of random bytes.
        case garbageFrames
        /// `count` ticks (zero-length frames) as fast as the socket takes them, without reading anything, then close.
        case tickFlood(count: Int)
        /// Says nothing after the handshake (a half-open connection): keeps the socket open, sends nothing.
        case silentAfterHandshake
        /// Behaves: answers ticks, reads what comes, until closed (a control for the test itself).
        case wellBehaved

        public var description: String {
            switch self {
            case .silentDuringHandshake: return "silentDuringHandshake"
            case .bogusStatus: return "bogusStatus"
            case .oversizedHandshakeLength: return "oversizedHandshakeLength"
            case .hugeFrameLength: return "hugeFrameLength"
            case .hugeBinaryHeader: return "hugeBinaryHeader"
            case .deepNesting(let d): return "deepNesting(\(d))"
            case .hugeBignum: return "hugeBignum"
            case .invalidUTF8Atom: return "invalidUTF8Atom"
            case .unknownControlOperation: return "unknownControlOperation"
            case .garbageFrames: return "garbageFrames"
            case .tickFlood(let n): return "tickFlood(\(n))"
            case .silentAfterHandshake: return "silentAfterHandshake"
            case .wellBehaved: return "wellBehaved"
            }
        }
    }

    /// The peer's node name (what its challenge says; connect to exactly this name).
    public let name: String
    public let port: Int
    public let scenario: Scenario
    /// The flags its challenge offers.
    public let flags: UInt64
    private let cookie: [UInt8]
    private let listener: Int32
    private let lock = NSLock()
    private var connection: Int32 = -1
    private var stopped = false
    private var log: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    /// OTP 25's flags (erl_dist_protocol.md): every flag OTP 25 made mandatory, and then some.
    public static let otp25Flags: UInt64 = 0x0000_000D_07DF_7FBD

    /// OTP 28's flags: OTP 25's and ALTACT_SIG (bit 37), which OTP 28's dist.h adds to `DFLAG_DIST_DEFAULT`.
    public static let otp28Flags: UInt64 = 0x0000_002D_07DF_7FBD

    /// Starts listening on a free port of 127.0.0.1; the peer accepts one connection and plays `scenario`, offering
    /// `flags` in its challenge.
    public init(
        scenario: Scenario, cookie: String, name: String = "fake@127.0.0.1", flags: UInt64 = otp25Flags
    ) throws {
        self.scenario = scenario
        self.flags = flags
        self.cookie = Array(cookie.utf8)
        self.name = name
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw TestSupportError("cannot listen on 127.0.0.1")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in
            self.serve()
            self.finished.signal()
        }
        thread.name = "FakePeer(\(scenario))"
        thread.start()
    }

    deinit { stop() }

    /// What the peer did, one line per step (for failure messages).
    public var transcript: [String] { locked { log } }

    /// Closes the listening socket and the connection; the serving thread ends soon after.
    public func stop() {
        let (l, c): (Int32, Int32) = locked {
            if stopped { return (-1, -1) }
            stopped = true
            return (listener, connection)
        }
        if c >= 0 { shutdown(c, Int32(SHUT_RDWR)) }
        if l >= 0 { shutdown(l, Int32(SHUT_RDWR)); close(l) }
    }

    /// Waits for the serving thread to finish (true) or for `timeout` (false).
    @discardableResult
    public func waitUntilFinished(timeout: TimeInterval) -> Bool {
        finished.wait(timeout: .now() + timeout) == .success
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func note(_ s: String) { locked { log.append(s) } }
    private var isStopped: Bool { locked { stopped } }

    // MARK: - Serving

    private func serve() {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return note("accept failed") }
        let proceed: Bool = locked {
            if stopped { return false }
            connection = fd
            return true
        }
        guard proceed else { close(fd); return }
        defer {
            locked { connection = -1 }
            close(fd)
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        do {
            try run(fd)
        } catch {
            note("ended: \(error)")
        }
    }

    private struct Closed: Error {}

    private func readExactly(_ fd: Int32, _ n: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, n - got) }
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw Closed() }
            got += r
        }
        return out
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let r = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw Closed() }
            sent += r
        }
    }

    private func readHandshakeMessage(_ fd: Int32) throws -> [UInt8] {
        let h = try readExactly(fd, 2)
        return try readExactly(fd, Int(h[0]) << 8 | Int(h[1]))
    }

    private func sendHandshake(_ fd: Int32, _ payload: [UInt8]) throws {
        try writeAll(fd, [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload)
    }

    /// Blocks until the other side closes (or ``stop()``), discarding what it sends.
    private func drainUntilClosed(_ fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 65536)
        while !isStopped {
            let r = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if r == 0 { return }
            if r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { continue }
            if r < 0 { return }
        }
    }

    private func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 4)
        appendBE32(&out, UInt32(payload.count))
        out += payload
        return out
    }

    private func appendBE32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// `112, 131 Control, 131 Message`: a SEND to a pid of ours with `message` (raw ETF after the version byte).
    private func passThroughSend(message: [UInt8]) -> [UInt8] {
        // {2, '', <fake pid>} with SMALL_TUPLE_EXT, SMALL_INTEGER_EXT, SMALL_ATOM_UTF8_EXT, NEW_PID_EXT.
        var control: [UInt8] = [131, 104, 3, 97, 2, 119, 0]
        control += [88, 119, UInt8(name.utf8.count)] + Array(name.utf8)
        control += [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
        return [112] + control + [131] + message
    }

    private func run(_ fd: Int32) throws {
        // send_name: 'N' Flags:u64 Creation:u32 Nlen:u16 Name
        let sendName = try readHandshakeMessage(fd)
        guard sendName.first == 0x4E, sendName.count >= 15 else {
            note("expected send_name 'N', got \(sendName.prefix(8))")
            return
        }
        note("send_name from \(String(decoding: sendName.dropFirst(15), as: UTF8.self))")
        switch scenario {
        case .silentDuringHandshake:
            note("silent")
            drainUntilClosed(fd)
            return
        case .bogusStatus:
            try sendHandshake(fd, Array("sbogus_status".utf8))
            drainUntilClosed(fd)
            return
        case .oversizedHandshakeLength:
            try writeAll(fd, [0xFF, 0xFF, 0x73, 0x6F, 0x6B])
            drainUntilClosed(fd)
            return
        default:
            break
        }
        try sendHandshake(fd, Array("sok".utf8))
        // challenge: 'N' Flags:u64 Challenge:u32 Creation:u32 Nlen:u16 Name
        let ourChallenge = UInt32.random(in: 0...UInt32.max)
        var challenge: [UInt8] = [0x4E]
        for s in stride(from: 56, through: 0, by: -8) { challenge.append(UInt8((flags >> UInt64(s)) & 0xFF)) }
        appendBE32(&challenge, ourChallenge)
        appendBE32(&challenge, 0x0BAD_F00D)
        let nameBytes = Array(name.utf8)
        challenge += [UInt8(nameBytes.count >> 8), UInt8(nameBytes.count & 0xFF)] + nameBytes
        try sendHandshake(fd, challenge)
        // challenge_reply: 'r' Challenge:u32 Digest:16
        let reply = try readHandshakeMessage(fd)
        guard reply.count == 21, reply[0] == 0x72 else {
            note("expected challenge_reply 'r', got \(reply.prefix(8))")
            return
        }
        guard HandshakeDigest.constantTimeEqual(
            Array(reply[5..<21]), HandshakeDigest.compute(challenge: ourChallenge, cookie: cookie))
        else {
            note("wrong digest in challenge_reply: closing, as OTP does")
            return
        }
        let theirs = UInt32(reply[1]) << 24 | UInt32(reply[2]) << 16 | UInt32(reply[3]) << 8 | UInt32(reply[4])
        try sendHandshake(fd, [0x61] + HandshakeDigest.compute(challenge: theirs, cookie: cookie))
        note("handshake complete")
        try misbehave(fd)
    }

    private func misbehave(_ fd: Int32) throws {
        switch scenario {
        case .silentDuringHandshake, .bogusStatus, .oversizedHandshakeLength:
            preconditionFailure("handshake scenario after the handshake")
        case .hugeFrameLength:
            try writeAll(fd, [0xFF, 0xFF, 0xFF, 0xFF, 112, 131])
        case .hugeBinaryHeader:
            try writeAll(fd, frame(passThroughSend(message: [109, 0x40, 0, 0, 0])))
        case .deepNesting(let depth):
            var message = [UInt8]()
            message.reserveCapacity(depth * 2 + 2)
            for _ in 0..<depth { message += [104, 1] }  // SMALL_TUPLE_EXT, arity 1
            message += [97, 1]
            try writeAll(fd, frame(passThroughSend(message: message)))
        case .hugeBignum:
            try writeAll(fd, frame(passThroughSend(message: [111, 0xFF, 0xFF, 0xFF, 0xFF, 0, 1, 2, 3])))
        case .invalidUTF8Atom:
            try writeAll(fd, frame(passThroughSend(message: [119, 4, 0xC3, 0x28, 0xFF, 0xFE])))
        case .unknownControlOperation:
            // {99, '', <pid>}: no OTP release defines operation 99.
            var payload = passThroughSend(message: [106])
            payload[5] = 99
            try writeAll(fd, frame(Array(payload.dropLast(2))))
        case .garbageFrames:
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<16 {
                let n = Int.random(in: 1...512, using: &rng)
                var junk = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if junk[0] == 112 { junk[0] = 0 }
                try writeAll(fd, frame(junk))
            }
        case .tickFlood(let count):
            let chunk = [UInt8](repeating: 0, count: 4 * 16384)
            var left = count
            while left > 0 {
                let n = min(left, 16384)
                try writeAll(fd, n == 16384 ? chunk : [UInt8](repeating: 0, count: 4 * n))
                left -= n
            }
            note("sent \(count) ticks")
            return  // closes the socket
        case .silentAfterHandshake:
            drainUntilClosed(fd)  // reads (and ignores) the console's ticks, never sends a byte
            return
        case .wellBehaved:
            drainUntilClosed(fd)
            return
        }
        note("misbehaved; waiting for the console to close")
        drainUntilClosed(fd)
    }
}
