import ArgumentParser
import ConsoleREPL
import TermSyntax

extension ETFInputEncoding: ExpressibleByArgument {}

/// `beamconsole term decode|encode`: the definitions; ``TermCodecCommand`` runs them.
struct TermCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "term",
        abstract: "Decode and encode Erlang's External Term Format.",
        subcommands: [Decode.self, Encode.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read ETF from standard input (or --input) and print the term.",
            discussion: """
                The input may start with the version byte 131 or not. A compressed term (tag 80) is inflated.
                Examples:
                  printf '836b0003616263' | beamconsole term decode --hex
                  beamconsole term decode --base64 --input token.txt --syntax erlang
                  beamconsole term decode --hex --elixir-version 1.14 --otp-release 25 < term.hex
                Without --elixir-version and --otp-release the term is printed as the newest supported releases
                print it (Elixir 1.19, OTP 28): charlists as ~c"abc", small Erlang maps in the order their keys
                arrive. Give the node's releases to see what that node prints.
                """
        )

        @Flag(name: .customLong("hex"), help: "The input is hexadecimal.") var hex = false
        @Flag(name: .customLong("base64"), help: "The input is base64/base64url (a Phoenix token's payload too).")
        var base64 = false
        @Option(name: .long, help: "Read from this file instead of standard input.") var input: String?
        @Option(name: .long, help: "Print with this syntax: elixir or erlang.") var syntax: SourceSyntax = .elixir
        @Flag(name: .long, help: "Print the term as JSON (fails for terms with no JSON form).") var json = false
        @Option(name: .long, help: "Terminal width for pretty printing.") var width: Int = 80
        @Option(name: .long, help: "Show at most this many items per collection (default: all), as inspect's limit.")
        var limit: Int?
        @OptionGroup var release: ReleaseOptions

        func validate() throws {
            if hex && base64 { throw ValidationError("--hex and --base64 cannot be used together.") }
            if width < 1 { throw ValidationError("--width must be positive.") }
            _ = try release.profile()
        }

        func run() throws {
            try exitOnFailure(
                TermCodecCommand.runDecode(
                    .init(
                        input: input, encoding: hex ? .hex : base64 ? .base64 : .raw, syntax: syntax, json: json,
                        width: width, limit: limit,
                        profile: (try? release.profile()) ?? .newest)))
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode a term literal as ETF and write it to standard output.",
            discussion: """
                Examples:
                  beamconsole term encode '%{user_id: 42, roles: [:admin]}' --hex
                  beamconsole term encode --syntax erlang '{ok, [1,2,3]}' --base64
                --elixir-version and --otp-release are accepted as by decode (default: the newest releases, Elixir
                1.19 and OTP 28); every supported release encodes these terms alike.
                """
        )

        @Argument(help: "The term, in Elixir (default) or Erlang syntax.") var literal: String
        @Option(name: .long, help: "The literal's syntax: elixir or erlang.") var syntax: SourceSyntax = .elixir
        @Flag(name: .long, help: "Compress (tag 80) when it makes the output smaller.") var compressed = false
        @Option(name: .long, help: "zlib level 1-9 for --compressed (default 6).") var level: Int = 6
        @Flag(name: .customLong("hex"), help: "Write hexadecimal.") var hex = false
        @Flag(name: .customLong("base64"), help: "Write base64.") var base64 = false
        @OptionGroup var release: ReleaseOptions

        func validate() throws {
            if hex && base64 { throw ValidationError("--hex and --base64 cannot be used together.") }
            if !(1...9).contains(level) { throw ValidationError("--level must be between 1 and 9.") }
            _ = try release.profile()
        }

        func run() throws {
            try exitOnFailure(
                TermCodecCommand.runEncode(
                    .init(
                        literal: literal, syntax: syntax, compressionLevel: compressed ? level : nil,
                        output: hex ? .hex : base64 ? .base64 : .raw,
                        profile: (try? release.profile()) ?? .newest)))
        }
    }
}

/// `--elixir-version` and `--otp-release` of `term decode` and `term encode`: the releases whose printers are imitated
/// (the newest without them).
struct ReleaseOptions: ParsableArguments {
    @Option(
        name: .customLong("elixir-version"),
        help: "Print as this Elixir release's inspect does (1.14-1.19; default: the newest, 1.19).")
    var elixirVersion: String?
    @Option(
        name: .customLong("otp-release"),
        help: "Print as this OTP release's io_lib ~p does (24-28; default: the newest, 28).")
    var otpRelease: String?

    /// The profile, or a validation error naming the bad value.
    func profile() throws -> PrinterProfile {
        do {
            return try TermCodecCommand.profile(elixirVersion: elixirVersion, otpRelease: otpRelease)
        } catch {
            throw ValidationError(error.message)
        }
    }
}
