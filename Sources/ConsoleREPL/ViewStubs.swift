// TEMPORARY: replaced by Views/ when the views branch lands.
import ErlangDistribution
struct NodeInfo: Sendable {}
enum InfoView {
    static func collect(node: LocalNode, target: String, timeout: Duration) async throws(DistributionError) -> NodeInfo { NodeInfo() }
    static func render(_: NodeInfo, width: Int) -> String { "" }
    static func json(_: NodeInfo) -> String { "{}" }
}
struct MembersReport: Sendable { var isHealthy = true }
enum MembersView {
    static func collect(node: LocalNode, start: [String], timeout: Duration) async -> MembersReport { MembersReport() }
    static func render(_: MembersReport, width: Int) -> String { "" }
    static func json(_: MembersReport) -> String { "{}" }
}
