#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A small JSON document builder with stable output: no insignificant whitespace; ``object(_:)`` sorts its keys,
/// ``orderedObject(_:)`` keeps the order given.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// An object whose keys are written in the order given.
    case orderedObject([(String, JSONValue)])
    /// Already-encoded JSON (e.g. from ``TermJSON``).
    case raw(String)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    /// An array of strings.
    static func strings(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }
    /// A number, or null.
    static func optional(_ i: Int?) -> JSONValue { i.map(JSONValue.integer) ?? .null }
    /// A string, or null.
    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    /// The compact encoding.
    public var encoded: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .number(let d):
            if d.isFinite {
                out += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
            } else {
                out += "null"
            }
        case .string(let s): TermJSON.writeString(s, into: &out)
        case .raw(let r): out += r
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let o):
            JSONValue.orderedObject(o.keys.sorted().map { ($0, o[$0]!) }).write(into: &out)
        case .orderedObject(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                TermJSON.writeString(k, into: &out)
                out += ":"
                v.write(into: &out)
            }
            out += "}"
        }
    }
}

/// Encodes an object.
func jsonObject(_ fields: [String: JSONValue]) -> String { JSONValue.object(fields).encoded }

extension JSONValue {
    /// Reads a JSON document (the console's own output, for the audit log): objects as ``object(_:)``, numbers as
    /// ``number(_:)``; nil when it is not JSON. Through Foundation's `JSONDecoder` (`JSONSerialization` is not in
    /// FoundationEssentials).
    static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(Parsed.self, from: Data(text.utf8)).value
    }

    /// A value's member `key` (nil when it is not an object or has no such member).
    subscript(key: String) -> JSONValue? {
        switch self {
        case .object(let o): return o[key]
        case .orderedObject(let pairs): return pairs.first { $0.0 == key }?.1
        default: return nil
        }
    }

    /// The string, when it is one.
    var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The boolean, when it is one.
    var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The elements, when it is an array.
    var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    private struct Parsed: Decodable {
        let value: JSONValue

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                value = .null
            } else if let b = try? c.decode(Bool.self) {
                value = .bool(b)
            } else if let d = try? c.decode(Double.self) {
                value = .number(d)
            } else if let s = try? c.decode(String.self) {
                value = .string(s)
            } else if let a = try? c.decode([Parsed].self) {
                value = .array(a.map(\.value))
            } else {
                value = .object(try c.decode([String: Parsed].self).mapValues(\.value))
            }
        }
    }
}
