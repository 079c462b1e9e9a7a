/// `ets` (issue 15): not built yet.
enum EtsCommand {
    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        .badInput("\(request.command) is not available yet")
    }
}
