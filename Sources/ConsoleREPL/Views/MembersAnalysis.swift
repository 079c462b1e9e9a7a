import ErlangDistribution

/// Why a node could not be asked for its peers: our connection failed, or the call did.
public struct MembersProbeFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where it failed: a ``DistributionError/Stage`` raw value (`epmd`, `handshake`, ...), or `rpc` for the call,
    /// or `deadline` when the overall timeout ran out before the node was asked.
    public var stage: String
    /// A stable code: a ``DistributionError/Code`` raw value, or `timeout`, `nodedown`, `exception`, `bad_reply`.
    public var code: String
    /// Human-readable detail (never the cookie).
    public var message: String

    public init(stage: String, code: String, message: String) {
        self.stage = stage; self.code = code; self.message = message
    }

    /// A connection or call error as a probe failure.
    public init(_ error: DistributionError) {
        self.init(stage: error.stage.rawValue, code: error.code.rawValue, message: error.message)
    }

    public var description: String { "\(stage) failed (\(code)): \(message)" }
}

/// Something worth knowing about how the nodes are connected.
public enum MembersFinding: Hashable, Sendable, CustomStringConvertible {
    /// Pairs of nodes we could ask where neither lists the other (each pair sorted; pairs sorted).
    case partialMesh(missingPairs: [[String]])
    /// `node` lists `peer` as a visible peer, but `peer` (which we asked) does not list `node`.
    case asymmetric(node: String, peer: String)
    /// We could not ask `node`; `listedBy` are the asked nodes that list it (empty for a start node nobody lists),
    /// `notListedBy` the asked visible nodes that do not.
    case unreachable(node: String, listedBy: [String], notListedBy: [String], failure: MembersProbeFailure)
    /// A visible node we asked that lists no visible peer at all.
    case listsNobody(node: String)

    /// The stable kind name used in JSON: `partial_mesh`, `asymmetric`, `unreachable`, `lists_nobody`.
    public var kind: String {
        switch self {
        case .partialMesh: return "partial_mesh"
        case .asymmetric: return "asymmetric"
        case .unreachable: return "unreachable"
        case .listsNobody: return "lists_nobody"
        }
    }

    /// Every node the finding is about, sorted, without duplicates.
    public var nodes: [String] {
        switch self {
        case .partialMesh(let pairs): return Array(Set(pairs.flatMap { $0 })).sorted()
        case .asymmetric(let a, let b): return [a, b].sorted()
        case .unreachable(let n, _, _, _): return [n]
        case .listsNobody(let n): return [n]
        }
    }

    public var description: String {
        switch self {
        case .partialMesh(let pairs):
            let list = pairs.map { $0.joined(separator: " – ") }.joined(separator: ", ")
            let noun = pairs.count == 1 ? "pair of nodes is" : "pairs of nodes are"
            return "partial mesh: \(pairs.count) \(noun) not connected to each other: \(list)"
        case .asymmetric(let a, let b):
            return "asymmetric link: \(a) lists \(b), but \(b) does not list \(a)"
        case .unreachable(let n, let by, let notBy, let f):
            var s = by.isEmpty
                ? "\(n) cannot be reached from here"
                : "\(n) is listed by \(by.joined(separator: ", ")) but cannot be reached from here"
            if !by.isEmpty, !notBy.isEmpty { s += " (not listed by \(notBy.joined(separator: ", ")))" }
            return s + ": \(f)"
        case .listsNobody(let n):
            return "\(n) answered but is connected to no other visible node"
        }
    }
}

/// One cell of the members matrix: does the row's node list the column's node?
public enum MembersCell: Hashable, Sendable {
    /// The row and column are the same node.
    case isSelf
    /// The row lists the column (a visible peer).
    case lists
    /// The row does not list the column.
    case doesNotList
    /// We could not ask the row.
    case unknown

    /// `—`, `✓`, `·`, `✗`.
    public var symbol: String {
        switch self {
        case .isSelf: return "—"
        case .lists: return "✓"
        case .doesNotList: return "·"
        case .unknown: return "✗"
        }
    }
}

/// The pure part of `members`: from what each node answered to a matrix and findings. No I/O.
public enum MembersAnalysis {
    /// Every node seen: the asked nodes, the failed ones and every visible peer listed, sorted.
    public static func allNodes(lists: [String: [String]], failures: [String: MembersProbeFailure]) -> [String] {
        var all = Set(lists.keys).union(failures.keys)
        for peers in lists.values { all.formUnion(peers) }
        return all.sorted()
    }

    /// Whether `row` lists `column`, per what `row` answered.
    public static func cell(row: String, column: String, lists: [String: [String]]) -> MembersCell {
        if row == column { return .isSelf }
        guard let peers = lists[row] else { return .unknown }
        return peers.contains(column) ? .lists : .doesNotList
    }

    /// Finds partial meshes, asymmetric links, unreachable nodes and nodes that list nobody.
    ///
    /// - Parameters:
    ///   - lists: the visible peers (`erlang:nodes()`) of each node we could ask.
    ///   - failures: the nodes we could not ask, and why.
    ///   - hiddenNodes: asked nodes that are hidden themselves; nobody is expected to list them as visible peers and
    ///     they are expected to list only hidden peers, so they take no part in the mesh checks.
    /// - Returns: findings in a stable order: partial mesh, asymmetric links, unreachable nodes, nodes listing nobody.
    public static func findings(
        lists: [String: [String]], failures: [String: MembersProbeFailure], hiddenNodes: Set<String> = []
    ) -> [MembersFinding] {
        let asked = lists.keys.filter { !hiddenNodes.contains($0) }.sorted()
        var missing: [[String]] = []
        var asymmetric: [MembersFinding] = []
        for (i, a) in asked.enumerated() {
            for b in asked[(i + 1)...] {
                let ab = lists[a]!.contains(b), ba = lists[b]!.contains(a)
                switch (ab, ba) {
                case (true, true): break
                case (false, false): missing.append([a, b])
                case (true, false): asymmetric.append(.asymmetric(node: a, peer: b))
                case (false, true): asymmetric.append(.asymmetric(node: b, peer: a))
                }
            }
        }
        var out: [MembersFinding] = []
        if !missing.isEmpty { out.append(.partialMesh(missingPairs: missing)) }
        out += asymmetric
        for (node, failure) in failures.sorted(by: { $0.key < $1.key }) {
            let by = asked.filter { lists[$0]!.contains(node) }
            let notBy = asked.filter { $0 != node && !lists[$0]!.contains(node) }
            out.append(.unreachable(node: node, listedBy: by, notListedBy: notBy, failure: failure))
        }
        for n in asked where lists[n]!.isEmpty { out.append(.listsNobody(node: n)) }
        return out
    }
}
