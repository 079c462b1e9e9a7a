/// The releases a printer imitates. What `inspect/2` and `io_lib:format("~p")` print differs between Elixir and OTP
/// releases (charlists as `~c"…"` from Elixir 1.15, map key order from OTP 26, …); the console picks the profile per
/// target from the node itself (`System.version`, `otp_release`), and `term decode`/`term encode` take it from
/// `--elixir-version` and `--otp-release` (the newest without them).
public struct PrinterProfile: Sendable, Hashable, CustomStringConvertible {
    /// An Elixir release, `major.minor` (patch releases do not change what `inspect` prints).
    public struct ElixirVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var major: Int
        public var minor: Int
        public init(_ major: Int, _ minor: Int) { self.major = major; self.minor = minor }

        /// `1.15`, `1.15.7`, `1.18.0-rc.1`; nil for anything else.
        public init?(_ text: String) {
            let core = text.split(separator: "-", maxSplits: 1).first ?? ""
            let parts = core.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.count <= 3, let major = Int(parts[0]), let minor = Int(parts[1]),
                major >= 0, minor >= 0
            else { return nil }
            if parts.count == 3, Int(parts[2]) == nil { return nil }
            self.init(major, minor)
        }

        public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
        public var description: String { "\(major).\(minor)" }
    }

    /// The Elixir release whose `inspect/2` is imitated.
    public var elixir: ElixirVersion
    /// The OTP release (major) whose `io_lib` is imitated.
    public var otp: Int

    public init(elixir: ElixirVersion, otp: Int) {
        self.elixir = elixir
        self.otp = otp
    }

    /// The oldest supported releases' profile (what the printers did before profiles existed, and what the local
    /// BEAM here runs: OTP 25, Elixir 1.14).
    public static let elixir114otp25 = PrinterProfile(elixir: .init(1, 14), otp: 25)
    /// The newest supported releases' profile.
    public static let newest = PrinterProfile(elixir: .init(1, 19), otp: 28)
    /// The supported ranges.
    public static let supportedElixir = ElixirVersion(1, 14)...ElixirVersion(1, 19)
    public static let supportedOTP = 24...28

    public var description: String { "Elixir \(elixir), OTP \(otp)" }
}
