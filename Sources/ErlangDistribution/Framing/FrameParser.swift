/// Splits the distribution byte stream into frames.
///
/// One parser with an explicit mode (`erl_dist_protocol.md`): `Len:u16` frames during the handshake over plain TCP,
/// `Len:u32` during the handshake under TLS (`inet_tls_dist` sets `{packet, 4}` before the handshake), `Len:u32`
/// afterwards, where a zero length is a tick. Switching the mode keeps buffered bytes, so bytes that arrived in the
/// same read as the final handshake message are parsed in the new mode. The length is checked against
/// ``maxFrameSize`` before anything is allocated for the frame.
public struct FrameParser: Sendable {
    /// The length-prefix width.
    public enum Mode: Hashable, Sendable {
        /// 2-byte lengths (handshake over plain TCP).
        case handshake
        /// 4-byte lengths, no ticks (the handshake inside TLS, `-proto_dist inet_tls`).
        case tlsHandshake
        /// 4-byte lengths (after the handshake). Zero length = tick.
        case connected

        /// The handshake mode for a transport: 4-byte lengths under TLS, 2-byte over plain TCP.
        public static func forHandshake(tls: Bool) -> Mode { tls ? .tlsHandshake : .handshake }

        /// The width of the length prefix.
        public var headerSize: Int { self == .handshake ? 2 : 4 }
    }

    /// One unit read from the peer.
    public enum Frame: Hashable, Sendable {
        /// A zero-length frame in connected mode.
        case tick
        /// A frame's payload.
        case data([UInt8])
    }

    public var mode: Mode
    /// The longest handshake message accepted in ``Mode/handshake``, whatever ``maxFrameSize`` says. The longest
    /// legitimate one is a challenge or a `named:` status carrying a node name of at most 255 characters
    /// (1,020 UTF-8 bytes) plus 19 bytes of fields; OTP's own limit on node names is the same.
    public static let maxHandshakeMessageSize = 2048
    /// Frames longer than this are a protocol violation (default 128 MiB).
    public var maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(mode: Mode = .handshake, maxFrameSize: Int = 128 * 1024 * 1024) {
        self.mode = mode
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Up to `count` bytes received but not yet returned as frames, without consuming them (to recognise a peer that
    /// speaks another protocol, such as a TLS alert where a handshake message was expected).
    public func peek(_ count: Int) -> ArraySlice<UInt8> {
        buffer[readIndex..<min(buffer.count, readIndex + count)]
    }

    /// Adds bytes read from the socket.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil if more bytes are needed.
    public mutating func next() throws(DistributionError) -> Frame? {
        let header = mode.headerSize
        guard buffer.count - readIndex >= header else { return nil }
        var length = 0
        for i in 0..<header { length = length << 8 | Int(buffer[readIndex + i]) }
        let limit = mode == .connected ? maxFrameSize : min(maxFrameSize, Self.maxHandshakeMessageSize)
        if length > limit {
            throw DistributionError(
                .frameTooLarge, stage: mode == .connected ? .connection : .handshake,
                "peer announced a \(length)-byte \(mode == .connected ? "frame" : "handshake message"); the limit is \(limit)")
        }
        if length == 0 && mode == .connected {
            readIndex += header
            return .tick
        }
        guard buffer.count - readIndex - header >= length else { return nil }
        let start = readIndex + header
        let payload = Array(buffer[start..<start + length])
        readIndex = start + length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.count < 1 << 20)
            readIndex = 0
        }
        return .data(payload)
    }

    /// Frames `payload` for sending in `mode`.
    public static func frame(_ payload: [UInt8], mode: Mode) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 4)
        if mode == .handshake {
            out.appendBE(UInt16(truncatingIfNeeded: payload.count))
        } else {
            out.appendBE(UInt32(truncatingIfNeeded: payload.count))
        }
        out.append(contentsOf: payload)
        return out
    }

    /// A tick: four zero bytes.
    public static let tick: [UInt8] = [0, 0, 0, 0]
}
