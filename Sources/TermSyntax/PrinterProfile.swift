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

    // MARK: What changed, release by release (Elixir's `inspect/2`)

    /// Elixir 1.15+: charlists print as `~c"abc"` (escaping `"`), not `'abc'` (inspect.ex v1.15.0, List).
    public var charlistSigil: Bool { elixir >= .init(1, 15) }
    /// Elixir 1.15+: `%MapSet{map: :sets.set()}` without the `version` key (map_set.ex v1.15.0:64).
    public var mapSetWithoutVersion: Bool { elixir >= .init(1, 15) }
    /// Elixir 1.15+: `binaries: :as_strings` prints strings whatever the `base` (inspect.ex v1.15.0, BitString).
    public var asStringsIgnoresBase: Bool { elixir >= .init(1, 15) }
    /// Elixir 1.16+: `Inspect.Regex` turns `\#{` in the source back into `#{` (inspect.ex v1.16.0:420).
    public var regexNormalizesInterpolation: Bool { elixir >= .init(1, 16) }
    /// Elixir 1.17+: Regex `opts` is a list, printed as sigil letters when they translate (inspect.ex v1.17.0:397-430).
    public var regexOptionLetters: Bool { elixir >= .init(1, 17) }
    /// Elixir 1.19+: the Regex struct has no `re_version` (regex.ex v1.19.0:172).
    public var regexWithoutVersion: Bool { elixir >= .init(1, 19) }
    /// Elixir 1.19 (from 1.19.3): the `:export` option prints as `E` (inspect.ex v1.19.3).
    public var regexExportLetter: Bool { elixir >= .init(1, 19) }
    /// Elixir 1.17+: `Duration` exists, with a derived `Inspect` leaving out fields at their default (duration.ex
    /// v1.17.0:95).
    public var durationStruct: Bool { elixir >= .init(1, 17) }
    /// Elixir 1.17+: an ISO `Date` with a year outside -9999..9999 prints as `Date.new!(…)` (date.ex v1.17.0:1166).
    public var dateOutOfRangeAsCall: Bool { elixir >= .init(1, 17) }
    /// Elixir 1.18+: the same for `NaiveDateTime` (`NaiveDateTime.new!(…)`) and a UTC `DateTime` (`#DateTime<…>`
    /// instead of `~U[…]`) (commit d3b8dcd99d, first in v1.18.0).
    public var dateTimeOutOfRangeAsCall: Bool { elixir >= .init(1, 18) }
    /// Elixir 1.18+: invisible and special-space characters are escaped as `\uXXXX` in strings, charlists and
    /// quoted atoms (code/identifier.ex v1.18.0, `escape_char/2`).
    public var escapesInvisibles: Bool { elixir >= .init(1, 18) }
    /// Elixir 1.19+: the limit is shared across the whole term (`to_doc_with_opts/2`, algebra.ex v1.19.0).
    public var sharedLimit: Bool { elixir >= .init(1, 19) }
    /// Elixir 1.19+: a flex break's fit check stops at the end of its group (`:group_over`, algebra.ex v1.19.0).
    public var flexBreakStopsAtGroupEnd: Bool { elixir >= .init(1, 19) }
    /// Which atoms print unquoted follows the release's own `String.Tokenizer` and Unicode data (lib/elixir/unicode/ at
    /// each tag): Unicode 14.0 in 1.14, 15.0 in 1.15, 15.1 in 1.16-1.17, 16.0 in 1.18, 17.0 in 1.19, where many
    /// characters UTS 39 now calls Uncommon_Use (`ĕ`, most CJK ideographs outside the core set) need quotes again.
    public var identifierUnicodeVersion: String { identifiers.unicodeVersion }
    /// Elixir 1.18+: an atom may mix scripts in `_`-separated chunks (`:http_сервер`), where 1.14-1.17 quote it unless
    /// Latin with Japanese, Han with Bopomofo or Korean covers every character (`chunks_single?/1` in place of
    /// `highly_restrictive?/1`, tokenizer.ex v1.18.0).
    public var identifierScriptChunks: Bool { identifiers.scriptChunks }
    /// `Inspect.Opts` default `limit`: 50, and 100 from Elixir 1.19 (algebra.ex v1.19.0:93).
    public var defaultInspectLimit: Int { elixir >= .init(1, 19) ? 100 : 50 }

    // MARK: What changed (OTP)

    /// OTP 26+: a map of up to 32 keys is kept (and iterated, printed and sent) in its internal order, which for
    /// atom keys is the atom-index order; a decoded map's entries are in that order (OTP-18414, PR #6151).
    public var smallMapsInWireOrder: Bool { otp >= 26 }
}
