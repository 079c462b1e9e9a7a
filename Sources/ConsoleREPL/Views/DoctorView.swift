import ErlangDistribution

/// `doctor [NODE…]`: every connection stage for each node, with the cause and the fix.
enum DoctorCommand {
    static func run(session: ConsoleSession, nodes: [String]) async -> CommandOutput {
        CommandOutput(errorText: "doctor: not implemented yet", status: CommandOutput.Status.badInput)
    }
}
