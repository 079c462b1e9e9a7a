// libFuzzer target: the ETF decoder on untrusted bytes. Any input must give a Term or an ETFError;
// a decoded term must re-encode, and the re-encoding must decode to an equal term.
// Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
import ErlangTerm

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    var limits = ETFLimits()
    limits.maxBinaryBytes = 1 << 20
    limits.maxInflatedBytes = 1 << 20
    limits.maxTerms = 1 << 16
    let decoder = ETFDecoder(limits: limits)
    guard let term = try? decoder.decode(bytes) else { return 0 }
    guard let again = try? ETFEncoder().encode(term) else { return 0 }  // e.g. an atom that only legacy tags allow
    guard let back = try? decoder.decode(again) else {
        fatalError("our own encoding did not decode")
    }
    precondition(back == term, "round trip changed the term")
    return 0
}
