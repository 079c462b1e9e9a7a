import ErlangDistribution

/// `connect NODE…`: connects to every node concurrently and reports each outcome (status 2 when any failed).
enum ConnectCommand {
    static func run(nodes: [String], caller: any RemoteCaller) async -> CommandOutput {
        if nodes.count == 1 {
            // One node (the one-shot routes' --connect): no child task to start.
            do throws(DistributionError) {
                try await caller.ensureConnected(to: nodes[0])
                return output([(nodes[0], nil)])
            } catch {
                return output([(nodes[0], error)])
            }
        }
        var results: [(String, DistributionError?)] = []
        await withTaskGroup(of: (String, DistributionError?).self) { group in
            for n in nodes {
                group.addTask {
                    do throws(DistributionError) {
                        try await caller.ensureConnected(to: n)
                        return (n, nil)
                    } catch {
                        return (n, error)
                    }
                }
            }
            for await r in group { results.append(r) }
        }
        return output(results)
    }

    /// What `connect` shows for each node's outcome (nil: connected).
    static func output(_ outcomes: [(String, DistributionError?)]) -> CommandOutput {
        var lines: [String] = [], errors: [String] = []
        var results: [String: JSONValue] = [:]
        for (n, error) in outcomes {
            if let error {
                errors.append("cannot connect to \(n): \(error)")
                results[n] = errorJSON(error)
            } else {
                lines.append("connected to \(n)")
                results[n] = .object(["state": .string("up")])
            }
        }
        return CommandOutput(
            text: lines.sorted().joined(separator: "\n"), errorText: errors.sorted().joined(separator: "\n"),
            json: jsonObject(["nodes": .object(results)]),
            status: errors.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.connectionFailure)
    }
}
