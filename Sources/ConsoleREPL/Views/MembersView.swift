import ErlangDistribution
import ErlangTerm

/// What `members` found: who lists whom, who could not be asked, and the findings.
public struct MembersReport: Hashable, Sendable {
    /// Our own (hidden) node name.
    public var local: String
    /// The nodes we started from.
    public var start: [String]
    /// Every node seen (asked, failed, or listed by someone), sorted. The matrix's rows and columns.
    public var nodes: [String]
    /// The visible peers (`erlang:nodes()`) of each node we could ask, sorted.
    public var lists: [String: [String]]
    /// The hidden peers (`erlang:nodes(hidden)`) of each node we could ask, sorted, our own connection left out.
    public var hidden: [String: [String]]
    /// Asked nodes that are hidden nodes themselves (they take no part in the mesh checks).
    public var hiddenNodes: [String]
    /// The nodes we could not ask, and why.
    public var failures: [String: MembersProbeFailure]
    /// What ``MembersAnalysis/findings(lists:failures:hiddenNodes:)`` made of it.
    public var findings: [MembersFinding]

    public init(
        local: String, start: [String], lists: [String: [String]], hidden: [String: [String]] = [:],
        hiddenNodes: [String] = [], failures: [String: MembersProbeFailure] = [:]
    ) {
        self.local = local
        self.start = start
        self.lists = lists.mapValues { $0.sorted() }
        self.hidden = hidden.mapValues { $0.sorted() }
        self.hiddenNodes = hiddenNodes.sorted()
        self.failures = failures
        self.nodes = Array(Set(MembersAnalysis.allNodes(lists: lists, failures: failures)).union(start)).sorted()
        self.findings = MembersAnalysis.findings(lists: lists, failures: failures, hiddenNodes: Set(hiddenNodes))
    }

    /// The matrix cell for `row` × `column`.
    public func cell(row: String, column: String) -> MembersCell {
        MembersAnalysis.cell(row: row, column: column, lists: lists)
    }
}

/// The `members` view: the connection matrix of what ``MembersCommand`` collected.
public enum MembersView {
    // MARK: - Rendering

    /// The matrix (rows: the node asked; columns: every node seen, numbered like the rows), each row's hidden peers,
    /// the nodes we could not ask, and the findings. Fits `width` columns where it can.
    public static func render(_ report: MembersReport, width: Int) -> String {
        _ = viewLocaleReady
        let from = report.start.count <= 3
            ? report.start.joined(separator: ", ")
            : report.start[0] + " and \(report.start.count - 1) more"
        var out = "members: \(report.nodes.count) node\(report.nodes.count == 1 ? "" : "s") seen from "
            + from + " (asked \(report.lists.count), \(report.failures.count) failed)\n\n"
        let numbers = report.nodes.indices.map { String($0 + 1) }
        var names: [String] = [], hiddenCells: [String] = []
        for row in report.nodes {
            var name = row
            if row == report.local { name += " (us)" }
            if report.hiddenNodes.contains(row) { name += " (hidden)" }
            names.append(name)
            let hiddenPeers = (report.hidden[row] ?? []).joined(separator: ", ")
            hiddenCells.append(report.lists[row] == nil ? MembersCell.unknown.symbol : hiddenPeers.isEmpty ? "-" : hiddenPeers)
        }
        let cells = report.nodes.map { row in report.nodes.map { report.cell(row: row, column: $0).symbol } }
        // Spaced columns while they fit; a big cluster (50 columns need 200) gets one character per cell, its
        // columns numbered by a tens line over a units line.
        let nameWidth = names.map(displayWidth).max() ?? 0
        let spaced = numbers.last.map(\.count).map { 2 + $0 } ?? 0
        if numbers.count * spaced + nameWidth + displayWidth(numbers.last ?? "") + 4 <= width || numbers.count < 10 {
            var table = Table(
                headers: ["#", "node"] + numbers + ["hidden peers"],
                alignments: [.right, .left] + numbers.map { _ in .right } + [.left])
            for i in report.nodes.indices { table.append([numbers[i], names[i]] + cells[i] + [hiddenCells[i]]) }
            out += table.render(maxWidth: width)
        } else {
            let tens = String(numbers.indices.map { i in (i + 1) % 10 == 0 ? Character(String((i + 1) / 10 % 10)) : " " })
            let units = String(numbers.indices.map { i in Character(String((i + 1) % 10)) })
            var table = Table(headers: ["#", "node", tens, "hidden"], alignments: [.right, .left, .left, .left])
            table.append(["", "", units, ""])
            for i in report.nodes.indices { table.append([numbers[i], names[i], cells[i].joined(), hiddenCells[i]]) }
            out += table.render(maxWidth: width, separator: " ", minimumWidth: numbers.count)
        }
        out += "✓ lists the column's node  · does not  ✗ could not ask  — itself\n"
        if !report.failures.isEmpty {
            out += "\ncould not ask:\n"
            out += keyValueLines(
                report.failures.sorted { $0.key < $1.key }.map { ($0.key, $0.value.description) }, indent: "  ")
        }
        out += "\n"
        if report.findings.isEmpty {
            out += "no findings: every node we asked lists every other\n"
        } else {
            out += "findings:\n"
            for f in report.findings { out += "  ! \(f)\n" }
        }
        return out
    }

    /// The report as one line of JSON:
    ///
    /// ```
    /// {
    ///   "local": "bc1@host",                         // our hidden node
    ///   "start": ["a@host"],                         // as given
    ///   "nodes": ["a@host", "b@host", "c@host"],     // every node seen, sorted
    ///   "lists": {"a@host": ["b@host"]},             // erlang:nodes() of each node we could ask, sorted
    ///   "hidden": {"a@host": ["x@host"]},            // erlang:nodes(hidden) of each node we could ask, minus us
    ///   "hidden_nodes": ["x@host"],                  // asked nodes that are hidden themselves
    ///   "errors": {"c@host": {"stage": "handshake", "code": "cookie_mismatch", "message": "..."}},
    ///   "findings": [
    ///     {"kind": "partial_mesh", "nodes": [...], "message": "...", "pairs": [["a@host", "d@host"]]},
    ///     {"kind": "asymmetric",   "nodes": [...], "message": "...", "node": "a@host", "peer": "b@host"},
    ///     {"kind": "unreachable",  "nodes": ["c@host"], "message": "...", "listed_by": ["a@host"],
    ///      "not_listed_by": ["b@host"], "error": {"stage": "...", "code": "...", "message": "..."}},
    ///     {"kind": "lists_nobody", "nodes": ["e@host"], "message": "..."}
    ///   ]
    /// }
    /// ```
    ///
    /// Every key is always present (empty objects and arrays rather than missing keys); every finding has `kind`,
    /// `nodes` and `message`, plus the keys shown for its kind. `errors` stages are ``DistributionError/Stage`` raw
    /// values, `rpc`, or `deadline`; codes are ``DistributionError/Code`` raw values or `timeout`, `nodedown`,
    /// `exception`, `bad_reply`. Object keys are sorted, so the output is stable.
    public static func json(_ report: MembersReport) -> String {
        func nodeMap(_ m: [String: [String]]) -> ViewJSON {
            .orderedObject(m.keys.sorted().map { ($0, .strings(m[$0]!)) })
        }
        func failure(_ f: MembersProbeFailure) -> ViewJSON {
            .orderedObject([("stage", .string(f.stage)), ("code", .string(f.code)), ("message", .string(f.message))])
        }
        let findings: [ViewJSON] = report.findings.map { f in
            var pairs: [(String, ViewJSON)] = [
                ("kind", .string(f.kind)), ("nodes", .strings(f.nodes)), ("message", .string(f.description)),
            ]
            switch f {
            case .partialMesh(let missing): pairs.append(("pairs", .array(missing.map { .strings($0) })))
            case .asymmetric(let n, let p): pairs += [("node", .string(n)), ("peer", .string(p))]
            case .unreachable(_, let by, let notBy, let fail):
                pairs += [("listed_by", .strings(by)), ("not_listed_by", .strings(notBy)), ("error", failure(fail))]
            case .listsNobody: break
            }
            return .orderedObject(pairs)
        }
        return ViewJSON.orderedObject([
            ("local", .string(report.local)),
            ("start", .strings(report.start)),
            ("nodes", .strings(report.nodes)),
            ("lists", nodeMap(report.lists)),
            ("hidden", nodeMap(report.hidden)),
            ("hidden_nodes", .strings(report.hiddenNodes)),
            ("errors", .orderedObject(report.failures.keys.sorted().map { ($0, failure(report.failures[$0]!)) })),
            ("findings", .array(findings)),
        ]).encoded
    }
}
