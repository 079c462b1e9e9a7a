/// `disconnect NODE…`: closes the connections.
enum DisconnectCommand {
    static func run(nodes: [String], caller: any ClusterCaller) -> CommandOutput {
        for n in nodes { caller.disconnect(n) }
        return CommandOutput(
            text: nodes.map { "disconnected \($0)" }.joined(separator: "\n"),
            json: jsonObject(["disconnected": .array(nodes.map(JSONValue.string))]))
    }
}
