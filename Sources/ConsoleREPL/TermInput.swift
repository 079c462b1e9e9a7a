import ErlangTerm

/// How ETF bytes are written in the input of `beamconsole term decode`.
public enum ETFInputEncoding: String, Sendable, CaseIterable {
    /// The bytes themselves.
    case raw
    /// Hexadecimal digits; whitespace, `:` and a leading `0x` are ignored.
    case hex
    /// Base64 or base64url, padding optional. A Phoenix token (`SFMyNTY.<payload>.<signature>`) is accepted:
    /// its payload segment is decoded.
    case base64
}

/// Turns user input into ETF bytes ready for ``ETFDecoder``.
public enum TermInput {
    /// Decodes `input` per `encoding` and makes sure it starts with the version byte 131
    /// (adding it when missing, so bytes copied from the middle of a message work too).
    public static func etfBytes(from input: [UInt8], encoding: ETFInputEncoding) throws(TermInputError) -> [UInt8] {
        var bytes: [UInt8]
        switch encoding {
        case .raw: bytes = input
        case .hex: bytes = try hexDecode(input)
        case .base64: bytes = try base64Decode(input)
        }
        guard let first = bytes.first else { throw TermInputError("the input is empty") }
        if first != ETFTag.version.rawValue { bytes.insert(ETFTag.version.rawValue, at: 0) }
        return bytes
    }

    static func hexDecode(_ input: [UInt8]) throws(TermInputError) -> [UInt8] {
        var digits: [UInt8] = []
        digits.reserveCapacity(input.count)
        var i = 0
        // Skip a leading 0x.
        while i < input.count, isSpace(input[i]) { i += 1 }
        if i + 1 < input.count, input[i] == UInt8(ascii: "0"), input[i + 1] | 0x20 == UInt8(ascii: "x") { i += 2 }
        while i < input.count {
            let c = input[i]
            if isSpace(c) || c == UInt8(ascii: ":") {
                i += 1
                continue
            }
            guard let v = hexValue(c) else {
                throw TermInputError("invalid hex digit \(printable(c)) at input offset \(i)")
            }
            digits.append(v)
            i += 1
        }
        guard digits.count % 2 == 0 else { throw TermInputError("odd number of hex digits (\(digits.count))") }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var j = 0
        while j < digits.count {
            out.append(digits[j] << 4 | digits[j + 1])
            j += 2
        }
        return out
    }

    static func base64Decode(_ input: [UInt8]) throws(TermInputError) -> [UInt8] {
        var text = input.filter { !isSpace($0) }
        // Phoenix.Token / Plug.Crypto.MessageVerifier: "SFMyNTY." <> payload <> "." <> signature.
        let segments = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if segments.count == 3 { text = Array(segments[1]) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4 + 3)
        var acc: UInt32 = 0
        var bits = 0
        for (i, c) in text.enumerated() {
            if c == UInt8(ascii: "=") { break }
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            default: throw TermInputError("invalid base64 character \(printable(c)) at offset \(i)")
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        if bits >= 6 { throw TermInputError("truncated base64 input") }
        return out
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    static func printable(_ c: UInt8) -> String {
        (32..<127).contains(c) ? "'\(Character(Unicode.Scalar(c)))'" : "0x" + String(c, radix: 16)
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64 (with padding) of `bytes`.
    public static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(n >> 18)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [table[Int(n >> 18)], table[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [table[Int(n >> 18)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Input that is not valid hex/base64, or empty.
public struct TermInputError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
