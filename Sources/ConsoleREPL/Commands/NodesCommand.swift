import ErlangDistribution

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `nodes`: the console's own connections, each with a fresh round trip.
enum NodesCommand {
    static func run(caller: any ClusterCaller, target: String?, settings: ConsoleSettings) async -> CommandOutput {
        let peers = caller.peerSnapshots()
        // Fresh round trips to every connected peer, concurrently.
        var fresh: [String: Duration] = [:]
        await withTaskGroup(of: (String, Duration?).self) { group in
            for p in peers where p.state == .up {
                group.addTask {
                    let rtt = await PingCommand.roundTrip(p.node, caller: caller, timeout: .seconds(2))
                    if case .success(let d) = rtt { return (p.node, d) }
                    return (p.node, nil)
                }
            }
            for await (n, d) in group { if let d { fresh[n] = d } }
        }
        var table = Table(
            headers: ["node", "state", "type", "since", "rtt"], alignments: [.left, .left, .left, .left, .right])
        var rows: [JSONValue] = []
        let now = Date()
        for p in caller.peerSnapshots() {
            let type = p.peerIsHidden.map { $0 ? "hidden" : "normal" } ?? "-"
            let rtt = fresh[p.node]
            let marker = p.node == target ? " *" : ""
            table.append([
                p.node + marker, stateText(p.state), type, formatAge(now.timeIntervalSince(p.since)),
                rtt.map(formatDuration) ?? "-",
            ])
            var row: [String: JSONValue] = [
                "node": .string(p.node), "state": .string(stateName(p.state)), "type": .string(type),
                "since": .string(isoSeconds(p.since)),
                "rtt_ms": rtt.map { .number(milliseconds($0)) } ?? .null, "target": .bool(p.node == target),
            ]
            if case .failed(let e) = p.state { row["error"] = errorJSON(e) }
            if case .down(let e) = p.state { row["error"] = errorJSON(e) }
            rows.append(.object(row))
        }
        let header = "we are \(caller.name) (hidden)"
        let text = peers.isEmpty ? "\(header); no connections" : header + "\n" + table.render(maxWidth: settings.width)
        return CommandOutput(
            text: text.hasSuffix("\n") ? String(text.dropLast()) : text,
            json: jsonObject(["self": .string(caller.name), "nodes": .array(rows)]))
    }
}
