#if canImport(CryptoKit)
    import CryptoKit
#else
    import CMD
#endif

/// The handshake digest: MD5 over the cookie followed by the decimal text of the challenge read as an unsigned
/// 32-bit integer (`dist_util:gen_digest/2`).
///
/// The hash functions come from the platform: CryptoKit on Apple platforms, libmd (the `CMD` system library, which
/// libedit already depends on) on Linux, so that no second copy of BoringSSL is linked for two hash functions.
public enum HandshakeDigest {
    /// `MD5(cookie ++ "\(challenge)")`.
    public static func compute(challenge: UInt32, cookie: [UInt8]) -> [UInt8] {
        var input = cookie
        input.append(contentsOf: Array(String(challenge).utf8))
        return md5(input)
    }

    /// MD5 of `bytes` (RFC 1321).
    public static func md5(_ bytes: [UInt8]) -> [UInt8] {
        #if canImport(CryptoKit)
            return Array(Insecure.MD5.hash(data: bytes))
        #else
            var context = MD5_CTX()
            MD5Init(&context)
            bytes.withUnsafeBufferPointer { MD5Update(&context, $0.baseAddress, $0.count) }
            var digest = [UInt8](repeating: 0, count: Int(MD5_DIGEST_LENGTH))
            digest.withUnsafeMutableBufferPointer { MD5Final($0.baseAddress, &context) }
            return digest
        #endif
    }

    /// SHA-256 of `bytes` (FIPS 180-2).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        #if canImport(CryptoKit)
            return Array(SHA256.hash(data: bytes))
        #else
            var context = SHA2_CTX()
            SHA256Init(&context)
            bytes.withUnsafeBufferPointer { SHA256Update(&context, $0.baseAddress, $0.count) }
            var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
            digest.withUnsafeMutableBufferPointer { SHA256Final($0.baseAddress, &context) }
            return digest
        #endif
    }

    /// Compares two digests in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
