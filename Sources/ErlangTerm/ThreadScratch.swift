#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Heap blocks kept per thread and reused by the codec: the decoder's value and frame stacks once a term outgrows
/// their stack memory, and the encoder's output buffer once a term's encoding passes 1 KiB.
///
/// Allocating and freeing such a block on every call costs more than the malloc/free pair. glibc consolidates all of
/// its fast bins on every request of 1 KiB or more, so the small allocations after it (one array per decoded
/// container) take its slow path. Freeing a block at the top of the heap gives it back to the kernel (`systrim`),
/// so the next call page-faults it in again. Measured with callgrind on the benchmark corpus: decoding a 500-deep
/// term cost about 800 instructions per level before, mostly in `malloc_consolidate` and the slow paths it causes.
///
/// A thread keeps at most one block per ``Slot``, of at most ``maxKept`` bytes; larger blocks are freed when done,
/// as before. A block taken is the caller's alone until it is given back, so nested or concurrent use on one thread
/// just allocates. Everything kept is freed when the thread exits.
enum ThreadScratch {
    enum Slot: Int {
        case decoderValues = 0
        case decoderFrames = 1
        case encoderBytes = 2
    }
    private static let slotCount = 3
    /// The largest block kept per slot.
    static let maxKept = 1 << 20

    private struct Entry {
        var pointer: UnsafeMutableRawPointer?
        var capacity: Int
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { table in
            #if canImport(Glibc)
                guard let table else { return }
            #endif
            let entries = table.assumingMemoryBound(to: Entry.self)
            for i in 0..<ThreadScratch.slotCount { free(entries[i].pointer) }
            free(table)
        }
        precondition(rc == 0, "pthread_key_create failed")
        return key
    }()

    private static func table() -> UnsafeMutablePointer<Entry>? {
        if let table = pthread_getspecific(key) { return table.assumingMemoryBound(to: Entry.self) }
        guard let raw = calloc(slotCount, MemoryLayout<Entry>.stride) else { return nil }
        guard pthread_setspecific(key, raw) == 0 else {
            free(raw)
            return nil
        }
        return raw.assumingMemoryBound(to: Entry.self)
    }

    /// A block of at least `minimum` bytes (16-byte aligned): the thread's kept block for `slot` when it is big
    /// enough, else a new one. Returns the block and its size. Give it back with ``give(_:_:capacity:)``.
    static func take(_ slot: Slot, minimum: Int) -> (pointer: UnsafeMutableRawPointer, capacity: Int) {
        if minimum <= maxKept, let entry = table().map({ $0 + slot.rawValue }), let p = entry.pointee.pointer,
            entry.pointee.capacity >= minimum
        {
            let capacity = entry.pointee.capacity
            entry.pointee = Entry(pointer: nil, capacity: 0)
            return (p, capacity)
        }
        guard let p = malloc(Swift.max(minimum, 16)) else { fatalError("ThreadScratch: out of memory") }
        return (p, minimum)
    }

    /// Takes back a block from ``take(_:minimum:)`` (its contents are dead): kept when it is at most ``maxKept`` bytes
    /// and larger than the one already kept, else freed.
    static func give(_ slot: Slot, _ pointer: UnsafeMutableRawPointer, capacity: Int) {
        if capacity <= maxKept, let entry = table().map({ $0 + slot.rawValue }), entry.pointee.capacity < capacity {
            free(entry.pointee.pointer)
            entry.pointee = Entry(pointer: pointer, capacity: capacity)
            return
        }
        free(pointer)
    }
}
