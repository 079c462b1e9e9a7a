import BigInt

/// A growable byte buffer over raw memory: callers `reserve` room once, then store without further checks.
///
/// It starts on caller-provided scratch memory (usually on the stack) and moves to the heap, doubling, when that
/// runs out. `origin` is added to offsets in errors so that they count from the start of the caller's buffer.
struct ByteWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    private var ownsMemory = false
    let origin: Int

    init(scratch: UnsafeMutableBufferPointer<UInt8>, origin: Int) {
        base = scratch.baseAddress!
        capacity = scratch.count
        self.origin = origin
    }

    /// Frees heap memory, if the writer moved there. Call once, when done.
    mutating func release() {
        if ownsMemory { ThreadScratch.give(.encoderBytes, UnsafeMutableRawPointer(base), capacity: capacity) }
        ownsMemory = false
        capacity = 0
    }

    /// The offset of the next byte in the caller's output, for errors.
    var offset: Int { origin &+ count }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Makes room for `n` more bytes.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if _slowPath(n > capacity &- count) { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        // Leaving the 1 KiB stack scratch: go straight to 64 KiB (still below malloc's mmap threshold), then
        // quadruple. Each step costs an allocation and a copy, and for sizes malloc calls "large" often a
        // malloc_consolidate, so few steps matter more than a tight fit for this short-lived buffer.
        // The heap blocks come from the thread's scratch and go back to it (see ThreadScratch): the next large term
        // encoded on this thread reuses the block instead of allocating, freeing and page-faulting it again.
        var newCapacity = Swift.max(capacity &* 4, 64 * 1024)
        while newCapacity - count < n { newCapacity *= 2 }
        let block = ThreadScratch.take(.encoderBytes, minimum: newCapacity)
        let newBase = block.pointer.bindMemory(to: UInt8.self, capacity: block.capacity)
        newBase.update(from: base, count: count)
        if ownsMemory { ThreadScratch.give(.encoderBytes, UnsafeMutableRawPointer(base), capacity: capacity) }
        base = newBase
        capacity = block.capacity
        ownsMemory = true
    }

    // The `put` functions store without checking: reserve first.
    @inline(__always)
    mutating func put(_ byte: UInt8) {
        base[count] = byte
        count &+= 1
    }
    @inline(__always)
    mutating func put<T: FixedWidthInteger>(bigEndian value: T) {
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: T.self)
        count &+= MemoryLayout<T>.size
    }
    /// Stores the first `n` (<= 8) bytes of `value`'s big-endian representation (8 bytes are written).
    @inline(__always)
    mutating func put(prefix n: Int, of value: UInt64) {
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: UInt64.self)
        count &+= n
    }
    @inline(__always)
    mutating func advance(_ n: Int) { count &+= n }
    @inline(__always)
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        if let src = bytes.baseAddress, bytes.count > 0 {
            UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: bytes.count)
            count &+= bytes.count
        }
    }
    /// Reserves and appends `bytes`.
    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        reserve(bytes.count)
        bytes.withUnsafeBytes { put($0) }
    }

    /// Runs `body` with a writer over 1 KiB of stack, then frees whatever heap memory it moved to.
    ///
    /// No size estimate up front: small terms never touch the heap, and large ones grow by 4x (lists and binaries
    /// reserve their whole size at once), which costs less than walking the term to guess.
    @inline(__always)
    static func with<R>(origin: Int, _ body: (inout ByteWriter) throws(ETFError) -> R) throws(ETFError) -> R {
        let result: Result<R, ETFError> = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { scratch in
            var writer = ByteWriter(scratch: scratch, origin: origin)
            defer { writer.release() }
            do throws(ETFError) { return .success(try body(&writer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Writes terms into a ``ByteWriter``, choosing the tags `term_to_binary(T, [{minor_version, 2}])` chooses on OTP 25.
enum EncoderCore {
    static func encode(_ term: Term, into out: inout ByteWriter) throws(ETFError) {
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
                throw ETFError(.unencodable, offset: out.offset, "\(d) has no Erlang representation")
            }
            out.reserve(9)
            out.put(70)
            out.put(bigEndian: d.bitPattern)
        case .binary(let bytes):
            try checkLength(bytes.count, out.offset)
            out.reserve(5)
            out.put(109)
            out.put(bigEndian: UInt32(bytes.count))
            out.append(bytes)
        case .bitstring(let bytes, let bits):
            if bits == 8 {
                try encode(.binary(bytes), into: &out)
                return
            }
            guard (1...7).contains(bits), !bytes.isEmpty else {
                throw ETFError(
                    .unencodable, offset: out.offset,
                    "bitstring with \(bits) bits in the last of \(bytes.count) bytes")
            }
            try checkLength(bytes.count, out.offset)
            out.reserve(6 + bytes.count)
            out.put(77)
            out.put(bigEndian: UInt32(bytes.count))
            out.put(bits)
            bytes.withUnsafeBytes { out.put(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
            out.put(bytes[bytes.count - 1] & UInt8(truncatingIfNeeded: 0xFF << (8 - bits)))
        case .tuple(let elements):
            if elements.count <= 255 {
                out.reserve(2)
                out.put(bigEndian: UInt16(104) << 8 | UInt16(elements.count))
            } else {
                try checkLength(elements.count, out.offset)
                out.reserve(5)
                out.put(105)
                out.put(bigEndian: UInt32(elements.count))
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
            try checkLength(map.count, out.offset)
            out.reserve(5)
            out.put(116)
            out.put(bigEndian: UInt32(map.count))
            try map.entries.withUnsafeBufferPointer { (entries) throws(ETFError) in
                for i in entries.indices {
                    try encode(entries[i].key, into: &out)
                    try encode(entries[i].value, into: &out)
                }
            }
        case .pid(let pid):
            out.reserve(1)
            out.put(88)
            try encodeAtom(pid.node, into: &out)
            out.reserve(12)
            out.put(bigEndian: pid.id)
            out.put(bigEndian: pid.serial)
            out.put(bigEndian: pid.creation)
        case .port(let port):
            out.reserve(1)
            if let id = UInt32(exactly: port.id) {
                out.put(89)
                try encodeAtom(port.node, into: &out)
                out.reserve(8)
                out.put(bigEndian: id)
            } else {
                out.put(120)
                try encodeAtom(port.node, into: &out)
                out.reserve(12)
                out.put(bigEndian: port.id)
            }
            out.put(bigEndian: port.creation)
        case .reference(let ref):
            guard (1...5).contains(ref.ids.count) else {
                throw ETFError(
                    .unencodable, offset: out.offset, "reference with \(ref.ids.count) id words (must be 1...5)")
            }
            out.reserve(3)
            out.put(90)
            out.put(bigEndian: UInt16(ref.ids.count))
            try encodeAtom(ref.node, into: &out)
            out.reserve(4 + 4 * ref.ids.count)
            out.put(bigEndian: ref.creation)
            for id in ref.ids { out.put(bigEndian: id) }
        case .exportFun(let fun):
            out.reserve(1)
            out.put(113)
            try encodeAtom(fun.module, into: &out)
            try encodeAtom(fun.function, into: &out)
            out.reserve(2)
            out.put(97)
            out.put(fun.arity)
        case .localFun(let fun):
            guard fun.encoded.first == 112 else {
                throw ETFError(.unencodable, offset: out.offset, "local fun without its NEW_FUN_EXT encoding")
            }
            out.append(fun.encoded)
        }
    }

    /// Encodes each element in order, borrowing them from the array's storage instead of copying each one out.
    /// Integers, the commonest elements, are written here without the call.
    @inline(__always)
    private static func encodeAll(_ elements: [Term], into out: inout ByteWriter) throws(ETFError) {
        try elements.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<Term>) throws(ETFError) in
            for i in buffer.indices {
                if case .integer(let v) = buffer[i] {
                    encodeInt(v, into: &out)
                } else {
                    try encode(buffer[i], into: &out)
                }
            }
        }
    }

    @inline(__always)
    private static func checkLength(_ count: Int, _ offset: Int) throws(ETFError) {
        guard count <= Int(UInt32.max) else {
            throw ETFError(.unencodable, offset: offset, "length \(count) does not fit in 32 bits")
        }
    }

    private static func encodeImproper(_ term: Term, into out: inout ByteWriter) throws(ETFError) {
        guard case .improperList(let elements, let tail) = term else { return }
        try checkLength(elements.count, out.offset)
        out.reserve(5)
        out.put(108)
        out.put(bigEndian: UInt32(elements.count))
        try encodeAll(elements, into: &out)
        try encode(tail, into: &out)
    }

    private static func encodeList(_ elements: [Term], into out: inout ByteWriter) throws(ETFError) {
        if elements.isEmpty {
            out.reserve(1)
            out.put(106)
            return
        }
        if elements.count <= 65535 {
            let bytesOnly = elements.withUnsafeBufferPointer { buffer in
                for i in buffer.indices {
                    guard case .integer(let v) = buffer[i], UInt(bitPattern: v) <= 255 else { return false }
                }
                return true
            }
            if bytesOnly {
                out.reserve(3 + elements.count)
                out.put(107)
                out.put(bigEndian: UInt16(elements.count))
                elements.withUnsafeBufferPointer { buffer in
                    for i in buffer.indices {
                        if case .integer(let v) = buffer[i] { out.put(UInt8(truncatingIfNeeded: v)) }
                    }
                }
                return
            }
        }
        try checkLength(elements.count, out.offset)
        // Room for the header, the tail and, typically, one INTEGER_EXT per element; leaves reserve their own.
        let (guess, overflow) = elements.count.multipliedReportingOverflow(by: 5)
        out.reserve(overflow ? 6 : Swift.min(guess, 1 << 26) &+ 6)
        out.put(108)
        out.put(bigEndian: UInt32(elements.count))
        try encodeAll(elements, into: &out)
        out.reserve(1)
        out.put(106)
    }

    @inline(__always)
    static func encodeInt(_ i: Int, into out: inout ByteWriter) {
        out.reserve(11)
        if UInt(bitPattern: i) <= 255 {
            out.put(bigEndian: UInt16(97) << 8 | UInt16(truncatingIfNeeded: i))
        } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
            // Tag then the big-endian int32, as one 8-byte store of which 5 bytes are used.
            out.put(prefix: 5, of: UInt64(98) << 56 | UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: i))) << 24)
        } else {
            encodeSmallBig(i, into: &out)
        }
    }

    /// SMALL_BIG_EXT for an `Int` outside the int32 range: tag, n, sign, then n little-endian magnitude bytes.
    @inline(never)
    private static func encodeSmallBig(_ i: Int, into out: inout ByteWriter) {
        let magnitude = UInt64(i.magnitude)
        let n = (UInt64.bitWidth - magnitude.leadingZeroBitCount + 7) / 8
        out.put(110)
        out.put(UInt8(truncatingIfNeeded: n))
        out.put(i < 0 ? 1 : 0)
        UnsafeMutableRawPointer(out.base + out.count).storeBytes(of: magnitude.littleEndian, as: UInt64.self)
        out.advance(n)
    }

    private static func encodeBig(negative: Bool, magnitude: BigUInt, into out: inout ByteWriter) throws(ETFError) {
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
            out.reserve(3)
            out.put(110)
            out.put(UInt8(bytes.count))
        } else {
            try checkLength(bytes.count, out.offset)
            out.reserve(6)
            out.put(111)
            out.put(bigEndian: UInt32(bytes.count))
        }
        out.put(negative ? 1 : 0)
        out.append(bytes)
    }

    @inline(__always)
    static func encodeAtom(_ atom: Atom, into out: inout ByteWriter) throws(ETFError) {
        var name = atom.name
        let byteCount = name.utf8.count
        if _fastPath(byteCount <= 255) {
            out.reserve(2 &+ byteCount)
            out.put(bigEndian: UInt16(119) << 8 | UInt16(byteCount))
        } else {
            guard name.unicodeScalars.count <= 255 else {
                throw ETFError(.unencodable, offset: out.offset, "atom longer than 255 characters")
            }
            out.reserve(3 &+ byteCount)
            out.put(118)
            out.put(bigEndian: UInt16(byteCount))
        }
        name.withUTF8 { out.put(UnsafeRawBufferPointer($0)) }
    }
}
