/// An integer of any size: the codec's own arbitrary-precision integer, the payload of ``Term/bigInteger(_:)``
/// (integers outside `Int.min...Int.max`, SMALL_BIG_EXT and LARGE_BIG_EXT on the wire).
///
/// It does what terms need and no more, with the standard library only (no Foundation): construction from any
/// `BinaryInteger`, from an integer literal of any size, from a sign and a little-endian magnitude (the ETF layout),
/// from text in radix 2...36 and from a `Double`; the magnitude as words or bytes; `+`, `-`, `*`, ``power(_:)``, `<<`
/// and `>>`; exact comparison; text in radix 2...36 (`description` is decimal); conversion to `Double` (rounded to
/// nearest), to `Int` (`Int(exactly:)`) and to the low 64 bits (`UInt64(truncatingIfNeeded:)`). There is no division.
///
/// A value is a sign and a magnitude of 64-bit words, least significant first, with no high zero word. Zero has no
/// words and is never negative, so `==` and `hash(into:)` compare representations.
///
/// Cost: addition, subtraction, shifts, comparison and the ETF conversions are linear in the number of words;
/// multiplication, parsing and text are quadratic (schoolbook, in chunks of one word). With the decoder's bound
/// (``ETFLimits/maxBigIntegerBytes``, 16 KiB: 39 457 decimal digits) text takes a few tens of milliseconds.
public struct BigInt: Sendable, Hashable {
    /// Whether the value is below zero. Never true for zero.
    public let isNegative: Bool
    /// The magnitude, `|self|`, as 64-bit words, least significant first, without high zero words (empty for zero).
    public let magnitudeWords: [UInt64]

    /// Zero.
    public init() {
        isNegative = false
        magnitudeWords = []
    }

    /// A value from a sign and a magnitude as 64-bit words, least significant first. High zero words are dropped,
    /// and a zero magnitude is zero whatever `isNegative` says.
    public init(isNegative: Bool, magnitudeWords: [UInt64]) {
        var words = magnitudeWords
        while words.last == 0 { words.removeLast() }
        self.isNegative = isNegative && !words.isEmpty
        self.magnitudeWords = words
    }

    /// A value from a sign and a magnitude as bytes, least significant first (the layout of SMALL_BIG_EXT and
    /// LARGE_BIG_EXT). High zero bytes are allowed, and a zero magnitude is zero whatever `isNegative` says.
    public init(isNegative: Bool, littleEndianMagnitude bytes: some Sequence<UInt8>) {
        var words: [UInt64] = []
        words.reserveCapacity((bytes.underestimatedCount + 7) / 8)
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes {
            word |= UInt64(byte) << shift
            shift += 8
            if shift == 64 {
                words.append(word)
                word = 0
                shift = 0
            }
        }
        if shift > 0 { words.append(word) }
        self.init(isNegative: isNegative, magnitudeWords: words)
    }

    /// The same, read straight from raw memory (the decoder's input) a word at a time.
    init(isNegative: Bool, littleEndianMagnitude bytes: UnsafeRawBufferPointer) {
        let whole = bytes.count / 8
        let rest = bytes.count % 8
        let count = whole + (rest > 0 ? 1 : 0)
        let words = [UInt64](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<whole {
                out[i] = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            }
            if rest > 0 {
                var word: UInt64 = 0
                for k in 0..<rest { word |= UInt64(bytes[whole * 8 + k]) << UInt64(k * 8) }
                out[whole] = word
            }
            initialized = count
        }
        self.init(isNegative: isNegative, magnitudeWords: words)
    }

    /// The value of an `Int`.
    public init(_ value: Int) {
        isNegative = value < 0
        magnitudeWords = value == 0 ? [] : [UInt64(value.magnitude)]
    }

    /// The value of any standard integer.
    public init<T: BinaryInteger>(_ value: T) {
        self.init(isNegative: value < 0, magnitudeWords: Self.words64(value.magnitude.words))
    }

    /// The integral part of `value` (rounded toward zero, as `Int(_:)` does). `value` must be finite.
    public init(_ value: Double) {
        precondition(value.isFinite, "BigInt(_:) of a value that is not finite")
        let whole = value.rounded(.towardZero)
        if whole.magnitude < 0x1p63 {
            self.init(Int(whole))
            return
        }
        // |whole| >= 2^63: an integer significand of 53 bits shifted left by exponent - 52 (>= 11) bits.
        let significand = UInt64(1) << 52 | whole.significandBitPattern
        self = BigInt(isNegative: whole < 0, magnitudeWords: [significand]) << (Int(whole.exponent) - 52)
    }

    /// `value`, if it is a finite whole number.
    public init?(exactly value: Double) {
        guard value.isFinite, value.rounded(.towardZero) == value else { return nil }
        self.init(value)
    }

    /// Packs machine words (which are 64 or 32 bits) into 64-bit words.
    private static func words64(_ words: some Collection<UInt>) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(words.count)
        var shift = 0
        for w in words {
            if shift == 0 { out.append(UInt64(w)) } else { out[out.count - 1] |= UInt64(w) << UInt64(shift) }
            shift = (shift + UInt.bitWidth) % 64
        }
        return out
    }

    /// -1, 0 or 1 as the value is negative, zero or positive.
    public func signum() -> Int { isNegative ? -1 : (magnitudeWords.isEmpty ? 0 : 1) }

    /// Whether the value is zero.
    public var isZero: Bool { magnitudeWords.isEmpty }

    /// The number of bits in the magnitude (0 for zero): `|self| < 2^magnitudeBitWidth`.
    public var magnitudeBitWidth: Int {
        guard let top = magnitudeWords.last else { return 0 }
        return magnitudeWords.count * 64 - top.leadingZeroBitCount
    }

    /// The magnitude as bytes, least significant first, without high zero bytes (empty for zero): what SMALL_BIG_EXT
    /// and LARGE_BIG_EXT carry after the sign byte.
    public var littleEndianMagnitude: [UInt8] {
        let count = (magnitudeBitWidth + 7) / 8
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: magnitudeWords[i / 8] >> UInt64((i % 8) * 8)) }
        return out
    }
}

// MARK: - Literals

extension BigInt: ExpressibleByIntegerLiteral {
    /// A literal of any size: `let googol: BigInt = 10_000_..._000`.
    public init(integerLiteral value: StaticBigInt) {
        // `value[i]` is the i-th machine word of the two's complement (sign-extended).
        let wordCount = (value.bitWidth + UInt.bitWidth - 1) / UInt.bitWidth
        var words = (0..<wordCount).map { value[$0] }
        let negative = value.signum() < 0
        if negative {
            // |value| = ~value + 1.
            var carry = true
            for i in words.indices {
                words[i] = ~words[i]
                if carry { (words[i], carry) = words[i].addingReportingOverflow(1) }
            }
        }
        self.init(isNegative: negative, magnitudeWords: Self.words64(words))
    }
}

// MARK: - Comparison

extension BigInt: Comparable {
    /// -1, 0 or 1 as `a`'s magnitude is below, equal to or above `b`'s.
    static func compareMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        var i = a.count
        while i > 0 {
            i -= 1
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        }
        return 0
    }

    public static func < (lhs: BigInt, rhs: BigInt) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        let c = compareMagnitudes(lhs.magnitudeWords, rhs.magnitudeWords)
        return lhs.isNegative ? c > 0 : c < 0
    }
}

// MARK: - Arithmetic

extension BigInt: SignedNumeric {
    public typealias Magnitude = BigInt

    /// Always succeeds: every integer fits.
    public init?<T: BinaryInteger>(exactly source: T) { self.init(source) }

    /// `|self|`.
    public var magnitude: BigInt { BigInt(isNegative: false, magnitudeWords: magnitudeWords) }

    public static prefix func - (operand: BigInt) -> BigInt {
        BigInt(isNegative: !operand.isNegative, magnitudeWords: operand.magnitudeWords)
    }

    public mutating func negate() { self = -self }

    public static func + (lhs: BigInt, rhs: BigInt) -> BigInt {
        add(lhs, rhs.isNegative, rhs.magnitudeWords)
    }

    public static func - (lhs: BigInt, rhs: BigInt) -> BigInt {
        add(lhs, !rhs.isNegative && !rhs.isZero, rhs.magnitudeWords)
    }

    public static func * (lhs: BigInt, rhs: BigInt) -> BigInt {
        BigInt(
            isNegative: lhs.isNegative != rhs.isNegative,
            magnitudeWords: multiplyMagnitudes(lhs.magnitudeWords, rhs.magnitudeWords))
    }

    public static func += (lhs: inout BigInt, rhs: BigInt) { lhs = lhs + rhs }
    public static func -= (lhs: inout BigInt, rhs: BigInt) { lhs = lhs - rhs }
    public static func *= (lhs: inout BigInt, rhs: BigInt) { lhs = lhs * rhs }

    /// `self` raised to `exponent` (>= 0); `power(0)` is 1.
    public func power(_ exponent: Int) -> BigInt {
        precondition(exponent >= 0, "BigInt.power(_:) with a negative exponent")
        var result: BigInt = 1
        var base = self
        var e = exponent
        while e > 0 {
            if e & 1 == 1 { result *= base }
            e >>= 1
            if e > 0 { base *= base }
        }
        return result
    }

    /// `lhs` plus the value with sign `negative` and magnitude `words`.
    private static func add(_ lhs: BigInt, _ negative: Bool, _ words: [UInt64]) -> BigInt {
        if lhs.isNegative == negative {
            return BigInt(isNegative: negative, magnitudeWords: addMagnitudes(lhs.magnitudeWords, words))
        }
        switch compareMagnitudes(lhs.magnitudeWords, words) {
        case 0: return BigInt()
        case 1: return BigInt(isNegative: lhs.isNegative, magnitudeWords: subtractMagnitudes(lhs.magnitudeWords, words))
        default: return BigInt(isNegative: negative, magnitudeWords: subtractMagnitudes(words, lhs.magnitudeWords))
        }
    }

    static func addMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let (long, short) = a.count >= b.count ? (a, b) : (b, a)
        var out = long
        var carry = false
        for i in 0..<short.count {
            let (s1, o1) = out[i].addingReportingOverflow(short[i])
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            out[i] = s2
            carry = o1 || o2
        }
        var i = short.count
        while carry && i < out.count {
            (out[i], carry) = out[i].addingReportingOverflow(1)
            i += 1
        }
        if carry { out.append(1) }
        return out
    }

    /// `a - b` for `a >= b`.
    static func subtractMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out = a
        var borrow = false
        for i in 0..<b.count {
            let (d1, o1) = out[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            out[i] = d2
            borrow = o1 || o2
        }
        var i = b.count
        while borrow {
            (out[i], borrow) = out[i].subtractingReportingOverflow(1)
            i += 1
        }
        while out.last == 0 { out.removeLast() }
        return out
    }

    static func multiplyMagnitudes(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        if a.isEmpty || b.isEmpty { return [] }
        if b.count == 1 {
            var out = a
            multiplyAdd(&out, b[0], 0)
            return out
        }
        var out = [UInt64](repeating: 0, count: a.count + b.count)
        for i in 0..<a.count {
            var carry: UInt64 = 0
            let x = a[i]
            if x == 0 { continue }
            for j in 0..<b.count {
                let (hi, lo) = x.multipliedFullWidth(by: b[j])
                let (s1, o1) = lo.addingReportingOverflow(out[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                out[i + j] = s2
                // hi <= 2^64 - 2, so adding two carries cannot overflow.
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            out[i + b.count] = carry
        }
        while out.last == 0 { out.removeLast() }
        return out
    }

    /// `words = words * multiplier + addend`, in place.
    static func multiplyAdd(_ words: inout [UInt64], _ multiplier: UInt64, _ addend: UInt64) {
        var carry = addend
        for i in words.indices {
            let (hi, lo) = words[i].multipliedFullWidth(by: multiplier)
            let (sum, overflow) = lo.addingReportingOverflow(carry)
            words[i] = sum
            carry = hi &+ (overflow ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
        while words.last == 0 { words.removeLast() }
    }

    /// `words = words / divisor`, in place (high zero words dropped); returns the remainder.
    static func divide(_ words: inout [UInt64], by divisor: UInt64) -> UInt64 {
        var remainder: UInt64 = 0
        var i = words.count
        while i > 0 {
            i -= 1
            (words[i], remainder) = divisor.dividingFullWidth((remainder, words[i]))
        }
        while words.last == 0 { words.removeLast() }
        return remainder
    }
}

// MARK: - Shifts

extension BigInt {
    /// `lhs * 2^rhs`; a negative `rhs` shifts right.
    public static func << (lhs: BigInt, rhs: Int) -> BigInt {
        rhs >= 0 ? lhs.shiftedLeft(rhs.magnitude) : lhs.shiftedRight(rhs.magnitude)
    }

    /// `lhs / 2^rhs` rounded toward negative infinity, as `>>` on `Int` and Erlang's `bsr`; a negative `rhs` shifts
    /// left.
    public static func >> (lhs: BigInt, rhs: Int) -> BigInt {
        rhs >= 0 ? lhs.shiftedRight(rhs.magnitude) : lhs.shiftedLeft(rhs.magnitude)
    }

    public static func <<= (lhs: inout BigInt, rhs: Int) { lhs = lhs << rhs }
    public static func >>= (lhs: inout BigInt, rhs: Int) { lhs = lhs >> rhs }

    private func shiftedLeft(_ n: UInt) -> BigInt {
        if isZero || n == 0 { return self }
        let wordShift = Int(n / 64)
        let bitShift = UInt64(n % 64)
        var out = [UInt64](repeating: 0, count: wordShift + magnitudeWords.count + 1)
        for (i, w) in magnitudeWords.enumerated() {
            out[wordShift + i] |= w << bitShift
            if bitShift > 0 { out[wordShift + i + 1] = w >> (64 - bitShift) }
        }
        return BigInt(isNegative: isNegative, magnitudeWords: out)
    }

    private func shiftedRight(_ n: UInt) -> BigInt {
        if isZero || n == 0 { return self }
        if isNegative {
            // floor(-m / 2^n) = -(((m - 1) >> n) + 1)
            return -((magnitude - 1).shiftedRight(n) + 1)
        }
        guard n / 64 < UInt(magnitudeWords.count) else { return BigInt() }
        let wordShift = Int(n / 64)
        let bitShift = UInt64(n % 64)
        let count = magnitudeWords.count - wordShift
        var out = [UInt64](repeating: 0, count: count)
        for i in 0..<count {
            out[i] = magnitudeWords[wordShift + i] >> bitShift
            if bitShift > 0 && wordShift + i + 1 < magnitudeWords.count {
                out[i] |= magnitudeWords[wordShift + i + 1] << (64 - bitShift)
            }
        }
        return BigInt(isNegative: false, magnitudeWords: out)
    }
}

// MARK: - Text

extension BigInt: CustomStringConvertible, LosslessStringConvertible {
    /// The decimal text, with a `-` for a negative value.
    public var description: String { text(radix: 10, uppercase: false) }

    /// Decimal text with an optional leading `+` or `-`, as `Int(_:)` reads it.
    public init?(_ description: String) { self.init(description, radix: 10) }

    /// Text in `radix` (2...36) with an optional leading `+` or `-`, as `Int(_:radix:)` reads it: digits `0-9`, then
    /// letters in either case. Nil for empty text, a lone sign, or a character that is not a digit in `radix`.
    public init?<S: StringProtocol>(_ text: S, radix: Int = 10) {
        precondition((2...36).contains(radix), "BigInt(_:radix:) with a radix outside 2...36")
        var utf8 = text.utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        guard !utf8.isEmpty else { return nil }
        let (chunkDigits, chunkMultiplier) = Self.chunk(radix)
        var words: [UInt64] = []
        var chunk: UInt64 = 0
        var digits = 0
        for c in utf8 {
            let value: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard value < UInt64(radix) else { return nil }
            chunk = chunk * UInt64(radix) + value
            digits += 1
            if digits == chunkDigits {
                Self.multiplyAdd(&words, chunkMultiplier, chunk)
                chunk = 0
                digits = 0
            }
        }
        if digits > 0 {
            var multiplier: UInt64 = 1
            for _ in 0..<digits { multiplier *= UInt64(radix) }
            Self.multiplyAdd(&words, multiplier, chunk)
        }
        self.init(isNegative: negative, magnitudeWords: words)
    }

    /// The most digits of `radix` that always fit in a word, and `radix` to that power.
    private static func chunk(_ radix: Int) -> (digits: Int, multiplier: UInt64) {
        var digits = 0
        var multiplier: UInt64 = 1
        while true {
            let (next, overflow) = multiplier.multipliedReportingOverflow(by: UInt64(radix))
            if overflow { return (digits, multiplier) }
            multiplier = next
            digits += 1
        }
    }

    /// Text in `radix` (2...36), with a `-` for a negative value.
    ///
    /// The magnitude is divided by the largest power of `radix` that fits in a word (10^19 for decimal) until
    /// nothing is left, and each remainder gives that many digits.
    func text(radix: Int, uppercase: Bool) -> String {
        precondition((2...36).contains(radix), "String(_: BigInt, radix:) with a radix outside 2...36")
        if magnitudeWords.count <= 1 {
            let digits = String(magnitudeWords.first ?? 0, radix: radix, uppercase: uppercase)
            return isNegative ? "-" + digits : digits
        }
        let (chunkDigits, chunkDivisor) = Self.chunk(radix)
        var rest = magnitudeWords
        var chunks: [UInt64] = []
        // floor(log2(radix)) bits a digit: an overestimate of the number of chunks.
        let bitsPerDigit = Int.bitWidth - radix.leadingZeroBitCount - 1
        chunks.reserveCapacity(magnitudeBitWidth / (chunkDigits * bitsPerDigit) + 1)
        while !rest.isEmpty { chunks.append(Self.divide(&rest, by: chunkDivisor)) }
        let alphabet: StaticString = uppercase
            ? "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "0123456789abcdefghijklmnopqrstuvwxyz"
        let top = String(chunks.removeLast(), radix: radix, uppercase: uppercase)
        let length = (isNegative ? 1 : 0) + top.utf8.count + chunks.count * chunkDigits
        return String(unsafeUninitializedCapacity: length) { out in
            var at = 0
            if isNegative {
                out[0] = UInt8(ascii: "-")
                at = 1
            }
            for byte in top.utf8 {
                out[at] = byte
                at += 1
            }
            alphabet.withUTF8Buffer { digitBytes in
                // Every lower chunk is exactly `chunkDigits` digits, leading zeros included.
                for chunk in chunks.reversed() {
                    var value = chunk
                    var k = at + chunkDigits
                    while k > at {
                        k -= 1
                        let (q, r) = value.quotientAndRemainder(dividingBy: UInt64(radix))
                        out[k] = digitBytes[Int(r)]
                        value = q
                    }
                    at += chunkDigits
                }
            }
            return at
        }
    }
}

extension String {
    /// The text of `value` in `radix` (2...36), with a `-` for a negative value, as `String(_:radix:uppercase:)`
    /// writes a standard integer.
    public init(_ value: BigInt, radix: Int = 10, uppercase: Bool = false) {
        self = value.text(radix: radix, uppercase: uppercase)
    }
}

// MARK: - Conversions

extension Int {
    /// `value`, if it is in `Int.min...Int.max`.
    public init?(exactly value: BigInt) {
        let words = value.magnitudeWords
        if words.isEmpty {
            self = 0
            return
        }
        guard words.count == 1 else { return nil }
        let m = words[0]
        if value.isNegative {
            guard m <= UInt64(1) << 63 else { return nil }
            self = Int(truncatingIfNeeded: 0 &- m)
        } else {
            guard m <= UInt64(Int.max) else { return nil }
            self = Int(m)
        }
    }
}

extension UInt64 {
    /// The low 64 bits of `value`'s two's complement, as `UInt64(truncatingIfNeeded:)` takes them from an `Int`.
    public init(truncatingIfNeeded value: BigInt) {
        let low = value.magnitudeWords.first ?? 0
        self = value.isNegative ? 0 &- low : low
    }
}

extension Double {
    /// `value` rounded to the nearest `Double` (ties to even), or an infinity beyond the largest finite one, as
    /// `Double(_:)` converts a standard integer.
    public init(_ value: BigInt) {
        let words = value.magnitudeWords
        guard words.count > 1 else {
            let m = Double(words.first ?? 0)
            self = value.isNegative ? -m : m
            return
        }
        // The top 64 bits, with a sticky low bit if anything below them is set: UInt64 -> Double then rounds at
        // bit 10 exactly as the whole magnitude would, and scaling by a power of two is exact (or overflows).
        let width = value.magnitudeBitWidth
        let shift = UInt64(words[words.count - 1].leadingZeroBitCount)
        let high = words[words.count - 1]
        let next = words[words.count - 2]
        var top = shift == 0 ? high : high << shift | next >> (64 - shift)
        var sticky = (shift == 0 ? next : next << shift) != 0  // the bits of `next` that are not in `top`
        if !sticky { sticky = words[..<(words.count - 2)].contains { $0 != 0 } }
        if sticky { top |= 1 }
        let m = Double(sign: .plus, exponent: width - 64, significand: Double(top))
        self = value.isNegative ? -m : m
    }
}
