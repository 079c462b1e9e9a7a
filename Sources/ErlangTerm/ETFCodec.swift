/// Bounds applied while decoding untrusted bytes. Every limit is checked before allocating.
///
/// The defaults follow the safety notes for distribution peers (notes §7.4). `maxDepth` stays at 1000 because
/// `Term`'s own `==`, `hash(into:)` and deinit are recursive: a deeper value could overflow the stack later, far from
/// the decoder.
public struct ETFLimits: Sendable, Hashable {
    /// Maximum nesting depth of lists, tuples, maps and funs (the decoder itself never recurses).
    public var maxDepth: Int = 1_000
    /// Maximum number of terms in one decoded value.
    public var maxTerms: Int = 64 * 1024 * 1024
    /// Maximum size of any one binary, and of the input as a whole.
    public var maxBinaryBytes: Int = 256 * 1024 * 1024
    /// Maximum magnitude bytes of a big integer (SMALL_BIG_EXT/LARGE_BIG_EXT).
    public var maxBigIntegerBytes: Int = 16 * 1024
    /// Maximum uncompressed size a COMPRESSED term may declare.
    public var maxInflatedBytes: Int = 256 * 1024 * 1024
    /// Atoms are at most 255 characters (an OTP limit, not configurable upward).
    public var maxAtomCharacters: Int = 255

    /// The default limits.
    public init() {}
    /// The defaults.
    public static let `default` = ETFLimits()
}

/// Decodes the External Term Format.
///
/// The decoder accepts every tag OTP 24–28 can put in a standalone term (notes §7.1), including the legacy atom,
/// float, pid, port and reference tags, and canonicalises what it reads (see ``Term``). It never recurses, never
/// traps on malformed input, and checks every declared length against the bytes that remain before allocating.
/// Every failure is an ``ETFError`` carrying the byte offset and the tag being decoded.
///
/// See <https://www.erlang.org/doc/apps/erts/erl_ext_dist.html>.
public struct ETFDecoder: Sendable {
    /// The bounds applied to the input.
    public var limits: ETFLimits
    /// Makes a decoder with the given limits.
    public init(limits: ETFLimits = .default) { self.limits = limits }

    /// Decodes one term that starts with the version byte 131 (and may be compressed) and fills `bytes` exactly.
    public func decode(_ bytes: [UInt8]) throws(ETFError) -> Term {
        let result: Result<Term, ETFError> = bytes.withUnsafeBytes { buffer in
            do throws(ETFError) {
                let (term, end) = try decode(buffer, at: 0, versionByte: true)
                if end != buffer.count {
                    throw ETFError(
                        .trailingBytes, offset: end, "\(buffer.count - end) bytes left after the term")
                }
                return .success(term)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes one term from `bytes` starting at `offset`. With `versionByte` true the term must start with 131.
    /// Returns the term and the offset just past it (for frames that hold several terms back to back).
    ///
    /// With `versionByte` true a COMPRESSED term (131, 80, …) is accepted too; errors inside it report offsets into
    /// the inflated bytes (counted from the start of the term's tag).
    public func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, versionByte: Bool
    ) throws(ETFError) -> (term: Term, end: Int) {
        guard offset >= 0, offset <= bytes.count else {
            throw ETFError(.truncated, offset: offset, "offset \(offset) is outside the input")
        }
        guard bytes.count <= limits.maxBinaryBytes else {
            throw ETFError(.tooLarge, offset: 0, "input of \(bytes.count) bytes exceeds maxBinaryBytes")
        }
        var position = offset
        if versionByte {
            guard position < bytes.count else { throw ETFError(.truncated, offset: position, "missing version byte") }
            guard bytes[position] == 131 else {
                throw ETFError(
                    .badVersion, offset: position, tag: bytes[position],
                    "expected version byte 131, found \(bytes[position])")
            }
            position += 1
            if position < bytes.count, bytes[position] == ETFTag.compressed.rawValue {
                return try decodeCompressed(bytes, at: position)
            }
        }
        var core = DecoderCore(buffer: bytes, position: position, limits: limits)
        let term = try core.decodeTerm()
        return (term, core.position)
    }

    /// The bytes of a COMPRESSED term (its tag at `tagOffset`), inflated, after checking its declared size against
    /// the limits and against what zlib can produce from the bytes present; and the offset just past it.
    static func inflateCompressed(
        _ bytes: UnsafeRawBufferPointer, at tagOffset: Int, limits: ETFLimits
    ) throws(ETFError) -> (inflated: [UInt8], end: Int) {
        let tag = ETFTag.compressed.rawValue
        guard bytes.count - tagOffset >= 5 else {
            throw ETFError(.truncated, offset: tagOffset, tag: tag, "COMPRESSED header needs 5 bytes")
        }
        let declared = Int(bytes.loadBigEndianUInt32(at: tagOffset + 1))
        guard declared <= limits.maxInflatedBytes, declared <= limits.maxBinaryBytes else {
            throw ETFError(
                .badCompression, offset: tagOffset, tag: tag,
                "compressed term declares \(declared) bytes, more than maxInflatedBytes (\(limits.maxInflatedBytes))")
        }
        let dataStart = tagOffset + 5
        let compressed = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        // zlib never expands more than ~1032:1; a declaration beyond that cannot be honest, so refuse it before
        // allocating the output buffer.
        let (maxRatioSize, overflow) = compressed.count.multipliedReportingOverflow(by: 1032)
        guard overflow || declared <= maxRatioSize &+ 64 else {
            throw ETFError(
                .badCompression, offset: tagOffset, tag: tag,
                "compressed term declares \(declared) bytes, impossible from \(compressed.count) compressed bytes")
        }
        guard declared > 0 else {
            throw ETFError(.badCompression, offset: tagOffset, tag: tag, "compressed term declares 0 bytes")
        }
        let (inflated, consumed) = try Zlib.inflate(compressed, exactSize: declared, errorOffset: tagOffset)
        return (inflated, dataStart + consumed)
    }

    /// A COMPRESSED term (its tag at `tagOffset`, right after the version byte) decoded.
    private func decodeCompressed(
        _ bytes: UnsafeRawBufferPointer, at tagOffset: Int
    ) throws(ETFError) -> (term: Term, end: Int) {
        let tag = ETFTag.compressed.rawValue
        let (inflated, end) = try Self.inflateCompressed(bytes, at: tagOffset, limits: limits)
        let limits = self.limits
        let result: Result<Term, ETFError> = inflated.withUnsafeBytes { inner in
            do throws(ETFError) {
                var core = DecoderCore(buffer: inner, position: 0, limits: limits)
                let term = try core.decodeTerm()
                guard core.position == inner.count else {
                    throw ETFError(
                        .badCompression, offset: tagOffset, tag: tag,
                        "inflated term is \(core.position) bytes but \(inner.count) were declared")
                }
                return .success(term)
            } catch {
                return .failure(error)
            }
        }
        let term = try result.get()
        return (term, end)
    }
}

/// Encodes the External Term Format, emitting the tags a current OTP node emits.
///
/// The output matches `term_to_binary(T, [{minor_version, 2}])` on OTP 25 for terms OTP 25 can build (notes §7.2):
/// UTF-8 atoms (119/118), the smallest integer tag, NEW_FLOAT, STRING_EXT for byte lists, maps in stored order,
/// NEW_PID/NEW_PORT (V4_PORT for 64-bit ids)/NEWER_REFERENCE, EXPORT, and local funs echoed byte for byte.
public struct ETFEncoder: Sendable {
    /// zlib level 1...9 to compress with (tag 80), or nil for none. Compression is only used when it makes the
    /// output smaller, as `term_to_binary(T, [compressed])` does.
    public var compressionLevel: Int?
    /// Makes an encoder; `compressionLevel` nil (or 0) means no compression.
    public init(compressionLevel: Int? = nil) { self.compressionLevel = compressionLevel }

    /// Encodes `term` with the version byte 131 first.
    public func encode(_ term: Term) throws(ETFError) -> [UInt8] {
        if compressionLevel ?? 0 > 0 || Self.isLargeBinary(term) {
            var buffer: [UInt8] = []
            try encode(term, into: &buffer, versionByte: true)
            return buffer
        }
        return try ByteWriter.with(origin: 0) {
            (out: inout ByteWriter) throws(ETFError) -> [UInt8] in
            out.reserve(1)
            out.put(131)
            try EncoderCore.encode(term, into: &out)
            let bytes = out.bytes
            return [UInt8](unsafeUninitializedCapacity: bytes.count) { storage, initialized in
                if bytes.count > 0 { UnsafeMutableRawBufferPointer(storage).copyMemory(from: bytes) }
                initialized = bytes.count
            }
        }
    }

    /// Appends the encoding of `term` to `buffer`, with or without the version byte.
    ///
    /// Compression (when ``compressionLevel`` is set) applies only with the version byte, as COMPRESSED may only
    /// follow it.
    public func encode(_ term: Term, into buffer: inout [UInt8], versionByte: Bool) throws(ETFError) {
        let start = buffer.count + (versionByte ? 1 : 0)
        if case .binary = term, Self.appendLargeBinary(term, to: &buffer, versionByte: versionByte) {
            // Done: a large binary alone went straight into the buffer, not through the writer's memory.
        } else {
            try encodeWithWriter(term, into: &buffer, versionByte: versionByte)
        }
        if versionByte, let level = compressionLevel, level > 0 {
            try compress(&buffer, from: start, level: level)
        }
    }

    @inline(__always)
    private static func isLargeBinary(_ term: Term) -> Bool {
        guard case .binary = term else { return false }
        return isLargeBinarySlow(term)
    }
    @inline(never)
    private static func isLargeBinarySlow(_ term: Term) -> Bool {
        if case .binary(let bytes) = term { return bytes.count > 1024 }
        return false
    }

    /// Appends `term` if it is a binary of more than 1 KiB (and at most 4 GiB); returns whether it did.
    @inline(never)
    private static func appendLargeBinary(_ term: Term, to buffer: inout [UInt8], versionByte: Bool) -> Bool {
        guard case .binary(let bytes) = term, bytes.count > 1024, bytes.count <= Int(UInt32.max) else { return false }
        buffer.reserveCapacity(buffer.count + 6 + bytes.count)
        if versionByte { buffer.append(131) }
        buffer.append(109)
        buffer.appendBigEndian(UInt32(bytes.count))
        buffer.append(contentsOf: bytes)
        return true
    }

    @inline(__always)
    private func encodeWithWriter(_ term: Term, into buffer: inout [UInt8], versionByte: Bool) throws(ETFError) {
        try ByteWriter.with(origin: buffer.count) {
            (out: inout ByteWriter) throws(ETFError) in
            if versionByte {
                out.reserve(1)
                out.put(131)
            }
            try EncoderCore.encode(term, into: &out)
            buffer.append(contentsOf: out.bytes)
        }
    }

    @inline(never)
    private func compress(_ buffer: inout [UInt8], from start: Int, level: Int) throws(ETFError) {
        do {
            let plainSize = buffer.count - start
            guard level <= 9 else {
                throw ETFError(.unencodable, offset: 0, "compression level \(level) is outside 1...9")
            }
            // Like erts: compress into at most plainSize - 5 bytes; use it only if it fits.
            guard plainSize > 5, plainSize <= Int(UInt32.max) else { return }
            let compressed: [UInt8]? = buffer.withUnsafeBytes { all in
                Zlib.compress(UnsafeRawBufferPointer(rebasing: all[start...]), level: level, capacity: plainSize - 5)
            }
            if let compressed {
                buffer.removeSubrange(start...)
                buffer.append(ETFTag.compressed.rawValue)
                buffer.appendBigEndian(UInt32(plainSize))
                buffer.append(contentsOf: compressed)
            }
        }
    }
}

extension Term {
    /// Decodes `bytes` (version byte first) with the default limits.
    public init(etf bytes: [UInt8], limits: ETFLimits = .default) throws(ETFError) {
        self = try ETFDecoder(limits: limits).decode(bytes)
    }
    /// This term in the External Term Format, version byte first.
    public func etf(compressionLevel: Int? = nil) throws(ETFError) -> [UInt8] {
        try ETFEncoder(compressionLevel: compressionLevel).encode(self)
    }
}
