#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--audit-log FILE`: one JSON line per remote operation (`call`, `multicall`, `eval`, also when refused), appended
/// with `O_APPEND` so that concurrent consoles never interleave a line; the file is created `0600`. Never holds the
/// cookie: sources and outcomes go through the session's redaction first.
public final class AuditLog: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Opens (creating) `path` for appending.
    public init(path: String) throws(AuditLogError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLogError("cannot open the audit log \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & S_IFMT != S_IFREG, st.st_mode & S_IFMT != S_IFIFO, st.st_mode & S_IFMT != S_IFCHR {
            close(fd)
            throw AuditLogError("the audit log \(path) is not a regular file")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// One record.
    public struct Entry: Sendable {
        public var time: Date
        public var console: String
        public var operation: String
        public var targets: [String]
        /// `module:function/arity`, for calls.
        public var mfa: String?
        /// The evaluated source, for `eval`.
        public var source: String?
        /// `ok`, `exception`, `nodedown`, `timeout`, `error`, `refused`, `cancelled`, `bad_input`, `partial`.
        public var outcome: String
        public var duration: Duration
        /// Per-node outcomes of a multicall.
        public var results: [String: String] = [:]
    }

    public func write(_ e: Entry) {
        var fields: [(String, JSONValue)] = [
            ("time", .string(isoTime(e.time))), ("console", .string(e.console)), ("operation", .string(e.operation)),
            ("targets", .strings(e.targets)),
        ]
        if let mfa = e.mfa { fields.append(("mfa", .string(mfa))) }
        if let source = e.source { fields.append(("source", .string(source))) }
        fields.append(("outcome", .string(e.outcome)))
        if !e.results.isEmpty { fields.append(("results", .object(e.results.mapValues(JSONValue.string)))) }
        fields.append(("duration_ms", .number(milliseconds(e.duration).rounded(toPlaces: 3))))
        writeAll(fd, JSONValue.orderedObject(fields).encoded + "\n")
    }
}

public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Replaces the cookie wherever it would appear in what the console shows or records (a call's result such as
/// `Node.get_cookie()`, an eval source, an error). Cookies shorter than ``minimumLength`` are not searched for:
/// replacing a two-letter cookie would mangle ordinary output.
public struct Redactor: Sendable {
    public static let minimumLength = 6
    public static let replacement = "[cookie redacted]"
    private let secret: String?
    /// The secret's bytes when it is ASCII (see ``mayContain(_:)``).
    private let asciiSecret: [UInt8]?

    public init(cookie: String) {
        secret = cookie.count >= Self.minimumLength ? cookie : nil
        asciiSecret = secret.flatMap { s in s.utf8.allSatisfy { $0 < 0x80 } ? Array(s.utf8) : nil }
    }

    /// Whether `s` holds the cookie's bytes anywhere.
    public func contains(_ s: String) -> Bool {
        guard let secret, mayContain(s) else { return false }
        return s.utf8.firstRange(of: secret.utf8) != nil
    }

    /// `s` with every occurrence of the cookie's bytes replaced.
    public func redact(_ s: String) -> String {
        guard let secret, mayContain(s) else { return s }
        return s.replacingEvery(secret, with: Self.replacement)
    }

    /// False only when `s` certainly does not contain the secret: both are ASCII and the secret's bytes do not occur
    /// in `s`. One byte scan with no allocation, for the common case, over every output (a multicall's JSON over 50
    /// nodes is kilobytes).
    private func mayContain(_ s: String) -> Bool {
        guard let needle = asciiSecret, let first = needle.first else { return true }
        let found: Bool? = s.utf8.withContiguousStorageIfAvailable { h -> Bool in
            guard h.count >= needle.count else { return h.contains { $0 >= 0x80 } }
            var nonASCII = false
            var i = 0
            let last = h.count - needle.count
            while i < h.count {
                let b = h[i]
                if b >= 0x80 { nonASCII = true }
                if b == first, i <= last {
                    var j = 1
                    while j < needle.count && h[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
                i += 1
            }
            return nonASCII
        }
        return found ?? true
    }

    public func redact(_ o: CommandOutput) -> CommandOutput {
        guard secret != nil else { return o }
        var o = o
        o.text = redact(o.text)
        o.errorText = redact(o.errorText)
        o.json = redact(o.json)
        return o
    }
}
