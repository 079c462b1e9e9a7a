// libFuzzer target: EPMD reply parsing (PORT2_RESP and NAMES_RESP) on arbitrary bytes. Any input must give a reply
// or an EPMDMessage.ParseError. Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
import ErlangDistribution

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    if let reply = try? EPMDMessage.parsePortReply(bytes), case .found(let info) = reply {
        precondition((0...65535).contains(info.port))
        precondition(info.extra.count <= bytes.count)
    }
    if let names = try? EPMDMessage.parseNamesReply(bytes) {
        precondition(names.count <= bytes.count)
        for n in names { precondition(!n.name.isEmpty) }
    }
    return 0
}
