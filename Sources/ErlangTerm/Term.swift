/// An Erlang term, as carried by the External Term Format (ETF).
///
/// `Term` is a value type covering everything OTP 24–28 puts on the wire. Its cases are
/// canonical so that equal Erlang terms compare equal in Swift:
///
/// - integers that fit in `Int` are always ``integer(_:)``; ``bigInteger(_:)`` only holds values outside
///   `Int.min...Int.max`. Use ``Term/int(_:)`` to build either from a ``BigInt``
///   (the codec's own arbitrary-precision integer).
/// - the empty list is `.list([])` (Erlang `[]`); an improper list always has at least one element and a tail
///   that is not a list.
/// - a bitstring whose length is a whole number of bytes is a ``binary(_:)``.
/// - maps compare equal regardless of entry order, but keep the order they were decoded in
///   (see ``TermMap``).
/// - floats compare by bit pattern, as `=:=` does in OTP 27+ (`0.0` and `-0.0` differ).
///
/// See <https://www.erlang.org/doc/apps/erts/erl_ext_dist.html>.
///
/// The cases with large payloads (big integers, pids, ports, references, export funs) are `indirect`, so that a
/// `Term` is 24 bytes (an atom's `String` plus a tag) and arrays of terms stay compact.
public enum Term: Sendable {
    /// An atom, such as `ok`, `true`, `nil` or `'Elixir.MyApp.Stats'`.
    case atom(Atom)
    /// An integer in `Int.min...Int.max`.
    case integer(Int)
    /// An integer outside `Int.min...Int.max` (SMALL_BIG_EXT / LARGE_BIG_EXT on the wire).
    indirect case bigInteger(BigInt)
    /// A 64-bit IEEE 754 float (NEW_FLOAT_EXT). Never NaN or infinite.
    case float(Double)
    /// A binary: a whole number of bytes. Elixir strings are binaries.
    case binary([UInt8])
    /// A bitstring whose last byte holds `bitsInLastByte` (1...7) significant high bits; unused low bits are zero.
    case bitstring([UInt8], bitsInLastByte: UInt8)
    /// A tuple.
    case tuple([Term])
    /// A proper list; `.list([])` is the empty list `[]` (NIL_EXT).
    case list([Term])
    /// An improper list `[e1, e2 | tail]`: `elements` is non-empty and `tail` is not a list.
    indirect case improperList([Term], tail: Term)
    /// A map. Order is kept as decoded but ignored by equality.
    case map(TermMap)
    /// A process identifier.
    indirect case pid(Pid)
    /// A port identifier.
    indirect case port(ErlangPort)
    /// A reference.
    indirect case reference(Reference)
    /// An external fun `fun Module:Function/Arity` (EXPORT_EXT).
    indirect case exportFun(ExportFun)
    /// A local fun (NEW_FUN_EXT), kept opaque so that it can be sent back unchanged.
    indirect case localFun(LocalFun)
}

// MARK: - Component types

/// An atom name. At most 255 characters; any Unicode text.
public struct Atom: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The atom's text.
    public let name: String

    /// Makes an atom. The caller is responsible for the 255-character limit; the encoder checks it.
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }
    public static func < (lhs: Atom, rhs: Atom) -> Bool {
        // Erlang compares atoms by their text, code point by code point.
        lhs.name.unicodeScalars.lexicographicallyPrecedes(rhs.name.unicodeScalars)
    }

    public static let ok: Atom = "ok"
    public static let error: Atom = "error"
    public static let `true`: Atom = "true"
    public static let `false`: Atom = "false"
    public static let `nil`: Atom = "nil"
    public static let undefined: Atom = "undefined"
}

/// A process identifier: `<0.123.0>` locally, `#PID<1.123.0>` from another node.
public struct Pid: Hashable, Sendable {
    public var node: Atom
    public var id: UInt32
    public var serial: UInt32
    public var creation: UInt32
    public init(node: Atom, id: UInt32, serial: UInt32, creation: UInt32) {
        self.node = node; self.id = id; self.serial = serial; self.creation = creation
    }
}

/// A port identifier (`#Port<0.7>`). Ids are 64-bit since OTP 24 (V4_PORT_EXT).
public struct ErlangPort: Hashable, Sendable {
    public var node: Atom
    public var id: UInt64
    public var creation: UInt32
    public init(node: Atom, id: UInt64, creation: UInt32) {
        self.node = node; self.id = id; self.creation = creation
    }
}

/// A reference (`#Reference<0.1.2.3>`), made of 1 to 5 32-bit words (NEWER_REFERENCE_EXT).
public struct Reference: Hashable, Sendable {
    public var node: Atom
    public var creation: UInt32
    /// The id words in wire order (the first word is the least significant when printed last).
    public var ids: [UInt32]
    public init(node: Atom, creation: UInt32, ids: [UInt32]) {
        self.node = node; self.creation = creation; self.ids = ids
    }
}

/// `fun Module:Function/Arity`.
public struct ExportFun: Hashable, Sendable {
    public var module: Atom
    public var function: Atom
    public var arity: UInt8
    public init(module: Atom, function: Atom, arity: UInt8) {
        self.module = module; self.function = function; self.arity = arity
    }
}

/// A local fun (NEW_FUN_EXT). The decoded fields are for display; ``encoded`` holds the exact bytes from the tag
/// byte (112) onward, which the encoder writes back unchanged. Never construct one by hand.
public struct LocalFun: Hashable, Sendable {
    public var arity: UInt8
    public var uniq: [UInt8]  // 16 bytes, MD5 of the module's code
    public var index: UInt32
    public var module: Atom
    public var oldIndex: Term
    public var oldUniq: Term
    public var pid: Term
    public var freeVariables: [Term]
    /// The complete encoding, tag byte included.
    public var encoded: [UInt8]
    public init(
        arity: UInt8, uniq: [UInt8], index: UInt32, module: Atom, oldIndex: Term, oldUniq: Term, pid: Term,
        freeVariables: [Term], encoded: [UInt8]
    ) {
        self.arity = arity; self.uniq = uniq; self.index = index; self.module = module
        self.oldIndex = oldIndex; self.oldUniq = oldUniq; self.pid = pid
        self.freeVariables = freeVariables; self.encoded = encoded
    }
    public static func == (lhs: LocalFun, rhs: LocalFun) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

/// The entries of an Erlang map, in the order they were decoded or built.
/// Equality and hashing ignore order; keys are unique.
public struct TermMap: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: Term, value: Term)
    /// The entries, in insertion/decoding order.
    public private(set) var entries: [Element]

    public init() { entries = [] }
    /// Builds a map from entries. A later duplicate key replaces the earlier value.
    public init(_ pairs: [(Term, Term)]) {
        entries = []
        entries.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }
    /// Builds a map from entries already known to have unique keys (no checks).
    public init(uniqueEntries: [Element]) { entries = uniqueEntries }
    public init(dictionaryLiteral elements: (Term, Term)...) { self.init(elements) }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    /// The value for `key`, or nil.
    public subscript(key: Term) -> Term? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }
    public subscript(atom: Atom) -> Term? { self[.atom(atom)] }

    public static func == (lhs: TermMap, rhs: TermMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count <= 8 {
            for (k, v) in lhs.entries where rhs[k] != v { return false }
            return true
        }
        var index: [Term: Term] = [:]
        index.reserveCapacity(rhs.count)
        for (k, v) in rhs.entries { index[k] = v }
        for (k, v) in lhs.entries where index[k] != v { return false }
        return true
    }
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (k, v) in entries {
            var h = Hasher()
            h.combine(k)
            h.combine(v)
            combined = combined &+ h.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
}

// MARK: - Equality

extension Term: Hashable {
    public static func == (lhs: Term, rhs: Term) -> Bool {
        switch (lhs, rhs) {
        case let (.atom(a), .atom(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.bigInteger(a), .bigInteger(b)): return a == b
        case let (.float(a), .float(b)): return a.bitPattern == b.bitPattern
        case let (.binary(a), .binary(b)): return a == b
        case let (.bitstring(a, x), .bitstring(b, y)): return x == y && a == b
        case let (.tuple(a), .tuple(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.improperList(a, t), .improperList(b, u)): return a == b && t == u
        case let (.map(a), .map(b)): return a == b
        case let (.pid(a), .pid(b)): return a == b
        case let (.port(a), .port(b)): return a == b
        case let (.reference(a), .reference(b)): return a == b
        case let (.exportFun(a), .exportFun(b)): return a == b
        case let (.localFun(a), .localFun(b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .atom(let a): hasher.combine(0); hasher.combine(a)
        case .integer(let i): hasher.combine(1); hasher.combine(i)
        case .bigInteger(let b): hasher.combine(2); hasher.combine(b)
        case .float(let d): hasher.combine(3); hasher.combine(d.bitPattern)
        case .binary(let b): hasher.combine(4); hasher.combine(b)
        case .bitstring(let b, let n): hasher.combine(5); hasher.combine(b); hasher.combine(n)
        case .tuple(let t): hasher.combine(6); hasher.combine(t)
        case .list(let l): hasher.combine(7); hasher.combine(l)
        case .improperList(let l, let t): hasher.combine(8); hasher.combine(l); hasher.combine(t)
        case .map(let m): hasher.combine(9); hasher.combine(m)
        case .pid(let p): hasher.combine(10); hasher.combine(p)
        case .port(let p): hasher.combine(11); hasher.combine(p)
        case .reference(let r): hasher.combine(12); hasher.combine(r)
        case .exportFun(let f): hasher.combine(13); hasher.combine(f)
        case .localFun(let f): hasher.combine(14); hasher.combine(f)
        }
    }
}
