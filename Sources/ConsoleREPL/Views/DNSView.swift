import ClusterDiscovery
import ClusterMembership
import ErlangDistribution

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `dns`: the latest DNS polls as libcluster DNSPoll computes them — each record with its TTL, the node it forms,
/// what EPMD on its address says and our connection to that node; the resolver and its latency; what changed since
/// the previous poll; what libcluster would do; and the warnings.
public enum DNSView {
    /// How many earlier polls the text view lists as history.
    static let historyLines = 5

    public static func render(_ snapshot: DiscoverySnapshot, color: Bool = false, width: Int = 80) -> String {
        guard let dns = snapshot.configuration.dnsPoll else { return "" }
        guard let report = snapshot.reports.last else { return "no DNS poll yet for \(dns.query)" }
        _ = viewLocaleReady
        let nodes = Dictionary(snapshot.nodes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out = ""
        let types = dns.recordTypes.map { $0.rawValue.uppercased() }.joined(separator: "+")
        let servers = Set(report.answers.flatMap(\.servers) + report.errors.flatMap(\.servers)).sorted()
        let latency = report.answers.map(\.latency).max().map(formatDuration) ?? "-"
        out += "DNS poll #\(report.sequence) of \(dns.query) (\(types)) via \(servers.isEmpty ? "resolv.conf" : servers.joined(separator: ", "))"
        out += " in \(latency); nodes are \(dns.basename)@IP; every \(formatDuration(dns.pollInterval))\n"
        for e in report.errors { out += paint("✗ \(e)", "31", color) + "\n" }

        var table = Table(headers: ["RECORD", "TTL", "NODE", "EPMD", "CONNECTION"], alignments: [.left, .right, .left, .left, .left])
        for answer in report.answers {
            for r in answer.records {
                let name = dns.nodeName(for: r.value)
                let conn = nodes[name].flatMap(\.connection).map(stateText) ?? (name == snapshot.ownNode ? "(us)" : "-")
                table.append([r.value, "\(r.ttl)", name, epmdText(snapshot.epmd[r.value], basename: dns.basename), conn])
            }
        }
        if table.rows.isEmpty {
            out += "no records\n"
        } else {
            out += table.render(maxWidth: width).trimmingScalars(where: \.isNewline) + "\n"
        }
        if report.sequence > 1 || !report.added.isEmpty {
            if report.added.isEmpty && report.removed.isEmpty {
                out += "no change since poll #\(report.sequence - 1)\n"
            } else {
                let changes = report.added.map { paint("+ \($0)", "32", color) } + report.removed.map { paint("- \($0)", "31", color) }
                out += (report.sequence == 1 ? "first answer: " : "since poll #\(report.sequence - 1): ") + changes.joined(separator: "  ") + "\n"
            }
        }
        if !report.libclusterConnects.isEmpty || !report.libclusterDisconnects.isEmpty {
            var parts: [String] = []
            if !report.libclusterConnects.isEmpty { parts.append("connect \(report.libclusterConnects.joined(separator: ", "))") }
            if !report.libclusterDisconnects.isEmpty { parts.append("disconnect \(report.libclusterDisconnects.joined(separator: ", "))") }
            out += "libcluster DNSPoll would: " + parts.joined(separator: "; ") + "\n"
        }
        if report.nodes != report.answerNodes {
            out += "keeping the last known answer: \(report.nodes.joined(separator: ", "))\n"
        }
        for w in report.warnings { out += paint("! \(w)", "33", color) + "\n" }
        let history = snapshot.reports.dropLast().suffix(historyLines)
        if !history.isEmpty {
            out += "earlier polls:\n"
            for r in history.reversed() {
                let when = r.time.map { clockTime($0) } ?? ""
                let count = r.answers.reduce(0) { $0 + $1.records.count }
                var line = "  #\(r.sequence) \(when) \(count) record\(count == 1 ? "" : "s")"
                if !r.added.isEmpty || !r.removed.isEmpty { line += " (+\(r.added.count) -\(r.removed.count))" }
                if !r.errors.isEmpty { line += " " + r.errors.map { $0.code.rawValue }.joined(separator: ",") }
                if !r.warnings.isEmpty { line += ", \(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s")" }
                out += line + "\n"
            }
        }
        return String(out.dropLast())
    }

    static func epmdText(_ probe: EPMDProbe?, basename: String) -> String {
        switch probe {
        case nil: return "-"
        case .failed(let code, _)?: return code
        case .names(let entries)?:
            if let e = entries.first(where: { $0.name == basename }) { return "\(e.name) port \(e.port)" }
            return "no \(basename) (" + (entries.isEmpty ? "nothing" : entries.map(\.name).joined(separator: ",")) + ")"
        }
    }

    public static func json(_ snapshot: DiscoverySnapshot) -> String {
        guard let dns = snapshot.configuration.dnsPoll else { return "{}" }
        let nodes = Dictionary(snapshot.nodes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func poll(_ r: DNSPollReport) -> JSONValue {
            var records: [JSONValue] = []
            for answer in r.answers {
                for rec in answer.records {
                    let name = dns.nodeName(for: rec.value)
                    records.append(.orderedObject([
                        ("address", .string(rec.value)), ("type", .string(answer.type.rawValue)), ("ttl", .integer(rec.ttl)),
                        ("node", .string(name)), ("epmd", epmdJSON(snapshot.epmd[rec.value])),
                        ("connection", nodes[name].flatMap(\.connection).map { .string(stateName($0)) } ?? .null),
                    ]))
                }
            }
            return .orderedObject([
                ("sequence", .integer(r.sequence)),
                ("time", r.time.map { .string(isoTime($0)) } ?? .null),
                ("servers", .strings(Set(r.answers.flatMap(\.servers) + r.errors.flatMap(\.servers)).sorted())),
                ("latency_ms", r.answers.map(\.latency).max().map { .number(milliseconds($0).rounded(toPlaces: 3)) } ?? .null),
                ("records", .array(records)),
                ("errors", .array(r.errors.map { e in
                    .orderedObject([("code", .string(e.code.rawValue)), ("type", .string(e.type.rawValue)), ("message", .string("\(e)"))])
                })),
                ("answer_nodes", .strings(r.answerNodes)),
                ("nodes", .strings(r.nodes)),
                ("added", .strings(r.added)),
                ("removed", .strings(r.removed)),
                ("libcluster", .orderedObject([("connect", .strings(r.libclusterConnects)), ("disconnect", .strings(r.libclusterDisconnects))])),
                ("warnings", .array(r.warnings.map { w in .orderedObject([("code", .string(w.code)), ("message", .string(w.description))]) })),
            ])
        }
        return JSONValue.orderedObject([
            ("query", .string(dns.query)),
            ("basename", .string(dns.basename)),
            ("record_types", .strings(dns.recordTypes.map(\.rawValue))),
            ("poll_interval_ms", .number(milliseconds(dns.pollInterval))),
            ("polls", .array(snapshot.reports.map(poll))),
        ]).encoded
    }

    static func epmdJSON(_ probe: EPMDProbe?) -> JSONValue {
        switch probe {
        case nil: return .null
        case .failed(let code, let message)?:
            return .orderedObject([("error", .orderedObject([("code", .string(code)), ("message", .string(message))]))])
        case .names(let entries)?:
            return .orderedObject([("names", .array(entries.map { .orderedObject([("name", .string($0.name)), ("port", .integer($0.port))]) }))])
        }
    }
}

func paint(_ s: String, _ code: String, _ on: Bool) -> String { on ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

func isoTime(_ d: Date) -> String { Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(d) }

/// `2026-12-07T17:22:01Z`, as Foundation's `ISO8601DateFormatter()` printed it: ICU's time in milliseconds (rounded
/// to the nearest), then whole seconds.
func isoSeconds(_ d: Date) -> String {
    let ms = ((d.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1000).rounded()
    return Date.ISO8601FormatStyle().format(Date(timeIntervalSince1970: (ms / 1000).rounded(.down)))
}

/// `HH:MM:SS` in local time. With the C library rather than `Calendar` (ICU): `watch` prints one per event line on
/// every frame, and ICU's calendar code and data were most of what a running `watch` kept resident.
func clockTime(_ d: Date) -> String {
    var t = time_t(d.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    localtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec)
}
