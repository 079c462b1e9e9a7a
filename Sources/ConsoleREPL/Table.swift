/// A plain-text table for the console's views (`nodes`, `multicall`, `members`).
public struct Table: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []

    public init(headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? Array(repeating: .left, count: headers.count)
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == headers.count, "row has \(row.count) cells, table has \(headers.count) columns")
        rows.append(row)
    }

    /// Renders the table. Cells wider than their share of `maxWidth` are cut with `…` (the last column first);
    /// multi-line cells show their first line only.
    /// Columns at least `minimumWidth` wide (a matrix row) are not cut, unless they are all that is left.
    public func render(maxWidth: Int = .max, separator: String = "  ", minimumWidth: Int = .max) -> String {
        let all = [headers] + rows.map { $0.map { firstLine($0) } }
        var widths = headers.indices.map { c in all.map { displayWidth($0[c]) }.max() ?? 0 }
        let sepWidth = displayWidth(separator) * max(0, headers.count - 1)
        var total = widths.reduce(0, +) + sepWidth
        // Shrink the widest columns until the table fits (never below 8 columns of text).
        func shrinkable(_ c: Int) -> Bool { widths[c] > 8 && widths[c] < minimumWidth }
        while total > maxWidth {
            let candidates = widths.indices.filter(shrinkable)
            guard let widest = (candidates.isEmpty ? widths.indices.filter { widths[$0] > 8 } : candidates)
                .max(by: { widths[$0] < widths[$1] })
            else { break }
            widths[widest] -= 1
            total -= 1
        }
        var out = ""
        for (r, row) in all.enumerated() {
            var line = ""
            for c in row.indices {
                let cell = truncate(row[c], to: widths[c])
                let pad = String(repeating: " ", count: widths[c] - displayWidth(cell))
                let isLast = c == row.count - 1
                switch alignments[c] {
                case .left: line += cell + (isLast ? "" : pad)
                case .right: line += pad + cell
                }
                if !isLast { line += separator }
            }
            out += line + "\n"
            _ = r
        }
        return out
    }

    private func firstLine(_ s: String) -> String {
        guard let nl = s.firstIndex(of: "\n") else { return s }
        return String(s[..<nl]) + " …"
    }
}

/// `s` cut to `width` display columns, ending in `…` when cut.
func truncate(_ s: String, to width: Int) -> String {
    guard displayWidth(s) > width else { return s }
    var out = ""
    var w = 0
    for ch in s {
        let cw = displayWidth(String(ch))
        if w + cw > width - 1 { break }
        out.append(ch)
        w += cw
    }
    return out + "…"
}
