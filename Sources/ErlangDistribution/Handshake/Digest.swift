import Crypto

/// The handshake digest: MD5 over the cookie followed by the decimal text of the challenge read as an unsigned
/// 32-bit integer (`dist_util:gen_digest/2`).
public enum HandshakeDigest {
    /// `MD5(cookie ++ "\(challenge)")`.
    public static func compute(challenge: UInt32, cookie: [UInt8]) -> [UInt8] {
        var input = cookie
        input.append(contentsOf: Array(String(challenge).utf8))
        return Array(Insecure.MD5.hash(data: input))
    }

    /// Compares two digests in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
