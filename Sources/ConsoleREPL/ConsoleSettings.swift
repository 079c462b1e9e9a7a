import TermSyntax

/// Presentation settings shared by every command.
public struct ConsoleSettings: Sendable {
    public var syntax: SourceSyntax = .elixir
    /// ANSI colours (IEx's defaults) in results and messages.
    public var color = false
    /// Terminal width for pretty printing and tables.
    public var width = 80
    /// Time allowed for one remote call.
    public var timeout: Duration = .seconds(30)
    /// `inspect`'s `limit` for results when set (nil: the target's release's default, 50, or 100 on Elixir 1.19).
    public var explicitLimit: Int? = nil
    /// The `limit` results are rendered with.
    public var limit: Int? { explicitLimit ?? profile.defaultInspectLimit }
    /// Output is JSON (`--json`): streaming views write NDJSON.
    public var json = false
    /// `--read-only`: only ``ReadOnlyPolicy``'s introspection calls; no `eval`.
    public var readOnly = false
    /// `--allow-trace`: `trace` is allowed under `--read-only`.
    public var allowTrace = false
    /// At most this many bytes of an evaluation's rendered result come back from the node (`--max-result-bytes`).
    public var maxResultBytes = 65_536
    /// `--yes`: no confirmation before acting on more than one node.
    public var assumeYes = false
    /// The releases whose `inspect`/`~p` terms rendered here imitate. The target's own when it is known (see
    /// ``profiles``); this default otherwise.
    public var profile: PrinterProfile = .elixir114otp25
    /// Where targets' profiles are fetched and cached (the console sets one; nil: always ``profile``).
    public var profiles: PrinterProfileRegistry? = nil
    public init() {}
}
