import CZlib

/// Thin wrappers over the system zlib for COMPRESSED terms (tag 80).
enum Zlib {
    /// Inflates a zlib stream that must produce exactly `exactSize` bytes. Returns the bytes and how many input
    /// bytes the stream used (the term ends there).
    static func inflate(
        _ input: UnsafeRawBufferPointer, exactSize: Int, errorOffset: Int
    ) throws(ETFError) -> (bytes: [UInt8], consumed: Int) {
        let tag = ETFTag.compressed.rawValue
        func failure(_ message: String) -> ETFError {
            ETFError(.badCompression, offset: errorOffset, tag: tag, message)
        }
        guard input.count > 0, input.count <= Int(UInt32.max), exactSize <= Int(UInt32.max) else {
            throw failure("compressed data is empty or too large")
        }
        var output = [UInt8](repeating: 0, count: exactSize)
        var stream = z_stream()
        var status = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw failure("zlib inflateInit failed (\(status))") }
        defer { inflateEnd(&stream) }
        let base = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.next_in = base
        stream.avail_in = uInt(input.count)
        var produced = 0
        status = output.withUnsafeMutableBytes { out in
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            let result = CZlib.inflate(&stream, Z_FINISH)
            produced = out.count - Int(stream.avail_out)
            return result
        }
        if status == Z_BUF_ERROR && stream.avail_out == 0 {
            throw failure("compressed data inflates to more than the declared \(exactSize) bytes")
        }
        guard status == Z_STREAM_END else {
            throw failure("compressed data is corrupt or truncated (zlib status \(status))")
        }
        guard produced == exactSize else {
            throw failure("compressed data inflates to \(produced) bytes, not the declared \(exactSize)")
        }
        let consumed = input.count - Int(stream.avail_in)
        return (output, consumed)
    }

    /// Compresses `input` at `level` into at most `capacity` bytes, or returns nil if it does not fit.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int, capacity: Int) -> [UInt8]? {
        guard capacity > 0 else { return nil }
        var output = [UInt8](repeating: 0, count: capacity)
        var destLength = uLongf(capacity)
        let status = output.withUnsafeMutableBytes { out in
            compress2(
                out.baseAddress!.assumingMemoryBound(to: Bytef.self), &destLength,
                input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count), Int32(level))
        }
        guard status == Z_OK else { return nil }
        output.removeSubrange(Int(destLength)...)
        return output
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    @inline(__always)
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    @inline(__always)
    func loadBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
    @inline(__always)
    mutating func appendBigEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
    @inline(__always)
    mutating func appendBigEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
