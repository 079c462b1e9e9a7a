import ErlangTerm

/// The cursor both grammars share: input as Unicode scalars, a position, the nesting depth and error construction.
/// Line and column are computed only when an error is made, so scanning stays linear.
struct TermScanner {
    typealias Failure = TermSyntaxError

    let input: [Unicode.Scalar]
    var pos: Int = 0
    var depth: Int = 0
    let maxDepth: Int

    /// Integer literals longer than this many digits are refused (BigInt parsing is quadratic in the length).
    static let maxIntegerDigits = 40_000
    /// Binaries larger than this many bits (16 MiB) are refused.
    static let maxBinaryBits = 1 << 27
    /// Integer segments wider than this many bits (2 MiB) are refused.
    static let maxIntegerSegmentBits = 1 << 24

    init(_ text: String, maxDepth: Int) {
        self.input = Array(text.unicodeScalars)
        self.maxDepth = maxDepth
    }

    var atEnd: Bool { pos >= input.count }

    /// The scalar `k` places ahead, or nil past the end.
    func peek(_ k: Int = 0) -> Unicode.Scalar? {
        let i = pos + k
        return i < input.count ? input[i] : nil
    }

    /// Whether the input at the cursor starts with `s` (ASCII).
    func looking(at s: String) -> Bool {
        var i = pos
        for u in s.unicodeScalars {
            guard i < input.count, input[i] == u else { return false }
            i += 1
        }
        return true
    }

    mutating func advance(_ n: Int = 1) { pos = min(pos + n, input.count) }

    /// Consumes `s` if the input starts with it.
    mutating func consume(_ s: String) -> Bool {
        guard looking(at: s) else { return false }
        pos += s.unicodeScalars.count
        return true
    }

    // MARK: Depth

    mutating func enter(at start: Int) throws(Failure) {
        depth += 1
        if depth > maxDepth {
            throw error(.tooDeep, at: start, message: "nesting deeper than \(maxDepth) levels")
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: Errors

    /// 1-based line and column of scalar offset `offset`.
    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        let end = min(offset, input.count)
        var i = 0
        while i < end {
            if input[i] == "\n" { line += 1; lineStart = i + 1 }
            i += 1
        }
        return (line, offset - lineStart + 1)
    }

    func error(
        _ code: TermSyntaxError.Code, at offset: Int, expected: [String] = [], found: String? = nil, message: String
    ) -> TermSyntaxError {
        let (line, column) = lineAndColumn(of: offset)
        return TermSyntaxError(
            code, line: line, column: column, offset: offset, expected: expected, found: found, message: message)
    }

    /// "expected X or Y": `unexpectedEnd` at the end of input, `unexpectedToken` elsewhere.
    func expectedError(_ expected: [String], at offset: Int? = nil) -> TermSyntaxError {
        let at = offset ?? pos
        let code: TermSyntaxError.Code = at >= input.count ? .unexpectedEnd : .unexpectedToken
        return error(
            code, at: at, expected: expected, found: foundDescription(at: at),
            message: TermSyntaxError.describe(expected: expected))
    }

    /// A short description of the token at `offset`: `"}"`, `"foo"`, `newline`, `end of input`.
    func foundDescription(at offset: Int) -> String {
        guard offset < input.count else { return "end of input" }
        let c = input[offset]
        if c == "\n" { return "newline" }
        if Self.isWordChar(c) {
            var i = offset
            var word = String.UnicodeScalarView()
            while i < input.count, Self.isWordChar(input[i]), word.count < 32 {
                word.append(input[i])
                i += 1
            }
            return "\"\(String(word))\""
        }
        if c.properties.isWhitespace || c.value < 0x20 { return "U+\(String(c.value, radix: 16, uppercase: true))" }
        return "\"\(Character(c))\""
    }

    // MARK: Character classes

    static func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { $0 >= "0" && $0 <= "9" } ?? false }
    static func isASCIIUpper(_ c: Unicode.Scalar?) -> Bool { c.map { $0 >= "A" && $0 <= "Z" } ?? false }
    static func isASCIILower(_ c: Unicode.Scalar?) -> Bool { c.map { $0 >= "a" && $0 <= "z" } ?? false }
    static func isWordChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
    }
    static func hexValue(_ c: Unicode.Scalar?) -> Int? {
        guard let c else { return nil }
        switch c {
        case "0"..."9": return Int(c.value - 48)
        case "a"..."f": return Int(c.value - 87)
        case "A"..."F": return Int(c.value - 55)
        default: return nil
        }
    }
    /// Value of `c` as a digit in base 2...36, or nil.
    static func digitValue(_ c: Unicode.Scalar?, base: Int) -> Int? {
        guard let c else { return nil }
        let v: Int
        switch c {
        case "0"..."9": v = Int(c.value - 48)
        case "a"..."z": v = Int(c.value - 87)
        case "A"..."Z": v = Int(c.value - 55)
        default: return nil
        }
        return v < base ? v : nil
    }

    // MARK: Numbers

    /// Scans digits of `base` with single `_` between digits; returns them without underscores.
    /// The cursor must be on a digit of `base`.
    mutating func scanDigits(base: Int, start: Int) throws(Failure) -> String {
        var digits = String.UnicodeScalarView()
        while true {
            if let c = peek(), Self.digitValue(c, base: base) != nil {
                digits.append(c)
                advance()
            } else if peek() == "_", Self.digitValue(peek(1), base: base) != nil, !digits.isEmpty {
                advance()
            } else {
                break
            }
        }
        if digits.count > Self.maxIntegerDigits {
            throw error(.tooLarge, at: start, message: "number has more than \(Self.maxIntegerDigits) digits")
        }
        return String(digits)
    }

    /// Makes a float from decimal text, refusing values out of range.
    func makeFloat(_ text: String, start: Int) throws(Failure) -> Term {
        guard let d = Double(text), d.isFinite else {
            throw error(.invalidNumber, at: start, found: "\"\(text)\"", message: "float out of range")
        }
        return .float(d)
    }

    /// Makes an integer from digits in `base`.
    func makeInteger(_ digits: String, base: Int, negative: Bool) -> Term {
        if digits.count <= 18, base == 10, let i = Int(digits) { return .integer(negative ? -i : i) }
        let big = BigInt(digits, radix: base) ?? 0  // scanDigits returned only digits of `base`
        return .int(negative ? -big : big)
    }

    /// Refuses a letter or digit right after a number (`1a`, `0x`, `1_`).
    func checkNumberEnd(start: Int) throws(Failure) {
        if let c = peek(), Self.isWordChar(c) {
            throw error(
                .invalidNumber, at: pos, found: foundDescription(at: pos),
                message: "invalid character after number")
        }
    }

    /// Makes an atom, refusing more than 255 characters.
    func makeAtom(_ name: String, start: Int) throws(Failure) -> Atom {
        if name.unicodeScalars.count > 255 {
            throw error(.atomTooLong, at: start, message: "atom longer than 255 characters")
        }
        return Atom(name)
    }
}

// MARK: - Maps

/// Builds a map in linear time; a later duplicate key replaces the earlier value (as both languages do).
/// A map of at most 32 keys has its keys in term order, as the BEAM stores (and encodes) a small map.
func makeTermMap(_ pairs: [(Term, Term)]) -> TermMap {
    var index: [Term: Int] = [:]
    index.reserveCapacity(pairs.count)
    var entries: [TermMap.Element] = []
    entries.reserveCapacity(pairs.count)
    for (k, v) in pairs {
        if let i = index[k] {
            entries[i].value = v
        } else {
            index[k] = entries.count
            entries.append((k, v))
        }
    }
    if entries.count <= 32 { entries.sort { TermOrder.compare($0.key, $1.key) < 0 } }
    return TermMap(uniqueEntries: entries)
}

// MARK: - Binaries

/// One segment of a binary literal: a value and its type specifiers (`::size(8)-little` / `:8/little`).
struct BinarySegment {
    enum Value {
        case integer(BigInt)
        case float(Double)
        /// A binary or bitstring value (an Elixir string, a nested `<<>>`).
        case bits([UInt8], bitCount: Int)
        /// A string whose characters become one segment each (Erlang strings, Elixir strings with an integer or
        /// UTF type).
        case characters([Int], utf8: [UInt8]?)
    }
    enum Kind: String { case integer, float, binary, bitstring, utf8, utf16, utf32 }

    var value: Value
    var kind: Kind?
    var size: BigInt?
    var unit: Int?
    var little = false
}

/// Appends bits, most significant first.
struct BitWriter {
    var bytes: [UInt8] = []
    var bitCount = 0

    mutating func appendBit(_ bit: Bool) {
        if bitCount % 8 == 0 { bytes.append(0) }
        if bit { bytes[bytes.count - 1] |= UInt8(0x80 >> (bitCount % 8)) }
        bitCount += 1
    }

    /// Appends the low `n` (0...64) bits of `v`.
    mutating func appendBits(_ v: UInt64, count n: Int) {
        var k = n
        while k > 0 {
            if bitCount % 8 == 0 && k >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(k - 8)))
                bitCount += 8
                k -= 8
            } else {
                appendBit((v >> UInt64(k - 1)) & 1 == 1)
                k -= 1
            }
        }
    }

    /// Appends the first `n` bits of `source`, a byte at a time.
    mutating func append(_ source: [UInt8], bitCount n: Int) {
        let whole = n / 8, rest = n % 8
        let r = bitCount % 8
        if r == 0 {
            bytes.append(contentsOf: source[0..<whole])
        } else {
            // Geometric: reserving exactly what each segment needs reallocated the whole binary per segment.
            if bytes.capacity < bytes.count + whole + 1 { bytes.reserveCapacity(Swift.max(bytes.count + whole + 1, 2 * bytes.capacity)) }
            for i in 0..<whole {
                let b = source[i]
                bytes[bytes.count - 1] |= b >> UInt8(r)
                bytes.append(b << UInt8(8 - r))
            }
        }
        bitCount += whole * 8
        if rest > 0 { appendBits(UInt64(source[whole] >> UInt8(8 - rest)), count: rest) }
    }

    var term: Term { Term.bits(bytes, bitCount: bitCount) }
}

extension BinarySegment {
    /// Appends this segment to `w`, or returns an explanation of why it cannot be built.
    func append(to w: inout BitWriter) -> String? {
        if case .characters(let chars, let utf8) = value {
            if kind == nil || kind == .integer || kind == .utf8 || kind == .utf16 || kind == .utf32 {
                for c in chars {
                    var one = self
                    one.value = .integer(BigInt(c))
                    if let problem = one.append(to: &w) { return problem }
                    // Each character can be a 2 MiB segment: stop at the binary limit, which the caller reports.
                    if w.bitCount > TermScanner.maxBinaryBits { return nil }
                }
                return nil
            }
            if let utf8, kind == .binary || kind == .bitstring {
                var one = self
                one.value = .bits(utf8, bitCount: utf8.count * 8)
                return one.append(to: &w)
            }
            return "a string cannot be a \(kind!.rawValue) segment"
        }
        let kind = self.kind ?? defaultKind
        switch kind {
        case .integer:
            guard case .integer(let v) = value else { return "an integer segment needs an integer value" }
            if unit != nil && size == nil { return "a unit needs a size" }
            guard let bits = totalBits(defaultSize: 8, defaultUnit: 1) else { return "invalid segment size" }
            if bits > TermScanner.maxIntegerSegmentBits { return "integer segment too large" }
            if little {
                // Bytes low first; a final partial byte holds the remaining high bits (as erts does).
                let bytes = Self.moduloBytes(v, bits: bits)
                for i in 0..<(bits / 8) { w.appendBits(UInt64(bytes[i]), count: 8) }
                if bits % 8 != 0 { w.appendBits(UInt64(bytes[bits / 8]), count: bits % 8) }
            } else {
                Self.appendInteger(v, bits: bits, to: &w)
            }
        case .float:
            let d: Double
            switch value {
            case .float(let f): d = f
            case .integer(let i): d = Double(i)
            default: return "a float segment needs a number"
            }
            if unit != nil && size == nil { return "a unit needs a size" }
            guard let bits = totalBits(defaultSize: 64, defaultUnit: 1) else { return "invalid segment size" }
            var pattern: UInt64
            switch bits {
            case 64: pattern = d.bitPattern
            case 32:
                let f = Float(d)
                if !f.isFinite { return "float does not fit in 32 bits" }
                pattern = UInt64(f.bitPattern)
            default: return "a float segment must be 32 or 64 bits"
            }
            if little {
                var tmp = BitWriter()
                tmp.appendBits(pattern, count: bits)
                w.append(tmp.bytes.reversed(), bitCount: bits)
            } else {
                w.appendBits(pattern, count: bits)
            }
        case .binary, .bitstring:
            guard case .bits(let bytes, let available) = value else {
                return "a \(kind.rawValue) segment needs a binary value"
            }
            var n = available
            if size != nil {
                guard let bits = totalBits(defaultSize: 0, defaultUnit: kind == .binary ? 8 : 1) else {
                    return "invalid segment size"
                }
                if bits > available { return "segment size is larger than the value" }
                n = bits
            } else if kind == .binary && available % 8 != 0 {
                return "a binary segment needs a whole number of bytes"
            }
            w.append(bytes, bitCount: n)
        case .utf8, .utf16, .utf32:
            guard case .integer(let v) = value, let i = Int(exactly: v), let cp = UInt32(exactly: i),
                let scalar = Unicode.Scalar(cp)
            else {
                return "a \(kind.rawValue) segment needs a valid code point"
            }
            if size != nil { return "a \(kind.rawValue) segment cannot have a size" }
            var units: [UInt8] = []
            switch kind {
            case .utf8: units = Array(String(scalar).utf8)
            case .utf16:
                for u in String(scalar).utf16 {
                    units += little ? [UInt8(u & 0xFF), UInt8(u >> 8)] : [UInt8(u >> 8), UInt8(u & 0xFF)]
                }
            default:
                let b = [UInt8(cp >> 24), UInt8((cp >> 16) & 0xFF), UInt8((cp >> 8) & 0xFF), UInt8(cp & 0xFF)]
                units = little ? b.reversed() : b
            }
            w.append(units, bitCount: units.count * 8)
        }
        return nil
    }

    /// The type when none is written: from the value, as Elixir infers it.
    private var defaultKind: Kind {
        switch value {
        case .integer, .characters: return .integer
        case .float: return .float
        case .bits: return .binary
        }
    }

    private func totalBits(defaultSize: Int, defaultUnit: Int) -> Int? {
        let s = size ?? BigInt(defaultSize)
        let u = BigInt(unit ?? defaultUnit)
        guard s >= 0, u >= 1, u <= 256 else { return nil }
        let total = s * u
        guard total <= BigInt(TermScanner.maxBinaryBits) else { return Int.max }
        return Int(exactly: total)!
    }

    /// `v` modulo 2^bits as `(bits + 7) / 8` bytes, least significant first; the unused high bits of the last byte
    /// are zero.
    ///
    /// Linear in `bits`: the bytes are read off `v`'s words, and a negative `v` is complemented in place
    /// (−v = ¬(|v| − 1)). Building 2^bits with BigInt and reducing modulo it grew the number a word at a time, which
    /// took quadratic time: a 43-byte `<<-1:4293796>>`-like input ran for more than 10 s (found by FuzzTermParser).
    static func moduloBytes(_ v: BigInt, bits: Int) -> [UInt8] {
        let byteCount = (bits + 7) / 8
        var out = [UInt8](repeating: 0, count: byteCount)
        let negative = v.isNegative
        let magnitude = negative ? v.magnitude - 1 : v.magnitude
        let perWord = UInt64.bitWidth / 8
        var index = 0
        wordLoop: for word in magnitude.magnitudeWords {
            for b in 0..<perWord {
                guard index < byteCount else { break wordLoop }
                out[index] = UInt8(truncatingIfNeeded: word >> UInt64(b * 8))
                index += 1
            }
        }
        if negative {
            for k in 0..<byteCount { out[k] = ~out[k] }
        }
        if bits % 8 != 0 { out[byteCount - 1] &= UInt8((1 << (bits % 8)) - 1) }
        return out
    }

    /// Appends `v` modulo 2^bits, big-endian.
    private static func appendInteger(_ v: BigInt, bits: Int, to w: inout BitWriter) {
        if bits <= 64 {
            w.appendBits(UInt64(truncatingIfNeeded: v), count: bits)
            return
        }
        let bytes = moduloBytes(v, bits: bits)
        var k = bytes.count - 1
        if bits % 8 != 0 {
            // The most significant bits first: the partial top byte.
            w.appendBits(UInt64(bytes[k]), count: bits % 8)
            k -= 1
        }
        if k >= 0 { w.append(Array(bytes[0...k].reversed()), bitCount: (k + 1) * 8) }
    }
}
