// Codec throughput: ours vs the BEAM's binary_to_term/term_to_binary on the same bytes.
// Run through scripts/bench-codec.sh, which produces the corpus and the BEAM's figures first.
import ErlangTerm

#if canImport(Glibc)
    import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 2 else {
    print("usage: etf-bench CORPUS_DIR [SECONDS_PER_ROW]")
    exit(64)
}
let dir = args[1]
let seconds = args.count > 2 ? Double(args[2]) ?? 1.0 : 1.0

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}

/// Splits the corpus file (u32 length + ETF, repeated) into terms.
func split(_ data: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    while i + 4 <= data.count {
        let n = Int(data[i]) << 24 | Int(data[i + 1]) << 16 | Int(data[i + 2]) << 8 | Int(data[i + 3])
        out.append(Array(data[(i + 4)..<(i + 4 + n)]))
        i += 4 + n
    }
    return out
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
}

nonisolated(unsafe) var sink = 0

// For instruction counts (valgrind --tool=callgrind): ETF_BENCH_ITERATIONS=N runs each measured body exactly N times
// instead of for `seconds`, and ETF_BENCH_ONLY=decode|encode|index skips the others (decode includes the index); compare two N to get the
// instructions per operation without the set-up. ETF_BENCH_ROWS=name,name measures only those rows.
let fixedIterations = getenv("ETF_BENCH_ITERATIONS").flatMap { Int(String(cString: $0)) }
let only = getenv("ETF_BENCH_ONLY").map { String(cString: $0) }
let onlyRows = getenv("ETF_BENCH_ROWS").map { String(cString: $0).split(separator: ",").map(String.init) }

/// Nanoseconds per call of `body`, measured in doubling batches for about `seconds`.
func measure(_ body: () -> Void) -> Double {
    if let fixedIterations {
        let t0 = now()
        for _ in 0..<fixedIterations { body() }
        return (now() - t0) / Double(max(1, fixedIterations))
    }
    body()
    var n = 0
    var elapsed = 0.0
    var batch = 1
    while elapsed < seconds * 1e9 {
        let t0 = now()
        for _ in 0..<batch { body() }
        elapsed += now() - t0
        n += batch
        batch *= 2
    }
    return elapsed / Double(n)
}

struct BeamRow {
    let name: String
    let bytes: Int
    let terms: Int
    let decodeNs: Double
    let encodeNs: Double
}

let beamText = String(decoding: readFile(dir + "/beam.txt"), as: UTF8.self)
let beamRows = beamText.split(separator: "\n").map { line -> BeamRow in
    let f = line.split(separator: " ")
    return BeamRow(
        name: String(f[0]), bytes: Int(f[1])!, terms: Int(f[2])!, decodeNs: Double(f[3])!, encodeNs: Double(f[4])!)
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
func fmt(_ d: Double, _ digits: Int = 1) -> String {
    let p = pow(10.0, Double(digits))
    let r = (d * p).rounded() / p
    return "\(r)"
}

print(
    pad("row", 16) + lpad("bytes", 10) + lpad("terms", 9) + " | " + lpad("dec MB/s", 9) + lpad("BEAM", 9)
        + lpad("ratio", 7) + lpad("Mterm/s", 9) + lpad("keep", 7) + " | " + lpad("enc MB/s", 9) + lpad("BEAM", 9)
        + lpad("ratio", 7) + " | " + lpad("index MB/s", 11) + lpad("ratio", 7))
var ratios: [(String, Double, Double)] = []
var results: [String] = []
for row in beamRows where onlyRows?.contains(row.name) ?? true {
    let items = split(readFile("\(dir)/\(row.name).etf"))
    let decoder = ETFDecoder()
    let encoder = ETFEncoder()
    let terms = items.map { try! decoder.decode($0) }
    // Sanity: our encoding is byte-identical to the BEAM's.
    for (t, b) in zip(terms, items) where (try! encoder.encode(t)) != b {
        print("warning: \(row.name): our encoding differs from the BEAM's")
        break
    }
    // Decode and drop, as the BEAM's loop does (its garbage is reclaimed by a later minor GC, which copies only live
    // data, so dropping costs it almost nothing; here each term is freed inside the timed loop). This is the headline.
    let dec = only == "encode" || only == "index" ? 1 : measure {
        for b in items { if case .atom = try! decoder.decode(b) { sink &+= 1 } }
    }
    // For the record only: decode keeping every term, freeing them after the clock stops ("keep" column: the
    // fraction of the headline time that is decoding rather than freeing).
    var kept: [Term] = []
    kept.reserveCapacity(items.count)
    var keepNs = 0.0, keepN = 0
    while keepNs < seconds * 0.25e9 && fixedIterations == nil && only != "index" {
        let t0 = now()
        for b in items { kept.append(try! decoder.decode(b)) }
        keepNs += now() - t0
        keepN += 1
        kept.removeAll(keepingCapacity: true)
    }
    let keepFraction = keepN == 0 ? 0 : (keepNs / Double(keepN)) / dec
    // The flat index (ETFIndex): the same bytes validated and indexed, no Term built; one index reused, as a reader
    // of many messages would.
    var index = ETFIndex()
    let idx = only == "encode" ? 1 : measure {
        for b in items {
            try! index.load(b)
            sink &+= index.nodeCount
        }
    }
    var buffer: [UInt8] = []
    let enc = only == "decode" || only == "index" ? 1 : measure {
        for t in terms {
            buffer.removeAll(keepingCapacity: true)
            try! encoder.encode(t, into: &buffer, versionByte: true)
            sink &+= buffer.count
        }
    }
    let mb = Double(row.bytes) / 1_048_576
    let dOurs = mb / (dec / 1e9), dBeam = mb / (row.decodeNs / 1e9)
    let eOurs = mb / (enc / 1e9), eBeam = mb / (row.encodeNs / 1e9)
    let iOurs = mb / (idx / 1e9)
    let termsPerSec = Double(row.terms) / (dec / 1e9) / 1e6
    ratios.append((row.name, dOurs / dBeam, eOurs / eBeam))
    print(
        pad(row.name, 16) + lpad("\(row.bytes)", 10) + lpad("\(row.terms)", 9) + " | " + lpad(fmt(dOurs), 9)
            + lpad(fmt(dBeam), 9) + lpad(fmt(dOurs / dBeam, 2), 7) + lpad(fmt(termsPerSec, 2), 9)
            + lpad(fmt(keepFraction, 2), 7) + " | " + lpad(fmt(eOurs), 9) + lpad(fmt(eBeam), 9)
            + lpad(fmt(eOurs / eBeam, 2), 7) + " | " + lpad(fmt(iOurs), 11) + lpad(fmt(iOurs / dBeam, 2), 7))
    // Machine-readable, for scripts/bench-codec.sh: MB/s, ours and the BEAM's.
    results.append("RESULT decode \(row.name) ours=\(dOurs) anchor=\(dBeam) ns=\(dec) anchor_ns=\(row.decodeNs)")
    if row.name == "deep_nested" {
        // An extra row beside the tree decoder's, clearly labelled: the flat index against binary_to_term.
        results.append(
            "RESULT decode \(row.name)(flat_index) ours=\(iOurs) anchor=\(dBeam) ns=\(idx) anchor_ns=\(row.decodeNs)")
    }
    results.append("RESULT encode \(row.name) ours=\(eOurs) anchor=\(eBeam) ns=\(enc) anchor_ns=\(row.encodeNs)")
}
// The flat index rows are extras, not part of the tree codec's verdict.
let below = ratios.filter { $0.1 < 1 || $0.2 < 1 }
print(below.isEmpty ? "all rows >= 1.0x the BEAM" : "rows below 1.0x: " + below.map(\.0).joined(separator: ", "))
for r in results { print(r) }
