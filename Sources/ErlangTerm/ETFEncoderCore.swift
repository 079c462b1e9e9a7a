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
    /// How many containers the encoder's recursive walk is inside (see `EncoderCore.recursionDepth`).
    var depth = 0

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
    /// Stores `bytes` (reserved first) with a few loads and stores when there are at most 16 of them, as atoms and
    /// short binaries are, instead of calling `memcpy`.
    @inline(__always)
    mutating func putSmall(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard let src = bytes.baseAddress, n > 0 else { return }
        let dst = UnsafeMutableRawPointer(base + count)
        if n > 16 {
            dst.copyMemory(from: src, byteCount: n)
        } else if n >= 8 {
            // Two 8-byte moves that overlap in the middle; both stay inside the source and the destination.
            let head = src.loadUnaligned(as: UInt64.self)
            let tail = src.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            dst.storeBytes(of: head, as: UInt64.self)
            dst.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            let head = src.loadUnaligned(as: UInt32.self)
            let tail = src.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            dst.storeBytes(of: head, as: UInt32.self)
            dst.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
        } else {
            // 1...3 bytes: first, middle and last (some coincide).
            let a = src.load(as: UInt8.self)
            let b = src.load(fromByteOffset: n >> 1, as: UInt8.self)
            let c = src.load(fromByteOffset: n &- 1, as: UInt8.self)
            dst.storeBytes(of: a, as: UInt8.self)
            dst.storeBytes(of: b, toByteOffset: n >> 1, as: UInt8.self)
            dst.storeBytes(of: c, toByteOffset: n &- 1, as: UInt8.self)
        }
        count &+= n
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
///
/// The common cases are encoded without copying anything out of the term. Copying an element out of its container
/// (what `switch term { case .tuple(let elements): ... }` does whenever the compiler cannot prove that nothing writes
/// the container's memory meanwhile, and the writer's growth is such an unknown call) costs a retain and a release per
/// element that holds a reference: every atom, binary and container. Instead the term is addressed by a pointer, its
/// case is read first (``Kind``, no payload), room is reserved, and only then is the payload read in place by small
/// accessors that call nothing unknown. A container's elements are addressed in its array's storage, which the term
/// keeps alive and unmodified: the caller of ``encode(_:into:)`` owns the term for the whole call.
enum EncoderCore {
    static func encode(_ term: Term, into out: inout ByteWriter) throws(ETFError) {
        try withUnsafePointer(to: term) { (p) throws(ETFError) in try encode(at: p, into: &out) }
    }

    /// A term's case without its payload.
    enum Kind: UInt8 {
        case atom, integer, float, binary, tuple, list, map, pid, other
    }

    static func kind(of term: Term) -> Kind { withUnsafePointer(to: term) { kind($0) } }

    @inline(__always)
    static func kind(_ p: UnsafePointer<Term>) -> Kind {
        switch p.pointee {
        case .atom: return .atom
        case .integer: return .integer
        case .float: return .float
        case .binary: return .binary
        case .tuple: return .tuple
        case .list: return .list
        case .map: return .map
        case .pid: return .pid
        default: return .other
        }
    }

    // Payload accessors: each reads its case's payload in place and calls nothing the compiler cannot see, so no copy.

    @inline(__always)
    private static func integerPayload(_ p: UnsafePointer<Term>) -> Int {
        if case .integer(let v) = p.pointee { return v }
        return 0
    }
    @inline(__always)
    private static func floatPayload(_ p: UnsafePointer<Term>) -> Double {
        if case .float(let d) = p.pointee { return d }
        return 0
    }
    /// The storage of a tuple's or a proper list's elements.
    @inline(__always)
    private static func elements(_ p: UnsafePointer<Term>) -> UnsafeBufferPointer<Term> {
        switch p.pointee {
        case .tuple(let elements), .list(let elements): return elements.withUnsafeBufferPointer { $0 }
        default: return UnsafeBufferPointer(start: nil, count: 0)
        }
    }
    @inline(__always)
    private static func binaryPayload(_ p: UnsafePointer<Term>) -> UnsafeRawBufferPointer {
        if case .binary(let bytes) = p.pointee { return bytes.withUnsafeBytes { $0 } }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }
    @inline(__always)
    private static func mapEntries(_ p: UnsafePointer<Term>) -> UnsafeBufferPointer<TermMap.Element> {
        if case .map(let map) = p.pointee { return map.entries.withUnsafeBufferPointer { $0 } }
        return UnsafeBufferPointer(start: nil, count: 0)
    }
    /// Writes the atom at `p` if its name has at most 255 UTF-8 bytes, with room for 257 bytes reserved; returns false
    /// (nothing written) otherwise.
    @inline(__always)
    private static func putAtom(_ p: UnsafePointer<Term>, into out: inout ByteWriter) -> Bool {
        guard case .atom(let atom) = p.pointee else { return false }
        return putAtom(atom, into: &out)
    }
    /// As above, for an atom value (copied out of a pid, port, reference or fun).
    @inline(__always)
    private static func putAtom(_ atom: Atom, into out: inout ByteWriter) -> Bool {
        // The name's UTF-8 in place: native strings, small ones included, always have it contiguous.
        atom.name.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard utf8.count <= 255 else { return false }
            out.put(bigEndian: UInt16(119) << 8 | UInt16(truncatingIfNeeded: utf8.count))
            out.putSmall(UnsafeRawBufferPointer(utf8))
            return true
        } ?? false
    }

    /// Writes the pid at `p` (NEW_PID_EXT) if its node's name has at most 255 UTF-8 bytes, with room for 270 bytes
    /// reserved; returns false (nothing written) otherwise.
    @inline(__always)
    private static func putPid(_ p: UnsafePointer<Term>, into out: inout ByteWriter) -> Bool {
        guard case .pid(let pid) = p.pointee else { return false }
        return pid.node.name.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard utf8.count <= 255 else { return false }
            out.put(88)
            out.put(bigEndian: UInt16(119) << 8 | UInt16(truncatingIfNeeded: utf8.count))
            out.putSmall(UnsafeRawBufferPointer(utf8))
            out.put(bigEndian: pid.id)
            out.put(bigEndian: pid.serial)
            out.put(bigEndian: pid.creation)
            return true
        } ?? false
    }

    /// How deep the recursive walk goes before a container is encoded by ``encodeTree(_:_:into:)`` instead.
    ///
    /// Recursion is cheapest for shallow terms (no set-up), but each level costs a few calls, and once they are
    /// deeper than the CPU's return-address predictor every return mispredicts: on a 500-deep term that was most of
    /// the time. Past this depth the walk goes on with an explicit stack, with no call or return per level. The depth
    /// is counted in the writer (`ByteWriter.depth`), not passed along, so that the element loops stay as they were.
    static let recursionDepth = 6

    /// Encodes the term at `p`, which stays valid and unmodified for the duration of the call.
    static func encode(at p: UnsafePointer<Term>, into out: inout ByteWriter) throws(ETFError) {
        let k = kind(p)
        switch k {
        case .tuple:
            if _slowPath(out.depth >= recursionDepth) { return try encodeTree(p, .tuple, into: &out) }
            let elements = elements(p)
            try tupleHeader(elements.count, into: &out)
            out.depth &+= 1
            try encodeAll(elements, into: &out)
            out.depth &-= 1
        case .list:
            if _slowPath(out.depth >= recursionDepth) { return try encodeTree(p, .list, into: &out) }
            out.depth &+= 1
            try encodeList(elements(p), into: &out)
            out.depth &-= 1
        case .map:
            if _slowPath(out.depth >= recursionDepth) { return try encodeTree(p, .map, into: &out) }
            let entries = mapEntries(p)
            try mapHeader(entries.count, into: &out)
            out.depth &+= 1
            try encodeEntries(entries, into: &out)
            out.depth &-= 1
        default:
            try encodeLeaf(p, k, into: &out)
        }
    }

    /// SMALL_TUPLE_EXT or LARGE_TUPLE_EXT and the arity.
    @inline(__always)
    private static func tupleHeader(_ count: Int, into out: inout ByteWriter) throws(ETFError) {
        if count <= 255 {
            out.reserve(2)
            out.put(bigEndian: UInt16(104) << 8 | UInt16(count))
        } else {
            try checkLength(count, out.offset)
            out.reserve(5)
            out.put(105)
            out.put(bigEndian: UInt32(count))
        }
    }

    /// MAP_EXT and the number of pairs.
    @inline(__always)
    private static func mapHeader(_ count: Int, into out: inout ByteWriter) throws(ETFError) {
        try checkLength(count, out.offset)
        out.reserve(5)
        out.put(116)
        out.put(bigEndian: UInt32(count))
    }

    /// Encodes a term that is not a tuple, proper list or map.
    @inline(__always)
    private static func encodeLeaf(_ p: UnsafePointer<Term>, _ k: Kind, into out: inout ByteWriter) throws(ETFError) {
        switch k {
        case .integer:
            encodeInt(integerPayload(p), into: &out)
        case .atom:
            out.reserve(257)
            if !putAtom(p, into: &out) { try encodeAtomSlow(p.pointee, into: &out) }
        case .float:
            let d = floatPayload(p)
            guard d.isFinite else {
                throw ETFError(.unencodable, offset: out.offset, "\(d) has no Erlang representation")
            }
            out.reserve(9)
            out.put(70)
            out.put(bigEndian: d.bitPattern)
        case .binary:
            let bytes = binaryPayload(p)
            try checkLength(bytes.count, out.offset)
            out.reserve(5 &+ bytes.count)
            out.put(109)
            out.put(bigEndian: UInt32(truncatingIfNeeded: bytes.count))
            out.putSmall(bytes)
        case .pid:
            out.reserve(1 &+ 257 &+ 12)
            if !putPid(p, into: &out) { try encodeOther(p.pointee, into: &out) }
        case .tuple, .list, .map, .other:
            try encodeOther(p.pointee, into: &out)
        }
    }

    /// An open container while encoding: its elements `next..<end` are still to be written, then NIL_EXT when
    /// `nilAfter` (a proper list's tail).
    private struct Frame {
        var next: UnsafePointer<Term>
        var end: UnsafePointer<Term>
        var nilAfter: Bool
    }

    /// Writes the header of the tuple, list or map at `p` (or the whole of it, for an empty list or a STRING_EXT) and
    /// returns the elements still to write, in place in the container's storage (a map's entries are key/value pairs
    /// of terms laid out one after the other: 2 × count terms), and whether NIL_EXT follows them.
    @inline(__always)
    private static func open(
        _ p: UnsafePointer<Term>, _ k: Kind, into out: inout ByteWriter
    ) throws(ETFError) -> (elements: UnsafeBufferPointer<Term>, nilAfter: Bool) {
        switch k {
        case .tuple:
            let elements = elements(p)
            try tupleHeader(elements.count, into: &out)
            return (elements, false)
        case .list:
            let elements = elements(p)
            return try listHeader(elements, into: &out) ? (elements, true) : (UnsafeBufferPointer(start: nil, count: 0), false)
        default:
            let entries = mapEntries(p)
            try mapHeader(entries.count, into: &out)
            guard let base = entries.baseAddress else { return (UnsafeBufferPointer(start: nil, count: 0), false) }
            // A pair's members are stored in the pair, the key first (checked by `CodecBasicTests.testMapEntryLayout`).
            let terms = UnsafeRawPointer(base).assumingMemoryBound(to: Term.self)
            return (UnsafeBufferPointer(start: terms, count: 2 &* entries.count), false)
        }
    }

    /// Encodes the tuple, list or map at `p`, walking nested containers with an explicit stack of open ones.
    private static func encodeTree(_ root: UnsafePointer<Term>, _ rootKind: Kind, into out: inout ByteWriter) throws(ETFError) {
        let opened = try open(root, rootKind, into: &out)
        guard let first = opened.elements.baseAddress, opened.elements.count > 0 else {
            if opened.nilAfter {
                out.reserve(1)
                out.put(106)
            }
            return
        }
        // The open containers below the current one start in stack memory (32 levels) and move to the heap, doubling.
        let result: Result<Void, ETFError> = withUnsafeTemporaryAllocation(of: Frame.self, capacity: 32) { scratch in
            var frames = scratch.baseAddress!
            var capacity = scratch.count
            var depth = 0
            var onHeap = false
            defer { if onHeap { frames.deallocate() } }
            var current = Frame(next: first, end: first + opened.elements.count, nilAfter: opened.nilAfter)
            do throws(ETFError) {
                while true {
                    if current.next == current.end {
                        if current.nilAfter {
                            out.reserve(1)
                            out.put(106)
                        }
                        if depth == 0 { return .success(()) }
                        depth &-= 1
                        current = frames[depth]
                        continue
                    }
                    let p = current.next
                    current.next += 1
                    // Integers and atoms, the commonest elements, without the switch below.
                    if case .integer(let v) = p.pointee {
                        encodeInt(v, into: &out)
                        continue
                    }
                    let k = kind(p)
                    switch k {
                    case .atom:
                        out.reserve(257)
                        if !putAtom(p, into: &out) { try encodeAtomSlow(p.pointee, into: &out) }
                    case .tuple, .list, .map:
                        let inner = try open(p, k, into: &out)
                        guard let base = inner.elements.baseAddress, inner.elements.count > 0 else {
                            if inner.nilAfter {
                                out.reserve(1)
                                out.put(106)
                            }
                            continue
                        }
                        if _slowPath(depth == capacity) {
                            let bigger = UnsafeMutablePointer<Frame>.allocate(capacity: capacity &* 2)
                            bigger.moveInitialize(from: frames, count: depth)
                            if onHeap { frames.deallocate() }
                            frames = bigger
                            capacity &*= 2
                            onHeap = true
                        }
                        (frames + depth).initialize(to: current)
                        depth &+= 1
                        current = Frame(next: base, end: base + inner.elements.count, nilAfter: inner.nilAfter)
                    default:
                        try encodeLeaf(p, k, into: &out)
                    }
                }
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// The rarer cases, copied out of the term as usual.
    @inline(never)
    private static func encodeOther(_ term: Term, into out: inout ByteWriter) throws(ETFError) {
        switch term {
        case .atom, .integer, .float, .binary, .tuple, .list, .map:
            preconditionFailure("encodeOther(\(EncoderCore.kind(of: term)))")
        case .bigInteger(let big):
            if let small = Int(exactly: big) {
                encodeInt(small, into: &out)
            } else {
                try encodeBig(big, into: &out)
            }
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
        case .pid(let pid):
            out.reserve(1 &+ 257 &+ 12)
            out.put(88)
            if !putAtom(pid.node, into: &out) { try encodeAtomSlow(.atom(pid.node), into: &out) }
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

    /// Encodes one element of a container: integers and atoms, the commonest, without the call.
    @inline(__always)
    private static func encodeElement(at p: UnsafePointer<Term>, into out: inout ByteWriter) throws(ETFError) {
        if case .integer(let v) = p.pointee {
            encodeInt(v, into: &out)
        } else if kind(p) == .atom {
            out.reserve(257)
            if !putAtom(p, into: &out) { try encodeAtomSlow(p.pointee, into: &out) }
        } else {
            try encode(at: p, into: &out)
        }
    }

    /// Encodes each element in order, in place in the container's storage.
    @inline(__always)
    private static func encodeAll(_ elements: UnsafeBufferPointer<Term>, into out: inout ByteWriter) throws(ETFError) {
        guard let base = elements.baseAddress else { return }
        for i in 0..<elements.count {
            try encodeElement(at: base + i, into: &out)
        }
    }

    /// Encodes a map's entries in stored order, key then value, in place in the entries' storage.
    @inline(__always)
    private static func encodeEntries(
        _ entries: UnsafeBufferPointer<TermMap.Element>, into out: inout ByteWriter
    ) throws(ETFError) {
        guard let base = entries.baseAddress else { return }
        for i in 0..<entries.count {
            // A pair's members are stored in the pair, the key first: pointers to them are valid while the pair's is.
            let pair = UnsafeRawPointer(base + i)
            try encodeElement(at: pair.assumingMemoryBound(to: Term.self), into: &out)
            try encodeElement(at: (pair + valueOffset).assumingMemoryBound(to: Term.self), into: &out)
        }
    }

    /// Where a map entry's value is stored, from the start of the entry: right after the key, as in any pair of two
    /// values of one type (checked by `CodecBasicTests.testMapEntryLayout`).
    static var valueOffset: Int { MemoryLayout<Term>.stride }

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
        try elements.withUnsafeBufferPointer { (buffer) throws(ETFError) in try encodeAll(buffer, into: &out) }
        try encode(tail, into: &out)
    }

    private static func encodeList(_ elements: UnsafeBufferPointer<Term>, into out: inout ByteWriter) throws(ETFError) {
        guard try listHeader(elements, into: &out) else { return }
        try encodeAll(elements, into: &out)
        out.reserve(1)
        out.put(106)
    }

    /// Writes a proper list's header and returns true when its elements (then NIL_EXT) are still to be written;
    /// returns false when it wrote the whole list: `[]` (NIL_EXT) or a STRING_EXT of bytes.
    @inline(__always)
    private static func listHeader(_ elements: UnsafeBufferPointer<Term>, into out: inout ByteWriter) throws(ETFError) -> Bool {
        if elements.isEmpty {
            out.reserve(1)
            out.put(106)
            return false
        }
        if elements.count <= 65535 {
            var bytesOnly = true
            for i in elements.indices {
                guard case .integer(let v) = elements[i], UInt(bitPattern: v) <= 255 else {
                    bytesOnly = false
                    break
                }
            }
            if bytesOnly {
                out.reserve(3 + elements.count)
                out.put(107)
                out.put(bigEndian: UInt16(elements.count))
                for i in elements.indices {
                    if case .integer(let v) = elements[i] { out.put(UInt8(truncatingIfNeeded: v)) }
                }
                return false
            }
        }
        try checkLength(elements.count, out.offset)
        // Room for the header, the tail and, typically, one INTEGER_EXT per element; leaves reserve their own.
        let (guess, overflow) = elements.count.multipliedReportingOverflow(by: 5)
        out.reserve(overflow ? 6 : Swift.min(guess, 1 << 26) &+ 6)
        out.put(108)
        out.put(bigEndian: UInt32(elements.count))
        return true
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

    /// SMALL_BIG_EXT (at most 255 magnitude bytes) or LARGE_BIG_EXT: tag, n, sign, then n little-endian magnitude
    /// bytes, stored a word at a time.
    private static func encodeBig(_ big: BigInt, into out: inout ByteWriter) throws(ETFError) {
        let words = big.magnitudeWords
        let n = (big.magnitudeBitWidth + 7) / 8
        if n <= 255 {
            out.reserve(3 &+ words.count &* 8)
            out.put(110)
            out.put(UInt8(n))
        } else {
            try checkLength(n, out.offset)
            out.reserve(6 &+ words.count &* 8)
            out.put(111)
            out.put(bigEndian: UInt32(n))
        }
        out.put(big.isNegative ? 1 : 0)
        // Whole words (the last one may reach up to 7 bytes past n, inside the reserved room), then count n.
        let dst = UnsafeMutableRawPointer(out.base + out.count)
        for (i, w) in words.enumerated() { dst.storeBytes(of: w.littleEndian, toByteOffset: i &* 8, as: UInt64.self) }
        out.advance(n)
    }

    /// Encodes an atom value.
    @inline(__always)
    static func encodeAtom(_ atom: Atom, into out: inout ByteWriter) throws(ETFError) {
        out.reserve(257)
        if !putAtom(atom, into: &out) { try encodeAtomSlow(.atom(atom), into: &out) }
    }

    /// Atoms of more than 255 bytes (ATOM_UTF8_EXT), and names without contiguous UTF-8.
    @inline(never)
    private static func encodeAtomSlow(_ term: Term, into out: inout ByteWriter) throws(ETFError) {
        guard case .atom(let atom) = term else { return }
        var name = atom.name
        let byteCount = name.utf8.count
        if byteCount <= 255 {
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
