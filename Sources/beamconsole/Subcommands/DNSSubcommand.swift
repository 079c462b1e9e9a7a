import ArgumentParser
import ConsoleREPL

struct DNSSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Poll --dns-query as libcluster DNSPoll does: records, TTLs, EPMD on each address, warnings.")
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.dns)) }
}
