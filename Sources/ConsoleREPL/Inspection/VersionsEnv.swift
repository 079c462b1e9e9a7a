import ErlangTerm

/// One node's answer to `versions --env APP` (``VersionsSource/envText``): a hash per key, the rendered value only
/// for the keys asked with `--show`.
public struct NodeEnv: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var hash: String
        /// Only for keys named with `--show`.
        public var value: String?
        public init(hash: String, value: String? = nil) { self.hash = hash; self.value = value }
    }

    public var node: String
    /// Whether the application is loaded on the node (else it has no environment to compare).
    public var loaded: Bool
    public var keys: [String: Entry]
    /// Keys on the node (more than ``keys`` holds when the node cut the list).
    public var keyCount: Int

    public init(node: String, loaded: Bool, keys: [String: Entry] = [:], keyCount: Int? = nil) {
        self.node = node; self.loaded = loaded; self.keys = keys; self.keyCount = keyCount ?? keys.count
    }

    public static func parse(node: String, _ term: Term) -> NodeEnv? {
        guard let m = term.mapValue, let loaded = m.field("loaded")?.boolValue else { return nil }
        var env = NodeEnv(node: node, loaded: loaded)
        for row in (m.field("keys")?.listElements ?? []).prefix(1000) {
            guard let t = row.tupleElements, t.count == 2 || t.count == 3, let key = InspectionText.string(t[0]),
                  let h = t[1].tupleElements, h.count == 2, let a = h[0].intValue, let b = h[1].intValue
            else { continue }
            env.keys[key] = Entry(hash: "\(a)-\(b)", value: t.count == 3 ? InspectionText.text(t[2], limit: 2048) : nil)
        }
        env.keyCount = m.field("key_count")?.intValue ?? env.keys.count
        return env
    }
}

/// One key of the compared environment.
public struct EnvKeyComparison: Hashable, Sendable {
    public struct Group: Hashable, Sendable {
        public var nodes: [String]
        /// False: the key is not set on these nodes.
        public var present: Bool
        /// The value, only for a key named with `--show`.
        public var value: String?
    }

    public var key: String
    /// Largest first; one group when the key is the same on every node.
    public var groups: [Group]
    public var shown: Bool
    public var same: Bool { groups.count == 1 && groups[0].present }
}

public enum EnvAnalysis {
    /// Compares the nodes where the application is loaded, key by key (sorted). A key missing on some nodes is a
    /// group of its own. Values are carried only for `show` keys.
    public static func compare(_ nodes: [NodeEnv], show: Set<String>) -> [EnvKeyComparison] {
        let loaded = nodes.filter(\.loaded)
        let keys = Set(loaded.flatMap { $0.keys.keys }).sorted()
        return keys.map { key in
            let g = VersionsAnalysis.groups(loaded.map { ($0.node, $0.keys[key]?.hash) })
            let groups = g.map { group in
                let first = group.nodes.first.flatMap { n in loaded.first { $0.node == n }?.keys[key] }
                return EnvKeyComparison.Group(
                    nodes: group.nodes, present: group.value != nil,
                    value: show.contains(key) ? first?.value : nil)
            }
            return EnvKeyComparison(key: key, groups: groups, shown: show.contains(key))
        }
    }
}
