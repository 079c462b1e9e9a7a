/// Splitting a command line into words where a word may hold a term with spaces in it: whitespace inside brackets
/// (`()`, `[]`, `{}`, `<<>>`) or quotes (`"…"`, `'…'`) does not split (`trace Mod.f [1, _] --count 5`).
enum CommandWords {
    /// The words of `text`; nil when a bracket or quote is left open.
    static func split(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        var escaped = false
        for ch in text {
            if let q = quote {
                current.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == q { quote = nil }
                continue
            }
            switch ch {
            case "\"", "'":
                quote = ch
                current.append(ch)
            case "(", "[", "{":
                depth += 1
                current.append(ch)
            case ")", "]", "}":
                depth -= 1
                current.append(ch)
            case " ", "\t", "\n":
                if depth > 0 {
                    current.append(ch)
                } else if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
            default:
                current.append(ch)
            }
        }
        guard quote == nil, depth == 0 else { return nil }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// A time span as typed: `30s`, `5m`, `1h`, `500ms`, or a number of seconds (`2.5`).
public enum DurationText {
    /// Seconds, or nil when `text` is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let t = text.trimmingWhitespace().lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("min", 60), ("h", 3600)]
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v >= 0 else { return nil }
            return v * scale
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return v
    }

    /// `30 s`, `5 min`, `1 h 30 min`: for messages.
    public static func text(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return "\(Int(seconds.rounded())) s" }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60)
        var parts: [String] = []
        if h > 0 { parts.append("\(h) h") }
        if m > 0 { parts.append("\(m) min") }
        if s > 0 { parts.append("\(s) s") }
        return parts.joined(separator: " ")
    }
}
