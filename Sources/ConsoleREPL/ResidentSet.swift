#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps a long-running view's resident set to what it uses.
///
/// Most of what a running `watch` has resident is not its data (a few MB) but the pages of our own executable's code
/// that were touched once, at start-up: argument parsing, TLS and crypto set-up, the first connections, and the
/// 64 KB the kernel maps around every code page fault; and the read-only data and relocation tables only loading
/// read. They stay mapped, so they count in RSS, for as long as the process lives. ``releaseStartupCode()`` hands
/// them back: `MADV_PAGEOUT` on the executable's mappings. It is reclaim, not `MADV_DONTNEED`: a page is only dropped
/// when it is a clean copy of the file, so nothing is lost (written pages stay, as there is no swap to put them in, or
/// go to swap). What the view keeps using faults back in from the page cache on its next use.
enum ResidentSet {
    /// Releases the executable's clean pages (Linux 5.4+; elsewhere, or when it fails, nothing happens).
    /// Returns how many bytes of mappings it was applied to.
    @discardableResult
    static func releaseStartupCode() -> Int {
        #if os(Linux)
            guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                  let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
            else { return 0 }
            let pageout: Int32 = 21  // MADV_PAGEOUT (linux/mman.h), not exported by Glibc's module
            var released = 0
            for line in maps.split(separator: "\n") {
                // 55ef03526000-55ef055a4000 r-xp 00000000 fe:00 6163033   /path/to/beamconsole
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 6, fields[5...].joined(separator: " ") == exe else { continue }
                let bounds = fields[0].split(separator: "-").compactMap { UInt(String($0), radix: 16) }
                guard bounds.count == 2, bounds[1] > bounds[0], let start = UnsafeMutableRawPointer(bitPattern: bounds[0])
                else { continue }
                if madvise(start, Int(bounds[1] - bounds[0]), pageout) == 0 { released += Int(bounds[1] - bounds[0]) }
            }
            return released
        #else
            return 0
        #endif
    }
}
