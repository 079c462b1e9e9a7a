/// `help [COMMAND]`: every command's usage, one command's, or `help read-only`'s allowlist.
enum HelpCommand {
    static func run(topic: String?, settings: ConsoleSettings) -> CommandOutput {
        if topic == "read-only" {
            return CommandOutput(
                text: "--read-only allows only these calls (and no eval):\n  "
                    + ReadOnlyPolicy.describe(elixir: settings.syntax == .elixir).joined(separator: "\n  "))
        }
        if let topic {
            guard let usage = ConsoleCommand.usage[topic] else {
                return .badInput("no help for \"\(topic)\"; commands: \(ConsoleCommand.names.joined(separator: ", "))")
            }
            return CommandOutput(text: usage)
        }
        let lines = ConsoleCommand.names.compactMap { ConsoleCommand.usage[$0] }
        let tail = "\nA bare call (Node.list(), :erlang.memory(), lists:seq(1, 3)) runs on the target.\n"
            + "Ctrl-C cancels a running command; Ctrl-D or quit leaves. A line starting with a space is kept out of "
            + "history."
        return CommandOutput(text: lines.joined(separator: "\n") + tail)
    }
}
