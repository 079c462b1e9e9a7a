// API skeleton — the codec owner replaces the bodies (and may split this file).

/// Bounds applied while decoding untrusted bytes. Every limit is checked before allocating.
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

    public init() {}
    /// The defaults.
    public static let `default` = ETFLimits()
}

/// Decodes the External Term Format.
public struct ETFDecoder: Sendable {
    public var limits: ETFLimits
    public init(limits: ETFLimits = .default) { self.limits = limits }

    /// Decodes one term that starts with the version byte 131 (and may be compressed) and fills `bytes` exactly.
    public func decode(_ bytes: [UInt8]) throws(ETFError) -> Term {
        fatalError("unimplemented")
    }

    /// Decodes one term from `bytes` starting at `offset`. With `versionByte` true the term must start with 131.
    /// Returns the term and the offset just past it (for frames that hold several terms back to back).
    public func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, versionByte: Bool
    ) throws(ETFError) -> (term: Term, end: Int) {
        fatalError("unimplemented")
    }
}

/// Encodes the External Term Format, emitting the tags a current OTP node emits.
public struct ETFEncoder: Sendable {
    /// zlib level 1...9 to compress with (tag 80), or nil for none. Compression is only used when it makes the
    /// output smaller, as `term_to_binary(T, [compressed])` does.
    public var compressionLevel: Int?
    public init(compressionLevel: Int? = nil) { self.compressionLevel = compressionLevel }

    /// Encodes `term` with the version byte 131 first.
    public func encode(_ term: Term) throws(ETFError) -> [UInt8] {
        fatalError("unimplemented")
    }

    /// Appends the encoding of `term` to `buffer`, with or without the version byte.
    public func encode(_ term: Term, into buffer: inout [UInt8], versionByte: Bool) throws(ETFError) {
        fatalError("unimplemented")
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
