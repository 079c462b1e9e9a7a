import ArgumentParser
import ConsoleREPL

struct WatchSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch membership live: full screen on a terminal (q quits), NDJSON events otherwise or with --json.")
    @Option(name: .long, help: "Stop after SECONDS (default: run until interrupted, or q on a terminal).")
    var duration: Double?
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.watch(seconds: duration))) }
}
