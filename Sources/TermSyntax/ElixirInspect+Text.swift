// Atom classification, string escaping and float formatting as Elixir 1.14 / OTP 25 do them. Ported from
// Elixir's `Macro.inspect_atom/2`, `Macro.classify_atom/1`, `String.Tokenizer.tokenize/1`,
// `Code.Identifier.escape/4`, `String.printable?/2`, `List.ascii_printable?/2` and `Inspect.Float`
// (Elixir: Copyright The Elixir Team, Apache License 2.0), and from the documented behaviour of OTP's
// `float_to_list(F, [short])` (Apache License 2.0).

// MARK: - Atoms

enum AtomClass: Equatable { case alias, identifier, unquoted, quoted }

enum ElixirAtomText {
    private static let notCallable: Set<String> = ["%", "%{}", "{}", "<<>>", "...", "..", ".", "..//", "->"]
    private static let quotedOperators: Set<String> = ["::", "^^^", "~~~", "<|>"]
    /// `Code.Identifier.unary_op/1` and `binary_op/1` (minus `//`, which `Macro.operator?/2` rejects).
    private static let operators: Set<String> = [
        "&", "!", "^", "not", "+", "-", "~~~", "@",
        "<-", "\\\\", "when", "::", "|", "=", "||", "|||", "or", "&&", "&&&", "and",
        "==", "!=", "=~", "===", "!==", "<", "<=", ">=", ">",
        "|>", "<<<", ">>>", "<~", "~>", "<<~", "~>>", "<~>", "<|>", "in", "^^^",
        "++", "--", "..", "<>", "+++", "---", "*", "/", "**", ".",
    ]

    private enum Inner { case notCallable, quotedOperator, unquotedOperator, alias, identifier, other }

    private static func innerClassify(_ name: String) -> Inner {
        if notCallable.contains(name) { return .notCallable }
        if quotedOperators.contains(name) { return .quotedOperator }
        if operators.contains(name) { return .unquotedOperator }
        let scalars = Array(name.unicodeScalars)
        if isValidAlias(scalars) { return .alias }
        guard let (kind, special) = tokenize(scalars) else { return .other }
        if kind != .identifier || special.at { return .notCallable }
        if special.nfkc { return .other }
        return .identifier
    }

    static func classify(_ name: String) -> AtomClass {
        switch innerClassify(name) {
        case .alias: return .alias
        case .identifier: return .identifier
        case .unquotedOperator, .notCallable: return .unquoted
        default: return .quoted
        }
    }

    private static func isAsciiUpper(_ c: UInt32) -> Bool { c >= 65 && c <= 90 }
    private static func isAsciiLower(_ c: UInt32) -> Bool { c >= 97 && c <= 122 }
    private static func isDigit(_ c: UInt32) -> Bool { c >= 48 && c <= 57 }

    /// `valid_alias?/1`: `Elixir` followed by `.Upper[A-Za-z0-9_]*` pieces.
    private static func isValidAlias(_ s: [Unicode.Scalar]) -> Bool {
        let prefix = Array("Elixir".unicodeScalars)
        guard s.count >= prefix.count, Array(s[0..<prefix.count]) == prefix else { return false }
        var i = prefix.count
        while i < s.count {
            guard s[i] == ".", i + 1 < s.count, isAsciiUpper(s[i + 1].value) else { return false }
            i += 2
            while i < s.count {
                let c = s[i].value
                if isAsciiLower(c) || isAsciiUpper(c) || isDigit(c) || c == 95 { i += 1 } else { break }
            }
        }
        return true
    }

    private enum Kind { case alias, identifier, atom }
    private struct Special {
        var at = false
        var nfkc = false
    }

    private static let allScripts: UInt64 = 17_592_186_044_415

    private static func classBits(_ c: UInt32) -> UInt8 {
        ElixirIdentifierTables.lookup(ElixirIdentifierTables.classes, c)
    }

    /// `codepoint_to_scriptset/1`.
    private static func scriptSet(_ c: UInt32) -> UInt64 {
        if isAsciiLower(c) || isAsciiUpper(c) { return 1 }
        if c < 128 { return allScripts }
        let ss = ElixirIdentifierTables.lookup(ElixirIdentifierTables.scriptSets, c)
        return ss == 0 ? allScripts : ss
    }

    /// `String.Tokenizer.tokenize/1` followed by `validate/2`, returning the kind only when the whole text is one
    /// token.
    private static func tokenize(_ s: [Unicode.Scalar]) -> (Kind, Special)? {
        guard let head = s.first else { return nil }
        let h = head.value
        var special = Special()
        var acc: [UInt32] = [h]
        let kind: Kind
        var asciiLetters = true
        var scripts: UInt64
        if isAsciiUpper(h) {
            kind = .alias
            scripts = 1
        } else if isAsciiLower(h) {
            kind = .identifier
            scripts = 1
        } else if h == 95 {
            kind = .identifier
            scripts = allScripts
        } else {
            asciiLetters = false
            let bits = classBits(h)
            if bits & 2 != 0 {
                kind = .atom
                scripts = scriptSet(h)
            } else if bits & 1 != 0 {
                kind = .identifier
                scripts = scriptSet(h)
            } else if h == 181 {  // µ normalises to μ
                kind = .identifier
                scripts = allScripts
                special.nfkc = true
                acc = [956]
            } else {
                return nil
            }
        }
        var i = 1
        while i < s.count {
            let c = s[i].value
            if c == 33 || c == 63 {  // ! ?
                acc.append(c)
                i += 1
                if i != s.count { return nil }
                break
            }
            if c == 64 {
                special.at = true
                acc.append(c)
                i += 1
                continue
            }
            if isAsciiLower(c) || isAsciiUpper(c) {
                scripts &= 1
            } else if c == 95 || isDigit(c) {
                // no script
            } else if c <= 127 {
                return nil
            } else if classBits(c) != 0 {
                scripts &= scriptSet(c)
                asciiLetters = false
            } else if c == 181 {
                special.nfkc = true
                asciiLetters = false
                acc.append(956)
                i += 1
                continue
            } else {
                return nil
            }
            acc.append(c)
            i += 1
        }
        if asciiLetters { return (kind, special) }
        let nfcScalars = nfc(acc)
        if nfcScalars != acc { special.nfkc = true }
        if scripts != 0 || highlyRestrictive(nfcScalars) { return (kind, special) }
        return nil
    }

    /// `:unicode.characters_to_nfc_list/1`, by the standard library. Every character that gets here is in Elixir
    /// 1.14's identifier tables, so assigned by Unicode 14, and Unicode's normalization stability makes their NFC the
    /// same in every later version. (Foundation's NFC, used before, composed wrongly after some supplementary-plane
    /// characters, `U+2003C U+0338` into `U+226E`, and left `U+0CCA U+0CD5` apart; OTP 25 does neither.)
    private static func nfc(_ scalars: [UInt32]) -> [UInt32] {
        let text = String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        text._withNFCCodeUnits { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.map(\.value)
    }

    private static func highlyRestrictive(_ acc: [UInt32]) -> Bool {
        let sets = acc.map(scriptSet)
        return [1_048_577, 65537, 67_108_865].contains { (restrictive: UInt64) in
            sets.allSatisfy { $0 & restrictive != 0 }
        }
    }

    /// `Macro.inspect_atom(:literal, atom)`.
    static func literal(_ name: String, invisibles: Bool = false) -> String {
        if name == "nil" || name == "true" || name == "false" { return name }
        switch classify(name) {
        case .alias:
            if name == "Elixir" || name == "Elixir.Elixir" || name.hasPrefix("Elixir.Elixir.") { return name }
            return String(name.dropFirst("Elixir.".count))
        case .quoted:
            return ":\"" + ElixirEscape.escape(Array(name.utf8), quote: 34, invisibles: invisibles).escaped + "\""
        default:
            return ":" + name
        }
    }

    /// `Macro.inspect_atom(:key, atom)`: the key of a keyword pair, colon included.
    static func key(_ name: String, invisibles: Bool = false) -> String {
        switch classify(name) {
        case .alias: return "\"" + name + "\":"
        case .quoted:
            return "\"" + ElixirEscape.escape(Array(name.utf8), quote: 34, invisibles: invisibles).escaped + "\":"
        default: return name + ":"
        }
    }

    /// `Macro.inspect_atom(:remote_call, atom)`: a function name after `Mod.`.
    static func remoteCall(_ name: String, invisibles: Bool = false) -> String {
        switch innerClassify(name) {
        case .identifier, .unquotedOperator, .quotedOperator: return name
        case .notCallable, .alias: return "\"" + name + "\""
        case .other:
            return "\"" + ElixirEscape.escape(Array(name.utf8), quote: 34, invisibles: invisibles).escaped + "\""
        }
    }
}

// MARK: - Escaping

enum ElixirEscape {
    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func escapeMap(_ c: UInt32) -> String? {
        switch c {
        case 7: return "\\a"
        case 8: return "\\b"
        case 127: return "\\d"
        case 27: return "\\e"
        case 12: return "\\f"
        case 10: return "\\n"
        case 13: return "\\r"
        case 9: return "\\t"
        case 11: return "\\v"
        case 92: return "\\\\"
        default: return nil
        }
    }

    /// The escapes `Inspect.Regex` uses instead of the default map.
    static func regexEscapeMap(_ c: UInt32) -> String? {
        switch c {
        case 7: return "\\a"
        case 12: return "\\f"
        case 10: return "\\n"
        case 13: return "\\r"
        case 9: return "\\t"
        case 11: return "\\v"
        default: return nil
        }
    }

    private static func hexDigits(_ value: UInt32, count: Int) -> String {
        var s = ""
        for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
            s.unicodeScalars.append(Unicode.Scalar(hex[Int((value >> UInt32(shift)) & 0xF)]))
        }
        return s
    }

    /// The characters Elixir 1.18+ shows as `\uXXXX` (code/identifier.ex v1.18.0, `escape_char/2`); before 1.18 only
    /// U+FEFF.
    static func isInvisible(_ c: UInt32) -> Bool {
        switch c {
        case 0xFEFF, 0x2061...0x2064, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFFF9...0xFFFC,
            0x200C, 0x200D, 0x034F, 0x00A0, 0x200B, 0x2060, 0x2028, 0x2029, 0x2000...0x200A, 0x205F:
            return true
        default: return false
        }
    }

    private static func escapeChar(_ c: UInt32, invisibles: Bool) -> String {
        if c == 0 { return "\\0" }
        if c == 0xFEFF || (invisibles && isInvisible(c)) { return "\\u" + hexDigits(c, count: 4) }
        if (32...126).contains(c) || (160...0xD7FF).contains(c) || (0xE000...0xFFFD).contains(c)
            || (0x10000...0x10FFFF).contains(c)
        {
            return String(Character(Unicode.Scalar(c)!))
        }
        if c < 256 { return "\\x" + hexDigits(c, count: 2) }
        if c < 65536 { return "\\x{" + hexDigits(c, count: 4) + "}" }
        return "\\x{" + hexDigits(c, count: 6) + "}"
    }

    /// Decodes one UTF-8 character as Erlang's `<<c::utf8>>` match does, or nil.
    static func decodeUTF8(_ b: [UInt8], _ i: Int) -> (UInt32, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        func cont(_ j: Int) -> UInt32? {
            guard j < b.count, b[j] & 0xC0 == 0x80 else { return nil }
            return UInt32(b[j] & 0x3F)
        }
        if b0 >= 0xC2 && b0 <= 0xDF {
            guard let c1 = cont(i + 1) else { return nil }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        }
        if b0 >= 0xE0 && b0 <= 0xEF {
            guard let c1 = cont(i + 1), let c2 = cont(i + 2) else { return nil }
            let v = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            if v < 0x800 || (0xD800...0xDFFF).contains(v) { return nil }
            return (v, 3)
        }
        if b0 >= 0xF0 && b0 <= 0xF4 {
            guard let c1 = cont(i + 1), let c2 = cont(i + 2), let c3 = cont(i + 3) else { return nil }
            let v = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            if v < 0x10000 || v > 0x10FFFF { return nil }
            return (v, 4)
        }
        return nil
    }

    /// `Code.Identifier.escape/4`: escapes at most `limit` characters; `truncated` when bytes were left over.
    static func escape(
        _ bytes: [UInt8], quote: UInt32, limit: Int? = nil, map: (UInt32) -> String? = escapeMap,
        invisibles: Bool = false
    ) -> (escaped: String, truncated: Bool) {
        var out = ""
        var count = limit ?? Int.max
        var i = 0
        while i < bytes.count {
            if count == 0 { return (out, true) }
            count = count == Int.max ? count : count - 1
            let b = bytes[i]
            if UInt32(b) == quote {
                out += "\\"
                out.unicodeScalars.append(Unicode.Scalar(b))
                i += 1
            } else if b == 35, i + 1 < bytes.count, bytes[i + 1] == 123 {
                out += "\\#{"
                i += 2
            } else if let (c, n) = decodeUTF8(bytes, i) {
                out += map(c) ?? escapeChar(c, invisibles: invisibles)
                i += n
            } else {
                out += "\\x" + hexDigits(UInt32(b), count: 2)
                i += 1
            }
        }
        return (out, false)
    }

    /// `String.printable?/2`.
    static func isPrintable(_ bytes: [UInt8], limit: Int?) -> Bool {
        var count = limit ?? Int.max
        var i = 0
        while i < bytes.count {
            if count == 0 { return true }
            let b = bytes[i]
            if (32...126).contains(b) || (7...13).contains(b) || b == 27 || b == 127 {
                i += 1
            } else if let (c, n) = decodeUTF8(bytes, i),
                (160...0xD7FF).contains(c) || (0xE000...0xFFFD).contains(c) || (0x10000...0x10FFFF).contains(c)
            {
                i += n
            } else {
                return false
            }
            if count != Int.max { count -= 1 }
        }
        return true
    }
}

// MARK: - Floats

enum ElixirFloatText {
    /// `Inspect.Float.inspect/2`.
    static func inspect(_ d: Double) -> String {
        let a = abs(d)
        if a >= 1.0 && a < 1.0e16 && d.rounded(.towardZero) == d {
            return String(Int64(d)) + ".0"
        }
        return shortest(d)
    }

    /// OTP's `float_to_list(F, [short])`: the shortest round-trip digits, written in whichever of decimal and
    /// scientific notation is shorter (decimal on a tie); always scientific outside (-2^53, 2^53).
    static func shortest(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, pointPos) = shortestDigits(abs(d))  // value = 0.d1d2... × 10^pointPos
        let sign = d < 0 ? "-" : ""
        let n = digits.count
        let exp = pointPos - 1
        var sci = String(digits.first!) + "."
        sci += n > 1 ? String(digits.dropFirst()) : "0"
        sci += "e" + String(exp)
        if abs(d) >= 9007199254740992.0 { return sign + sci }
        let fixed: String
        if pointPos <= 0 {
            fixed = "0." + String(repeating: "0", count: -pointPos) + digits
        } else if pointPos >= n {
            fixed = digits + String(repeating: "0", count: pointPos - n) + ".0"
        } else {
            let idx = digits.index(digits.startIndex, offsetBy: pointPos)
            fixed = String(digits[..<idx]) + "." + String(digits[idx...])
        }
        return sign + (fixed.utf8.count <= sci.utf8.count ? fixed : sci)
    }

    /// The shortest round-trip decimal digits of a positive finite double, from Swift's own shortest printer
    /// (which, like Ryū, picks the closest of the shortest candidates).
    static func shortestDigits(_ d: Double) -> (String, Int) {
        let desc = d.description  // e.g. "1.2345e-05", "123.456", "1e+20", "5e-324"
        var mantissa = Substring(desc)
        var exponent = 0
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = desc[..<e]
            exponent = Int(desc[desc.index(after: e)...].replacingOccurrences(plus: ()))!
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var all = String(intPart) + String(fracPart)
        var pointPos = intPart.count + exponent
        // Strip leading zeros (each moves the point left) and trailing zeros.
        while all.hasPrefix("0") && all.count > 1 {
            all.removeFirst()
            pointPos -= 1
        }
        while all.hasSuffix("0") && all.count > 1 { all.removeLast() }
        return (all, pointPos)
    }
}

extension Substring {
    fileprivate func replacingOccurrences(plus: ()) -> Substring { first == "+" ? dropFirst() : self }
}
