import ArgumentParser
import ClusterDiscovery
import ConsoleREPL
import TermSyntax

extension SourceSyntax: ExpressibleByArgument {
    public init?(argument: String) { self.init(optionValue: argument) }
    public static var allValueStrings: [String] { ["elixir", "erlang"] }
}

/// `--dns-type`: one of ``ConnectionOption/dnsTypeValues``, read by ``ConnectionOption/dnsTypes(_:)``.
struct DNSTypeOption: ExpressibleByArgument {
    static let a = DNSTypeOption(argument: "a")!
    var value: String
    var types: [DNSRecordType]

    init?(argument: String) {
        guard let types = ConnectionOption.dnsTypes(argument) else { return nil }
        self.value = argument
        self.types = types
    }

    var defaultValueDescription: String { value }
    static var allValueStrings: [String] { ConnectionOption.dnsTypeValues }
}
