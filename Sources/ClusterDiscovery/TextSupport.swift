// Trimming as Foundation's `trimmingCharacters(in:)` did, without Foundation (on Linux it brings ICU's data table into
// the executable): the one copy for ClusterDiscovery, ClusterMembership and the console (package access).

extension Unicode.Scalar {
    /// In Foundation's `CharacterSet.whitespaces`: general category Zs, tab, and U+200B (Zs in older Unicode).
    package var isBlank: Bool { self == "\t" || value == 0x200B || properties.generalCategory == .spaceSeparator }

    /// In Foundation's `CharacterSet.newlines`: U+000A–U+000D, U+0085, U+2028 and U+2029.
    package var isNewline: Bool { (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029 }
}

extension StringProtocol {
    /// The text without the leading and trailing scalars `drop` holds: Foundation's `trimmingCharacters(in:)`, with
    /// `\.isBlank` for `.whitespaces`, `\.isNewline` for `.newlines`, and both for `.whitespacesAndNewlines`.
    package func trimmingScalars(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[first...last])
        return text
    }
}
