import ArgumentParser
import ConsoleREPL

/// No subcommand: the interactive console (or a script on standard input).
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "The interactive console (the default), or commands read line by line from standard input.")

    @OptionGroup var options: ConnectionOptions
    @Flag(name: .customLong("no-history"), help: "Do not read or write the history file.") var noHistory = false

    func run() async throws {
        try exitOnFailure(await ConsoleApp.runREPL(startup: options.startup, json: options.json, noHistory: noHistory))
    }
}
