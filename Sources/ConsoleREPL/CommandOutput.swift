import ErlangDistribution

/// What a command produced: text for people, a JSON document for scripts, and an exit status.
public struct CommandOutput: Sendable {
    /// The human-readable result (printed to standard output).
    public var text: String
    /// Error text (printed to standard error).
    public var errorText: String
    /// The `--json` form.
    public var json: String
    /// 0 success, 1 a remote failure (exception, nodedown, timeout, unreachable node), 65 bad input.
    public var status: Int32
    /// The code typed so far is not a complete expression: the REPL reads another line and sends both.
    public var needsMoreInput = false

    public init(text: String = "", errorText: String = "", json: String = "{}", status: Int32 = 0) {
        self.text = text; self.errorText = errorText; self.json = json; self.status = status
    }

    /// Exit statuses, documented in beamconsole(1).
    public enum Status {
        public static let ok: Int32 = 0
        public static let remoteFailure: Int32 = 1
        public static let connectionFailure: Int32 = 2
        public static let badInput: Int32 = 65
        /// Refused by `--read-only` (sysexits' EX_NOPERM).
        public static let refused: Int32 = 77
    }
}

extension CommandOutput {
    /// Input the command cannot use (status 65).
    static func badInput(_ message: String) -> CommandOutput {
        CommandOutput(
            errorText: message,
            json: jsonObject([
                "status": .string("error"),
                "error": .object(["code": .string("bad_input"), "message": .string(message)]),
            ]),
            status: Status.badInput)
    }

    /// A command that needs a node, with none given and no target.
    static func noTarget() -> CommandOutput {
        badInput("no target node: give one (call NODE EXPR), or pick one with use NODE / --connect / RELEASE_NODE")
    }

    /// Refused by `--read-only` (status 77).
    static func refused(_ message: String) -> CommandOutput {
        CommandOutput(
            errorText: "refused: \(message)",
            json: jsonObject([
                "status": .string("refused"),
                "error": .object(["code": .string("read_only"), "message": .string(message)]),
            ]),
            status: Status.refused)
    }

    /// A call on `node` cancelled by Ctrl-C.
    static func cancelled(_ node: String) -> CommandOutput {
        CommandOutput(
            errorText: "cancelled", json: jsonObject(["node": .string(node), "status": .string("cancelled")]),
            status: Status.remoteFailure)
    }

    /// No connection to `node` (status 2), with the error's `node`, `error` JSON.
    static func unreachable(_ error: DistributionError, node: String) -> CommandOutput {
        CommandOutput(
            errorText: "\(error)", json: jsonObject(["node": .string(node), "error": errorJSON(error)]),
            status: Status.connectionFailure)
    }
}
