#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The few string operations the console took from Foundation, without it (Foundation on Linux brings ICU's data
// table into the executable). Each does what the Foundation call it replaces did, as the comments say.

extension StringProtocol {
    /// Every occurrence of `target`, left to right, replaced by `replacement`; matched by UTF-8 bytes (so by Unicode
    /// scalars). Foundation's `replacingOccurrences(of:with:)` did the same, except that it also skipped a match
    /// followed by a combining mark, which no text this is used on has.
    func replacingEvery(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        let text = Array(utf8)
        guard !needle.isEmpty, let first = needle.first, text.count >= needle.count else { return String(self) }
        var out: [UInt8] = []
        var i = 0
        var copied = 0
        let last = text.count - needle.count
        while i <= last {
            if text[i] == first, text[i..<i + needle.count].elementsEqual(needle) {
                out += text[copied..<i]
                out += replacement.utf8
                i += needle.count
                copied = i
            } else {
                i += 1
            }
        }
        guard copied > 0 else { return String(self) }
        out += text[copied...]
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// Where the last occurrence of `target` is, matched by UTF-8 bytes: Foundation's
    /// `range(of: target, options: .backwards)`.
    func lastRange(of target: String) -> Range<String.Index>? {
        let needle = Array(target.utf8)
        guard !needle.isEmpty, utf8.count >= needle.count else { return nil }
        let text = Array(utf8)
        var i = text.count - needle.count
        while i >= 0 {
            if text[i..<i + needle.count].elementsEqual(needle) {
                let lower = utf8.index(utf8.startIndex, offsetBy: i)
                return lower..<utf8.index(lower, offsetBy: needle.count)
            }
            i -= 1
        }
        return nil
    }
}

/// `value` with `places` decimals exactly as C's `printf("%.*f")` prints it (and so as Foundation's
/// `String(format: "%.1f", value)` did): the correctly rounded decimal, ties to even, `nan`, `inf`, `-inf`.
func printfFixed(_ value: Double, places: Int) -> String {
    // The longest: "-" + 309 digits + "." + `places` digits.
    let capacity = 320 + max(0, places)
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
        let n = withVaList([Int32(places), value]) { vsnprintf(buffer.baseAddress!, capacity, "%.*f", $0) }
        let count = Int(max(0, min(n, Int32(capacity - 1))))
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count), as: UTF8.self)
    }
}
