// MARK: - Literals

/// A string literal makes an **atom**: `let t: Term = "ok"` is `:ok`. Use ``Term/string(_:)`` for an Elixir string
/// (a UTF-8 binary) and ``Term/charlist(_:)`` for an Erlang string.
extension Term: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .atom(Atom(value)) }
}

extension Term: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .integer(value) }
}

extension Term: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .float(value) }
}

extension Term: ExpressibleByBooleanLiteral {
    /// `true`/`false` are the atoms `true`/`false`.
    public init(booleanLiteral value: Bool) { self = .atom(value ? .true : .false) }
}

/// An array literal makes a proper list.
extension Term: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Term...) { self = .list(elements) }
}

/// A dictionary literal makes a map (entry order kept).
extension Term: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Term, Term)...) { self = .map(TermMap(elements)) }
}

// MARK: - Constructors

extension Term {
    /// The empty list `[]`.
    public static let emptyList: Term = .list([])
    /// The atom `ok`.
    public static let ok: Term = .atom(.ok)
    /// The atom `nil` (Elixir's `nil`).
    public static let `nil`: Term = .atom(.nil)

    /// An Elixir string: the UTF-8 bytes of `s` as a binary.
    public static func string(_ s: String) -> Term { .binary(Array(s.utf8)) }
    /// An Erlang string (charlist): a list of the code points of `s`.
    public static func charlist(_ s: String) -> Term { .list(s.unicodeScalars.map { .integer(Int($0.value)) }) }
    /// An atom.
    public static func atom(_ name: String) -> Term { .atom(Atom(name)) }
    /// An integer of any size, in canonical form (``integer(_:)`` when it fits in `Int`).
    public static func int(_ value: BigInt) -> Term {
        if let small = Int(exactly: value) { return .integer(small) }
        return .bigInteger(value)
    }
    /// A tuple from a variadic list: `Term.tuple("ok", 1)`.
    public static func tuple(_ elements: Term...) -> Term { .tuple(elements) }
    /// A list with a tail. Normalises: an empty `elements` gives `tail`, and a list tail is flattened.
    public static func list(_ elements: [Term], tail: Term) -> Term {
        switch tail {
        case .list(let rest): return .list(elements + rest)
        case .improperList(let rest, let t): return elements.isEmpty ? tail : .improperList(elements + rest, tail: t)
        default: return elements.isEmpty ? tail : .improperList(elements, tail: tail)
        }
    }
    /// An Elixir keyword list `[key: value, ...]`.
    public static func keywordList(_ pairs: KeyValuePairs<String, Term>) -> Term {
        .list(pairs.map { .tuple([.atom(Atom($0.key)), $0.value]) })
    }
    /// A bitstring of `bitCount` bits taken from the high end of `bytes`. Canonicalises: whole bytes give a binary,
    /// unused low bits are cleared.
    public static func bits(_ bytes: [UInt8], bitCount: Int) -> Term {
        precondition(bitCount >= 0 && bitCount <= bytes.count * 8, "bitCount out of range")
        let whole = bitCount / 8, rest = bitCount % 8
        if rest == 0 { return .binary(Array(bytes.prefix(whole))) }
        var out = Array(bytes.prefix(whole + 1))
        out[whole] &= UInt8(truncatingIfNeeded: 0xFF << (8 - rest))
        return .bitstring(out, bitsInLastByte: UInt8(rest))
    }
}

// MARK: - Conversions and matching helpers

extension Term {
    /// The atom, if this is one.
    public var atomValue: Atom? { if case .atom(let a) = self { return a }; return nil }
    /// The atom's name, if this is an atom.
    public var atomName: String? { atomValue?.name }
    /// The integer, if this is one that fits in `Int`.
    public var intValue: Int? { if case .integer(let i) = self { return i }; return nil }
    /// Any integer, as a ``BigInt``.
    public var bigIntValue: BigInt? {
        switch self {
        case .integer(let i): return BigInt(i)
        case .bigInteger(let b): return b
        default: return nil
        }
    }
    /// The float, if this is one.
    public var doubleValue: Double? { if case .float(let d) = self { return d }; return nil }
    /// `true`/`false` for the atoms `true`/`false`.
    public var boolValue: Bool? {
        switch self {
        case .atom(.true): return true
        case .atom(.false): return false
        default: return nil
        }
    }
    /// The bytes of a binary.
    public var binaryValue: [UInt8]? { if case .binary(let b) = self { return b }; return nil }
    /// A binary decoded as UTF-8 (nil if not a binary or not valid UTF-8), or a charlist of valid code points.
    public var stringValue: String? {
        switch self {
        case .binary(let b): return String(validating: b, as: UTF8.self)
        case .list(let elements):
            var s = String.UnicodeScalarView()
            for e in elements {
                guard case .integer(let i) = e, let u32 = UInt32(exactly: i), let scalar = Unicode.Scalar(u32) else {
                    return nil
                }
                s.append(scalar)
            }
            return String(s)
        default: return nil
        }
    }
    /// The elements of a tuple.
    public var tupleElements: [Term]? { if case .tuple(let t) = self { return t }; return nil }
    /// The elements of a proper list.
    public var listElements: [Term]? { if case .list(let l) = self { return l }; return nil }
    /// The map, if this is one.
    public var mapValue: TermMap? { if case .map(let m) = self { return m }; return nil }
    /// The pid, if this is one.
    public var pidValue: Pid? { if case .pid(let p) = self { return p }; return nil }
    /// The reference, if this is one.
    public var referenceValue: Reference? { if case .reference(let r) = self { return r }; return nil }

    /// Whether this is the atom `name`.
    public func isAtom(_ name: String) -> Bool { atomValue?.name == name }

    /// Matches a tuple whose first element is the atom `tag`, returning the other elements:
    /// `if let [reason] = term.tagged("error") { ... }`.
    public func tagged(_ tag: String) -> [Term]? {
        guard case .tuple(let t) = self, let first = t.first, first.isAtom(tag) else { return nil }
        return Array(t.dropFirst())
    }

    /// An Elixir keyword list as ordered pairs, if this is one (`[{atom, term}, ...]`).
    public var keywordPairs: [(Atom, Term)]? {
        guard case .list(let l) = self else { return nil }
        var out: [(Atom, Term)] = []
        out.reserveCapacity(l.count)
        for e in l {
            guard case .tuple(let t) = e, t.count == 2, case .atom(let k) = t[0] else { return nil }
            out.append((k, t[1]))
        }
        return out
    }
}

/// Types that convert to a ``Term``.
public protocol TermConvertible {
    /// This value as a term.
    var term: Term { get }
}

extension Int: TermConvertible { public var term: Term { .integer(self) } }
extension Double: TermConvertible { public var term: Term { .float(self) } }
extension Bool: TermConvertible { public var term: Term { .atom(self ? .true : .false) } }
/// A Swift `String` converts to an Elixir string (a UTF-8 binary).
extension String: TermConvertible { public var term: Term { .string(self) } }
extension Atom: TermConvertible { public var term: Term { .atom(self) } }
extension BigInt: TermConvertible { public var term: Term { .int(self) } }
extension Array: TermConvertible where Element: TermConvertible { public var term: Term { .list(map(\.term)) } }
extension Optional: TermConvertible where Wrapped: TermConvertible {
    /// `nil` converts to the atom `nil`.
    public var term: Term { self?.term ?? .nil }
}
extension Term: TermConvertible { public var term: Term { self } }
