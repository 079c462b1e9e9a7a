import ErlangDistribution

/// `watch`: live membership.
enum WatchCommand {
    static func run(session: ConsoleSession, onOutput: (@Sendable (String) -> Void)?) async -> CommandOutput {
        CommandOutput(errorText: "watch: not implemented yet", status: CommandOutput.Status.badInput)
    }
}
