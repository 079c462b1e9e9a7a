import Foundation

/// Finding the cookie the way `erl` does, plus the explicit sources a CLI offers.
public enum CookieSource {
    /// The resolved cookie and a warning to show (never containing the cookie).
    public struct Resolved: Sendable {
        public var cookie: String
        public var warning: String?
        public var origin: String
    }

    /// Order: `--cookie` (warns: visible in `ps`), `--cookie-file`, `RELEASE_COOKIE`, `~/.erlang.cookie`.
    /// Cookie files readable by group or others are refused, as `erl` refuses them.
    public static func resolve(
        explicit: String?, file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        home: String = NSHomeDirectory()
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
        let path = home + "/.erlang.cookie"
        return Resolved(cookie: try read(path), warning: nil, origin: path)
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
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw DistributionError(.cookie, stage: .handshake, "the cookie file \(path) is empty") }
        return text
    }
}

extension LocalNode {
    /// A default name for a client node: `beamconsole_<random>@<host>`, short (like `-sname`) or long (`-name`).
    public static func defaultName(long: Bool) -> NodeNameSpec {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let host = String(cString: buf)
        let alive = "beamconsole_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        if long {
            return .long("\(alive)@\(host.contains(".") ? host : "127.0.0.1")")
        }
        return .short("\(alive)@\(host.split(separator: ".").first.map(String.init) ?? host)")
    }
}
