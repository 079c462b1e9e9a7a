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
        let tail = """

            A line whose first word is a command's name runs that command; every other line is code for the target
            (Elixir, or Erlang under --syntax erlang or on a node without Elixir), as in IEx: x = 21, Enum.sum(1..x),
            h Enum.map, alias/import/require, v(-1), self(). State persists per node (use switches, and switching back
            finds it again). Code that starts with a command's name: eval nodes ++ [1]. An incomplete expression
            continues on the next line; #iex:break abandons it. Ctrl-C interrupts a running evaluation; Ctrl-D or
            quit leaves. A line starting with a space is kept out of history.
            """
        return CommandOutput(text: lines.joined(separator: "\n") + tail)
    }
}
