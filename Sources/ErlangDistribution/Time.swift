#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic nanoseconds (`CLOCK_MONOTONIC`, no allocation): the time the calls and the blocking connection pass to
/// the pure machines (``RemoteCallMachine``, ``DistributionConnectionMachine``), which never read a clock themselves.
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to `0...Int64.max` (negative durations are zero).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) { return 0 }
        if seconds >= Int64.max / 1_000_000_000 - 1 { return Int64.max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
