import CAres
import Dispatch

/// A DNS record type beamconsole asks for.
public enum DNSRecordType: String, Sendable, Hashable, CaseIterable {
    case a = "A"
    case aaaa = "AAAA"
    case srv = "SRV"

    var wireValue: Int32 {
        switch self {
        case .a: return 1
        case .aaaa: return 28
        case .srv: return 33
        }
    }
}

/// One answer record.
public struct DNSRecord: Sendable, Hashable {
    /// The address (A/AAAA) or the target host (SRV).
    public var value: String
    public var ttl: Int
    /// SRV only.
    public var port: Int?
    public var priority: Int?
    public var weight: Int?
    public init(value: String, ttl: Int, port: Int? = nil, priority: Int? = nil, weight: Int? = nil) {
        self.value = value; self.ttl = ttl; self.port = port; self.priority = priority; self.weight = weight
    }
}

/// The answer to one query.
public struct DNSAnswer: Sendable, Hashable {
    public var name: String
    public var type: DNSRecordType
    public var records: [DNSRecord]
    /// The servers c-ares was configured with for this query (`host:port`).
    public var servers: [String]
    /// Time from sending the query to having the answer.
    public var latency: Duration
}

/// A failed query.
public struct DNSError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The name does not exist (NXDOMAIN).
        public static let nxdomain = Code("nxdomain")
        /// The name exists but has no records of this type (NOERROR, empty answer).
        public static let noData = Code("no_data")
        /// The server failed (SERVFAIL).
        public static let serverFailure = Code("servfail")
        /// The server refused the query (REFUSED).
        public static let refused = Code("refused")
        /// No answer within the timeout, after every try.
        public static let timeout = Code("timeout")
        /// The server could not be reached (connection refused, e.g. nothing listens on that port).
        public static let connectionRefused = Code("connection_refused")
        /// A malformed answer, a bad server address, or another resolver failure.
        public static let other = Code("other")
    }

    public var code: Code
    public var name: String
    public var type: DNSRecordType
    public var servers: [String]
    /// c-ares' own message.
    public var detail: String

    public var description: String {
        let what: String
        switch code {
        case .nxdomain: what = "no such name (NXDOMAIN)"
        case .noData: what = "no \(type.rawValue) records"
        case .serverFailure: what = "server failure (SERVFAIL)"
        case .refused: what = "query refused (REFUSED)"
        case .timeout: what = "timed out"
        case .connectionRefused: what = "connection to the DNS server refused"
        default: what = detail
        }
        let via = servers.isEmpty ? "" : " via \(servers.joined(separator: ", "))"
        return "DNS \(type.rawValue) \(name): \(what)\(via)"
    }
}

/// Resolves names through c-ares: `/etc/resolv.conf` (search list, ndots) by default, or explicit servers; retries
/// over TCP when an answer is truncated; bounded by a timeout and a number of tries.
public struct DNSResolver: Sendable {
    /// `host:port` servers to ask instead of those in `/etc/resolv.conf` (IPv6 as `[::1]:53`).
    public var servers: [String]?
    /// Time per try.
    public var timeout: Duration
    public var tries: Int
    /// Apply the resolv.conf search list and ndots (as libcluster's `:inet_res` lookups do for relative names).
    public var useSearchList: Bool

    public init(servers: [String]? = nil, timeout: Duration = .seconds(2), tries: Int = 2, useSearchList: Bool = true) {
        self.servers = servers
        self.timeout = timeout
        self.tries = tries
        self.useSearchList = useSearchList
    }

    /// Looks `name` up. Runs c-ares' event loop on a background thread.
    public func lookup(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSAnswer {
        let result: Result<DNSAnswer, DNSError> = await withCheckedContinuation { cont in
            DispatchQueue.global().async { cont.resume(returning: self.lookupBlocking(name, type: type)) }
        }
        return try result.get()
    }

    /// The same lookup, blocking the calling thread.
    public func lookupBlocking(_ name: String, type: DNSRecordType) -> Result<DNSAnswer, DNSError> {
        let clock = ContinuousClock()
        let start = clock.now
        var raw = bc_ares_result()
        let timeoutMs = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let status: Int32
        if let servers {
            status = servers.joined(separator: ",").withCString {
                bc_ares_resolve($0, name, type.wireValue, timeoutMs, Int32(clamping: tries), useSearchList ? 1 : 0, &raw)
            }
        } else {
            status = bc_ares_resolve(nil, name, type.wireValue, timeoutMs, Int32(clamping: tries), useSearchList ? 1 : 0, &raw)
        }
        defer { bc_ares_result_free(&raw) }
        let latency = clock.now - start
        let usedServers = raw.servers.map { String(cString: $0).split(separator: ",").map(String.init) } ?? []
        func failure(_ code: Int32) -> DNSError {
            DNSError(
                code: Self.code(for: code), name: name, type: type, servers: usedServers,
                detail: String(cString: bc_ares_strerror(code)))
        }
        guard status == ARES_SUCCESS, let answer = raw.answer, raw.answer_length > 0 else {
            return .failure(failure(status == ARES_SUCCESS ? ARES_EBADRESP : status))
        }
        let records: [DNSRecord]
        switch Self.parse(answer: answer, length: raw.answer_length, type: type) {
        case .success(let r): records = r
        case .failure(let status): return .failure(failure(status.code))
        }
        return .success(DNSAnswer(name: name, type: type, records: records, servers: usedServers, latency: latency))
    }

    static let maxRecords = 256
    /// The most records one answer yields; further records are ignored.
    public static var maxAnswerRecords: Int { maxRecords }

    /// Parses a raw DNS answer (the message a server sent) for `type` the way ``lookup(_:type:)`` does, without the
    /// network: for tests and fuzzing. A malformed answer is a ``DNSError`` (code ``DNSError/Code/other`` for a bad
    /// response, ``DNSError/Code/noData`` when no record of `type` is in it).
    public static func parseAnswer(_ bytes: [UInt8], type: DNSRecordType, name: String = "") throws(DNSError)
        -> [DNSRecord]
    {
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) else {
            throw DNSError(
                code: .other, name: name, type: type, servers: [],
                detail: String(cString: bc_ares_strerror(ARES_EBADRESP)))
        }
        var copy = bytes
        let result = copy.withUnsafeMutableBufferPointer { p in
            parse(answer: p.baseAddress!, length: Int32(p.count), type: type)
        }
        switch result {
        case .success(let records): return records
        case .failure(let status):
            throw DNSError(
                code: code(for: status.code), name: name, type: type, servers: [],
                detail: String(cString: bc_ares_strerror(status.code)))
        }
    }

    private static func parse(answer: UnsafeMutablePointer<UInt8>, length: Int32, type: DNSRecordType)
        -> Result<[DNSRecord], AresStatus>
    {
        let max = Self.maxRecords
        switch type {
        case .a, .aaaa:
            var addresses = [CChar](repeating: 0, count: 46 * max)
            var ttls = [Int32](repeating: 0, count: max)
            let n: Int32 = addresses.withUnsafeMutableBufferPointer { p in
                type == .a
                    ? bc_ares_parse_a(answer, length, p.baseAddress, &ttls, Int32(max))
                    : bc_ares_parse_aaaa(answer, length, p.baseAddress, &ttls, Int32(max))
            }
            if n < 0 { return .failure(AresStatus(code: -n)) }
            var out: [DNSRecord] = []
            for i in 0..<Int(n) {
                let address = addresses[(i * 46)..<(i * 46 + 46)].withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                // c-ares reads the TTL into an int: 2^31 and more come out negative. RFC 2181 §8: a TTL with the
                // most significant bit set is zero.
                out.append(DNSRecord(value: address, ttl: Swift.max(0, Int(ttls[i]))))
            }
            return .success(out)
        case .srv:
            var srv = [bc_ares_srv](repeating: bc_ares_srv(), count: max)
            let n = bc_ares_parse_srv(answer, length, &srv, Int32(max))
            if n < 0 { return .failure(AresStatus(code: -n)) }
            let ttls = DNSMessage.answerTTLs(UnsafeRawBufferPointer(start: answer, count: Int(length)), type: 33)
            var out: [DNSRecord] = []
            for i in 0..<Int(n) {
                var s = srv[i]
                let host = withUnsafeBytes(of: &s.host) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
                out.append(
                    DNSRecord(
                        value: host, ttl: i < ttls.count ? ttls[i] : 0, port: Int(s.port), priority: Int(s.priority),
                        weight: Int(s.weight)))
            }
            return .success(out)
        }
    }

    static func code(for status: Int32) -> DNSError.Code {
        switch status {
        case ARES_ENOTFOUND: return .nxdomain
        case ARES_ENODATA: return .noData
        case ARES_ESERVFAIL: return .serverFailure
        case ARES_EREFUSED: return .refused
        case ARES_ETIMEOUT: return .timeout
        case ARES_ECONNREFUSED: return .connectionRefused
        default: return .other
        }
    }
}

/// A c-ares status code as an error value.
struct AresStatus: Error {
    var code: Int32
}
