// libFuzzer target: the ECS task metadata (v4 `/task`) document parser on arbitrary bytes. Any input must give
// metadata or an ECSMetadataError. Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
import ClusterDiscovery

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    do {
        let m = try ECSTaskMetadata.parse(bytes)
        _ = m.taskID
        _ = m.taskDefinition
    } catch {
        precondition(error.code == .invalidDocument || error.code == .documentTooLarge, "\(error.code)")
    }
    return 0
}
