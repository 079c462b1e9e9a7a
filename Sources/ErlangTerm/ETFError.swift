/// A failure to decode or encode the External Term Format.
///
/// `code` is stable and can be switched on; `offset` is the byte offset (from the start of the input, version byte
/// included) where the problem was found, and `tag` the tag byte being decoded there, if any.
public struct ETFError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input ended before a declared length or a fixed-size field.
        public static let truncated = Code("truncated")
        /// The input did not start with the version byte 131.
        public static let badVersion = Code("bad_version")
        /// A tag this decoder does not know or does not accept (ATOM_CACHE_REF outside a dist header, FUN_EXT, LOCAL_EXT).
        public static let unsupportedTag = Code("unsupported_tag")
        /// A value is malformed (invalid UTF-8 in an atom, bit count out of 1...8, duplicate map key, ...).
        public static let invalidValue = Code("invalid_value")
        /// Nesting deeper than ``ETFLimits/maxDepth``.
        public static let tooDeep = Code("too_deep")
        /// More than ``ETFLimits/maxTerms`` terms, or a length past ``ETFLimits/maxBinaryBytes``.
        public static let tooLarge = Code("too_large")
        /// A big integer longer than ``ETFLimits/maxBigIntegerBytes``.
        public static let bigIntegerTooLarge = Code("big_integer_too_large")
        /// An atom longer than 255 characters.
        public static let atomTooLong = Code("atom_too_long")
        /// A compressed term that does not inflate to exactly its declared size, or declares too much.
        public static let badCompression = Code("bad_compression")
        /// Bytes left over after the term, when the caller asked for none.
        public static let trailingBytes = Code("trailing_bytes")
        /// Encoding: a value that has no ETF form (NaN, an atom over 255 characters, an out-of-range field).
        public static let unencodable = Code("unencodable")
    }

    public var code: Code
    /// Byte offset in the input where the problem was found.
    public var offset: Int
    /// The tag byte being decoded, if any.
    public var tag: UInt8?
    /// A human-readable explanation (never contains input bytes beyond a few tag values).
    public var message: String

    public init(_ code: Code, offset: Int, tag: UInt8? = nil, _ message: String) {
        self.code = code; self.offset = offset; self.tag = tag; self.message = message
    }

    public var description: String {
        if let tag { return "\(message) (at byte \(offset), tag \(tag) \(ETFTag.name(of: tag)))" }
        return "\(message) (at byte \(offset))"
    }
}
