import ErlangDistribution
import ErlangTerm

/// `ping NODE`: connects if needed and times a round trip.
enum PingCommand {
    static func run(node n: String, caller: any RemoteCaller, settings: ConsoleSettings) async -> CommandOutput {
        switch await roundTrip(n, caller: caller, timeout: settings.timeout) {
        case .success(let rtt):
            return CommandOutput(
                text: "pong from \(n) in \(formatDuration(rtt))",
                json: jsonObject(["node": .string(n), "result": .string("pong"), "rtt_ms": .number(milliseconds(rtt))]))
        case .failure(let e):
            return CommandOutput(
                errorText: "pang: \(e)",
                json: jsonObject(["node": .string(n), "result": .string("pang"), "error": errorJSON(e)]),
                status: CommandOutput.Status.connectionFailure)
        }
    }

    /// A round trip: `erlang:node()` by rex, timed.
    static func roundTrip(_ n: String, caller: any RemoteCaller, timeout: Duration) async
        -> Result<Duration, DistributionError>
    {
        let clock = ContinuousClock()
        let start = clock.now
        do throws(DistributionError) {
            let r = try await caller.call(
                node: n, module: "erlang", function: "node", arguments: [],
                options: CallOptions(method: .rex, timeout: timeout, captureOutput: false))
            guard case .value = r.result else {
                return .failure(DistributionError(.rpcFailed, stage: .rpc, node: n, "no answer to erlang:node()"))
            }
            return .success(clock.now - start)
        } catch {
            return .failure(error)
        }
    }
}
