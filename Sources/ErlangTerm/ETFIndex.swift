/// A validated, read-only index over the bytes of one ETF term: the term's structure in one flat array, without
/// building a ``Term``.
///
/// Decoding into ``Term`` allocates one array per tuple, list and map, and freeing the result releases each of them
/// again (recursively, for nested containers); on deeply nested or container-heavy terms that, not reading the bytes,
/// is most of the cost. `ETFIndex` instead records every term of the input as one 16-byte node in a single array, in
/// depth-first order, and leaves the payloads (atom names, binaries, big integers) in the input bytes, which it keeps
/// without copying. Reuse one index with ``load(_:)`` and, once its array has grown to the size of the terms you
/// read, indexing allocates nothing.
///
/// The input is validated exactly as ``ETFDecoder`` validates it, with the same ``ETFLimits``: `load` throws the
/// same ``ETFError`` (code, offset and tag) for the same bytes, and ``term(_:)`` of the root is the term
/// ``ETFDecoder/decode(_:)`` returns. Lists are read as ``Term`` reads them: a list whose tail is itself a list is one
/// list, `[]` is an empty ``Kind/list``, and a STRING_EXT is a list of integers.
///
/// ```swift
/// var index = ETFIndex()
/// try index.load(bytes)
/// if index.kind(index.root) == .tuple {
///     for element in index.elements(index.root) where index.kind(element) == .integer {
///         total += index.integer(element)!
///     }
/// }
/// ```
///
/// Nodes are named by ``Node`` values, valid for the index that gave them until its next ``load(_:)``.
/// Inputs of 4 GiB or more are refused (``ETFError/Code/tooLarge``): node offsets are 32-bit.
public struct ETFIndex: Sendable {
    /// What a node is: the ``Term`` case that ``term(_:)`` returns for it.
    public enum Kind: UInt8, Sendable, Hashable {
        case atom, integer, bigInteger, float, binary, bitstring, tuple, list, improperList, map
        case pid, port, reference, exportFun, localFun
    }

    /// A term in an index: a position in its node array.
    public struct Node: Hashable, Sendable {
        /// The node's position in depth-first order (the root is 0).
        public let position: Int
        @inline(__always) init(_ position: Int) { self.position = position }
    }

    /// One term. Containers are followed by their elements' nodes; `size` counts the node and all of those.
    struct Entry {
        /// Offset of the term's tag in `bytes` (of the byte itself, for an element of a STRING_EXT).
        var offset: UInt32
        /// This node and everything below it: the next sibling is at `position + size`.
        var size: UInt32
        /// Integers (SMALL_INTEGER_EXT, INTEGER_EXT, STRING_EXT bytes): the value's bit pattern. Tuples: the arity;
        /// LIST_EXT and STRING_EXT: the element count on the wire; maps: the pair count.
        var value: UInt32
        var kind: Kind
        /// The wire tag (0 for an element of a STRING_EXT).
        var tag: UInt8
    }

    struct Frame {
        var node: Int
        var remaining: Int
    }

    /// The bounds applied by ``load(_:)``.
    public var limits: ETFLimits
    /// The indexed bytes: the input, or its inflated contents when it was COMPRESSED.
    public private(set) var bytes: [UInt8] = []
    /// The nodes (and, while indexing, the open containers), shared by copies of the index until one loads again.
    private var store = NodeStore()
    private var entries: NodeStore { store }

    /// An empty index, to ``load(_:)`` bytes into.
    public init(limits: ETFLimits = .default) { self.limits = limits }

    /// Indexes `bytes` (version byte first, as ``ETFDecoder/decode(_:)`` takes them).
    public init(_ bytes: [UInt8], limits: ETFLimits = .default) throws(ETFError) {
        self.limits = limits
        try load(bytes)
    }

    /// Indexes one term that starts with the version byte 131 (and may be compressed) and fills `bytes` exactly,
    /// replacing what the index held. Throws what ``ETFDecoder/decode(_:)`` throws for the same bytes; after an
    /// error the index is empty (``nodeCount`` 0).
    public mutating func load(_ bytes: [UInt8]) throws(ETFError) {
        clear()
        guard bytes.count <= limits.maxBinaryBytes else {
            throw ETFError(.tooLarge, offset: 0, "input of \(bytes.count) bytes exceeds maxBinaryBytes")
        }
        guard bytes.count <= Int(UInt32.max) else {
            throw ETFError(.tooLarge, offset: 0, "input of \(bytes.count) bytes is too large for an ETFIndex")
        }
        guard !bytes.isEmpty else { throw ETFError(.truncated, offset: 0, "missing version byte") }
        guard bytes[0] == 131 else {
            throw ETFError(.badVersion, offset: 0, tag: bytes[0], "expected version byte 131, found \(bytes[0])")
        }
        if bytes.count > 1, bytes[1] == ETFTag.compressed.rawValue {
            let limits = self.limits
            let inflatedOrError: Result<(inflated: [UInt8], end: Int), ETFError> = bytes.withUnsafeBytes { raw in
                do throws(ETFError) {
                    return .success(try ETFDecoder.inflateCompressed(raw, at: 1, limits: limits))
                } catch {
                    return .failure(error)
                }
            }
            let (inflated, end) = try inflatedOrError.get()
            guard inflated.count <= Int(UInt32.max) else {
                throw ETFError(.tooLarge, offset: 1, "inflated term is too large for an ETFIndex")
            }
            self.bytes = inflated  // `term(_:)` reads it while indexing (map keys)
            let position = try index(inflated, from: 0)
            guard position == inflated.count else {
                clear()
                throw ETFError(
                    .badCompression, offset: 1, tag: ETFTag.compressed.rawValue,
                    "inflated term is \(position) bytes but \(inflated.count) were declared")
            }
            guard end == bytes.count else {
                clear()
                throw ETFError(.trailingBytes, offset: end, "\(bytes.count - end) bytes left after the term")
            }
            return
        }
        self.bytes = bytes
        let end = try index(bytes, from: 1)
        guard end == bytes.count else {
            clear()
            throw ETFError(.trailingBytes, offset: end, "\(bytes.count - end) bytes left after the term")
        }
    }

    /// Empties the index, keeping its storage unless a copy of the index shares it.
    private mutating func clear() {
        if isKnownUniquelyReferenced(&store) {
            store.count = 0
            store.depth = 0
        } else {
            store = NodeStore()
        }
        bytes = []
    }

    /// The number of nodes: every term of the input, containers and leaves, plus one per element of a STRING_EXT.
    public var nodeCount: Int { store.count }

    /// The whole term. Only valid after a successful ``load(_:)``.
    public var root: Node { Node(0) }

    // MARK: Reading

    /// The node that stands for `node`: a LIST_EXT of no elements is its tail.
    @inline(__always)
    private func resolved(_ node: Node) -> Int {
        precondition(node.position >= 0 && node.position < store.count, "ETFIndex.Node from another index or load")
        var i = node.position
        while entries[i].tag == 108 && entries[i].value == 0 { i &+= 1 }
        return i
    }

    /// The case of ``term(_:)`` for `node`.
    public func kind(_ node: Node) -> Kind { entries[resolved(node)].kind }

    /// The elements of a tuple or list (a list's tail excluded; see ``tail(_:)``), or a map's keys and values
    /// alternating (key first, in stored order); empty for any other term.
    public func elements(_ node: Node) -> Elements {
        let i = resolved(node)
        let e = entries[i]
        switch e.kind {
        case .tuple: return Elements(entries: store, cursor: i &+ 1, remaining: Int(e.value), tailFollows: false)
        case .map: return Elements(entries: store, cursor: i &+ 1, remaining: 2 &* Int(e.value), tailFollows: false)
        case .list, .improperList:
            return Elements(entries: store, cursor: i &+ 1, remaining: Int(e.value), tailFollows: e.tag == 108)
        default: return Elements(entries: store, cursor: i, remaining: 0, tailFollows: false)
        }
    }

    /// The number of ``elements(_:)``: a tuple's arity, a list's length (its tail excluded), twice a map's size.
    public func count(_ node: Node) -> Int {
        let i = resolved(node)
        switch entries[i].kind {
        case .tuple: return Int(entries[i].value)
        case .map: return 2 * Int(entries[i].value)
        case .list, .improperList:
            var n = 0
            for _ in elements(node) { n += 1 }
            return n
        default: return 0
        }
    }

    /// The tail of an improper list (never a list itself), or nil.
    public func tail(_ node: Node) -> Node? {
        var i = resolved(node)
        guard entries[i].kind == .improperList else { return nil }
        while true {
            // A LIST_EXT of n > 0 elements whose kind is improper: its tail follows the elements.
            var t = i &+ 1
            for _ in 0..<Int(entries[i].value) { t &+= Int(entries[t].size) }
            t = resolved(Node(t))
            if entries[t].kind != .improperList { return Node(t) }
            i = t
        }
    }

    /// The value of an ``Kind/integer`` node, or nil for any other.
    public func integer(_ node: Node) -> Int? {
        let i = resolved(node)
        let e = entries[i]
        guard e.kind == .integer else { return nil }
        switch e.tag {
        case 97, 0: return Int(e.value)
        case 98: return Int(Int32(bitPattern: e.value))
        default:
            if case .integer(let v) = leaf(e) { return v }
            return nil
        }
    }

    /// The atom of an ``Kind/atom`` node, or nil for any other.
    public func atom(_ node: Node) -> Atom? {
        let e = entries[resolved(node)]
        guard e.kind == .atom, case .atom(let a) = leaf(e) else { return nil }
        return a
    }

    /// The bytes of a ``Kind/binary`` node, as a slice of ``bytes`` (no copy), or nil for any other.
    public func binary(_ node: Node) -> ArraySlice<UInt8>? {
        let e = entries[resolved(node)]
        guard e.kind == .binary else { return nil }
        let start = Int(e.offset)
        if e.tag == 109 {
            let n = Int(bytes[start + 1]) << 24 | Int(bytes[start + 2]) << 16 | Int(bytes[start + 3]) << 8
                | Int(bytes[start + 4])
            return bytes[(start + 5)..<(start + 5 + n)]
        }
        // BIT_BINARY_EXT with 8 bits in its last byte, or with no bytes.
        let n = Int(bytes[start + 1]) << 24 | Int(bytes[start + 2]) << 16 | Int(bytes[start + 3]) << 8
            | Int(bytes[start + 4])
        return bytes[(start + 6)..<(start + 6 + n)]
    }

    /// The node as a ``Term``: the term ``ETFDecoder`` decodes from the same bytes. Recursive: it uses as much stack
    /// as the term is deep (at most ``ETFLimits/maxDepth`` levels).
    public func term(_ node: Node) -> Term {
        let i = resolved(node)
        let e = entries[i]
        switch e.kind {
        case .integer where e.tag == 97 || e.tag == 98 || e.tag == 0:
            return .integer(integer(Node(i))!)
        case .tuple:
            return .tuple(elements(Node(i)).map { term($0) })
        case .list:
            return .list(elements(Node(i)).map { term($0) })
        case .improperList:
            return .improperList(elements(Node(i)).map { term($0) }, tail: term(tail(Node(i))!))
        case .map:
            var entries: [TermMap.Element] = []
            entries.reserveCapacity(Int(e.value))
            var it = elements(Node(i))
            while let k = it.next(), let v = it.next() { entries.append((key: term(k), value: term(v))) }
            return .map(TermMap(uniqueEntries: entries))
        default:
            return leaf(e)
        }
    }

    /// A leaf node decoded from its bytes (already validated by `load`).
    private func leaf(_ e: Entry) -> Term {
        var limits = ETFLimits.default
        limits.maxBinaryBytes = Int.max
        limits.maxTerms = Int.max
        limits.maxDepth = Int.max
        limits.maxBigIntegerBytes = Int.max
        return bytes.withUnsafeBytes { raw in
            var core = DecoderCore(buffer: raw, position: Int(e.offset), limits: limits)
            // `load` decoded these very bytes with stricter limits; this cannot fail.
            return (try? core.decodeTerm()) ?? .list([])
        }
    }

    /// The elements of a container, as nodes (see ``ETFIndex/elements(_:)``).
    public struct Elements: Sequence, IteratorProtocol, Sendable {
        fileprivate let entries: NodeStore
        fileprivate var cursor: Int
        fileprivate var remaining: Int
        /// Whether a LIST_EXT's tail follows the elements (and may continue the list).
        fileprivate var tailFollows: Bool

        public mutating func next() -> Node? {
            while remaining == 0 {
                guard tailFollows else { return nil }
                // The tail: another list continues this one; anything else ends it.
                var t = cursor
                while entries[t].tag == 108 && entries[t].value == 0 { t &+= 1 }
                let e = entries[t]
                guard e.kind == .list || e.kind == .improperList, e.tag != 106 else {
                    tailFollows = false
                    return nil
                }
                cursor = t &+ 1
                remaining = Int(e.value)
                tailFollows = e.tag == 108
            }
            let node = Node(cursor)
            cursor &+= Int(entries[cursor].size)
            remaining &-= 1
            return node
        }
    }

    // MARK: Indexing

    /// Indexes the term at `start` of `input` into `entries`; returns the offset just past it.
    private mutating func index(_ input: [UInt8], from start: Int) throws(ETFError) -> Int {
        if !isKnownUniquelyReferenced(&store) { store = NodeStore() }
        do throws(ETFError) {
            let result: Result<Int, ETFError> = input.withUnsafeBytes { raw in
                do throws(ETFError) { return .success(try indexLoop(raw, from: start)) } catch { return .failure(error) }
            }
            return try result.get()
        } catch {
            clear()
            throw error
        }
    }

    private mutating func indexLoop(_ buffer: UnsafeRawBufferPointer, from start: Int) throws(ETFError) -> Int {
        let limits = self.limits
        let store = self.store
        let end = buffer.count
        var position = start
        // Terms counted so far are `count + extra`: one per node, plus those inside the leaves the decoder checked
        // (a fun's fields). A tag is over the limit when `count >= budget`, with budget = maxTerms - extra.
        var budget = limits.maxTerms
        // The store's state in locals for the loop (written back when it calls out, and when done).
        var nodes = store.base
        var count = 0
        var capacity = store.capacity
        var frames = store.frames
        var frameCapacity = store.frameCapacity
        var depth = 0
        store.count = 0
        store.depth = 0
        defer {
            store.count = count
            store.depth = depth
        }
        // Room for one more node without checking either the capacity or maxTerms: min(capacity, budget).
        var room = Swift.min(capacity, budget)
        @inline(__always) func entry(_ offset: Int, _ size: UInt32, _ value: UInt32, _ kind: Kind, _ tag: UInt8) -> Entry {
            Entry(offset: UInt32(truncatingIfNeeded: offset), size: size, value: value, kind: kind, tag: tag)
        }
        guard let bytes = buffer.baseAddress, start < end else {
            throw ETFError(.truncated, offset: start, "expected a tag, found the end of the input")
        }
        while true {
            let tagOffset = position
            guard position < end else {
                throw ETFError(.truncated, offset: tagOffset, "expected a tag, found the end of the input")
            }
            let tag = bytes.load(fromByteOffset: position, as: UInt8.self)
            if _slowPath(count >= room) {
                // Every tag counts as a term (the decoder counts it before looking at it).
                if count >= budget {
                    throw ETFError(.tooLarge, offset: tagOffset, tag: tag, "more than maxTerms (\(limits.maxTerms)) terms")
                }
                store.count = count
                store.reserve(1)
                nodes = store.base
                capacity = store.capacity
                room = Swift.min(capacity, budget)
            }
            position &+= 1
            let node = count  // where this term's node goes (a STRING_EXT's bytes follow it)
            var elements: Int
            switch tag {
            case 97:  // SMALL_INTEGER_EXT
                guard 1 <= end &- position else { throw Self.short(1, tagOffset, tag, "SMALL_INTEGER_EXT", end &- position) }
                (nodes + count).initialize(
                    to: entry(tagOffset, 1, UInt32(bytes.load(fromByteOffset: position, as: UInt8.self)), .integer, 97))
                count &+= 1
                position &+= 1
                elements = 0
            case 104:  // SMALL_TUPLE_EXT
                guard 1 <= end &- position else { throw Self.short(1, tagOffset, tag, "SMALL_TUPLE_EXT arity", end &- position) }
                elements = Int(bytes.load(fromByteOffset: position, as: UInt8.self))
                position &+= 1
                (nodes + count).initialize(to: entry(tagOffset, 1, UInt32(truncatingIfNeeded: elements), .tuple, 104))
                count &+= 1
            case 108:  // LIST_EXT
                guard 4 <= end &- position else { throw Self.short(4, tagOffset, tag, "LIST_EXT length", end &- position) }
                let n = Int(buffer.loadBigEndianUInt32(at: position))
                position &+= 4
                elements = n &+ 1  // the elements, then the tail
                (nodes + count).initialize(to: entry(tagOffset, 1, UInt32(truncatingIfNeeded: n), .list, 108))
                count &+= 1
            case 98:  // INTEGER_EXT
                guard 4 <= end &- position else { throw Self.short(4, tagOffset, tag, "INTEGER_EXT", end &- position) }
                (nodes + count).initialize(to: entry(tagOffset, 1, buffer.loadBigEndianUInt32(at: position), .integer, 98))
                count &+= 1
                position &+= 4
                elements = 0
            case 106:  // NIL_EXT
                (nodes + count).initialize(to: entry(tagOffset, 1, 0, .list, 106))
                count &+= 1
                elements = 0
            case 105:  // LARGE_TUPLE_EXT
                guard 4 <= end &- position else { throw Self.short(4, tagOffset, tag, "LARGE_TUPLE_EXT arity", end &- position) }
                elements = Int(buffer.loadBigEndianUInt32(at: position))
                position &+= 4
                (nodes + count).initialize(to: entry(tagOffset, 1, UInt32(truncatingIfNeeded: elements), .tuple, 105))
                count &+= 1
            case 107:  // STRING_EXT: one integer node per byte
                guard 2 <= end &- position else { throw Self.short(2, tagOffset, tag, "STRING_EXT length", end &- position) }
                let n = Int(buffer.loadBigEndianUInt16(at: position))
                position &+= 2
                guard n <= end &- position else { throw Self.short(n, tagOffset, tag, "STRING_EXT of \(n) bytes", end &- position) }
                if _slowPath(count &+ 1 &+ n > budget) {
                    throw ETFError(
                        .tooLarge, offset: tagOffset, tag: tag, "more than maxTerms (\(limits.maxTerms)) terms")
                }
                if n &+ 1 > capacity &- count {
                    store.count = count
                    store.reserve(n &+ 1)
                    nodes = store.base
                    capacity = store.capacity
                    room = Swift.min(capacity, budget)
                }
                (nodes + count).initialize(to: entry(tagOffset, UInt32(n &+ 1), UInt32(n), .list, 107))
                count &+= 1
                for k in 0..<n {
                    let at = position &+ k
                    (nodes + count).initialize(
                        to: entry(at, 1, UInt32(bytes.load(fromByteOffset: at, as: UInt8.self)), .integer, 0))
                    count &+= 1
                }
                position &+= n
                elements = 0
            case 116:  // MAP_EXT
                guard 4 <= end &- position else { throw Self.short(4, tagOffset, tag, "MAP_EXT arity", end &- position) }
                let arity = Int(buffer.loadBigEndianUInt32(at: position))
                position &+= 4
                if arity > 0, arity > (end &- position) / 2 {
                    throw ETFError(
                        .truncated, offset: tagOffset, tag: tag,
                        "MAP_EXT of \(arity) pairs needs at least \(arity * 2) bytes but only \(end - position) remain")
                }
                elements = 2 &* arity
                (nodes + count).initialize(to: entry(tagOffset, 1, UInt32(truncatingIfNeeded: arity), .map, 116))
                count &+= 1
            default:
                // Every other term is decoded (and so checked) by the decoder itself, then dropped: the same checks,
                // with the limits that remain.
                position = tagOffset
                var terms = 0
                let kind = try Self.decodeLeaf(
                    buffer, at: tagOffset, limits: limits, maxTerms: budget &- count, depth: depth, terms: &terms,
                    position: &position)
                budget &-= terms &- 1
                room = Swift.min(capacity, budget)
                (nodes + count).initialize(to: entry(tagOffset, 1, 0, kind, tag))
                count &+= 1
                elements = 0
            }
            if elements > 0 {
                // A container: the checks of the decoder's `push`, then its elements follow.
                guard elements <= end &- position else {
                    throw ETFError(
                        .truncated, offset: tagOffset, tag: tag,
                        "\(ETFTag.name(of: tag)) of \(elements) elements needs at least \(elements) bytes but only \(end - position) remain")
                }
                guard depth < limits.maxDepth else {
                    throw ETFError(
                        .tooDeep, offset: tagOffset, tag: tag, "nesting deeper than maxDepth (\(limits.maxDepth))")
                }
                if _slowPath(depth == frameCapacity) {
                    store.depth = depth
                    store.growFrames()
                    frames = store.frames
                    frameCapacity = store.frameCapacity
                }
                (frames + depth).initialize(to: Frame(node: node, remaining: elements))
                depth &+= 1
                continue
            }
            // A term is complete: count it in the open containers, closing every one that becomes full.
            var done = node  // the node of the term just completed
            while depth > 0 {
                let top = frames + (depth &- 1)
                let left = top.pointee.remaining &- 1
                if left > 0 {
                    top.pointee.remaining = left
                    break
                }
                depth &-= 1
                let i = top.pointee.node
                nodes[i].size = UInt32(truncatingIfNeeded: count &- i)
                let containerTag = nodes[i].tag
                if containerTag == 108 {
                    // A list's kind is its tail's (`done`) when that is a list (which continues it); otherwise the
                    // list is improper, or, with no elements, the tail itself (see `resolved`).
                    let tailKind = nodes[done].kind
                    if tailKind == .list || tailKind == .improperList || nodes[i].value == 0 {
                        nodes[i].kind = tailKind
                    } else {
                        nodes[i].kind = .improperList
                    }
                } else if containerTag == 116 {
                    store.count = count
                    try checkKeys(i)
                }
                done = i
            }
            if depth == 0 { return position }
        }
    }

    /// The error for a field that needs `count` bytes where `left` remain.
    @inline(never)
    private static func short(_ count: Int, _ tagOffset: Int, _ tag: UInt8, _ what: String, _ left: Int) -> ETFError {
        ETFError(.truncated, offset: tagOffset, tag: tag, "\(what) needs \(count) bytes but only \(left) remain")
    }

    /// Throws if the full map at node `i` has two equal keys, compared as the decoder compares them: as terms.
    @inline(never)
    private func checkKeys(_ i: Int) throws(ETFError) {
        let pairs = Int(store[i].value)
        var keys: [Term] = []
        keys.reserveCapacity(pairs)
        var it = Elements(entries: store, cursor: i &+ 1, remaining: 2 &* pairs, tailFollows: false)
        while let k = it.next(), it.next() != nil { keys.append(term(k)) }
        let duplicate: Bool
        if pairs <= 12 {
            var found = false
            for a in 1..<max(pairs, 1) where !found {
                for b in 0..<a where keys[a] == keys[b] {
                    found = true
                    break
                }
            }
            duplicate = found
        } else {
            var seen = Set<Term>(minimumCapacity: pairs)
            duplicate = keys.contains { !seen.insert($0).inserted }
        }
        if duplicate {
            throw ETFError(.invalidValue, offset: Int(store[i].offset), tag: 116, "duplicate map key")
        }
    }

    /// Decodes (and so checks) the term at `tagOffset` with the decoder itself, with the limits that remain, and
    /// returns its kind; the term is dropped. `terms` is set to the number of terms it counted.
    @inline(never)
    private static func decodeLeaf(
        _ buffer: UnsafeRawBufferPointer, at tagOffset: Int, limits: ETFLimits, maxTerms: Int, depth: Int,
        terms: inout Int, position: inout Int
    ) throws(ETFError) -> Kind {
        var inner = limits
        inner.maxTerms = maxTerms
        inner.maxDepth = limits.maxDepth &- depth
        var core = DecoderCore(buffer: buffer, position: tagOffset, limits: inner)
        let value = try core.decodeTerm()
        terms = core.termCount
        position = core.position
        return kind(of: value)
    }

    private static func kind(of term: Term) -> Kind {
        switch term {
        case .atom: return .atom
        case .integer: return .integer
        case .bigInteger: return .bigInteger
        case .float: return .float
        case .binary: return .binary
        case .bitstring: return .bitstring
        case .tuple: return .tuple
        case .list: return .list
        case .improperList: return .improperList
        case .map: return .map
        case .pid: return .pid
        case .port: return .port
        case .reference: return .reference
        case .exportFun: return .exportFun
        case .localFun: return .localFun
        }
    }
}

/// The nodes of an ``ETFIndex`` and its stack of open containers, in raw memory that grows by doubling: the indexing
/// loop stores nodes and frames directly, with no copy-on-write or bounds checks. Written only by
/// `ETFIndex.load` while uniquely referenced; read-only once shared.
final class NodeStore: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<ETFIndex.Entry>
    var count = 0
    private(set) var capacity: Int
    private(set) var frames: UnsafeMutablePointer<ETFIndex.Frame>
    var depth = 0
    private(set) var frameCapacity: Int

    init() {
        capacity = 64
        base = .allocate(capacity: capacity)
        frameCapacity = 16
        frames = .allocate(capacity: frameCapacity)
    }

    deinit {
        base.deallocate()
        frames.deallocate()
    }

    @inline(__always)
    subscript(i: Int) -> ETFIndex.Entry {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// Makes room for `extra` more nodes.
    @inline(__always)
    func reserve(_ extra: Int) {
        if _slowPath(extra > capacity &- count) { grow(extra) }
    }

    @inline(never)
    private func grow(_ extra: Int) {
        var newCapacity = capacity &* 2
        while newCapacity &- count < extra { newCapacity &*= 2 }
        let moved = UnsafeMutablePointer<ETFIndex.Entry>.allocate(capacity: newCapacity)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = newCapacity
    }

    @inline(never)
    func growFrames() {
        let moved = UnsafeMutablePointer<ETFIndex.Frame>.allocate(capacity: frameCapacity &* 2)
        moved.moveInitialize(from: frames, count: depth)
        frames.deallocate()
        frames = moved
        frameCapacity &*= 2
    }
}
