import BigInt

/// Appends terms to one `[UInt8]`, choosing the tags `term_to_binary(T, [{minor_version, 2}])` chooses on OTP 25.
enum EncoderCore {
    /// A cheap guess of the encoded size, used to reserve capacity once: containers are assumed to hold elements
    /// like their first one (a few levels deep), which is right for the common homogeneous lists and records.
    static func estimatedSize(_ term: Term, depth: Int = 0) -> Int {
        func sample(_ elements: [Term]) -> Int {
            guard let first = elements.first else { return 0 }
            if depth >= 3 { return elements.count * 8 }
            let (total, overflow) = elements.count.multipliedReportingOverflow(
                by: estimatedSize(first, depth: depth + 1))
            return overflow ? 1 << 20 : min(total, 1 << 28)
        }
        switch term {
        case .atom(let a): return 3 + a.name.utf8.count
        case .binary(let b): return b.count + 5
        case .bitstring(let b, _): return b.count + 6
        case .list(let l), .tuple(let l): return 6 + sample(l)
        case .improperList(let l, _): return 16 + sample(l)
        case .map(let m):
            guard let first = m.entries.first, depth < 3 else { return 5 + m.count * 16 }
            let pair = estimatedSize(first.key, depth: depth + 1) + estimatedSize(first.value, depth: depth + 1)
            let (total, overflow) = m.count.multipliedReportingOverflow(by: pair)
            return 5 + (overflow ? 1 << 20 : min(total, 1 << 28))
        case .localFun(let f): return f.encoded.count
        case .bigInteger: return 64
        default: return 16
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
            try encodeAll(elements, into: &out)
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

    /// Encodes each element in order, borrowing them from the array's storage instead of copying each one out.
    @inline(__always)
    private static func encodeAll(_ elements: [Term], into out: inout [UInt8]) throws(ETFError) {
        try elements.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<Term>) throws(ETFError) in
            for i in buffer.indices { try encode(buffer[i], into: &out) }
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
        try encodeAll(elements, into: &out)
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
        try encodeAll(elements, into: &out)
        out.append(106)
    }

    @inline(__always)
    static func encodeInt(_ i: Int, into out: inout [UInt8]) {
        if i >= 0 && i <= 255 {
            // One append of two bytes: tag and value.
            let pair = UInt16(97) << 8 | UInt16(truncatingIfNeeded: i)
            Swift.withUnsafeBytes(of: pair.bigEndian) { out.append(contentsOf: $0) }
        } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
            // Tag then the big-endian int32, as one 8-byte store of which 5 bytes are used.
            let word = UInt64(98) << 56 | UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: i))) << 24
            Swift.withUnsafeBytes(of: word.bigEndian) { out.append(contentsOf: $0.prefix(5)) }
        } else {
            // SMALL_BIG_EXT: tag, n, sign, then n little-endian magnitude bytes (n <= 8).
            let magnitude = UInt64(i.magnitude)
            let n = (UInt64.bitWidth - magnitude.leadingZeroBitCount + 7) / 8
            var bytes: (UInt64, UInt64) = (0, 0)
            Swift.withUnsafeMutableBytes(of: &bytes) { raw in
                raw[0] = 110
                raw[1] = UInt8(truncatingIfNeeded: n)
                raw[2] = i < 0 ? 1 : 0
                raw.storeBytes(of: magnitude.littleEndian, toByteOffset: 3, as: UInt64.self)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<(3 + n)]))
            }
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
            let header = UInt16(119) << 8 | UInt16(byteCount)
            Swift.withUnsafeBytes(of: header.bigEndian) { out.append(contentsOf: $0) }
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
