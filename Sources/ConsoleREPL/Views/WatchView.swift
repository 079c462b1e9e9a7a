import ClusterDiscovery
import ClusterMembership
import ErlangDistribution

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
                n.since.map { formatAge(now.timeIntervalSince($0)).replacingEvery(" ago", with: "") } ?? "-",
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
        case .vanished(let n): return "no source lists \(n) any more"
        case .nodeUp(let n): return "nodeup \(n)"
        case .nodeDown(let n, let e): return "nodedown \(n): \(e.code) (\(e.stage)) \(e.message)"
        case .connectFailed(let n, let e): return "cannot connect to \(n): failed at \(e.stage) (\(e.code))"
        case .peersChanged(let n, let change): return peersText(n, change)
        }
    }

    /// `a@h sees 2 peers: b@h, c@h` (a first report), `a@h sees 3 peers (+d@h)` (a change), `a@h sees 1 of 2 peers
    /// (-c@h)` or `a@h sees 1 of 3 peers (+b@h); does not see c@h, d@h` when nodes we are connected to are missing
    /// from its list. "of N" appears only when something is missing, so a node asked before we knew the others
    /// never reads as "sees 2 of 0".
    static func peersText(_ n: String, _ c: PeerListChange) -> String {
        var s = "\(n) sees "
        if c.missing.isEmpty {
            s += c.sees.isEmpty ? "no peers" : "\(c.sees.count) peer\(c.sees.count == 1 ? "" : "s")"
        } else {
            s += "\(c.sees.count) of \(c.expected) peer\(c.expected == 1 ? "" : "s")"
        }
        if c.isFirstReport {
            if !c.sees.isEmpty, c.missing.isEmpty { s += ": " + nameList(c.sees) }
        } else if !c.added.isEmpty || !c.removed.isEmpty {
            s += " (" + (c.added.map { "+" + $0 } + c.removed.map { "-" + $0 }).prefix(4).joined(separator: ", ")
            s += c.added.count + c.removed.count > 4 ? ", …)" : ")"
        }
        // Missing peers it just dropped are named already.
        let unnamed = c.missing.filter { !c.removed.contains($0) }
        if !unnamed.isEmpty { s += "; does not see " + nameList(unnamed) }
        return s
    }

    /// Up to four names, then how many more.
    static func nameList(_ names: [String]) -> String {
        let shown = names.prefix(4).joined(separator: ", ")
        return names.count > 4 ? shown + " and \(names.count - 4) more" : shown
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
        case .peersChanged(let n, let c):
            fields += [
                ("event", .string("peers_changed")), ("node", .string(n)), ("sees", .integer(c.sees.count)),
                ("expected", .integer(c.expected)), ("peers", .strings(c.sees)), ("added", .strings(c.added)),
                ("removed", .strings(c.removed)), ("missing", .strings(c.missing)),
            ]
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
