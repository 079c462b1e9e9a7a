// libFuzzer target: DNS answer parsing — c-ares' A/AAAA/SRV parsers through the CAres shim, and the SRV TTL
// walker — on arbitrary bytes, as DNSResolver parses what a server sent. The first byte picks the record type.
// Any input must give records or a DNSError. Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
// Note: libcares itself is a system library and not instrumented; the shim and the Swift code are.
import ClusterDiscovery

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let input = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let type = DNSRecordType.allCases[Int(input[0]) % DNSRecordType.allCases.count]
    let answer = Array(input.dropFirst())
    if let records = try? DNSResolver.parseAnswer(answer, type: type) {
        precondition(records.count <= DNSResolver.maxAnswerRecords)
        for r in records {
            precondition(r.ttl >= 0, "negative TTL \(r.ttl)")
            if type == .srv { precondition(r.port != nil) }
        }
    }
    let ttls = answer.withUnsafeBytes { DNSResolver.debugAnswerTTLs($0) }
    precondition(ttls.count <= answer.count / 11 + 1)
    return 0
}
