import ErlangTerm

/// Converts terms to JSON the way Elixir's Jason does: only terms that have a natural JSON form.
///
/// | Term | JSON |
/// |---|---|
/// | integer, big integer, float | number |
/// | `true` / `false` | boolean |
/// | `nil` / `null` | `null` |
/// | other atoms | string (the atom's name; module aliases without `Elixir.`) |
/// | binary (valid UTF-8) | string |
/// | proper list | array |
/// | map whose keys are atoms, strings or numbers | object (keys as strings) |
///
/// Tuples, pids, ports, references, funs, bitstrings and non-UTF-8 binaries have no JSON form and raise
/// ``TermJSONError`` naming the path of the first such value.
public enum TermJSON {
    /// Encodes `term` as compact JSON.
    public static func encode(_ term: Term) throws(TermJSONError) -> String {
        var out = ""
        try write(term, path: "$", into: &out, depth: 0)
        return out
    }

    private static func write(_ term: Term, path: String, into out: inout String, depth: Int) throws(TermJSONError) {
        guard depth < 1_000 else { throw TermJSONError(path: path, reason: "nested too deeply") }
        switch term {
        case .integer(let i): out += String(i)
        case .bigInteger(let b): out += String(b)
        case .float(let d): out += jsonNumber(d)
        case .atom(.true): out += "true"
        case .atom(.false): out += "false"
        case .atom(.nil), .atom("null"): out += "null"
        case .atom(let a): writeString(displayAtom(a), into: &out)
        case .binary(let bytes):
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw TermJSONError(path: path, reason: "binary is not valid UTF-8")
            }
            writeString(s, into: &out)
        case .list(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += "," }
                try write(e, path: "\(path)[\(i)]", into: &out, depth: depth + 1)
            }
            out += "]"
        case .map(let map):
            out += "{"
            for (i, (k, v)) in map.enumerated() {
                if i > 0 { out += "," }
                let key: String
                switch k {
                case .atom(let a): key = displayAtom(a)
                case .binary(let b):
                    guard let s = String(validating: b, as: UTF8.self) else {
                        throw TermJSONError(path: path, reason: "map key is not valid UTF-8")
                    }
                    key = s
                case .integer(let n): key = String(n)
                case .bigInteger(let n): key = String(n)
                case .float(let d): key = jsonNumber(d)
                default: throw TermJSONError(path: path, reason: "map key \(kind(k)) has no JSON form")
                }
                writeString(key, into: &out)
                out += ":"
                try write(v, path: "\(path).\(key)", into: &out, depth: depth + 1)
            }
            out += "}"
        default:
            throw TermJSONError(path: path, reason: "\(kind(term)) has no JSON form")
        }
    }

    /// `Elixir.Foo.Bar` → `Foo.Bar`; other atoms unchanged.
    static func displayAtom(_ a: Atom) -> String {
        a.name.hasPrefix("Elixir.") ? String(a.name.dropFirst(7)) : a.name
    }

    static func jsonNumber(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(format1: d) }
        return "\(d)"
    }

    /// Appends `s` as a JSON string literal.
    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        // Most strings (node names, rendered results) need no escape: append them whole.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    static func kind(_ t: Term) -> String {
        switch t {
        case .atom: return "atom"
        case .integer, .bigInteger: return "integer"
        case .float: return "float"
        case .binary: return "binary"
        case .bitstring: return "bitstring"
        case .tuple: return "tuple"
        case .list: return "list"
        case .improperList: return "improper list"
        case .map: return "map"
        case .pid: return "pid"
        case .port: return "port"
        case .reference: return "reference"
        case .exportFun, .localFun: return "fun"
        }
    }
}

extension String {
    /// A whole-valued double as JSON (`3.0`).
    fileprivate init(format1 d: Double) {
        self = String(Int64(d)) + ".0"
    }
}

/// A term that has no JSON form.
public struct TermJSONError: Error, Sendable, CustomStringConvertible {
    /// JSONPath-like location of the offending value (`$.a[2]`).
    public var path: String
    public var reason: String
    public var description: String { "\(reason) at \(path)" }
}
