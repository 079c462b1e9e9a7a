// `io_lib:write/2` (`~w`) and the pieces `~p` shares with it: atoms, strings, floats, binaries, pids, ports,
// references, funs and map order. Ported from OTP 25 (stdlib 4.2) `io_lib.erl` and `io_lib_format.erl`,
// Copyright Ericsson AB, Apache License 2.0.

import ErlangTerm

/// `io_lib:write1/3` and its helpers.
struct ErlangWriter {
    let options: ErlangFormatOptions

    init(options: ErlangFormatOptions) { self.options = options }

    // MARK: - write1

    /// `write1(Term, D, Enc)`: depth `d` is -1 for unlimited.
    func write(_ term: Term, depth d: Int, into out: inout String) {
        if d == 0 {
            out += "..."
            return
        }
        switch term {
        case .integer(let i): out += String(i)
        case .bigInteger(let b): out += b.description
        case .float(let f): Self.writeFloat(f, into: &out)
        case .atom(let a): Self.writeAtom(a, unicode: options.unicode, otp: options.profile.otp, into: &out)
        case .port(let p): writePort(p, into: &out)
        case .pid(let p): writePid(p, into: &out)
        case .reference(let r): writeReference(r, into: &out)
        case .binary(let bytes):
            Self.writeBinary(bytes, bitsInLastByte: 8, depth: d, into: &out)
        case .bitstring(let bytes, let bits):
            Self.writeBinary(bytes, bitsInLastByte: Int(bits), depth: d, into: &out)
        case .list(let elements):
            if elements.isEmpty {
                out += "[]"
            } else {
                writeList(elements, tail: nil, depth: d, into: &out)
            }
        case .improperList(let elements, let tail):
            writeList(elements, tail: tail, depth: d, into: &out)
        case .exportFun(let f): Self.writeExportFun(f, into: &out)
        case .localFun(let f): Self.writeLocalFun(f, into: &out)
        case .map(let m): writeMap(m, depth: d, into: &out)
        case .tuple(let elements):
            if elements.isEmpty {
                out += "{}"
            } else if d == 1 {
                out += "{...}"
            } else {
                out += "{"
                write(elements[0], depth: d - 1, into: &out)
                // write_tuple(T, 2, D - 1)
                var dd = d - 1
                for e in elements.dropFirst() {
                    if dd == 1 {
                        out += ",..."
                        break
                    }
                    out += ","
                    write(e, depth: dd - 1, into: &out)
                    dd -= 1
                }
                out += "}"
            }
        }
    }

    private func writeList(_ elements: [Term], tail: Term?, depth d: Int, into out: inout String) {
        if d == 1 {
            out += "[...]"
            return
        }
        out += "["
        write(elements[0], depth: d - 1, into: &out)
        // write_tail(T, D - 1)
        var dd = d - 1
        var i = 1
        while true {
            if i == elements.count && tail == nil { break }
            if dd == 1 {
                out += "|..."
                break
            }
            if i < elements.count {
                out += ","
                write(elements[i], depth: dd - 1, into: &out)
                dd -= 1
                i += 1
            } else {
                out += "|"
                write(tail!, depth: dd - 1, into: &out)
                break
            }
        }
        out += "]"
    }

    private func writeMap(_ map: TermMap, depth d: Int, into out: inout String) {
        if d == 1 {
            out += "#{}"
            return
        }
        let entries = Self.orderedEntries(map, order: options.mapOrder.resolved(for: options.profile))
        guard let first = entries.first else {
            out += "#{}"
            return
        }
        let d0 = d - 1
        out += "#{"
        write(first.key, depth: d0, into: &out)
        out += " => "
        write(first.value, depth: d0, into: &out)
        // write_map_body(NextI, D0, D0)
        var dd = d0
        var i = 1
        while true {
            if dd == 1 {
                out += ",..."
                break
            }
            guard i < entries.count else { break }
            out += ","
            write(entries[i].key, depth: d0, into: &out)
            out += " => "
            write(entries[i].value, depth: d0, into: &out)
            dd -= 1
            i += 1
        }
        out += "}"
    }

    // MARK: - Pids, ports, references, funs

    func nodeNumber(_ node: Atom) -> Int {
        if node == options.localNode { return 0 }
        return options.nodeNumbers[node] ?? options.defaultRemoteNodeNumber
    }

    /// `pid_to_list/1`: `<0.80.0>`.
    func writePid(_ p: Pid, into out: inout String) {
        out += "<\(nodeNumber(p.node)).\(p.id).\(p.serial)>"
    }

    /// `port_to_list/1`: `#Port<0.7>`.
    func writePort(_ p: ErlangPort, into out: inout String) {
        out += "#Port<\(nodeNumber(p.node)).\(p.id)>"
    }

    /// `ref_to_list/1`: `#Ref<0.3.2.1>`, most significant word first (the reverse of wire order).
    func writeReference(_ r: Reference, into out: inout String) {
        out += "#Ref<\(nodeNumber(r.node))"
        for id in r.ids.reversed() { out += ".\(id)" }
        out += ">"
    }

    /// `fun_to_list/1` of an external fun: `fun lists:map/2`, the atoms as the emulator prints them
    /// (see ``writeAtomAsEmulator(_:into:)``).
    static func writeExportFun(_ f: ExportFun, into out: inout String) {
        out += "fun "
        writeAtomAsEmulator(f.module, into: &out)
        out += ":"
        writeAtomAsEmulator(f.function, into: &out)
        out += "/\(f.arity)"
    }

    /// `print_atom_name()` in erts `erl_printf_term.c`, which `fun_to_list/1` uses: no reserved words, Latin-1
    /// letters judged on the UTF-8 bytes, and the UTF-8 bytes written out one character each (so `café` shows as
    /// `cafÃ©`, as OTP 25 prints it).
    static func writeAtomAsEmulator(_ atom: Atom, into out: inout String) {
        let s = Array(atom.name.utf8)
        if s.isEmpty {
            out += "''"
            return
        }
        func latin1Char(_ i: Int) -> Int {
            let c1 = Int(s[i])
            let c2 = i + 1 < s.count ? Int(s[i + 1]) : 0
            if c1 & 0x80 == 0 { return c1 }
            if c1 & 0xE0 == 0xC0 { return (c1 & 0x1F) << 6 | (c2 & 0x3F) }
            if c1 & 0xC0 == 0x80 { return 0x61 }
            return 0
        }
        func isLower(_ c: Int) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 223 && c <= 255 && c != 247) }
        func isAlnum(_ c: Int) -> Bool {
            isLower(c) || (c >= 0x41 && c <= 0x5A) || (c >= 192 && c <= 222 && c != 215) || (c >= 0x30 && c <= 0x39)
        }
        var needQuote = !isLower(latin1Char(0))
        if !needQuote {
            for i in 1..<s.count where !(isAlnum(latin1Char(i)) || latin1Char(i) == 0x5F) {
                needQuote = true
                break
            }
        }
        if needQuote { out += "'" }
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x08: out += "\\b"
            case 0x0B: out += "\\v"
            case 0..<0x20:
                out += "\\" + octal3(UInt32(c))
            case 0xC2 where i + 1 < s.count && s[i + 1] < 0xA0:
                out += "\\" + octal3(UInt32(s[i + 1]))
                i += 1
            default:
                out.unicodeScalars.append(Unicode.Scalar(c))
            }
            i += 1
        }
        if needQuote { out += "'" }
    }

    private static func octal3(_ c: UInt32) -> String {
        let o = String(c, radix: 8)
        return String(repeating: "0", count: max(0, 3 - o.count)) + o
    }

    /// `fun_to_list/1` of a local fun: `#Fun<Module.OldIndex.OldUniq>`, the module unquoted.
    static func writeLocalFun(_ f: LocalFun, into out: inout String) {
        func number(_ t: Term, _ fallback: String) -> String {
            switch t {
            case .integer(let i): return String(i)
            case .bigInteger(let b): return b.description
            default: return fallback
            }
        }
        out += "#Fun<\(f.module.name).\(number(f.oldIndex, String(f.index))).\(number(f.oldUniq, "0"))>"
    }

    // MARK: - Binaries

    /// `io_lib:write_binary(B, D)`: `<<1,2,3>>`, a trailing bitstring as `Value:Size`, `...` past the depth.
    static func writeBinary(_ bytes: [UInt8], bitsInLastByte: Int, depth d: Int, into out: inout String) {
        out += "<<"
        out += binaryParts(bytes, bitsInLastByte: bitsInLastByte, depth: d).joined(separator: ",")
        out += ">>"
    }

    /// The items of `write_binary_body/4`: one per byte, the last one `Value:Size` for a bitstring, or `...`.
    /// Joined with commas they make the text between `<<` and `>>`.
    static func binaryParts(_ bytes: [UInt8], bitsInLastByte: Int, depth d: Int) -> [String] {
        var parts: [String] = []
        let wholeBytes = bitsInLastByte == 8 ? bytes.count : bytes.count - 1
        var dd = d
        var i = 0
        while true {
            let remainingBits = (wholeBytes - i) * 8 + (bitsInLastByte == 8 ? 0 : bitsInLastByte)
            if remainingBits == 0 { break }
            if dd == 1 {
                parts.append("...")
                break
            }
            if i < wholeBytes {
                parts.append(String(bytes[i]))
                i += 1
                dd -= 1
            } else {
                let value = Int(bytes[i]) >> (8 - bitsInLastByte)
                parts.append("\(value):\(bitsInLastByte)")
                break
            }
        }
        return parts
    }

    // MARK: - Atoms

    /// Erlang's reserved words (`erl_scan:reserved_word/1` of OTP 25, `maybe` feature off).
    static let reservedWords: Set<String> = [
        "after", "begin", "case", "try", "cond", "catch", "andalso", "orelse", "end", "fun", "if", "let", "of",
        "receive", "when", "bnot", "not", "div", "rem", "band", "and", "bor", "bxor", "bsl", "bsr", "or", "xor",
    ]

    /// The keywords of features enabled by default from OTP 27: `maybe_expr` (`keywords => ['maybe', 'else']`,
    /// `approved => 27` in `erl_features:feature_specs/0`; approved features are enabled at start, so
    /// `erl_scan:reserved_word/1`, which `io_lib:quote_atom/2` asks, reserves them).
    static let reservedWordsOTP27: Set<String> = ["maybe", "else"]

    /// `io_lib:quote_atom/2` of OTP release `otp`.
    static func needsQuotes(_ name: String, otp: Int = 25) -> Bool {
        if reservedWords.contains(name) { return true }
        if otp >= 27, reservedWordsOTP27.contains(name) { return true }
        var it = name.unicodeScalars.makeIterator()
        guard let first = it.next()?.value else { return true }
        guard (first >= 0x61 && first <= 0x7A) || (first >= 0xDF && first <= 0xFF && first != 0xF7) else {
            return true
        }
        while let c = it.next()?.value {
            let ok =
                (c >= 0x61 && c <= 0x7A) || (c >= 0xDF && c <= 0xFF && c != 0xF7) || (c >= 0x41 && c <= 0x5A)
                || (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x40
            if !ok { return true }
        }
        return false
    }

    /// `io_lib:write_atom/1` (`unicode`) or `io_lib:write_atom_as_latin1/1`.
    static func writeAtom(_ atom: Atom, unicode: Bool, otp: Int = 25, into out: inout String) {
        let name = atom.name
        if needsQuotes(name, otp: otp) {
            writeQuoted(name.unicodeScalars.lazy.map(\.value), quote: "'", mode: unicode ? .unicode : .unicodeAsLatin1,
                        into: &out)
        } else {
            out += name
        }
    }

    // MARK: - Strings

    /// The `Enc` argument of `io_lib:string_char/4`.
    enum CharMode {
        /// `latin1`: characters 160..255 as themselves (the string holds nothing above 255).
        case latin1
        /// `unicode_as_unicode`: characters from 160 up as themselves.
        case unicode
        /// `unicode_as_latin1`: 160..255 as themselves, above as `\x{HEX}`.
        case unicodeAsLatin1
    }

    /// `[Q | write_string1(Enc, S, Q)]`.
    static func writeQuoted<S: Sequence>(_ chars: S, quote: Character, mode: CharMode, into out: inout String)
    where S.Element == UInt32 {
        out.append(quote)
        let q = quote.unicodeScalars.first!.value
        for c in chars { writeChar(c, quote: q, mode: mode, into: &out) }
        out.append(quote)
    }

    /// `io_lib:string_char/4`.
    static func writeChar(_ c: UInt32, quote q: UInt32, mode: CharMode, into out: inout String) {
        if c == q {
            out += "\\"
            out.unicodeScalars.append(Unicode.Scalar(c)!)
            return
        }
        switch c {
        case 0x5C: out += "\\\\"
        case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(c)!)
        case 0xA0...:
            switch mode {
            case .latin1, .unicode:
                // A list is only printed as a string when its characters are valid code points; atoms are too.
                out.unicodeScalars.append(Unicode.Scalar(c) ?? "\u{FFFD}")
            case .unicodeAsLatin1:
                if c <= 0xFF {
                    out.unicodeScalars.append(Unicode.Scalar(c)!)
                } else {
                    out += "\\x{" + String(c, radix: 16, uppercase: true) + "}"
                }
            }
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x0B: out += "\\v"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x1B: out += "\\e"
        case 0x7F: out += "\\d"
        default:
            out += "\\"
            out.unicodeScalars.append(Unicode.Scalar(0x30 + (c >> 6))!)
            out.unicodeScalars.append(Unicode.Scalar(0x30 + ((c >> 3) & 7))!)
            out.unicodeScalars.append(Unicode.Scalar(0x30 + (c & 7))!)
        }
    }

    // MARK: - Floats

    /// `float_to_list(F, [short])`: the shortest digits that read back as `value` (Swift's `description` finds the
    /// same digits as OTP's Ryu), in plain notation unless scientific notation is strictly shorter or
    /// `|value| >= 2^53`.
    static func writeFloat(_ value: Double, into out: inout String) {
        if value.sign == .minus { out += "-" }
        let mag = value.magnitude
        if mag == 0 {
            out += "0.0"
            return
        }
        let desc = mag.description  // "1e+20", "0.1", "5e-324", "1.2345e-05", "100.0"
        var mantissa = Substring(desc)
        var exponent = 0
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = desc[..<e]
            exponent = Int(String(desc[desc.index(after: e)...]))!
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Array(intPart.utf8) + Array(fracPart.utf8)
        var place = intPart.count + exponent
        while let f = digits.first, f == UInt8(ascii: "0") {
            digits.removeFirst()
            place -= 1
        }
        while let l = digits.last, l == UInt8(ascii: "0") { digits.removeLast() }
        let n = digits.count
        let d = String(decoding: digits, as: UTF8.self)

        var fixed = ""
        if place <= 0 {
            fixed = "0." + String(repeating: "0", count: -place) + d
        } else if place < n {
            fixed = String(d.prefix(place)) + "." + String(d.dropFirst(place))
        } else {
            fixed = d + String(repeating: "0", count: place - n) + ".0"
        }
        let scientific = String(d.prefix(1)) + "." + (n > 1 ? String(d.dropFirst()) : "0") + "e" + String(place - 1)
        if mag >= 9_007_199_254_740_992.0 || scientific.count < fixed.count {
            out += scientific
        } else {
            out += fixed
        }
    }

    // MARK: - Map order

    /// The entries of `map` in the order `maps:iterator/1` yields them; see ``ErlangMapOrder``.
    static func orderedEntries(_ map: TermMap, order: ErlangMapOrder) -> [TermMap.Element] {
        switch order {
        case .asGiven:
            return map.entries
        case .termOrder:
            return map.entries.sorted { ErlangTermOrder.compare($0.key, $1.key) < 0 }
        case .otp25, .release:
            if map.count <= 32 { return map.entries.sorted { ErlangTermOrder.compare($0.key, $1.key) < 0 } }
            return map.entries.reversed()
        case .otp26:
            if map.count <= 32 { return map.entries }
            return map.entries.reversed()
        }
    }
}

/// The exact term order, kept under its old name for this file's callers.
typealias ErlangTermOrder = TermOrder
