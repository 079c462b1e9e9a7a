import ErlangDistribution
import Foundation

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
        let good = report.targets.filter(\.ok).count
        out += "\n\(good)/\(report.targets.count) ok"
        if report.targets.contains(where: { $0.stage(.cookie)?.status == .failed }) || good < report.targets.count {
            out += "; compare cookie hashes on a node with\n  \(CookieFingerprint.elixirExpression)\n  "
                + CookieFingerprint.erlangExpression
        }
        return out
    }

    /// `{"local", "cookie_hash", "dns_query", "ok", "targets": [{"node", "query", "ok", "peer_cookie_hash",
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
        ])
    }
}
