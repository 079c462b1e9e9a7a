import Foundation

/// One line of `Fixtures/golden.txt` (written by `scripts/gen-fixtures.exs`).
struct GoldenVector {
    enum Kind: String { case canonical, compressed, legacy }
    var name: String
    var tags: String
    var kind: Kind
    var bytes: [UInt8]
    var description: String

    static let all: [GoldenVector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/golden.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("cannot read \(url.path); run `elixir scripts/gen-fixtures.exs`")
        }
        return text.split(separator: "\n").compactMap { line -> GoldenVector? in
            if line.hasPrefix("#") { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            precondition(fields.count == 4, "bad golden line: \(line.prefix(80))")
            let annotation = fields[1].split(separator: " ")
            guard let kind = annotation.last.flatMap({ Kind(rawValue: String($0)) }) else {
                preconditionFailure("bad annotation: \(fields[1])")
            }
            return GoldenVector(
                name: String(fields[0]), tags: String(annotation[0]), kind: kind, bytes: unhex(fields[2]),
                description: String(fields[3]))
        }
    }()
}

func unhex<S: StringProtocol>(_ text: S) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count / 2)
    var high: UInt8?
    for c in text.utf8 {
        let v: UInt8
        switch c {
        case 48...57: v = c - 48
        case 97...102: v = c - 87
        case 65...70: v = c - 55
        default: continue
        }
        if let h = high {
            out.append(h << 4 | v)
            high = nil
        } else {
            high = v
        }
    }
    return out
}
