import BigInt

/// The decoding loop: a cursor over an `UnsafeRawBufferPointer` and an explicit stack of open containers.
///
/// Leaves are decoded in place; a container pushes a frame that collects its elements, and when a frame is full it is
/// popped and its value delivered to the frame below. No recursion, so nesting depth costs heap, not stack.
struct DecoderCore {
    let buffer: UnsafeRawBufferPointer
    var position: Int
    let limits: ETFLimits
    private var termCount = 0
    private var atomCache: AtomCache?
    private var atomsSeen = 0

    init(buffer: UnsafeRawBufferPointer, position: Int, limits: ETFLimits) {
        self.buffer = buffer
        self.position = position
        self.limits = limits
    }

    private enum FrameKind: UInt8 { case tuple, list, map, fun }

    private struct Frame {
        var kind: FrameKind
        var remaining: Int
        var items: [Term]
        /// Offset of the container's tag.
        var start: Int
    }

    private struct FunHeader {
        var arity: UInt8
        var uniq: [UInt8]
        var index: UInt32
        var module: Atom
        var end: Int
    }

    // MARK: Helpers

    @inline(__always)
    private var remaining: Int { buffer.count - position }

    @inline(__always)
    private func need(_ count: Int, _ tagOffset: Int, _ tag: UInt8, _ what: @autoclosure () -> String) throws(ETFError) {
        if count > buffer.count - position {
            throw ETFError(
                .truncated, offset: tagOffset, tag: tag,
                "\(what()) needs \(count) bytes but only \(buffer.count - position) remain")
        }
    }

    @inline(__always)
    private mutating func readU8() -> UInt8 {
        let v = buffer[position]
        position &+= 1
        return v
    }
    @inline(__always)
    private mutating func readU16() -> UInt16 {
        let v = buffer.loadBigEndianUInt16(at: position)
        position &+= 2
        return v
    }
    @inline(__always)
    private mutating func readU32() -> UInt32 {
        let v = buffer.loadBigEndianUInt32(at: position)
        position &+= 4
        return v
    }
    @inline(__always)
    private mutating func readU64() -> UInt64 {
        let v = buffer.loadBigEndianUInt64(at: position)
        position &+= 8
        return v
    }

    private mutating func countTerms(_ n: Int, _ tagOffset: Int, _ tag: UInt8) throws(ETFError) {
        termCount &+= n
        if termCount > limits.maxTerms {
            throw ETFError(.tooLarge, offset: tagOffset, tag: tag, "more than maxTerms (\(limits.maxTerms)) terms")
        }
    }

    // MARK: The loop

    mutating func decodeTerm() throws(ETFError) -> Term {
        // The innermost open container lives in `open.current` (cheap to append to); its parents are in
        // `open.parents`.
        var open = OpenFrames()
        var funs: [FunHeader] = []
        outer: while true {
            let tagOffset = position
            guard position < buffer.count else {
                throw ETFError(.truncated, offset: tagOffset, "expected a tag, found the end of the input")
            }
            let tag = readU8()
            termCount &+= 1
            if termCount > limits.maxTerms {
                throw ETFError(.tooLarge, offset: tagOffset, tag: tag, "more than maxTerms (\(limits.maxTerms)) terms")
            }
            var value: Term
            switch tag {
            case 97:  // SMALL_INTEGER_EXT
                try need(1, tagOffset, tag, "SMALL_INTEGER_EXT")
                value = .integer(Int(readU8()))
            case 98:  // INTEGER_EXT
                try need(4, tagOffset, tag, "INTEGER_EXT")
                value = .integer(Int(Int32(bitPattern: readU32())))
            case 110:  // SMALL_BIG_EXT
                try need(2, tagOffset, tag, "SMALL_BIG_EXT header")
                let n = Int(readU8())
                let sign = readU8()
                value = try bigInteger(count: n, sign: sign, tagOffset, tag)
            case 111:  // LARGE_BIG_EXT
                try need(5, tagOffset, tag, "LARGE_BIG_EXT header")
                let n = Int(readU32())
                let sign = readU8()
                value = try bigInteger(count: n, sign: sign, tagOffset, tag)
            case 70:  // NEW_FLOAT_EXT
                try need(8, tagOffset, tag, "NEW_FLOAT_EXT")
                let d = Double(bitPattern: readU64())
                guard d.isFinite else {
                    throw ETFError(.invalidValue, offset: tagOffset, tag: tag, "float is NaN or infinite")
                }
                value = .float(d)
            case 99:  // FLOAT_EXT (legacy)
                try need(31, tagOffset, tag, "FLOAT_EXT")
                value = .float(try legacyFloat(tagOffset))
            case 118, 119, 100, 115:
                value = .atom(try atomBody(tag: tag, tagOffset))
            case 104:  // SMALL_TUPLE_EXT
                try need(1, tagOffset, tag, "SMALL_TUPLE_EXT arity")
                let arity = Int(readU8())
                if arity == 0 {
                    value = .tuple([])
                } else {
                    try push(&open, .tuple, arity, arity, tagOffset, tag)
                    continue outer
                }
            case 105:  // LARGE_TUPLE_EXT
                try need(4, tagOffset, tag, "LARGE_TUPLE_EXT arity")
                let arity = Int(readU32())
                if arity == 0 {
                    value = .tuple([])
                } else {
                    try push(&open, .tuple, arity, arity, tagOffset, tag)
                    continue outer
                }
            case 106:  // NIL_EXT
                value = .list([])
            case 107:  // STRING_EXT
                try need(2, tagOffset, tag, "STRING_EXT length")
                let n = Int(readU16())
                try need(n, tagOffset, tag, "STRING_EXT of \(n) bytes")
                try countTerms(n, tagOffset, tag)
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])
                position += n
                value = .list(bytes.map { .integer(Int($0)) })
            case 108:  // LIST_EXT
                try need(4, tagOffset, tag, "LIST_EXT length")
                let n = Int(readU32())
                // n elements of at least one byte each, plus the tail.
                try push(&open, .list, n + 1, n + 1, tagOffset, tag)
                continue outer
            case 109:  // BINARY_EXT
                try need(4, tagOffset, tag, "BINARY_EXT length")
                let n = Int(readU32())
                guard n <= limits.maxBinaryBytes else {
                    throw ETFError(.tooLarge, offset: tagOffset, tag: tag, "binary of \(n) bytes exceeds maxBinaryBytes")
                }
                try need(n, tagOffset, tag, "BINARY_EXT of \(n) bytes")
                value = .binary(Array(UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])))
                position += n
            case 77:  // BIT_BINARY_EXT
                try need(5, tagOffset, tag, "BIT_BINARY_EXT header")
                let n = Int(readU32())
                let bits = readU8()
                guard n <= limits.maxBinaryBytes else {
                    throw ETFError(.tooLarge, offset: tagOffset, tag: tag, "bitstring of \(n) bytes exceeds maxBinaryBytes")
                }
                // As erts: bits is 1...8, or 0 exactly when the data is empty.
                guard bits <= 8, (bits == 0) == (n == 0) else {
                    throw ETFError(
                        .invalidValue, offset: tagOffset, tag: tag,
                        "BIT_BINARY_EXT with \(bits) bits in the last of \(n) bytes (must be 1...8)")
                }
                try need(n, tagOffset, tag, "BIT_BINARY_EXT of \(n) bytes")
                var data = Array(UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)]))
                position += n
                if bits == 8 || n == 0 {
                    value = .binary(data)
                } else {
                    data[n - 1] &= UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                    value = .bitstring(data, bitsInLastByte: bits)
                }
            case 116:  // MAP_EXT
                try need(4, tagOffset, tag, "MAP_EXT arity")
                let arity = Int(readU32())
                if arity == 0 {
                    value = .map(TermMap())
                } else {
                    guard arity <= remaining / 2 else {
                        throw ETFError(
                            .truncated, offset: tagOffset, tag: tag,
                            "MAP_EXT of \(arity) pairs needs at least \(arity * 2) bytes but only \(remaining) remain")
                    }
                    try push(&open, .map, arity * 2, arity * 2, tagOffset, tag)
                    continue outer
                }
            case 88, 103:  // NEW_PID_EXT, PID_EXT
                let node = try nodeAtom(tagOffset, tag)
                let size = tag == 88 ? 12 : 9
                try need(size, tagOffset, tag, "pid fields")
                let id = readU32()
                let serial = readU32()
                let creation = tag == 88 ? readU32() : UInt32(readU8())
                value = .pid(Pid(node: node, id: id, serial: serial, creation: creation))
            case 89, 102:  // NEW_PORT_EXT, PORT_EXT
                let node = try nodeAtom(tagOffset, tag)
                try need(tag == 89 ? 8 : 5, tagOffset, tag, "port fields")
                let id = UInt64(readU32())
                let creation = tag == 89 ? readU32() : UInt32(readU8())
                value = .port(Port(node: node, id: id, creation: creation))
            case 120:  // V4_PORT_EXT
                let node = try nodeAtom(tagOffset, tag)
                try need(12, tagOffset, tag, "V4_PORT_EXT fields")
                let id = readU64()
                let creation = readU32()
                value = .port(Port(node: node, id: id, creation: creation))
            case 90, 114:  // NEWER_REFERENCE_EXT, NEW_REFERENCE_EXT
                try need(2, tagOffset, tag, "reference length")
                let n = Int(readU16())
                guard (1...5).contains(n) else {
                    throw ETFError(
                        .invalidValue, offset: tagOffset, tag: tag, "reference with \(n) id words (must be 1...5)")
                }
                let node = try nodeAtom(tagOffset, tag)
                try need((tag == 90 ? 4 : 1) + 4 * n, tagOffset, tag, "reference fields")
                let creation = tag == 90 ? readU32() : UInt32(readU8())
                var ids: [UInt32] = []
                ids.reserveCapacity(n)
                for _ in 0..<n { ids.append(readU32()) }
                value = .reference(Reference(node: node, creation: creation, ids: ids))
            case 101:  // REFERENCE_EXT (deprecated)
                let node = try nodeAtom(tagOffset, tag)
                try need(5, tagOffset, tag, "REFERENCE_EXT fields")
                let id = readU32()
                let creation = UInt32(readU8())
                value = .reference(Reference(node: node, creation: creation, ids: [id]))
            case 113:  // EXPORT_EXT
                let module = try nodeAtom(tagOffset, tag, field: "module")
                let function = try nodeAtom(tagOffset, tag, field: "function")
                try need(2, tagOffset, tag, "EXPORT_EXT arity")
                guard readU8() == 97 else {
                    throw ETFError(
                        .invalidValue, offset: tagOffset, tag: tag, "EXPORT_EXT arity must be a SMALL_INTEGER_EXT")
                }
                value = .exportFun(ExportFun(module: module, function: function, arity: readU8()))
            case 112:  // NEW_FUN_EXT
                try need(4, tagOffset, tag, "NEW_FUN_EXT size")
                let size = Int(readU32())
                // size counts itself (4), arity (1), uniq (16), index (4), numFree (4) and the rest.
                guard size >= 29, size <= buffer.count - (tagOffset + 1) else {
                    throw ETFError(
                        .truncated, offset: tagOffset, tag: tag,
                        "NEW_FUN_EXT declares \(size) bytes but \(buffer.count - (tagOffset + 1)) remain")
                }
                let end = tagOffset + 1 + size
                let arity = readU8()
                let uniq = Array(UnsafeRawBufferPointer(rebasing: buffer[position..<(position + 16)]))
                position += 16
                let index = readU32()
                let numFree = Int(readU32())
                let module = try nodeAtom(tagOffset, tag, field: "module")
                guard numFree <= end - position else {
                    throw ETFError(
                        .invalidValue, offset: tagOffset, tag: tag, "NEW_FUN_EXT has more free variables than bytes")
                }
                funs.append(FunHeader(arity: arity, uniq: uniq, index: index, module: module, end: end))
                // OldIndex, OldUniq, Pid, then the free variables.
                try push(&open, .fun, 3 + numFree, 3 + numFree, tagOffset, tag)
                continue outer
            case 82:
                throw ETFError(
                    .unsupportedTag, offset: tagOffset, tag: tag,
                    "ATOM_CACHE_REF is only valid inside a distribution header")
            case 117:
                throw ETFError(
                    .unsupportedTag, offset: tagOffset, tag: tag, "FUN_EXT was removed in OTP 23 and is not decoded")
            case 121:
                throw ETFError(
                    .unsupportedTag, offset: tagOffset, tag: tag,
                    "LOCAL_EXT can only be decoded by the node that encoded it")
            case 131:
                throw ETFError(
                    .unsupportedTag, offset: tagOffset, tag: tag, "unexpected version byte 131 inside a term")
            case 80:
                throw ETFError(
                    .unsupportedTag, offset: tagOffset, tag: tag, "COMPRESSED is only valid right after the version byte")
            default:
                throw ETFError(.unsupportedTag, offset: tagOffset, tag: tag, "unknown tag \(tag)")
            }

            // Deliver `value` to the open containers, closing every one that becomes full.
            while open.depth > 0 {
                open.current.items.append(value)
                open.current.remaining -= 1
                if open.current.remaining > 0 { continue outer }
                var frame = open.pop()
                value = try finish(&frame, &funs)
            }
            return value
        }
    }

    /// The open containers: the innermost one apart, so that delivering an element touches no array of frames.
    private struct OpenFrames {
        var current = Frame(kind: .tuple, remaining: 0, items: [], start: 0)
        var parents: [Frame] = []
        var depth = 0

        @inline(__always)
        mutating func push(_ frame: Frame) {
            if depth > 0 { parents.append(current) }
            current = frame
            depth += 1
        }

        @inline(__always)
        mutating func pop() -> Frame {
            depth -= 1
            var frame = depth > 0 ? parents.removeLast() : Frame(kind: .tuple, remaining: 0, items: [], start: 0)
            swap(&frame, &current)
            return frame
        }
    }

    private mutating func push(
        _ open: inout OpenFrames, _ kind: FrameKind, _ count: Int, _ minimumBytes: Int, _ tagOffset: Int, _ tag: UInt8
    ) throws(ETFError) {
        guard minimumBytes <= remaining else {
            throw ETFError(
                .truncated, offset: tagOffset, tag: tag,
                "\(ETFTag.name(of: tag)) of \(count) elements needs at least \(minimumBytes) bytes but only \(remaining) remain")
        }
        guard open.depth < limits.maxDepth else {
            throw ETFError(.tooDeep, offset: tagOffset, tag: tag, "nesting deeper than maxDepth (\(limits.maxDepth))")
        }
        var items: [Term] = []
        items.reserveCapacity(count)
        open.push(Frame(kind: kind, remaining: count, items: items, start: tagOffset))
    }

    private func finish(_ frame: inout Frame, _ funs: inout [FunHeader]) throws(ETFError) -> Term {
        // Take the elements out of the frame so that appending to them below does not copy.
        var items: [Term] = []
        swap(&items, &frame.items)
        switch frame.kind {
        case .tuple:
            return .tuple(items)
        case .list:
            let tail = items.removeLast()
            switch tail {
            case .list(let rest):
                if rest.isEmpty { return .list(items) }
                items.append(contentsOf: rest)
                return .list(items)
            case .improperList(let rest, let t):
                items.append(contentsOf: rest)
                return .improperList(items, tail: t)
            default:
                return items.isEmpty ? tail : .improperList(items, tail: tail)
            }
        case .map:
            let count = items.count / 2
            var entries: [TermMap.Element] = []
            entries.reserveCapacity(count)
            var i = 0
            while i < items.count {
                entries.append((key: items[i], value: items[i + 1]))
                i += 2
            }
            if count <= 12 {
                for a in 1..<max(count, 1) {
                    for b in 0..<a where entries[a].key == entries[b].key {
                        throw ETFError(.invalidValue, offset: frame.start, tag: 116, "duplicate map key")
                    }
                }
            } else {
                var seen = Set<Term>(minimumCapacity: count)
                for entry in entries where !seen.insert(entry.key).inserted {
                    throw ETFError(.invalidValue, offset: frame.start, tag: 116, "duplicate map key")
                }
            }
            return .map(TermMap(uniqueEntries: entries))
        case .fun:
            let header = funs.removeLast()
            guard position == header.end else {
                throw ETFError(
                    .invalidValue, offset: frame.start, tag: 112,
                    "NEW_FUN_EXT size says it ends at byte \(header.end) but its fields end at \(position)")
            }
            let encoded = Array(UnsafeRawBufferPointer(rebasing: buffer[frame.start..<header.end]))
            return .localFun(
                LocalFun(
                    arity: header.arity, uniq: header.uniq, index: header.index, module: header.module,
                    oldIndex: items[0], oldUniq: items[1], pid: items[2], freeVariables: Array(items[3...]),
                    encoded: encoded))
        }
    }

    // MARK: Leaves

    private mutating func bigInteger(count n: Int, sign: UInt8, _ tagOffset: Int, _ tag: UInt8) throws(ETFError) -> Term
    {
        guard n <= limits.maxBigIntegerBytes else {
            throw ETFError(
                .bigIntegerTooLarge, offset: tagOffset, tag: tag,
                "big integer of \(n) bytes exceeds maxBigIntegerBytes (\(limits.maxBigIntegerBytes))")
        }
        try need(n, tagOffset, tag, "big integer of \(n) bytes")
        let start = position
        position += n
        var top = n
        while top > 0 && buffer[start + top - 1] == 0 { top -= 1 }
        let negative = sign != 0  // erts treats any non-zero sign byte as negative
        if top <= 8 {
            var magnitude: UInt64 = 0
            var i = top
            while i > 0 {
                i -= 1
                magnitude = magnitude << 8 | UInt64(buffer[start + i])
            }
            if magnitude <= UInt64(Int.max) {
                return .integer(negative ? -Int(magnitude) : Int(magnitude))
            }
            if negative && magnitude == UInt64(1) << 63 { return .integer(Int.min) }
            return .bigInteger(BigInt(sign: negative ? .minus : .plus, magnitude: BigUInt(magnitude)))
        }
        let wordCount = (top + 7) / 8
        var words = [UInt](repeating: 0, count: wordCount)
        var i = 0
        while i < top {
            words[i >> 3] |= UInt(buffer[start + i]) << UInt((i & 7) * 8)
            i += 1
        }
        return .bigInteger(BigInt(sign: negative ? .minus : .plus, magnitude: BigUInt(words: words)))
    }

    private mutating func legacyFloat(_ tagOffset: Int) throws(ETFError) -> Double {
        let raw = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + 31)])
        position += 31
        var end = 0
        while end < raw.count && raw[end] != 0 { end += 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<end]), as: UTF8.self)
            .trimmingSpaces()
        guard let d = Double(text), d.isFinite else {
            throw ETFError(.invalidValue, offset: tagOffset, tag: 99, "FLOAT_EXT is not a finite number")
        }
        return d
    }

    /// An atom field of a pid, port, reference or fun.
    private mutating func nodeAtom(_ tagOffset: Int, _ tag: UInt8, field: String = "node") throws(ETFError) -> Atom {
        try need(1, tagOffset, tag, "\(ETFTag.name(of: tag)) \(field)")
        let atomTag = buffer[position]
        switch atomTag {
        case 118, 119, 100, 115:
            let atomOffset = position
            position += 1
            return try atomBody(tag: atomTag, atomOffset)
        default:
            throw ETFError(
                .invalidValue, offset: position, tag: tag,
                "\(ETFTag.name(of: tag)) \(field) must be an atom, found tag \(atomTag)")
        }
    }

    private mutating func atomBody(tag: UInt8, _ tagOffset: Int) throws(ETFError) -> Atom {
        let length: Int
        if tag == 119 || tag == 115 {
            try need(1, tagOffset, tag, "atom length")
            length = Int(readU8())
        } else {
            try need(2, tagOffset, tag, "atom length")
            length = Int(readU16())
        }
        try need(length, tagOffset, tag, "atom of \(length) bytes")
        let maxCharacters = min(limits.maxAtomCharacters, 255)
        let latin1 = tag == 100 || tag == 115
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + length)])
        position += length
        guard length <= (latin1 ? maxCharacters : maxCharacters * 4) else {
            throw ETFError(.atomTooLong, offset: tagOffset, tag: tag, "atom longer than \(maxCharacters) characters")
        }
        var ascii = true
        for b in bytes where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            guard length <= maxCharacters else {
                throw ETFError(.atomTooLong, offset: tagOffset, tag: tag, "atom longer than \(maxCharacters) characters")
            }
            if length <= 15 {  // small strings are stored inline: nothing to cache
                return Atom(String(decoding: bytes, as: UTF8.self))
            }
            atomsSeen &+= 1
            if atomsSeen < 4 { return Atom(String(decoding: bytes, as: UTF8.self)) }
            if atomCache == nil { atomCache = AtomCache() }
            return atomCache!.atom(for: bytes)
        }
        if latin1 {
            var scalars = String.UnicodeScalarView()
            for b in bytes { scalars.append(Unicode.Scalar(b)) }
            return Atom(String(scalars))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ETFError(.invalidValue, offset: tagOffset, tag: tag, "atom is not valid UTF-8")
        }
        var characters = 0
        for b in bytes where b & 0xC0 != 0x80 { characters += 1 }
        guard characters <= maxCharacters else {
            throw ETFError(.atomTooLong, offset: tagOffset, tag: tag, "atom longer than \(maxCharacters) characters")
        }
        return Atom(text)
    }
}

/// A small direct-mapped cache of recently decoded ASCII atoms, so repeated long atoms (module names, record tags)
/// share one `String` instead of allocating each time.
private struct AtomCache {
    private static let size = 64
    private var keys: [[UInt8]] = Array(repeating: [], count: AtomCache.size)
    private var atoms: [Atom] = Array(repeating: Atom(""), count: AtomCache.size)

    mutating func atom(for bytes: UnsafeRawBufferPointer) -> Atom {
        var hash: UInt32 = 2_166_136_261
        for b in bytes { hash = (hash ^ UInt32(b)) &* 16_777_619 }
        let slot = Int(hash % UInt32(AtomCache.size))
        let key = keys[slot]
        if key.count == bytes.count, key.withUnsafeBytes({ $0.elementsEqual(bytes) }) {
            return atoms[slot]
        }
        let atom = Atom(String(decoding: bytes, as: UTF8.self))
        keys[slot] = Array(bytes)
        atoms[slot] = atom
        return atom
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let f = scalars.first, f == " " { scalars.removeFirst() }
        while let l = scalars.last, l == " " { scalars.removeLast() }
        return String(scalars)
    }
}
