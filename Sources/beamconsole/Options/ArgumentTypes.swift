import ArgumentParser
import ClusterDiscovery
import ConsoleREPL
import TermSyntax

extension SourceSyntax: ExpressibleByArgument {
    public init?(argument: String) { self.init(optionValue: argument) }
    public static var allValueStrings: [String] { ["elixir", "erlang"] }
}

/// `--dns-type`.
enum DNSTypeOption: String, ExpressibleByArgument, CaseIterable {
    case a, aaaa, both
    var types: [DNSRecordType] {
        switch self {
        case .a: return [.a]
        case .aaaa: return [.aaaa]
        case .both: return [.a, .aaaa]
        }
    }
}
