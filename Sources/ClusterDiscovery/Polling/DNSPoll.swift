#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// libcluster's DNSPoll strategy, as a pure model: what each poll found, which nodes it forms, what changed, what
/// libcluster itself would do, and what looks wrong.
///
/// libcluster's `Cluster.Strategy.DNSPoll` (`query`, `node_basename`, `polling_interval`) resolves the query's A records
/// with `:inet_res.lookup/3` every interval, forms `:"basename@a.b.c.d"` for each address, drops its own node, then
/// connects the nodes that are new since the last poll and **disconnects those that are gone**. A failed lookup returns
/// no addresses, so an empty or failed answer disconnects every DNS-found peer. beamconsole keeps the last known answer
/// instead, and says what libcluster would have done.
public struct DNSPollConfiguration: Sendable, Hashable {
    /// The DNS name to poll (libcluster's `query`), e.g. `myapp.organization.local`.
    public var query: String
    /// The node name's alive part (libcluster's `node_basename`), e.g. `myapp`.
    public var basename: String
    /// libcluster's `polling_interval` (its default is 5 s).
    public var pollInterval: Duration
    /// Record types to ask for: libcluster asks for A only; AAAA gives `basename@<IPv6 literal>`.
    public var recordTypes: [DNSRecordType]
    /// Our own node name, left out as libcluster leaves out `node()`.
    public var ownNode: String?
    /// Whether the nodes we expect use short names (`--sname`): DNSPoll names are long names (`name@IP`).
    public var shortNames: Bool

    public init(
        query: String, basename: String, pollInterval: Duration = .seconds(5), recordTypes: [DNSRecordType] = [.a],
        ownNode: String? = nil, shortNames: Bool = false
    ) {
        self.query = query
        self.basename = basename
        self.pollInterval = pollInterval
        self.recordTypes = recordTypes
        self.ownNode = ownNode
        self.shortNames = shortNames
    }

    /// The node name libcluster forms for an address.
    public func nodeName(for address: String) -> String { "\(basename)@\(address)" }
}

/// Something a poll shows that an operator should know.
public enum DNSPollWarning: Sendable, Hashable, CustomStringConvertible {
    /// Exactly 8 records: Cloud Map MULTIVALUE answers return at most 8, so a cluster past 8 tasks never settles.
    case eightRecords
    /// The answer was empty: libcluster would disconnect every DNS-found peer.
    case emptyAnswer(wouldDisconnect: Int)
    /// The lookup failed: libcluster's resolver returns no addresses, so it would disconnect every DNS-found peer.
    case failedAnswer(DNSError, wouldDisconnect: Int)
    /// The same address appears more than once.
    case duplicateAddresses([String])
    /// Addresses that came and went within the recent polls.
    case churn([String])
    /// DNSPoll forms long names (`name@IP`); nodes started with `--sname` cannot be reached by them.
    case shortNamesUnderDNSPoll
    /// Records whose address has no EPMD answering (TCP 4369).
    case noEPMD(address: String, cause: String)
    /// An address whose EPMD does not have `basename` registered; `registered` lists what it has.
    case basenameNotRegistered(address: String, basename: String, registered: [String])
    /// A record whose node was disconnected (a stale record: the task is gone but DNS still lists it).
    case staleRecord(node: String, reason: String)

    /// A stable code for scripts.
    public var code: String {
        switch self {
        case .eightRecords: return "eight_records"
        case .emptyAnswer: return "empty_answer"
        case .failedAnswer: return "failed_answer"
        case .duplicateAddresses: return "duplicate_addresses"
        case .churn: return "churn"
        case .shortNamesUnderDNSPoll: return "short_names"
        case .noEPMD: return "no_epmd"
        case .basenameNotRegistered: return "basename_not_registered"
        case .staleRecord: return "stale_record"
        }
    }

    public var description: String {
        switch self {
        case .eightRecords:
            return "exactly 8 records: Cloud Map MULTIVALUE answers return at most 8, so a cluster of more than "
                + "8 tasks never settles"
        case .emptyAnswer(let n):
            return "empty answer: libcluster DNSPoll would disconnect all \(n) DNS-found peers; keeping the last known answer"
        case .failedAnswer(let e, let n):
            return "\(e): libcluster DNSPoll would disconnect all \(n) DNS-found peers; keeping the last known answer"
        case .duplicateAddresses(let a):
            return "duplicate addresses in the answer: \(a.joined(separator: ", "))"
        case .churn(let a):
            return "answers churn between polls: \(a.joined(separator: ", ")) came and went"
        case .shortNamesUnderDNSPoll:
            return "short names under DNSPoll: DNSPoll connects to basename@IP (a long name); start the nodes with "
                + "long names (RELEASE_DISTRIBUTION=name, or `elixir --name`)"
        case .noEPMD(let address, let cause):
            return "\(address): no EPMD (\(cause)); is TCP 4369 open in the security group?"
        case .basenameNotRegistered(let address, let basename, let registered):
            let list = registered.isEmpty ? "nothing" : registered.joined(separator: ", ")
            return "\(address): \"\(basename)\" is not registered in EPMD (registered: \(list)); check RELEASE_NODE"
        case .staleRecord(let node, let reason):
            return "stale record: \(node) is in DNS but its connection went down (\(reason))"
        }
    }
}

/// The result of one poll.
public struct DNSPollReport: Sendable, Hashable {
    /// Which poll this is (1-based).
    public var sequence: Int
    /// The answers, by record type (a failed type is absent).
    public var answers: [DNSAnswer]
    /// The lookup failures, if any.
    public var errors: [DNSError]
    /// The nodes this poll's answer forms (ours left out), sorted.
    public var answerNodes: [String]
    /// The nodes beamconsole treats as DNS-found: the answer's, or the last known ones when the answer is empty or
    /// failed.
    public var nodes: [String]
    /// Compared with the previous poll's nodes.
    public var added: [String]
    public var removed: [String]
    /// What libcluster DNSPoll would do now.
    public var libclusterConnects: [String]
    public var libclusterDisconnects: [String]
    public var warnings: [DNSPollWarning]
    /// When the poll ran (set by whoever runs it; the model takes no clock).
    public var time: Date? = nil
}

/// The poll history: feed it each lookup's outcome, get a report.
public struct DNSPollState: Sendable {
    public let configuration: DNSPollConfiguration
    /// libcluster's `state.meta`: the nodes it believes DNS-found.
    public private(set) var libclusterNodes: Set<String> = []
    /// Our view: the last non-empty answer's nodes.
    public private(set) var knownNodes: Set<String> = []
    public private(set) var sequence = 0
    /// The address sets of recent polls, newest last (for churn).
    private var recent: [Set<String>] = []
    /// How many polls the churn window spans.
    public var churnWindow = 5

    public init(configuration: DNSPollConfiguration) { self.configuration = configuration }

    /// Records one poll: the outcome of each record type's lookup.
    public mutating func record(_ outcomes: [Result<DNSAnswer, DNSError>]) -> DNSPollReport {
        sequence += 1
        var answers: [DNSAnswer] = []
        var errors: [DNSError] = []
        for o in outcomes {
            switch o {
            case .success(let a): answers.append(a)
            case .failure(let e) where e.code == .noData: break  // no records of one type is not a failure
            case .failure(let e): errors.append(e)
            }
        }
        let addresses = answers.flatMap { $0.records.map(\.value) }
        var warnings: [DNSPollWarning] = []
        var seen = Set<String>(), duplicates = Set<String>()
        for a in addresses where !seen.insert(a).inserted { duplicates.insert(a) }
        if !duplicates.isEmpty { warnings.append(.duplicateAddresses(duplicates.sorted())) }
        if answers.contains(where: { $0.records.count == 8 }) { warnings.append(.eightRecords) }
        if configuration.shortNames { warnings.append(.shortNamesUnderDNSPoll) }

        let answerNodes = Set(seen.map(configuration.nodeName(for:))).subtracting(configuration.ownNode.map { [$0] } ?? [])

        // libcluster: resolver failure or empty answer → [] → every known node is removed.
        let libNew = errors.isEmpty ? answerNodes : []
        let libConnects = libNew.subtracting(libclusterNodes).sorted()
        let libDisconnects = libclusterNodes.subtracting(libNew).sorted()
        libclusterNodes = libNew

        let previous = knownNodes
        if answerNodes.isEmpty {
            if let e = errors.first {
                warnings.append(.failedAnswer(e, wouldDisconnect: libDisconnects.count))
            } else {
                warnings.append(.emptyAnswer(wouldDisconnect: libDisconnects.count))
            }
        } else {
            knownNodes = answerNodes
        }

        if errors.isEmpty { recent.append(seen) }  // a failed lookup says nothing about which records exist
        if recent.count > churnWindow { recent.removeFirst(recent.count - churnWindow) }
        let churning = churnedAddresses()
        if !churning.isEmpty { warnings.append(.churn(churning)) }

        return DNSPollReport(
            sequence: sequence, answers: answers, errors: errors, answerNodes: answerNodes.sorted(),
            nodes: knownNodes.sorted(), added: knownNodes.subtracting(previous).sorted(),
            removed: previous.subtracting(knownNodes).sorted(), libclusterConnects: libConnects,
            libclusterDisconnects: libDisconnects, warnings: warnings)
    }

    /// Addresses that were present, then absent, then present again (or the reverse) within the window.
    private func churnedAddresses() -> [String] {
        guard recent.count >= 3 else { return [] }
        let all = recent.reduce(into: Set<String>()) { $0.formUnion($1) }
        var out: [String] = []
        for a in all {
            var flips = 0
            for i in 1..<recent.count where recent[i].contains(a) != recent[i - 1].contains(a) { flips += 1 }
            if flips >= 2 { out.append(a) }
        }
        return out.sorted()
    }
}
