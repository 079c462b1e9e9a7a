/// EPMD requests and replies (`erl_dist_protocol.md` §"EPMD Protocol"). Requests are `Len:u16` + bytes; replies are
/// not length-prefixed and EPMD closes the socket after them, so a reply is parsed from everything read until EOF.
public enum EPMDMessage {
    /// Request codes.
    public enum Request: UInt8 {
        case portPlease2 = 122  // 'z'
        case names = 110  // 'n'
    }

    /// The default EPMD port.
    public static let defaultPort = 4369

    /// `PORT_PLEASE2_REQ`: `Len:u16, 122, Name` where Name is the alive part only (no `@host`).
    public static func portPlease2Request(alive: String) -> [UInt8] {
        let name = Array(alive.utf8)
        let len = UInt16(truncatingIfNeeded: 1 + name.count)
        return [UInt8(len >> 8), UInt8(len & 0xFF), Request.portPlease2.rawValue] + name
    }

    /// `NAMES_REQ`: `0001 6e`.
    public static func namesRequest() -> [UInt8] { [0, 1, Request.names.rawValue] }

    /// A successful PORT2_RESP.
    public struct NodeInfo: Hashable, Sendable {
        public var port: Int
        /// 77 normal, 72 hidden, 104 ei.
        public var nodeType: UInt8
        public var protocolID: UInt8
        public var highestVersion: UInt16
        public var lowestVersion: UInt16
        public var name: String
        public var extra: [UInt8]
    }

    /// The outcome of a PORT_PLEASE2 request.
    public enum PortReply: Hashable, Sendable {
        case found(NodeInfo)
        /// Result byte ≠ 0: the name is not registered.
        case notFound(result: UInt8)
    }

    /// Why a reply could not be parsed.
    public struct ParseError: Error, Hashable, Sendable {
        public var message: String
    }

    /// Parses a complete PORT2_RESP (`119, Result, …`).
    /// Whether `bytes` hold a whole PORT2_RESP, extra field included, so that a client can stop reading before EPMD
    /// closes the connection (one wake-up less per lookup). A reply that does not start with 119, or an error reply,
    /// is complete as soon as its first two bytes are in (``parsePortReply(_:)`` then says what is wrong with it).
    /// A reply that ends after the name (no extra length) is only recognised at end of stream.
    public static func isCompletePortReply(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        guard bytes[0] == 119, bytes[1] == 0 else { return true }
        guard bytes.count >= 12 else { return false }
        let nameEnd = 12 + (Int(bytes[10]) << 8 | Int(bytes[11]))
        guard bytes.count >= nameEnd + 2 else { return false }
        return bytes.count >= nameEnd + 2 + (Int(bytes[nameEnd]) << 8 | Int(bytes[nameEnd + 1]))
    }

    public static func parsePortReply(_ bytes: [UInt8]) throws(ParseError) -> PortReply {
        var r = ByteReader(bytes)
        guard let tag = r.u8(), tag == 119 else { throw ParseError(message: "PORT2_RESP does not start with 119") }
        guard let result = r.u8() else { throw ParseError(message: "PORT2_RESP truncated before the result") }
        if result != 0 { return .notFound(result: result) }
        guard let port = r.u16(), let type = r.u8(), let proto = r.u8(), let hi = r.u16(), let lo = r.u16(),
            let nlen = r.u16(), let name = r.bytes(Int(nlen))
        else { throw ParseError(message: "PORT2_RESP truncated") }
        // Extra is optional in practice: accept a reply that ends after the name.
        var extra: [UInt8] = []
        if let elen = r.u16() {
            guard let e = r.bytes(Int(elen)) else { throw ParseError(message: "PORT2_RESP extra truncated") }
            extra = e
        }
        return .found(
            NodeInfo(
                port: Int(port), nodeType: type, protocolID: proto, highestVersion: hi, lowestVersion: lo,
                name: String(decoding: name, as: UTF8.self), extra: extra))
    }

    /// One line of a NAMES_RESP.
    public struct NameEntry: Hashable, Sendable {
        public var name: String
        public var port: Int
        public init(name: String, port: Int) {
            self.name = name
            self.port = port
        }
    }

    /// Parses a complete NAMES_RESP: `EpmdPort:u32` then lines `name <N> at port <P>\n`. Lines of other shapes are
    /// skipped.
    public static func parseNamesReply(_ bytes: [UInt8]) throws(ParseError) -> [NameEntry] {
        guard bytes.count >= 4 else { throw ParseError(message: "NAMES_RESP shorter than 4 bytes") }
        let text = String(decoding: bytes[4...], as: UTF8.self)
        var out: [NameEntry] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 5, parts[0] == "name", parts[2] == "at", parts[3] == "port",
                let port = Int(parts[4])
            else { continue }
            out.append(NameEntry(name: String(parts[1]), port: port))
        }
        return out
    }
}

/// A tiny big-endian reader over bytes (returns nil when truncated).
struct ByteReader {
    let bytes: [UInt8]
    var index: Int
    init(_ bytes: [UInt8], index: Int = 0) { self.bytes = bytes; self.index = index }
    var remaining: Int { bytes.count - index }
    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { index += 1 }
        return bytes[index]
    }
    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }
    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[index + i]) }
        index += 4
        return v
    }
    mutating func u64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(bytes[index + i]) }
        index += 8
        return v
    }
    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, remaining >= n else { return nil }
        defer { index += n }
        return Array(bytes[index..<index + n])
    }
    mutating func rest() -> [UInt8] {
        defer { index = bytes.count }
        return Array(bytes[index...])
    }
}

extension Array where Element == UInt8 {
    mutating func appendBE(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    mutating func appendBE(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    mutating func appendBE(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { append(UInt8((v >> UInt64(s)) & 0xFF)) } }
}
