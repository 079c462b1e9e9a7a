// libFuzzer target: the ETF decoder on untrusted bytes. Any input must give a Term or an ETFError;
// a decoded term must re-encode, and the re-encoding must decode to an equal term. ETFIndex must agree with it.
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
    // The flat index must agree with the tree decoder: the same term, or the same error.
    let tree = Result { () throws(ETFError) -> Term in try decoder.decode(bytes) }
    var index = ETFIndex(limits: limits)
    switch (tree, Result { () throws(ETFError) -> Void in try index.load(bytes) }) {
    case (.success(let t), .success): precondition(index.term(index.root) == t, "ETFIndex disagrees with the decoder")
    case (.failure(let a), .failure(let b)):
        precondition(a.code == b.code && a.offset == b.offset && a.tag == b.tag, "ETFIndex error \(b) vs \(a)")
    default: preconditionFailure("ETFIndex and the decoder disagree on whether the input is valid")
    }
    guard case .success(let term) = tree else { return 0 }
    guard let again = try? ETFEncoder().encode(term) else { return 0 }  // e.g. an atom that only legacy tags allow
    guard let back = try? decoder.decode(again) else {
        fatalError("our own encoding did not decode")
    }
    precondition(back == term, "round trip changed the term")
    return 0
}
