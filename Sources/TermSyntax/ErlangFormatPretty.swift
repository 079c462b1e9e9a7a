// `io_lib_pretty:print/2` (`~p`): a port of OTP 25 (stdlib 4.2) `io_lib_pretty.erl` without records and
// `chars_limit`. Copyright Ericsson AB, Apache License 2.0.
//
// As in OTP, a term is first turned into an intermediate form that knows the length of its one-line text
// (`print_length`), then an indentation for tagged tuples is chosen (`cind`), then it is laid out (`pp`).
// Names and argument orders follow the Erlang functions so that the two can be read side by side:
// `col` is the 1-based column, `ll` the line length, `m` the length of the whole term on one line, `tInd` the
// tagged-tuple indentation, `ind` the indentation (a number of spaces), `ld` the "last depth" (closing brackets
// still to come) and `w` the width used so far on the line.

import ErlangTerm

/// `{S, Len, Dots, More}`: a piece of the term with the length of its one-line text.
struct PrettyItem {
    var node: PrettyNode
    var len: Int

    /// `?ATM(E)`: the one-line text is a plain string (an atomic term, a string, `[]`, ...).
    var isAtomic: Bool {
        if case .text = node { return true }
        return false
    }
}

/// The first element of `{S, Len, Dots, More}`.
indirect enum PrettyNode {
    /// A flat string.
    case text(String)
    /// `{bin, S}`: a binary printed byte by byte; the items of `write_binary_body/4`.
    case bin([String])
    /// `{list, L}`.
    case list(PrettySeq)
    /// `{tuple, IsTagged, L}`.
    case tuple(tagged: Bool, PrettySeq)
    /// `{map, Pairs}`; the elements are ``mapPair(_:_:)``.
    case map(PrettySeq)
    /// `{map_pair, K, V}`.
    case mapPair(PrettyItem, PrettyItem)
    /// `{dots, 3, 3, More}`: what is left out past the depth.
    case dots
}

/// An Erlang list of items that may end in something else than `[]`: a ``PrettyNode/dots`` item or the tail of an
/// improper list.
struct PrettySeq {
    var elements: [PrettyItem]
    var tail: PrettyItem?

    /// `last_depth(Es, LD)` where `Es` is what follows element `i`.
    func lastDepth(after i: Int, _ ld: Int) -> Int { i + 1 < elements.count ? 0 : ld + 1 }
}

private struct NoGood: Error {}

struct ErlangPrettyPrinter {
    let options: ErlangFormatOptions
    let writer: ErlangWriter
    let unicode: Bool

    init(options: ErlangFormatOptions) {
        self.options = options
        self.writer = ErlangWriter(options: options)
        self.unicode = options.unicode
    }

    // MARK: - print/9

    mutating func print(_ term: Term) -> String {
        let d = options.depth ?? -1
        if d == 0 { return "..." }
        let col = max(options.column, 1)
        let ll = options.lineLength
        switch term {
        case .atom(let a):
            var out = ""
            ErlangWriter.writeAtom(a, unicode: unicode, otp: options.profile.otp, into: &out)
            return out
        case .tuple, .list, .improperList, .map, .binary, .bitstring:
            let item = printLength(term, d)
            let m = item.len
            var out = ""
            if ll == 0 || (item.len < ll - col && item.len <= m) {
                write(item, into: &out)
                return out
            }
            var tInd = 1
            for i in [-1, 4] {
                if (try? cind(item, col, ll, m, i, 0, 0)) != nil {
                    tInd = i
                    break
                }
            }
            pp(item, col, ll, m, tInd, col - 1, 0, 0, into: &out)
            return out
        default:
            var out = ""
            ErlangWriter(options: latin1Options).write(term, depth: -1, into: &out)
            return out
        }
    }

    /// `io_lib:write/1` writes atomic terms with encoding latin1.
    private var latin1Options: ErlangFormatOptions {
        var o = options
        o.unicode = false
        return o
    }

    // MARK: - print_length

    /// An item whose length is `io_lib:chars_length/1`.
    private func text(_ s: String) -> PrettyItem { PrettyItem(node: .text(s), len: Self.charsLength(s)) }

    /// `io_lib:chars_length/1`: the number of characters when all are below 256 (`iolist_size/1`), else the
    /// number of grapheme clusters (`string:length/1`).
    static func charsLength(_ s: String) -> Int {
        var n = 0
        for u in s.unicodeScalars {
            if u.value > 255 { return s.count }
            n += 1
        }
        return n
    }

    func printLength(_ term: Term, _ d: Int) -> PrettyItem {
        switch term {
        case .list(let l) where l.isEmpty: return text("[]")
        case .tuple(let t) where t.isEmpty: return text("{}")
        case .map(let m) where m.isEmpty: return text("#{}")
        case .atom(let a):
            var s = ""
            ErlangWriter.writeAtom(a, unicode: unicode, otp: options.profile.otp, into: &s)
            return text(s)
        case .list(let l):
            if options.strings, let chars = printableList(l, d) {
                var s = ""
                ErlangWriter.writeQuoted(chars, quote: "\"", mode: unicode ? .unicode : .latin1, into: &s)
                return text(s)
            }
            return printLengthList(l, tail: nil, d)
        case .improperList(let l, let tail):
            return printLengthList(l, tail: tail, d)
        case .exportFun, .localFun:
            var s = ""
            writer.write(term, depth: -1, into: &s)
            return text(s)
        case .tuple(let t):
            if d == 1 { return text("{...}") }
            let seq = printLengthElements(t, tail: nil, d)
            let tagged: Bool
            if case .atom = t[0], t.count > 1 { tagged = true } else { tagged = false }
            return PrettyItem(node: .tuple(tagged: tagged, seq), len: listLength(seq, 2))
        case .map(let m):
            if d == 1 { return text("#{...}") }
            let entries = ErlangWriter.orderedEntries(m, order: options.mapOrder.resolved(for: options.profile))
            let d0 = d - 1
            var pairs: [PrettyItem] = []
            var tail: PrettyItem? = nil
            var dd = d
            for (k, v) in entries {
                if dd == 1 {
                    tail = PrettyItem(node: .dots, len: 3)
                    break
                }
                let p1 = printLength(k, d0)
                let p2 = printLength(v, d0)
                pairs.append(PrettyItem(node: .mapPair(p1, p2), len: p1.len + 4 + p2.len))
                dd -= 1
            }
            let seq = PrettySeq(elements: pairs, tail: tail)
            return PrettyItem(node: .map(seq), len: listLength(seq, 3))
        case .binary(let b) where b.isEmpty:
            return text("<<>>")
        case .binary(let bytes):
            return printLengthBinary(bytes, bitsInLastByte: 8, d)
        case .bitstring(let bytes, let bits):
            return printLengthBinary(bytes, bitsInLastByte: Int(bits), d)
        default:
            var s = ""
            ErlangWriter(options: latin1Options).write(term, depth: -1, into: &s)
            return text(s)
        }
    }

    private func printLengthList(_ l: [Term], tail: Term?, _ d: Int) -> PrettyItem {
        let seq = printLengthElements(l, tail: tail, d)
        return PrettyItem(node: .list(seq), len: listLength(seq, 2))
    }

    /// `print_length_list1/6` and `print_length_tuple1/7`: element `i` gets depth `d - 1 - i`; a `dots` tail once
    /// the depth runs out.
    private func printLengthElements(_ l: [Term], tail: Term?, _ d: Int) -> PrettySeq {
        var items: [PrettyItem] = []
        items.reserveCapacity(l.count)
        var dd = d
        for e in l {
            if dd == 1 { return PrettySeq(elements: items, tail: PrettyItem(node: .dots, len: 3)) }
            items.append(printLength(e, dd - 1))
            dd -= 1
        }
        guard let tail else { return PrettySeq(elements: items, tail: nil) }
        if dd == 1 { return PrettySeq(elements: items, tail: PrettyItem(node: .dots, len: 3)) }
        return PrettySeq(elements: items, tail: printLength(tail, dd - 1))
    }

    /// `list_length/3`.
    private func listLength(_ seq: PrettySeq, _ acc0: Int) -> Int {
        var acc = acc0
        for (i, e) in seq.elements.enumerated() { acc += (i == 0 ? 0 : 1) + e.len }
        if let t = seq.tail { acc += (seq.elements.isEmpty ? 0 : 1) + t.len }
        return acc
    }

    // MARK: - Strings

    /// `printable_list/4` with no chars limit: the characters when `l` prints as a string.
    private func printableList(_ l: [Term], _ d: Int) -> [UInt32]? {
        if d == 1 { return nil }
        let unicodeRange = unicode && options.printableRange == .unicode
        var chars: [UInt32] = []
        chars.reserveCapacity(l.count)
        for e in l {
            guard case .integer(let i) = e, i >= 0, i <= 0x10FFFF else { return nil }
            let c = UInt32(i)
            let ok: Bool
            switch c {
            case 0x20...0x7E, 0x0A, 0x0D, 0x09, 0x0B, 0x08, 0x0C, 0x1B: ok = true
            case 0xA0...0xFF: ok = true
            default:
                ok = unicodeRange && ((c >= 0x100 && c < 0xD800) || (c > 0xDFFF && c < 0xFFFE) || c > 0xFFFF)
            }
            if !ok { return nil }
            chars.append(c)
        }
        return chars
    }

    /// `printable_char/2`.
    private func printableChar(_ c: UInt32) -> Bool {
        switch c {
        case 0x0A, 0x0D, 0x09, 0x0B, 0x08, 0x0C, 0x1B, 0x20...0x7E, 0xA0...0xFF: return true
        default:
            guard unicode && options.printableRange == .unicode else { return false }
            return (c >= 0x100 && c < 0xD800) || (c > 0xDFFF && c < 0xFFFE) || (c > 0xFFFF && c <= 0x10FFFF)
        }
    }

    private static func latin1Printable(_ c: UInt8) -> Bool {
        switch c {
        case 0x20...0x7E, 0xA0...0xFF, 0x0A, 0x0D, 0x09, 0x0B, 0x08, 0x0C, 0x1B: return true
        default: return false
        }
    }

    /// One `<<C/utf8>>` match: the code point and its length, or nil where Erlang's matching fails (overlong forms,
    /// surrogates, above U+10FFFF, truncated).
    private static func decodeUTF8(_ b: [UInt8], _ i: Int) -> (UInt32, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        func cont(_ k: Int) -> UInt32? {
            guard i + k < b.count, b[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(b[i + k] & 0x3F)
        }
        if b0 & 0xE0 == 0xC0 {
            guard let c1 = cont(1) else { return nil }
            let c = (UInt32(b0 & 0x1F) << 6) | c1
            return c >= 0x80 ? (c, 2) : nil
        }
        if b0 & 0xF0 == 0xE0 {
            guard let c1 = cont(1), let c2 = cont(2) else { return nil }
            let c = (UInt32(b0 & 0x0F) << 12) | (c1 << 6) | c2
            return c >= 0x800 && !(0xD800...0xDFFF).contains(c) ? (c, 3) : nil
        }
        if b0 & 0xF8 == 0xF0 {
            guard let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) else { return nil }
            let c = (UInt32(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            return c >= 0x10000 && c <= 0x10FFFF ? (c, 4) : nil
        }
        return nil
    }

    private enum PrintableBin {
        case no
        /// `{true | false, List}`: the whole binary; `plain` false means `/utf8`.
        case whole(plain: Bool, [UInt32])
        /// `{true | false, true, Prefix}`: only a prefix, past the depth.
        case prefix(plain: Bool, [UInt32])
    }

    /// `printable_bin0/4` with no chars limit.
    private func printableBin0(_ bin: [UInt8], _ d: Int) -> PrintableBin {
        let len = d >= 0 ? min(4 * d, bin.count) : bin.count
        return printableBin(bin, len, d, unicode: unicode)
    }

    /// `printable_bin/4`.
    private func printableBin(_ bin: [UInt8], _ len: Int, _ d: Int, unicode: Bool) -> PrintableBin {
        if len == 0 { return .no }
        func chars(_ n: Int) -> [UInt32] { bin.prefix(n).map { UInt32($0) } }
        if !unicode {
            let n = min(20, len)
            // printable_latin1_list(L, N): nil for all, else the number of characters from the first bad one.
            var nc: Int? = nil
            for i in 0..<n where !Self.latin1Printable(bin[i]) {
                nc = n - i
                break
            }
            guard let nc0 = nc else {
                if n == bin.count { return .whole(plain: true, chars(n)) }
                if n == len { return .prefix(plain: true, chars(n)) }
                // printable_bin1(Bin, 1 + N, Len - N)
                var ncRest = 0
                for i in n..<len where !Self.latin1Printable(bin[i]) {
                    ncRest = len - i
                    break
                }
                if ncRest == 0 && bin.count == len { return .whole(plain: true, chars(bin.count)) }
                if d > 0 && len - ncRest >= d { return .prefix(plain: true, chars(len - ncRest)) }
                return .no
            }
            if d > 0 && n - nc0 >= d { return .prefix(plain: true, chars(n - nc0)) }
            return .no
        }
        // valid_utf8(Bin, Len)
        var i = 0
        var count = 0
        var valid = true
        while i < bin.count && count < len {
            guard let (_, size) = Self.decodeUTF8(bin, i) else {
                valid = false
                break
            }
            i += size
            count += 1
        }
        guard valid else { return printableBin(bin, len, d, unicode: false) }
        // printable_unicode(Bin, Len, [], Range)
        var list: [UInt32] = []
        var pos = 0
        var left = len
        while pos < bin.count && left > 0 {
            guard let (c, size) = Self.decodeUTF8(bin, pos), printableChar(c) else { break }
            list.append(c)
            pos += size
            left -= 1
        }
        if pos == bin.count { return .whole(plain: bin.count == list.count, list) }
        if d > 0 && len - left >= d { return .prefix(plain: pos == list.count, list) }
        return .no
    }

    /// The `print_length/6` clauses for bitstrings.
    private func printLengthBinary(_ bytes: [UInt8], bitsInLastByte: Int, _ d: Int) -> PrettyItem {
        if d == 1 { return text("<<...>>") }
        if options.strings && bitsInLastByte == 8 {
            func quoted(_ chars: [UInt32]) -> String {
                var s = ""
                ErlangWriter.writeQuoted(chars, quote: "\"", mode: .unicode, into: &s)
                return s
            }
            switch printableBin0(bytes, d - 1) {
            // `length(S)` for the plain forms, `io_lib:chars_length(S)` for the /utf8 ones.
            case .whole(true, let chars):
                let s = "<<" + quoted(chars) + ">>"
                return PrettyItem(node: .text(s), len: s.unicodeScalars.count)
            case .whole(false, let chars): return text("<<" + quoted(chars) + "/utf8>>")
            case .prefix(true, let chars):
                let s = "<<" + quoted(chars) + "...>>"
                return PrettyItem(node: .text(s), len: s.unicodeScalars.count)
            case .prefix(false, let chars): return text("<<" + quoted(chars) + "/utf8...>>")
            case .no: break
            }
        }
        let parts = ErlangWriter.binaryParts(bytes, bitsInLastByte: bitsInLastByte, depth: d)
        let len = 4 + parts.reduce(0) { $0 + $1.utf8.count } + max(parts.count - 1, 0)
        return PrettyItem(node: .bin(parts), len: len)
    }

    // MARK: - write

    /// `write/1` of the intermediate form: the one-line text.
    func write(_ item: PrettyItem, into out: inout String) {
        switch item.node {
        case .text(let s): out += s
        case .bin(let parts):
            out += "<<"
            out += parts.joined(separator: ",")
            out += ">>"
        case .dots: out += "..."
        case .tuple(_, let seq):
            out += "{"
            writeList(seq, sep: ",", into: &out)
            out += "}"
        case .list(let seq):
            out += "["
            writeList(seq, sep: "|", into: &out)
            out += "]"
        case .map(let seq):
            out += "#{"
            writeList(seq, sep: ",", into: &out)
            out += "}"
        case .mapPair(let k, let v):
            write(k, into: &out)
            out += " => "
            write(v, into: &out)
        }
    }

    /// `write_list/2` and `write_tail/2`.
    private func writeList(_ seq: PrettySeq, sep: String, into out: inout String) {
        for (i, e) in seq.elements.enumerated() {
            if i > 0 { out += "," }
            write(e, into: &out)
        }
        if let t = seq.tail {
            if !seq.elements.isEmpty { out += sep }
            write(t, into: &out)
        }
    }

    private func spaces(_ n: Int, into out: inout String) {
        if n > 0 { out += String(repeating: " ", count: n) }
    }

    // MARK: - pp

    private func fits(_ item: PrettyItem, _ col: Int, _ ll: Int, _ m: Int, _ ld: Int, _ w: Int) -> Bool {
        item.len < ll - col - ld && item.len + w + ld <= m
    }

    func pp(
        _ item: PrettyItem, _ col: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind: Int, _ ld: Int, _ w: Int,
        into out: inout String
    ) {
        if fits(item, col, ll, m, ld, w) {
            write(item, into: &out)
            return
        }
        switch item.node {
        case .list(let seq):
            out += "["
            ppList(seq, col + 1, ll, m, tInd, ind + 1, ld, "|", w + 1, into: &out)
            out += "]"
        case .tuple(true, let seq):
            out += "{"
            ppTagTuple(seq, col, ll, m, tInd, ind, ld, w + 1, into: &out)
            out += "}"
        case .tuple(false, let seq):
            out += "{"
            ppList(seq, col + 1, ll, m, tInd, ind + 1, ld, ",", w + 1, into: &out)
            out += "}"
        case .map(let seq):
            out += "#{"
            ppMap(seq, col + 2, ll, m, tInd, ind + 2, ld, w + 1, into: &out)
            out += "}"
        case .bin(let parts):
            ppBinary(parts, col + 2, ll, m, ind + 2, ld, w, into: &out)
        default:
            write(item, into: &out)
        }
    }

    /// `pp_tag_tuple/8`.
    private func ppTagTuple(
        _ seq: PrettySeq, _ col: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind: Int, _ ld: Int, _ w: Int,
        into out: inout String
    ) {
        guard let tag = seq.elements.first else {
            out += "..."
            return
        }
        let tlen = tag.len
        let tagInd = tlen + 2
        let tcol = col + tagInd
        let rest = PrettySeq(elements: Array(seq.elements.dropFirst()), tail: seq.tail)
        write(tag, into: &out)
        if tInd > 0 && tagInd > tInd {
            ppTail(rest, 0, col + tInd, tcol, ll, m, tInd, ind + tInd, ld, ",", w + tlen, into: &out)
        } else {
            out += ","
            ppList(rest, tcol, ll, m, tInd, ind + tagInd, ld, ",", w + tlen + 1, into: &out)
        }
    }

    /// `pp_map/8` and `pp_pairs_tail/9`.
    private func ppMap(
        _ seq: PrettySeq, _ col0: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind: Int, _ ld: Int, _ w0: Int,
        into out: inout String
    ) {
        guard !seq.elements.isEmpty else {
            if seq.tail != nil { out += "..." }
            return
        }
        var (pw) = ppPair(seq.elements[0], col0, ll, m, tInd, ind, seq.lastDepth(after: 0, ld), w0, into: &out)
        var col = col0 + pw
        var w = pw
        for i in 1..<seq.elements.count {
            let p = seq.elements[i]
            let ld1 = seq.lastDepth(after: i, ld)
            let eLen = 1 + p.len
            if isAtomicPair(p)
                && ((ld1 == 0 && eLen + 1 < ll - col && w + eLen + 1 <= m)
                    || (ld1 > 0 && eLen < ll - col - ld1 && w + eLen + ld1 <= m))
            {
                out += ","
                write(p, into: &out)
                col += eLen
                w += eLen
            } else {
                out += ",\n"
                spaces(ind, into: &out)
                pw = ppPair(p, col0, ll, m, tInd, ind, ld1, 0, into: &out)
                col = col0 + pw
                w = pw
            }
        }
        if seq.tail != nil { out += ",..." }
    }

    private func isAtomicPair(_ p: PrettyItem) -> Bool {
        if case .mapPair(let k, let v) = p.node { return k.isAtomic && v.isAtomic }
        return false
    }

    /// `pp_pair/8`: returns the width used.
    private func ppPair(
        _ p: PrettyItem, _ col0: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind0: Int, _ ld: Int, _ w: Int,
        into out: inout String
    ) -> Int {
        if fits(p, col0, ll, m, ld, w) {
            write(p, into: &out)
            return isAtomicPair(p) ? p.len : ll
        }
        guard case .mapPair(let k, let v) = p.node else {
            write(p, into: &out)
            return ll
        }
        let i = tInd > 0 ? tInd : 4
        pp(k, col0, ll, m, tInd, ind0, ld, w, into: &out)
        out += " =>\n"
        spaces(ind0 + i, into: &out)
        pp(v, col0 + i, ll, m, tInd, ind0 + i, ld, 0, into: &out)
        return ll
    }

    /// `pp_list/9`.
    private func ppList(
        _ seq: PrettySeq, _ col0: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind: Int, _ ld: Int, _ sep: String,
        _ w: Int, into out: inout String
    ) {
        guard let first = seq.elements.first else {
            // pp_list({dots, ...}) -> "..."
            out += "..."
            return
        }
        let we = ppElement(first, col0, ll, m, tInd, ind, seq.lastDepth(after: 0, ld), w, into: &out)
        ppTail(seq, 1, col0, col0 + we, ll, m, tInd, ind, ld, sep, w + we, into: &out)
    }

    /// `pp_tail/10` over the elements of `seq` from `start` on, then its tail.
    private func ppTail(
        _ seq: PrettySeq, _ start: Int, _ col0: Int, _ col1: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind: Int,
        _ ld: Int, _ sep: String, _ w1: Int, into out: inout String
    ) {
        var col = col1
        var w = w1
        var i = start
        while i < seq.elements.count {
            let e = seq.elements[i]
            let ld1 = seq.lastDepth(after: i, ld)
            let eLen = 1 + e.len
            if e.isAtomic
                && ((ld1 == 0 && eLen + 1 < ll - col && w + eLen + 1 <= m)
                    || (ld1 > 0 && eLen < ll - col - ld1 && w + eLen + ld1 <= m))
            {
                out += ","
                write(e, into: &out)
                col += eLen
                w += eLen
            } else {
                out += ",\n"
                spaces(ind, into: &out)
                let we = ppElement(e, col0, ll, m, tInd, ind, ld1, 0, into: &out)
                col = col0 + we
                w = we
            }
            i += 1
        }
        guard let t = seq.tail else { return }
        if case .dots = t.node {
            out += sep
            out += "..."
            return
        }
        if t.len + 1 < ll - col - (ld + 1) && t.len + 1 + w + (ld + 1) <= m && t.isAtomic {
            out += sep
            write(t, into: &out)
        } else {
            out += sep
            out += "\n"
            spaces(ind, into: &out)
            pp(t, col0, ll, m, tInd, ind, ld + 1, 0, into: &out)
        }
    }

    /// `pp_element/8`: returns the width used.
    private func ppElement(
        _ e: PrettyItem, _ col: Int, _ ll: Int, _ m: Int, _ tInd: Int, _ ind: Int, _ ld: Int, _ w: Int,
        into out: inout String
    ) -> Int {
        if fits(e, col, ll, m, ld, w) && e.isAtomic {
            write(e, into: &out)
            return e.len
        }
        pp(e, col, ll, m, tInd, ind, ld, w, into: &out)
        return ll
    }

    /// `pp_binary/7` and `pp_binary/4`.
    private func ppBinary(
        _ parts: [String], _ col: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w: Int, into out: inout String
    ) {
        let n0 = max(8, min(ll - col, m - 4 - w) - ld)
        var n = n0
        out += "<<"
        for (i, part) in parts.enumerated() {
            let len = part.utf8.count + 1
            if i < parts.count - 1 {
                if n - len < 0 {
                    out += "\n"
                    spaces(ind, into: &out)
                    out += part
                    out += ","
                    n = n0 - len
                } else {
                    out += part
                    out += ","
                    n -= len
                }
            } else {
                // The last item, `BS` or `BS1:BS2`: on a new line when longer than what is left.
                if part.utf8.count > n {
                    out += "\n"
                    spaces(ind, into: &out)
                }
                out += part
            }
        }
        out += ">>"
    }

    // MARK: - cind

    func cind(_ item: PrettyItem, _ col: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w: Int) throws -> Int {
        if fits(item, col, ll, m, ld, w) { return ind }
        switch item.node {
        case .list(let seq): return try cindList(seq, col + 1, ll, m, ind, ld, w + 1)
        case .tuple(true, let seq): return try cindTagTuple(seq, col, ll, m, ind, ld, w + 1)
        case .tuple(false, let seq): return try cindList(seq, col + 1, ll, m, ind, ld, w + 1)
        case .map(let seq): return try cindMap(seq, col + 2, ll, m, ind, ld, w + 2)
        default: return ind
        }
    }

    private func cindTagTuple(
        _ seq: PrettySeq, _ col: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w: Int
    ) throws -> Int {
        guard let tag = seq.elements.first else { return ind }
        let tlen = tag.len
        let tagInd = tlen + 2
        let tcol = col + tagInd
        let rest = PrettySeq(elements: Array(seq.elements.dropFirst()), tail: seq.tail)
        if ind > 0 && tagInd > ind {
            let col1 = col + ind
            if m + col1 <= ll || col1 <= ll / 2 {
                return try cindTail(rest, 0, col1, tcol, ll, m, ind, ld, w + tlen)
            }
            throw NoGood()
        }
        if m + tcol < ll || tcol < ll / 2 {
            return try cindList(rest, tcol, ll, m, ind, ld, w + tlen + 1)
        }
        throw NoGood()
    }

    private func cindMap(
        _ seq: PrettySeq, _ col0: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w0: Int
    ) throws -> Int {
        guard !seq.elements.isEmpty else { return ind }
        var pw = try cindPair(seq.elements[0], col0, ll, m, ind, seq.lastDepth(after: 0, ld), w0)
        var col = col0 + pw
        var w = w0 + pw
        for i in 1..<seq.elements.count {
            let p = seq.elements[i]
            let ld1 = seq.lastDepth(after: i, ld)
            let eLen = 1 + p.len
            if isAtomicPair(p)
                && ((ld1 == 0 && eLen + 1 < ll - col && w + eLen + 1 <= m)
                    || (ld1 > 0 && eLen < ll - col - ld1 && w + eLen + ld1 <= m))
            {
                col += eLen
                w += eLen
            } else {
                pw = try cindPair(p, col0, ll, m, ind, ld1, 0)
                col = col0 + pw
                w = pw
            }
        }
        return ind
    }

    private func cindPair(
        _ p: PrettyItem, _ col0: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w0: Int
    ) throws -> Int {
        if fits(p, col0, ll, m, ld, w0) { return isAtomicPair(p) ? p.len : ll }
        guard case .mapPair(let k, let v) = p.node else { return ll }
        _ = try cind(k, col0, ll, m, ind, ld, w0)
        let i = ind > 0 ? ind : 4
        _ = try cind(v, col0 + i, ll, m, ind, ld, 0)
        return ll
    }

    private func cindList(
        _ seq: PrettySeq, _ col0: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w: Int
    ) throws -> Int {
        guard let first = seq.elements.first else { return ind }
        let we = try cindElement(first, col0, ll, m, ind, seq.lastDepth(after: 0, ld), w)
        return try cindTail(seq, 1, col0, col0 + we, ll, m, ind, ld, w + we)
    }

    private func cindTail(
        _ seq: PrettySeq, _ start: Int, _ col0: Int, _ col1: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int,
        _ w1: Int
    ) throws -> Int {
        var col = col1
        var w = w1
        var i = start
        while i < seq.elements.count {
            let e = seq.elements[i]
            let ld1 = seq.lastDepth(after: i, ld)
            let eLen = 1 + e.len
            if e.isAtomic
                && ((ld1 == 0 && eLen + 1 < ll - col && w + eLen + 1 <= m)
                    || (ld1 > 0 && eLen < ll - col - ld1 && w + eLen + ld1 <= m))
            {
                col += eLen
                w += eLen
            } else {
                let we = try cindElement(e, col0, ll, m, ind, ld1, 0)
                col = col0 + we
                w = we
            }
            i += 1
        }
        guard let t = seq.tail else { return ind }
        if case .dots = t.node { return ind }
        if t.len + 1 < ll - col - (ld + 1) && t.len + 1 + w + (ld + 1) <= m && t.isAtomic { return ind }
        return try cind(t, col, ll, m, ind, ld + 1, 0)
    }

    private func cindElement(
        _ e: PrettyItem, _ col: Int, _ ll: Int, _ m: Int, _ ind: Int, _ ld: Int, _ w: Int
    ) throws -> Int {
        if fits(e, col, ll, m, ld, w) && e.isAtomic { return e.len }
        _ = try cind(e, col, ll, m, ind, ld, w)
        return ll
    }
}
