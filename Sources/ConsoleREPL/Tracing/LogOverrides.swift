import Glibc
import ErlangDistribution
import ErlangTerm
import Synchronization

/// The level changes this console has made and that are still in force: each is owned by a process on its node that
/// reverts it (see ``LogSource``). Kept for `log level` (shown with the time left) and `log revert`.
public final class LogOverrides: Sendable {
    public struct Entry: Equatable, Sendable {
        public var node: String
        public var module: String?
        public var level: String
        public var previous: String
        public var owner: Pid
        /// Microseconds since the Unix epoch (UTC) when it reverts by itself.
        public var untilMicros: Int
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public var all: [Entry] { entries.withLock { $0 } }

    func add(_ e: Entry) { entries.withLock { $0.append(e) } }

    func remove(owner: Pid) { entries.withLock { $0.removeAll { $0.owner == owner } } }

    func on(_ nodes: [String]?) -> [Entry] {
        entries.withLock { list in list.filter { nodes?.contains($0.node) ?? true } }
    }
}

/// Microseconds since the Unix epoch, now.
func wallClockMicros() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}
