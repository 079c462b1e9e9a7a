import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import Foundation

/// `watch`: a live view of the cluster. On a terminal, a full-screen table refreshed every second — a row per node
/// with its sources, EPMD port, our connection's state and since when, the round trip, how many peers it sees against
/// how many it should, and its last event — over a pane of recent events; `q` (or Ctrl-C) returns. Otherwise (or with
/// `--json`) one JSON object per line: a `snapshot` first, then every event as it happens.
public enum WatchView {
    /// One screen. Pure: the snapshot, the clock and the terminal's size are inputs.
    public static func frame(_ s: DiscoverySnapshot, now: Date, width: Int, height: Int, color: Bool) -> [String] {
        _ = viewLocaleReady
        // Lines are laid out without colour, cut to the width, then painted (escapes have no width).
        var lines: [(String, String?)] = []
        let sources = describeSources(s.configuration)
        lines.append(("beamconsole watch — \(sources) · we are \(s.ownNode) · \(clockTime(now)) · q quits", "1"))

        var table = Table(
            headers: ["NODE", "SOURCES", "EPMD", "STATE", "SINCE", "RTT", "SEES", "LAST EVENT"],
            alignments: [.left, .left, .right, .left, .right, .right, .left, .left])
        var up = 0
        var meshGaps: [String] = []
        for n in s.nodes {
            if n.isUp { up += 1 }
            let sees: String
            if let peers = n.visiblePeers {
                let expected = s.expectedPeers[n.name] ?? 0
                let ok = peers.count >= expected
                if !ok { meshGaps.append("\(n.name) sees \(peers.count) of \(expected)") }
                sees = "\(peers.count)/\(expected)" + (ok ? " ✓" : " ✗")
            } else {
                sees = "-"
            }
            let state = n.connection.map(stateText) ?? "not tried"
            table.append([
                n.name, n.sources.sorted().map(\.rawValue).joined(separator: ","),
                n.epmdPort.map(String.init) ?? "-",
                state,
                n.since.map { formatAge(now.timeIntervalSince($0)).replacingOccurrences(of: " ago", with: "") } ?? "-",
                n.rtt.map(formatDuration) ?? "-", sees, n.lastEvent ?? "",
            ])
        }
        if s.nodes.isEmpty {
            lines.append(("no nodes yet", nil))
        } else {
            let rendered = table.render(maxWidth: width).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.append((rendered[0], "4"))
            for (row, n) in zip(rendered.dropFirst(), s.nodes) {
                lines.append((row, n.isUp ? nil : (n.connection == nil ? "2" : "31")))
            }
        }
        var summary = "\(up) of \(s.nodes.count) up"
        let asked = s.nodes.filter { $0.visiblePeers != nil }.count
        if asked > 0 {
            summary += meshGaps.isEmpty ? " · full mesh" : " · not a full mesh: " + meshGaps.prefix(3).joined(separator: "; ")
            if meshGaps.count > 3 { summary += "; …" }
        }
        if let r = s.reports.last {
            summary += " · DNS poll #\(r.sequence): \(r.answerNodes.count) record\(r.answerNodes.count == 1 ? "" : "s")"
            if !r.warnings.isEmpty { summary += ", \(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s")" }
        }
        lines.append((summary, meshGaps.isEmpty ? nil : "33"))
        if let r = s.reports.last {
            for w in r.warnings.prefix(3) { lines.append(("! \(w)", "33")) }
        }
        // The event pane gets what is left (at least 3 lines).
        let room = max(3, height - lines.count - 1)
        lines.append((String(repeating: "─", count: min(width, 20)) + " events", "2"))
        for e in s.events.suffix(room) { lines.append((clockTime(e.time) + " " + eventText(e.kind), eventColor(e.kind))) }
        return lines.map { text, code in
            let cut = truncate(text, to: width)
            guard color, let code else { return cut }
            return paint(cut, code, true)
        }
    }

    static func describeSources(_ c: DiscoveryConfiguration) -> String {
        var parts: [String] = []
        if let d = c.dnsPoll { parts.append("DNS \(d.query) every \(formatDuration(d.pollInterval))") }
        if !c.epmdHosts.isEmpty { parts.append("EPMD on \(c.epmdHosts.map(\.description).joined(separator: ","))") }
        if !c.staticNodes.isEmpty { parts.append("\(c.staticNodes.count) static") }
        if c.followPeers { parts.append("peers' lists") }
        return parts.joined(separator: " + ")
    }

    static func eventColor(_ kind: DiscoveryEvent.Kind) -> String? {
        switch kind {
        case .nodeUp: return "32"
        case .nodeDown, .connectFailed: return "31"
        case .dnsWarning: return "33"
        default: return nil
        }
    }

    public static func eventText(_ kind: DiscoveryEvent.Kind) -> String {
        switch kind {
        case .dnsChanged(let seq, let added, let removed):
            let changes = added.map { "+\($0)" } + removed.map { "-\($0)" }
            return "dns poll #\(seq): " + changes.joined(separator: " ")
        case .dnsWarning(let w): return "dns: \(w)"
        case .discovered(let n, let source): return "discovered \(n) (\(source))"
        case .vanished(let n): return "\(n) left every source"
        case .nodeUp(let n): return "nodeup \(n)"
        case .nodeDown(let n, let e): return "nodedown \(n): \(e.code) (\(e.stage)) \(e.message)"
        case .connectFailed(let n, let e): return "cannot connect to \(n): failed at \(e.stage) (\(e.code))"
        case .peersChanged(let n, let sees, let expected): return "\(n) sees \(sees) of \(expected) peers"
        }
    }

    /// One NDJSON line for an event.
    public static func eventJSON(_ e: DiscoveryEvent) -> String {
        var fields: [(String, JSONValue)] = [("time", .string(isoTime(e.time)))]
        switch e.kind {
        case .dnsChanged(let seq, let added, let removed):
            fields += [("event", .string("dns_changed")), ("sequence", .integer(seq)), ("added", .strings(added)), ("removed", .strings(removed))]
        case .dnsWarning(let w):
            fields += [("event", .string("dns_warning")), ("message", .string(w))]
        case .discovered(let n, let source):
            fields += [("event", .string("discovered")), ("node", .string(n)), ("source", .string(source.rawValue))]
        case .vanished(let n):
            fields += [("event", .string("vanished")), ("node", .string(n))]
        case .nodeUp(let n):
            fields += [("event", .string("nodeup")), ("node", .string(n))]
        case .nodeDown(let n, let err):
            fields += [("event", .string("nodedown")), ("node", .string(n)), ("reason", errorJSON(err))]
        case .connectFailed(let n, let err):
            fields += [("event", .string("connect_failed")), ("node", .string(n)), ("error", errorJSON(err))]
        case .peersChanged(let n, let sees, let expected):
            fields += [("event", .string("peers_changed")), ("node", .string(n)), ("sees", .integer(sees)), ("expected", .integer(expected))]
        }
        return JSONValue.orderedObject(fields).encoded
    }

    /// The first NDJSON line: every node as it stands.
    public static func snapshotJSON(_ s: DiscoverySnapshot) -> String {
        let nodes: [JSONValue] = s.nodes.map { n in
            .orderedObject([
                ("node", .string(n.name)),
                ("sources", .strings(n.sources.sorted().map(\.rawValue))),
                ("epmd_port", .optional(n.epmdPort)),
                ("state", n.connection.map { .string(stateName($0)) } ?? .null),
                ("error", {
                    switch n.connection {
                    case .down(let e)?, .failed(let e)?: return errorJSON(e)
                    default: return .null
                    }
                }()),
                ("since", n.since.map { .string(isoTime($0)) } ?? .null),
                ("rtt_ms", n.rtt.map { .number(milliseconds($0).rounded(toPlaces: 3)) } ?? .null),
                ("sees", n.visiblePeers.map { .strings($0) } ?? .null),
                ("expected_peers", .integer(s.expectedPeers[n.name] ?? 0)),
            ])
        }
        return JSONValue.orderedObject([
            ("time", .string(isoTime(s.time))), ("event", .string("snapshot")), ("node", .string(s.ownNode)),
            ("nodes", .array(nodes)),
        ]).encoded
    }
}
