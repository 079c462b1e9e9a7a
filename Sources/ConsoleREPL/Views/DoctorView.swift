import ErlangDistribution

/// Rendering of a ``DoctorReport`` as text and JSON.
public enum DoctorView {
    static let green = "\u{1B}[32m", red = "\u{1B}[31m", dim = "\u{1B}[2m", reset = "\u{1B}[0m"

    /// One block per target: a line per stage (✓ ok, ✗ failed, - skipped, · not reached), the cause and the fix under
    /// a failure; a summary with our cookie hash and how to compute a node's.
    public static func render(_ report: DoctorReport, color: Bool) -> String {
        _ = viewLocaleReady
        func paint(_ s: String, _ c: String) -> String { color ? c + s + reset : s }
        let labelWidth = DoctorStageKind.allCases.map { displayWidth($0.label) }.max() ?? 0
        var out = "we are \(report.local) (hidden); our cookie hash is \(report.cookieHash)\n"
        if let q = report.dnsQuery { out += "DNSPoll query: \(q)\n" }
        for t in report.targets {
            out += "\n" + t.node
            if t.query != nil, t.node != t.query { out += " (from \(t.query!))" }
            out += "\n"
            for s in t.stages {
                let mark: String
                switch s.status {
                case .ok: mark = paint("✓", green)
                case .failed: mark = paint("✗", red)
                case .skipped: mark = "-"
                case .notReached: mark = paint("·", dim)
                }
                let pad = String(repeating: " ", count: labelWidth - displayWidth(s.kind.label))
                let line = "  \(mark) \(s.kind.label)\(pad)  \(s.detail)"
                out += (s.status == .notReached ? paint(line, dim) : line) + "\n"
                let indent = String(repeating: " ", count: labelWidth + 6)
                if let c = s.cause { out += indent + "cause: " + c + "\n" }
                if let f = s.fix { out += indent + "fix:   " + f + "\n" }
            }
        }
        if let cluster = report.cluster { out += renderCluster(cluster, color: color) }
        let good = report.targets.filter(\.ok).count
        out += "\n\(good)/\(report.targets.count) ok"
        if let cluster = report.cluster {
            let n = cluster.findings.count
            out += n == 0 ? "; the cluster has no finding" : "; the cluster has \(n) finding\(n == 1 ? "" : "s")"
        }
        if report.targets.contains(where: { $0.stage(.cookie)?.status == .failed }) || good < report.targets.count {
            out += "; compare cookie hashes on a node with\n  \(CookieFingerprint.elixirExpression)\n  "
                + CookieFingerprint.erlangExpression
        }
        return out
    }

    static let yellow = "\u{1B}[33m"

    /// The cluster section: each finding with its nodes, what libcluster (or the BEAM) does about it, the fix, and
    /// each missing link with its causes.
    static func renderCluster(_ c: DoctorClusterReport, color: Bool) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? code + s + reset : s }
        var out = "\ncluster: \(c.nodes.count) node\(c.nodes.count == 1 ? "" : "s")"
        if let n = c.dnsAnswered { out += "; the DNS answer holds \(n) address\(n == 1 ? "" : "es")" }
        out += "\n"
        if c.findings.isEmpty { return out + "  " + paint("✓", green) + " no finding: DNS, membership, versions and configuration agree\n" }
        for f in c.findings {
            let mark = f.severity == .error ? paint("✗", red) : paint("!", yellow)
            out += "  \(mark) \(f.kind.rawValue): \(f.message)\n"
            for e in f.edges {
                let causes = e.causes.isEmpty ? "no cause the console can see" : e.causes.map(\.description).joined(separator: "; ")
                out += "      \(e.a) – \(e.b): \(causes)\n"
            }
            if let c = f.consequence { out += "      consequence: \(c)\n" }
            if let x = f.fix { out += "      fix:   \(x)\n" }
        }
        return out
    }

    static func json(_ cause: EdgeCause) -> JSONValue {
        var o: [String: JSONValue] = ["code": .string(cause.code), "text": .string(cause.description)]
        func values<V>(_ d: [String: V], _ f: (V) -> JSONValue) -> JSONValue { .object(d.mapValues(f)) }
        switch cause {
        case .notInDNS(let nodes): o["nodes"] = .array(nodes.map(JSONValue.string))
        case .unreachable(let from, let to, let stage, let detail):
            o["from"] = .string(from); o["to"] = .string(to); o["stage"] = .string(stage); o["detail"] = .string(detail)
        case .consoleCannotReach(let n, let stage, let detail):
            o["node"] = .string(n); o["stage"] = .string(stage); o["detail"] = .string(detail)
        case .reachable: break
        case .ticktimeMismatch(let t): o["values"] = values(t, JSONValue.integer)
        case .otpSkew(let r): o["values"] = values(r, JSONValue.string)
        case .differentReleases(let r): o["values"] = values(r, JSONValue.string)
        }
        return .object(o)
    }

    static func json(_ c: DoctorClusterReport) -> JSONValue {
        .object([
            "nodes": .array(c.nodes.map(JSONValue.string)), "dns_answered": .optional(c.dnsAnswered),
            "healthy": .bool(c.findings.isEmpty),
            "findings": .array(c.findings.map { f in
                .object([
                    "kind": .string(f.kind.rawValue), "group": .string(f.kind.group),
                    "severity": .string(f.severity.rawValue), "nodes": .array(f.nodes.map(JSONValue.string)),
                    "message": .string(f.message), "consequence": .optional(f.consequence), "fix": .optional(f.fix),
                    "edges": .array(f.edges.map { e in
                        .object(["a": .string(e.a), "b": .string(e.b), "causes": .array(e.causes.map(json))])
                    }),
                ])
            }),
        ])
    }

    /// `{"local", "cookie_hash", "dns_query", "ok", "healthy", "cluster", "targets": [{"node", "query", "ok", "peer_cookie_hash",
    /// "failed_stage", "stages": [{"name", "status", "detail", "cause", "fix"}]}]}`.
    public static func json(_ report: DoctorReport) -> String {
        let targets: [JSONValue] = report.targets.map { t in
            .object([
                "node": .string(t.node), "query": .optional(t.query), "ok": .bool(t.ok),
                "peer_cookie_hash": .optional(t.peerCookieHash),
                "failed_stage": .optional(t.failure?.kind.rawValue),
                "stages": .array(t.stages.map { s in
                    .object([
                        "name": .string(s.kind.rawValue), "status": .string(s.status.rawValue),
                        "detail": .string(s.detail), "cause": .optional(s.cause), "fix": .optional(s.fix),
                    ])
                }),
            ])
        }
        return jsonObject([
            "local": .string(report.local), "cookie_hash": .string(report.cookieHash),
            "cookie_hash_expression": .object([
                "elixir": .string(CookieFingerprint.elixirExpression),
                "erlang": .string(CookieFingerprint.erlangExpression),
            ]),
            "dns_query": .optional(report.dnsQuery), "ok": .bool(report.ok), "targets": .array(targets),
            "healthy": .bool(report.healthy), "cluster": report.cluster.map(json) ?? .null,
        ])
    }
}
