import ClusterDiscovery
import ErlangDistribution

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

/// Finding the cookie the way `erl` does, plus the explicit sources a CLI offers.
public enum CookieSource {
    /// The resolved cookie and a warning to show (never containing the cookie).
    public struct Resolved: Sendable {
        public var cookie: String
        public var warning: String?
        public var origin: String
    }

    /// Order: `--cookie` (warns: visible in `ps`), `--cookie-file`, `RELEASE_COOKIE`, the release's
    /// `releases/COOKIE` (under `RELEASE_ROOT`, else under the root of a release running on this host, as found by
    /// `releaseRoots`), then `~/.erlang.cookie`. What an exec shell in an ECS task has: the task's environment
    /// (often `RELEASE_COOKIE`), and the release itself on disk. `~/.erlang.cookie` readable by group or others is
    /// refused, as `erl` refuses it; `releases/COOKIE` is read as the release's own start script reads it. When none is
    /// found, the error lists every place looked at. `home` defaults to the user's home directory.
    public static func resolve(
        explicit: String?, file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        home: String? = nil, releaseRoots: () -> [String] = { runningReleaseRoots() }
    ) throws(DistributionError) -> Resolved {
        if let explicit {
            return Resolved(cookie: explicit,
                warning: "warning: --cookie exposes the cookie to other users (ps); prefer RELEASE_COOKIE or --cookie-file",
                origin: "--cookie")
        }
        if let file { return Resolved(cookie: try read(file), warning: nil, origin: file) }
        if let env = environment["RELEASE_COOKIE"], !env.isEmpty {
            return Resolved(cookie: env, warning: nil, origin: "RELEASE_COOKIE")
        }
        var looked = ["RELEASE_COOKIE (not set)"]
        let roots: [String]
        if let root = environment["RELEASE_ROOT"], !root.isEmpty {
            roots = [root]
        } else {
            roots = releaseRoots()
            if roots.isEmpty { looked.append("releases/COOKIE (RELEASE_ROOT not set, no release running here)") }
        }
        for root in roots {
            let path = root + "/releases/COOKIE"
            if let cookie = readReleaseCookie(path) {
                let how = environment["RELEASE_ROOT"].map { _ in "RELEASE_ROOT" } ?? "the release running here"
                return Resolved(cookie: cookie, warning: nil, origin: "\(path) (\(how))")
            }
            looked.append(path)
        }
        // Looked up only here: Foundation's home directory lookup is not free, and most runs have RELEASE_COOKIE.
        let path = (home ?? homeDirectory()) + "/.erlang.cookie"
        do throws(DistributionError) {
            return Resolved(cookie: try read(path), warning: nil, origin: path)
        } catch where error.code == .cookie && !FileManager.default.fileExists(atPath: path) {
            looked.append(path)
            throw DistributionError(
                .cookie, stage: .handshake,
                "no cookie: looked at \(looked.joined(separator: ", ")); set RELEASE_COOKIE or use --cookie-file")
        }
    }

    /// `releases/COOKIE` as a release's start script reads it (`cat`): no permission check; nil when absent or empty.
    static func readReleaseCookie(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingScalars { $0.isBlank || $0.isNewline }
        return text.isEmpty ? nil : text
    }

    /// The roots of the releases running on this host: the `-root DIR` of every `beam.smp` in `/proc`, in pid order,
    /// each once (a release's VM is started with `-root` its release directory).
    public static func runningReleaseRoots(proc: String = "/proc") -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: proc) else { return [] }
        let pids = entries.compactMap { Int($0) }.sorted()
        var lines: [[String]] = []
        for pid in pids {
            // At most 64 KiB of a command line: enough for -root, which comes first.
            guard let data = readPrefix(of: "\(proc)/\(pid)/cmdline", upTo: 65_536) else { continue }
            lines.append(data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) })
        }
        return releaseRoots(commandLines: lines)
    }

    /// The `-root` directories of the `beam.smp` command lines among `commandLines`, each once, in order.
    static func releaseRoots(commandLines: [[String]]) -> [String] {
        var roots: [String] = []
        for argv in commandLines {
            guard let first = argv.first, first.hasSuffix("beam.smp") || first.hasSuffix("beam") else { continue }
            guard let i = argv.firstIndex(of: "-root"), i + 1 < argv.count else { continue }
            let root = argv[i + 1]
            if !root.isEmpty, !roots.contains(root) { roots.append(root) }
        }
        return roots
    }

    static func read(_ path: String) throws(DistributionError) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw DistributionError(.cookie, stage: .handshake, "no cookie: cannot read \(path) (set RELEASE_COOKIE or use --cookie-file)")
        }
        if st.st_mode & 0o077 != 0 {
            throw DistributionError(.cookie, stage: .handshake,
                "cookie file \(path) is accessible by group or others; run chmod 400 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DistributionError(.cookie, stage: .handshake, "cannot read the cookie file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingScalars { $0.isBlank || $0.isNewline }
        guard !text.isEmpty else { throw DistributionError(.cookie, stage: .handshake, "the cookie file \(path) is empty") }
        return text
    }
}

/// The first `limit` bytes of a file (all of it when shorter), or nil when it cannot be opened.
private func readPrefix(of path: String, upTo limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, min($0.count, limit - bytes.count)) }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { break }
        bytes += chunk[..<n]
    }
    return bytes
}

/// The user's home directory, as Foundation's `NSHomeDirectory()` gave it (the password database's).
func homeDirectory() -> String { FileManager.default.homeDirectoryForCurrentUser.path }

extension LocalNode {
    /// A default name for a client node: `beamconsole_<random>@<host>`, short (like `-sname`) or long (`-name`).
    public static func defaultName(long: Bool) -> NodeNameSpec { .random(prefix: "beamconsole", long: long) }
}

/// A short fingerprint of a cookie that operators can compare between nodes without showing the cookie: the first 12
/// hex digits (lower case) of SHA-256 over the cookie's UTF-8 bytes.
///
/// A BEAM node computes the same value for its own cookie with ``elixirExpression`` or ``erlangExpression``.
public enum CookieFingerprint {
    /// How many hex digits are shown.
    public static let hexDigits = 12

    /// The fingerprint of `cookie`.
    public static func of(_ cookie: String) -> String {
        hex(HandshakeDigest.sha256(Array(cookie.utf8)).prefix(hexDigits / 2))
    }

    /// Lower-case hex of `bytes`.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The same fingerprint, computed on an Elixir node (e.g. in `bin/myapp remote`).
    public static let elixirExpression =
        ":crypto.hash(:sha256, Atom.to_string(Node.get_cookie())) |> Base.encode16(case: :lower) |> binary_part(0, 12)"
    /// The same fingerprint, computed on an Erlang node (OTP 24 or newer).
    public static let erlangExpression =
        "string:lowercase(binary:part(binary:encode_hex(crypto:hash(sha256, atom_to_binary(erlang:get_cookie()))), 0, 12))."
}
