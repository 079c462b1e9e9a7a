import ErlangTerm

/// One ETS table's metadata, as ``EtsSource`` reads it on a node.
public struct EtsTable: Hashable, Sendable {
    public var node: String
    public var name: String
    /// The name of a named table, else the tid as the node prints it (`#Ref<…>`).
    public var id: String
    public var ownerPid: String
    public var ownerName: String?
    public var type: String
    public var size: Int
    /// Bytes (words × the node's word size).
    public var memory: Int
    public var protection: String
    public var named: Bool

    public init(
        node: String, name: String, id: String? = nil, ownerPid: String = "", ownerName: String? = nil,
        type: String = "set", size: Int, memory: Int, protection: String = "protected", named: Bool = true
    ) {
        self.node = node; self.name = name; self.id = id ?? name; self.ownerPid = ownerPid; self.ownerName = ownerName
        self.type = type; self.size = size; self.memory = memory; self.protection = protection; self.named = named
    }

    static func parse(node: String, _ term: Term) -> EtsTable? {
        guard let m = term.mapValue, let name = m.field("name").flatMap(InspectionText.string),
              let size = m.field("size")?.intValue, let memory = m.field("memory")?.intValue
        else { return nil }
        return EtsTable(
            node: node, name: name, id: m.field("id").flatMap(InspectionText.string) ?? name,
            ownerPid: m.field("owner").flatMap(InspectionText.string) ?? "?",
            ownerName: m.field("owner_name").flatMap(InspectionText.string),
            type: m.field("type").flatMap(InspectionText.string) ?? "?", size: size, memory: memory,
            protection: m.field("protection").flatMap(InspectionText.string) ?? "?",
            named: m.field("named")?.boolValue ?? false)
    }

    /// The owner as shown: `<0.85.0> (my_server)`.
    public var owner: String { ownerName.map { "\(ownerPid) (\($0))" } ?? ownerPid }
}

public enum EtsAnalysis {
    /// Every node's top tables merged into the cluster's top `limit` by `sort` (`memory` or `size`), biggest first;
    /// ties by node, then name.
    public static func merge(_ tables: [EtsTable], sort: String, limit: Int) -> [EtsTable] {
        func key(_ t: EtsTable) -> Int { sort == "size" ? t.size : t.memory }
        return Array(tables.sorted {
            key($0) != key($1) ? key($0) > key($1) : ($0.node, $0.name, $0.id) < ($1.node, $1.name, $1.id)
        }.prefix(limit))
    }
}

/// What `ets` shows.
public struct EtsReport: Sendable {
    public var sort: String
    public var limit: Int
    public var tables: [EtsTable]
    /// Tables on each node that answered.
    public var counts: [String: Int]
    public var failures: [String: NodeInspection.Failure]
}

/// What `ets TABLE --node N --peek K` shows.
public struct EtsPeek: Sendable {
    public var node: String
    public var table: EtsTable
    public var objects: [String]
    /// The table holds more than the objects shown.
    public var more: Bool
    public var limit: Int
}
