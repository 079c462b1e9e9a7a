
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The decoding loop: a cursor over an `UnsafeRawBufferPointer` and an explicit stack of open containers.
///
/// Leaves are decoded in place; a container pushes a frame that collects its elements, and when a frame is full it is
/// popped and its value delivered to the frame below. No recursion, so nesting depth costs heap, not stack.
struct DecoderCore {
    let buffer: UnsafeRawBufferPointer
    var position: Int
    let limits: ETFLimits
    /// Terms decoded so far (tags read, plus the elements of STRING_EXT lists).
    private(set) var termCount = 0
    private var atomCache: AtomCache?
    private var atomsSeen = 0

    init(buffer: UnsafeRawBufferPointer, position: Int, limits: ETFLimits) {
        self.buffer = buffer
        self.position = position
        self.limits = limits
    }

    private enum FrameKind: UInt8 { case tuple, list, map, fun }

    /// An open container. Its elements so far are `values[base..<valueCount]` of the ``Stacks``.
    private struct Frame {
        var kind: FrameKind
        var remaining: Int
        var base: Int
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
        // The stacks start in stack memory (at most 1 KiB each, else Swift puts them on the heap), enough for most
        // messages; they move to the heap when they outgrow it.
        let result: Result<Term, ETFError> = withUnsafeTemporaryAllocation(of: Term.self, capacity: 40) { values in
            withUnsafeTemporaryAllocation(of: Frame.self, capacity: 16) { frames in
                var stacks = Stacks(values: values, frames: frames)
                defer { stacks.release() }
                do throws(ETFError) { return .success(try run(&stacks)) } catch { return .failure(error) }
            }
        }
        return try result.get()
    }

    /// The loop. Every decoded value is pushed on `s.values`; a container pushes a frame that remembers where its
    /// elements start, and reserves room for all of them, so pushing a leaf never checks capacity. When a frame is
    /// full its elements are moved into one exactly-sized array and replaced by the container.
    private mutating func run(_ s: inout Stacks) throws(ETFError) -> Term {
        var funs: [FunHeader] = []
        s.reserveValues(1)
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
                    try push(&s, .tuple, arity, arity, tagOffset, tag)
                    continue outer
                }
            case 105:  // LARGE_TUPLE_EXT
                try need(4, tagOffset, tag, "LARGE_TUPLE_EXT arity")
                let arity = Int(readU32())
                if arity == 0 {
                    value = .tuple([])
                } else {
                    try push(&s, .tuple, arity, arity, tagOffset, tag)
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
                if n >= 16, remaining > 0, buffer[position] == 97 || buffer[position] == 98 {
                    // Long lists of integers go straight into their array.
                    switch try integerList(count: n, &s, tagOffset) {
                    case .list(let list):
                        value = list
                    case .opened:
                        continue outer  // the list's frame is open, with its first integers
                    case .notIntegers:
                        try push(&s, .list, n + 1, n + 1, tagOffset, tag)
                        continue outer
                    }
                } else {
                    // n elements of at least one byte each, plus the tail.
                    try push(&s, .list, n + 1, n + 1, tagOffset, tag)
                    continue outer
                }
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
                    try push(&s, .map, arity * 2, arity * 2, tagOffset, tag)
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
                value = .port(ErlangPort(node: node, id: id, creation: creation))
            case 120:  // V4_PORT_EXT
                let node = try nodeAtom(tagOffset, tag)
                try need(12, tagOffset, tag, "V4_PORT_EXT fields")
                let id = readU64()
                let creation = readU32()
                value = .port(ErlangPort(node: node, id: id, creation: creation))
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
                try push(&s, .fun, 3 + numFree, 3 + numFree, tagOffset, tag)
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
            s.push(consume value)
            while s.depth > 0 {
                let frame = s.frames + (s.depth &- 1)
                var left = frame.pointee.remaining &- 1
                // Integer elements, the commonest, go straight into the open container without the dispatch above.
                // The cursor and counters live in locals here so that they stay in registers.
                if left > 0 {
                    var at = position
                    var count = s.valueCount
                    var terms = termCount
                    let values = s.values
                    let end = buffer.count
                    while left > 0, at < end {
                        let next = buffer[at]
                        if next == 97, end &- at >= 2 {
                            (values + count).initialize(to: .integer(Int(buffer[at &+ 1])))
                            at &+= 2
                        } else if next == 98, end &- at >= 5 {
                            let v = Int32(bitPattern: buffer.loadBigEndianUInt32(at: at &+ 1))
                            (values + count).initialize(to: .integer(Int(v)))
                            at &+= 5
                        } else {
                            break
                        }
                        count &+= 1
                        terms &+= 1
                        left &-= 1
                        if _slowPath(terms > limits.maxTerms) {
                            s.valueCount = count
                            termCount = terms
                            position = at
                            throw ETFError(
                                .tooLarge, offset: at &- (next == 97 ? 2 : 5), tag: next,
                                "more than maxTerms (\(limits.maxTerms)) terms")
                        }
                    }
                    position = at
                    s.valueCount = count
                    termCount = terms
                }
                frame.pointee.remaining = left
                if left == 1, frame.pointee.kind == .list, position < buffer.count, buffer[position] == 106 {
                    // The usual NIL_EXT tail of a proper list: close the list here instead of pushing `[]` as its
                    // tail and taking it apart again.
                    termCount &+= 1
                    position &+= 1
                    if termCount > limits.maxTerms {
                        throw ETFError(
                            .tooLarge, offset: position &- 1, tag: 106, "more than maxTerms (\(limits.maxTerms)) terms")
                    }
                    let base = frame.pointee.base
                    let list = Term.list(s.moveOut(base, s.valueCount &- base))
                    s.valueCount = base
                    s.depth &-= 1
                    s.push(list)
                    continue
                }
                if left > 0 { continue outer }
                if frame.pointee.kind == .tuple {  // the commonest container, closed without the call
                    let base = frame.pointee.base
                    let tuple = Term.tuple(s.moveOut(base, s.valueCount &- base))
                    s.valueCount = base
                    s.depth &-= 1
                    s.push(tuple)
                    continue
                }
                try close(&s, &funs)
            }
            s.valueCount = 0
            return s.values.move()
        }
    }

    /// The value and frame stacks. Both start on caller-provided (stack) memory and move to the heap, doubling.
    private struct Stacks {
        var values: UnsafeMutablePointer<Term>
        var valueCount = 0
        var valueCapacity: Int
        var valuesOnHeap = false
        var frames: UnsafeMutablePointer<Frame>
        var depth = 0
        var frameCapacity: Int
        var framesOnHeap = false

        init(values: UnsafeMutableBufferPointer<Term>, frames: UnsafeMutableBufferPointer<Frame>) {
            self.values = values.baseAddress!
            valueCapacity = values.count
            self.frames = frames.baseAddress!
            frameCapacity = frames.count
        }

        /// Destroys the values left (after an error) and frees heap memory.
        mutating func release() {
            values.deinitialize(count: valueCount)
            valueCount = 0
            if valuesOnHeap {
                ThreadScratch.give(.decoderValues, values, capacity: valueCapacity * MemoryLayout<Term>.stride)
            }
            if framesOnHeap {
                ThreadScratch.give(.decoderFrames, frames, capacity: frameCapacity * MemoryLayout<Frame>.stride)
            }
            valuesOnHeap = false
            framesOnHeap = false
        }

        /// Pushes a value; room was reserved when its container was opened.
        @inline(__always)
        mutating func push(_ value: __owned Term) {
            (values + valueCount).initialize(to: value)
            valueCount &+= 1
        }

        @inline(__always)
        mutating func reserveValues(_ extra: Int) {
            if _slowPath(extra > valueCapacity &- valueCount) { growValues(extra) }
        }

        @inline(never)
        private mutating func growValues(_ extra: Int) {
            var capacity = Swift.max(valueCapacity * 2, 64)
            while capacity - valueCount < extra { capacity *= 2 }
            // Heap blocks come from (and go back to) the thread's scratch: see ThreadScratch for why.
            let block = ThreadScratch.take(.decoderValues, minimum: capacity * MemoryLayout<Term>.stride)
            let moved = block.pointer.bindMemory(to: Term.self, capacity: block.capacity / MemoryLayout<Term>.stride)
            moved.moveInitialize(from: values, count: valueCount)
            if valuesOnHeap {
                ThreadScratch.give(.decoderValues, values, capacity: valueCapacity * MemoryLayout<Term>.stride)
            }
            values = moved
            valueCapacity = block.capacity / MemoryLayout<Term>.stride
            valuesOnHeap = true
        }

        @inline(__always)
        mutating func pushFrame(_ frame: Frame) {
            if _slowPath(depth == frameCapacity) { growFrames() }
            (frames + depth).initialize(to: frame)
            depth &+= 1
        }

        @inline(never)
        private mutating func growFrames() {
            let capacity = Swift.max(frameCapacity * 2, 16)
            let block = ThreadScratch.take(.decoderFrames, minimum: capacity * MemoryLayout<Frame>.stride)
            let moved = block.pointer.bindMemory(to: Frame.self, capacity: block.capacity / MemoryLayout<Frame>.stride)
            moved.moveInitialize(from: frames, count: depth)
            if framesOnHeap {
                ThreadScratch.give(.decoderFrames, frames, capacity: frameCapacity * MemoryLayout<Frame>.stride)
            }
            frames = moved
            frameCapacity = block.capacity / MemoryLayout<Frame>.stride
            framesOnHeap = true
        }

        /// Moves `values[base..<base + count]` into a new array (the slots become uninitialised).
        ///
        /// Small arrays are built as literals; `Array(unsafeUninitializedCapacity:)` allocates through an unspecialised
        /// path (~400 instructions) and `reserveCapacity` + `append` costs ~30 per element.
        @inline(__always)
        func moveOut(_ base: Int, _ count: Int) -> [Term] {
            if count == 0 { return [] }
            let source = values + base
            if count > 8 {
                // One move of the whole block; the allocation's fixed cost (a generic-metadata lookup) pays off past a
                // few elements.
                return [Term](unsafeUninitializedCapacity: count) { storage, initialized in
                    storage.baseAddress!.moveInitialize(from: source, count: count)
                    initialized = count
                }
            }
            // Array literals allocate through a specialised path: much cheaper than `reserveCapacity` + `append`.
            switch count {
            case 1: return [(source + 0).move()]
            case 2: return [(source + 0).move(), (source + 1).move()]
            case 3: return [(source + 0).move(), (source + 1).move(), (source + 2).move()]
            case 4: return [(source + 0).move(), (source + 1).move(), (source + 2).move(), (source + 3).move()]
            case 5: return [(source + 0).move(), (source + 1).move(), (source + 2).move(), (source + 3).move(), (source + 4).move()]
            case 6: return [(source + 0).move(), (source + 1).move(), (source + 2).move(), (source + 3).move(), (source + 4).move(), (source + 5).move()]
            case 7: return [(source + 0).move(), (source + 1).move(), (source + 2).move(), (source + 3).move(), (source + 4).move(), (source + 5).move(), (source + 6).move()]
            case 8: return [(source + 0).move(), (source + 1).move(), (source + 2).move(), (source + 3).move(), (source + 4).move(), (source + 5).move(), (source + 6).move(), (source + 7).move()]
            default: fatalError("unreachable")
            }
        }
    }

    @inline(__always)
    private mutating func push(
        _ s: inout Stacks, _ kind: FrameKind, _ count: Int, _ minimumBytes: Int, _ tagOffset: Int, _ tag: UInt8
    ) throws(ETFError) {
        guard minimumBytes <= remaining else {
            throw ETFError(
                .truncated, offset: tagOffset, tag: tag,
                "\(ETFTag.name(of: tag)) of \(count) elements needs at least \(minimumBytes) bytes but only \(remaining) remain")
        }
        guard s.depth < limits.maxDepth else {
            throw ETFError(.tooDeep, offset: tagOffset, tag: tag, "nesting deeper than maxDepth (\(limits.maxDepth))")
        }
        s.reserveValues(count)
        s.pushFrame(Frame(kind: kind, remaining: count, base: s.valueCount, start: tagOffset))
    }

    /// Pops the innermost (full) frame and replaces its elements on the value stack by the container.
    private mutating func close(_ s: inout Stacks, _ funs: inout [FunHeader]) throws(ETFError) {
        let frame = s.frames[s.depth &- 1]
        let base = frame.base
        let count = s.valueCount &- base
        let value: Term
        switch frame.kind {
        case .tuple:
            value = .tuple(s.moveOut(base, count))
        case .list:
            let tailSlot = s.values + (base + count - 1)
            if case .list(let rest) = tailSlot.pointee, rest.isEmpty {
                tailSlot.deinitialize(count: 1)
                value = .list(s.moveOut(base, count - 1))
            } else {
                var items = s.moveOut(base, count - 1)
                let tail = tailSlot.move()
                switch tail {
                case .list(let rest):
                    items.append(contentsOf: rest)
                    value = .list(items)
                case .improperList(let rest, let t):
                    items.append(contentsOf: rest)
                    value = .improperList(items, tail: t)
                default:
                    value = items.isEmpty ? tail : .improperList(items, tail: tail)
                }
            }
        case .map:
            let pairs = count / 2
            let source = s.values + base
            var entries: [TermMap.Element] = []
            entries.reserveCapacity(pairs)
            for i in 0..<pairs {
                entries.append((key: (source + 2 * i).move(), value: (source + 2 * i + 1).move()))
            }
            s.valueCount = base
            s.depth &-= 1
            if pairs <= 12 {
                for a in 1..<max(pairs, 1) {
                    for b in 0..<a where entries[a].key == entries[b].key {
                        throw ETFError(.invalidValue, offset: frame.start, tag: 116, "duplicate map key")
                    }
                }
            } else {
                var seen = Set<Term>(minimumCapacity: pairs)
                for entry in entries where !seen.insert(entry.key).inserted {
                    throw ETFError(.invalidValue, offset: frame.start, tag: 116, "duplicate map key")
                }
            }
            s.push(.map(TermMap(uniqueEntries: entries)))
            return
        case .fun:
            let header = funs.removeLast()
            guard position == header.end else {
                throw ETFError(
                    .invalidValue, offset: frame.start, tag: 112,
                    "NEW_FUN_EXT size says it ends at byte \(header.end) but its fields end at \(position)")
            }
            let items = s.moveOut(base, count)
            let encoded = Array(UnsafeRawBufferPointer(rebasing: buffer[frame.start..<header.end]))
            value = .localFun(
                LocalFun(
                    arity: header.arity, uniq: header.uniq, index: header.index, module: header.module,
                    oldIndex: items[0], oldUniq: items[1], pid: items[2], freeVariables: Array(items[3...]),
                    encoded: encoded))
        }
        s.valueCount = base
        s.depth &-= 1
        s.push(value)
    }

    /// A LIST_EXT of `count` elements (its header read) that starts with integers (SMALL_INTEGER_EXT/INTEGER_EXT), as
    /// long lists of numbers do, decoded straight into its array: no trip through the value stack, no second copy.
    ///
    /// Returns the list when all `count` elements are integers and NIL_EXT follows. Otherwise returns `.notIntegers`
    /// having read nothing when the first element is not an integer (or a limit would be passed: the general path
    /// then reports it, at the same offset as ever); or, when a later element is not an integer (or the tail is not
    /// NIL_EXT), opens the list's frame itself with the integers read so far on the value stack, and returns `.opened`
    /// for the loop to go on from the next element.
    @inline(never)
    private mutating func integerList(
        count n: Int, _ s: inout Stacks, _ tagOffset: Int
    ) throws(ETFError) -> IntegerList {
        guard s.depth < limits.maxDepth, n <= limits.maxTerms &- termCount &- 1, let bytes = buffer.baseAddress else {
            return .notIntegers
        }
        let end = buffer.count
        let start = position
        var at = start
        var read = 0
        let items = [Term](unsafeUninitializedCapacity: n) { storage, initialized in
            guard let out = storage.baseAddress else { return }
            while read < n {
                // A batch of elements that surely fit in the bytes left (5 each at most): no bounds check per element.
                let batch = Swift.min(n &- read, (end &- at) / 5)
                var k = 0
                if batch > 0 {
                    while k < batch {
                        let tag = bytes.load(fromByteOffset: at, as: UInt8.self)
                        if tag == 98 {
                            let v = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: at &+ 1, as: UInt32.self))
                            (out + (read &+ k)).initialize(to: .integer(Int(Int32(bitPattern: v))))
                            at &+= 5
                        } else if tag == 97 {
                            let v = bytes.load(fromByteOffset: at &+ 1, as: UInt8.self)
                            (out + (read &+ k)).initialize(to: .integer(Int(v)))
                            at &+= 2
                        } else {
                            break
                        }
                        k &+= 1
                    }
                    read &+= k
                    if k < batch { break }
                } else {
                    // The last few bytes: one element, checked.
                    guard at < end else { break }
                    let tag = bytes.load(fromByteOffset: at, as: UInt8.self)
                    if tag == 97, end &- at >= 2 {
                        (out + read).initialize(to: .integer(Int(bytes.load(fromByteOffset: at &+ 1, as: UInt8.self))))
                        at &+= 2
                    } else if tag == 98, end &- at >= 5 {
                        let v = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: at &+ 1, as: UInt32.self))
                        (out + read).initialize(to: .integer(Int(Int32(bitPattern: v))))
                        at &+= 5
                    } else {
                        break
                    }
                    read &+= 1
                }
            }
            initialized = read
        }
        if read == n, at < end, bytes.load(fromByteOffset: at, as: UInt8.self) == 106 {
            termCount &+= n &+ 1
            position = at &+ 1
            return .list(.list(items))
        }
        if read == 0 { return .notIntegers }
        // Not all integers (or not a proper list): open the frame as the general path does, with the integers read
        // so far as its first elements, and go on from the next element. The checks are those of `push`.
        guard n &+ 1 <= buffer.count &- start else {
            throw ETFError(
                .truncated, offset: tagOffset, tag: 108,
                "LIST_EXT of \(n + 1) elements needs at least \(n + 1) bytes but only \(buffer.count - start) remain")
        }
        s.reserveValues(n &+ 1)
        s.pushFrame(Frame(kind: .list, remaining: n &+ 1 &- read, base: s.valueCount, start: tagOffset))
        items.withUnsafeBufferPointer { done in
            // Integers: copying them is moving them.
            (s.values + s.valueCount).initialize(from: done.baseAddress!, count: read)
        }
        s.valueCount &+= read
        termCount &+= read
        position = at
        return .opened
    }

    private enum IntegerList {
        case list(Term)
        case opened
        case notIntegers
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
            return .bigInteger(BigInt(isNegative: negative, magnitudeWords: [magnitude]))
        }
        let magnitude = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + top)])
        return .bigInteger(BigInt(isNegative: negative, littleEndianMagnitude: magnitude))
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

    /// Whether every byte is below 0x80, eight at a time.
    @inline(__always)
    private func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var bits: UInt64 = 0
        var i = 0
        while i &+ 8 <= bytes.count {
            bits |= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < bytes.count {
            bits |= UInt64(bytes[i])
            i &+= 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
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
        if isASCII(bytes) {
            guard length <= maxCharacters else {
                throw ETFError(.atomTooLong, offset: tagOffset, tag: tag, "atom longer than \(maxCharacters) characters")
            }
            if length <= 15 {  // small strings are stored inline: nothing to cache (a cache costs more to set up)
                if length == 0 { return Atom("") }
                return Atom(String(unsafeUninitializedCapacity: length) { storage in
                    UnsafeMutableRawBufferPointer(storage).copyMemory(from: bytes)
                    return length
                })
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
    /// Each slot's atom doubles as its key: comparing against its UTF-8 needs no separate copy of the bytes.
    private var atoms: [Atom?] = Array(repeating: nil, count: AtomCache.size)

    mutating func atom(for bytes: UnsafeRawBufferPointer) -> Atom {
        var hash: UInt32 = 2_166_136_261
        for b in bytes { hash = (hash ^ UInt32(b)) &* 16_777_619 }
        let slot = Int(hash % UInt32(AtomCache.size))
        if var name = atoms[slot]?.name,
            name.withUTF8({ $0.count == bytes.count && memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
        {
            return Atom(name)
        }
        let atom = Atom(String(decoding: bytes, as: UTF8.self))
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
