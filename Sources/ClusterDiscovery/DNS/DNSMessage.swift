/// The little of the DNS wire format that c-ares' parsers do not expose: the TTLs of answer records (c-ares 1.18's
/// `ares_parse_srv_reply` drops them). Bounds-checked; malformed input gives an empty result.
enum DNSMessage {
    /// TTLs of the answer records of `type`, in order.
    static func answerTTLs(_ msg: UnsafeRawBufferPointer, type: UInt16) -> [Int] {
        guard msg.count >= 12 else { return [] }
        func u16(_ i: Int) -> UInt16? { i + 2 <= msg.count ? UInt16(msg[i]) << 8 | UInt16(msg[i + 1]) : nil }
        func u32(_ i: Int) -> UInt32? {
            i + 4 <= msg.count ? UInt32(msg[i]) << 24 | UInt32(msg[i + 1]) << 16 | UInt32(msg[i + 2]) << 8 | UInt32(msg[i + 3]) : nil
        }
        /// Skips a (possibly compressed) name; returns the offset after it.
        func skipName(_ start: Int) -> Int? {
            var i = start
            var labels = 0
            while i < msg.count {
                let len = Int(msg[i])
                if len == 0 { return i + 1 }
                if len & 0xC0 == 0xC0 { return i + 2 <= msg.count ? i + 2 : nil }
                if len & 0xC0 != 0 { return nil }
                i += 1 + len
                labels += 1
                if labels > 128 { return nil }
            }
            return nil
        }
        guard let qd = u16(4), let an = u16(6) else { return [] }
        var i = 12
        for _ in 0..<qd {
            guard let next = skipName(i) else { return [] }
            i = next + 4
        }
        var ttls: [Int] = []
        for _ in 0..<an {
            guard let next = skipName(i), let t = u16(next), let ttl = u32(next + 4), let rdlen = u16(next + 8) else {
                return ttls
            }
            if t == type { ttls.append(ttl > UInt32(Int32.max) ? 0 : Int(ttl)) }  // RFC 2181 §8: MSB set = 0
            i = next + 10 + Int(rdlen)
            if i > msg.count { return ttls }
        }
        return ttls
    }
}

extension DNSResolver {
    /// For tests: the SRV answer TTL walker on arbitrary bytes.
    public static func debugAnswerTTLs(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        DNSMessage.answerTTLs(bytes, type: 33)
    }
}
