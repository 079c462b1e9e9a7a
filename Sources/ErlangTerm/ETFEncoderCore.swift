import BigInt

/// Appends terms to one `[UInt8]`, choosing the tags `term_to_binary(T, [{minor_version, 2}])` chooses on OTP 25.
enum EncoderCore {
    /// A cheap guess of the encoded size, used to reserve capacity once.
    static func estimatedSize(_ term: Term) -> Int {
        switch term {
        case .binary(let b): return b.count + 8
        case .bitstring(let b, _): return b.count + 8
        case .list(let l): return 8 + l.count * 4
        case .tuple(let t): return 8 + t.count * 8
        case .map(let m): return 8 + m.count * 16
        case .localFun(let f): return f.encoded.count + 2
        default: return 32
        }
    }

    static func encode(_ term: Term, into out: inout [UInt8]) throws(ETFError) {
        switch term {
        case .atom(let atom):
            try encodeAtom(atom, into: &out)
        case .integer(let i):
            encodeInt(i, into: &out)
        case .bigInteger(let big):
            if let small = Int(exactly: big) {
                encodeInt(small, into: &out)
            } else {
                try encodeBig(negative: big.sign == .minus, magnitude: big.magnitude, into: &out)
            }
        case .float(let d):
            guard d.isFinite else {
                throw ETFError(.unencodable, offset: out.count, "\(d) has no Erlang representation")
            }
            out.append(70)
            out.appendBigEndian(d.bitPattern)
        case .binary(let bytes):
            try checkLength(bytes.count, out.count)
            out.append(109)
            out.appendBigEndian(UInt32(bytes.count))
            out.append(contentsOf: bytes)
        case .bitstring(let bytes, let bits):
            if bits == 8 {
                try encode(.binary(bytes), into: &out)
                return
            }
            guard (1...7).contains(bits), !bytes.isEmpty else {
                throw ETFError(
                    .unencodable, offset: out.count,
                    "bitstring with \(bits) bits in the last of \(bytes.count) bytes")
            }
            try checkLength(bytes.count, out.count)
            out.append(77)
            out.appendBigEndian(UInt32(bytes.count))
            out.append(bits)
            out.append(contentsOf: bytes.dropLast())
            out.append(bytes[bytes.count - 1] & UInt8(truncatingIfNeeded: 0xFF << (8 - bits)))
        case .tuple(let elements):
            if elements.count <= 255 {
                out.append(104)
                out.append(UInt8(elements.count))
            } else {
                try checkLength(elements.count, out.count)
                out.append(105)
                out.appendBigEndian(UInt32(elements.count))
            }
            for e in elements { try encode(e, into: &out) }
        case .list(let elements):
            try encodeList(elements, into: &out)
        case .improperList(let elements, let tail):
            switch tail {
            case .list, .improperList:
                // Not canonical: flatten first.
                let flat = Term.list(elements, tail: tail)
                if case .improperList = flat {
                    try encodeImproper(flat, into: &out)
                } else {
                    try encode(flat, into: &out)
                }
            default:
                if elements.isEmpty {
                    try encode(tail, into: &out)
                } else {
                    try encodeImproper(term, into: &out)
                }
            }
        case .map(let map):
            try checkLength(map.count, out.count)
            out.append(116)
            out.appendBigEndian(UInt32(map.count))
            for (k, v) in map.entries {
                try encode(k, into: &out)
                try encode(v, into: &out)
            }
        case .pid(let pid):
            out.append(88)
            try encodeAtom(pid.node, into: &out)
            out.appendBigEndian(pid.id)
            out.appendBigEndian(pid.serial)
            out.appendBigEndian(pid.creation)
        case .port(let port):
            if let id = UInt32(exactly: port.id) {
                out.append(89)
                try encodeAtom(port.node, into: &out)
                out.appendBigEndian(id)
            } else {
                out.append(120)
                try encodeAtom(port.node, into: &out)
                out.appendBigEndian(port.id)
            }
            out.appendBigEndian(port.creation)
        case .reference(let ref):
            guard (1...5).contains(ref.ids.count) else {
                throw ETFError(.unencodable, offset: out.count, "reference with \(ref.ids.count) id words (must be 1...5)")
            }
            out.append(90)
            out.appendBigEndian(UInt16(ref.ids.count))
            try encodeAtom(ref.node, into: &out)
            out.appendBigEndian(ref.creation)
            for id in ref.ids { out.appendBigEndian(id) }
        case .exportFun(let fun):
            out.append(113)
            try encodeAtom(fun.module, into: &out)
            try encodeAtom(fun.function, into: &out)
            out.append(97)
            out.append(fun.arity)
        case .localFun(let fun):
            guard fun.encoded.first == 112 else {
                throw ETFError(.unencodable, offset: out.count, "local fun without its NEW_FUN_EXT encoding")
            }
            out.append(contentsOf: fun.encoded)
        }
    }

    @inline(__always)
    private static func checkLength(_ count: Int, _ offset: Int) throws(ETFError) {
        guard count <= Int(UInt32.max) else {
            throw ETFError(.unencodable, offset: offset, "length \(count) does not fit in 32 bits")
        }
    }

    private static func encodeImproper(_ term: Term, into out: inout [UInt8]) throws(ETFError) {
        guard case .improperList(let elements, let tail) = term else { return }
        try checkLength(elements.count, out.count)
        out.append(108)
        out.appendBigEndian(UInt32(elements.count))
        for e in elements { try encode(e, into: &out) }
        try encode(tail, into: &out)
    }

    private static func encodeList(_ elements: [Term], into out: inout [UInt8]) throws(ETFError) {
        if elements.isEmpty {
            out.append(106)
            return
        }
        if elements.count <= 65535 {
            var bytesOnly = true
            for e in elements {
                guard case .integer(let i) = e, i >= 0, i <= 255 else {
                    bytesOnly = false
                    break
                }
            }
            if bytesOnly {
                out.append(107)
                out.appendBigEndian(UInt16(elements.count))
                for case .integer(let i) in elements { out.append(UInt8(truncatingIfNeeded: i)) }
                return
            }
        }
        try checkLength(elements.count, out.count)
        out.append(108)
        out.appendBigEndian(UInt32(elements.count))
        for e in elements { try encode(e, into: &out) }
        out.append(106)
    }

    @inline(__always)
    static func encodeInt(_ i: Int, into out: inout [UInt8]) {
        if i >= 0 && i <= 255 {
            out.append(97)
            out.append(UInt8(truncatingIfNeeded: i))
        } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
            out.append(98)
            out.appendBigEndian(UInt32(bitPattern: Int32(truncatingIfNeeded: i)))
        } else {
            var magnitude = i.magnitude
            out.append(110)
            let countIndex = out.count
            out.append(0)
            out.append(i < 0 ? 1 : 0)
            var n: UInt8 = 0
            while magnitude != 0 {
                out.append(UInt8(truncatingIfNeeded: magnitude))
                magnitude >>= 8
                n += 1
            }
            out[countIndex] = n
        }
    }

    private static func encodeBig(negative: Bool, magnitude: BigUInt, into out: inout [UInt8]) throws(ETFError) {
        var bytes: [UInt8] = []
        let words = magnitude.words
        bytes.reserveCapacity(words.count * 8)
        for w in words {
            var w = w
            for _ in 0..<(UInt.bitWidth / 8) {
                bytes.append(UInt8(truncatingIfNeeded: w))
                w >>= 8
            }
        }
        while let last = bytes.last, last == 0 { bytes.removeLast() }
        if bytes.count <= 255 {
            out.append(110)
            out.append(UInt8(bytes.count))
        } else {
            try checkLength(bytes.count, out.count)
            out.append(111)
            out.appendBigEndian(UInt32(bytes.count))
        }
        out.append(negative ? 1 : 0)
        out.append(contentsOf: bytes)
    }

    static func encodeAtom(_ atom: Atom, into out: inout [UInt8]) throws(ETFError) {
        var name = atom.name
        let byteCount = name.utf8.count
        if byteCount <= 255 {
            out.append(119)
            out.append(UInt8(byteCount))
        } else {
            guard name.unicodeScalars.count <= 255 else {
                throw ETFError(.unencodable, offset: out.count, "atom longer than 255 characters")
            }
            out.append(118)
            out.appendBigEndian(UInt16(byteCount))
        }
        name.withUTF8 { out.append(contentsOf: $0) }
    }
}
