/// The tag bytes of the External Term Format.
/// See <https://www.erlang.org/doc/apps/erts/erl_ext_dist.html>.
public enum ETFTag: UInt8, Sendable, CaseIterable {
    /// Prefix of a standalone term.
    case version = 131
    /// `80, UncompressedSize:u32, zlib data` — only right after the version byte.
    case compressed = 80
    case smallInteger = 97  // u8
    case integer = 98  // i32
    case smallBig = 110  // n:u8, sign:u8, n bytes little-endian
    case largeBig = 111  // n:u32, sign:u8, n bytes little-endian
    case newFloat = 70  // IEEE 754 double
    case float = 99  // legacy: 31-byte "%.20e" string
    case atomUTF8 = 118  // len:u16, utf8
    case smallAtomUTF8 = 119  // len:u8, utf8
    case atom = 100  // deprecated: len:u16, latin1
    case smallAtom = 115  // deprecated: len:u8, latin1
    case atomCacheRef = 82  // only inside dist headers; rejected here
    case smallTuple = 104  // arity:u8
    case largeTuple = 105  // arity:u32
    case `nil` = 106
    case string = 107  // len:u16, bytes
    case list = 108  // len:u32, elements, tail
    case binary = 109  // len:u32, bytes
    case bitBinary = 77  // len:u32, bits:u8, bytes
    case map = 116  // arity:u32, key/value pairs
    case newPid = 88  // node, id:u32, serial:u32, creation:u32
    case pid = 103  // legacy: node, id:u32, serial:u32, creation:u8
    case newPort = 89  // node, id:u32, creation:u32
    case v4Port = 120  // node, id:u64, creation:u32
    case port = 102  // legacy: node, id:u32, creation:u8
    case newerReference = 90  // len:u16, node, creation:u32, len × u32
    case newReference = 114  // legacy: len:u16, node, creation:u8, len × u32
    case reference = 101  // deprecated: node, id:u32, creation:u8
    case export = 113  // module, function, arity
    case newFun = 112  // size:u32, ...
    case fun = 117  // removed in OTP 23; rejected
    case local = 121  // LOCAL_EXT (OTP 26+); cannot be decoded outside its node; rejected

    /// The tag's name as in the OTP documentation (`SMALL_TUPLE_EXT`), or `unknown` for an unknown byte.
    public static func name(of byte: UInt8) -> String {
        guard let tag = ETFTag(rawValue: byte) else { return "unknown" }
        switch tag {
        case .version: return "VERSION"
        case .compressed: return "COMPRESSED"
        case .smallInteger: return "SMALL_INTEGER_EXT"
        case .integer: return "INTEGER_EXT"
        case .smallBig: return "SMALL_BIG_EXT"
        case .largeBig: return "LARGE_BIG_EXT"
        case .newFloat: return "NEW_FLOAT_EXT"
        case .float: return "FLOAT_EXT"
        case .atomUTF8: return "ATOM_UTF8_EXT"
        case .smallAtomUTF8: return "SMALL_ATOM_UTF8_EXT"
        case .atom: return "ATOM_EXT"
        case .smallAtom: return "SMALL_ATOM_EXT"
        case .atomCacheRef: return "ATOM_CACHE_REF"
        case .smallTuple: return "SMALL_TUPLE_EXT"
        case .largeTuple: return "LARGE_TUPLE_EXT"
        case .nil: return "NIL_EXT"
        case .string: return "STRING_EXT"
        case .list: return "LIST_EXT"
        case .binary: return "BINARY_EXT"
        case .bitBinary: return "BIT_BINARY_EXT"
        case .map: return "MAP_EXT"
        case .newPid: return "NEW_PID_EXT"
        case .pid: return "PID_EXT"
        case .newPort: return "NEW_PORT_EXT"
        case .v4Port: return "V4_PORT_EXT"
        case .port: return "PORT_EXT"
        case .newerReference: return "NEWER_REFERENCE_EXT"
        case .newReference: return "NEW_REFERENCE_EXT"
        case .reference: return "REFERENCE_EXT"
        case .export: return "EXPORT_EXT"
        case .newFun: return "NEW_FUN_EXT"
        case .fun: return "FUN_EXT"
        case .local: return "LOCAL_EXT"
        }
    }
}
