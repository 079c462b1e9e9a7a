#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import ErlangTerm
import TermSyntax

/// `beamconsole term decode|encode`: External Term Format to text and back, with no node. The executable parses the
/// command line into ``DecodeOptions`` or ``EncodeOptions`` and calls ``runDecode(_:)`` or ``runEncode(_:)``; the
/// conversions themselves (``decode(_:options:)``, ``encode(_:)``) are pure.
public enum TermCodecCommand {
    /// `term decode`'s options.
    public struct DecodeOptions: Sendable {
        /// The file to read (`--input`); nil or `-` is standard input.
        public var input: String?
        /// How the input writes the bytes (`--hex`, `--base64`, or neither).
        public var encoding: ETFInputEncoding
        /// The syntax to print the term in.
        public var syntax: SourceSyntax
        /// `--json`: print the term as JSON instead.
        public var json: Bool
        /// The terminal width for pretty printing.
        public var width: Int
        /// At most this many items per collection (nil: all).
        public var limit: Int?
        /// The releases whose `inspect`/`~p` the text imitates (`--elixir-version`, `--otp-release`; the newest
        /// without them).
        public var profile: PrinterProfile

        /// Options with every field given.
        public init(
            input: String?, encoding: ETFInputEncoding, syntax: SourceSyntax, json: Bool, width: Int, limit: Int?,
            profile: PrinterProfile = .newest
        ) {
            self.profile = profile
            self.input = input
            self.encoding = encoding
            self.syntax = syntax
            self.json = json
            self.width = width
            self.limit = limit
        }
    }

    /// How `term encode` writes the bytes.
    public enum OutputEncoding: Sendable {
        /// The bytes themselves, with no newline.
        case raw
        /// Hexadecimal, then a newline.
        case hex
        /// Base64, then a newline.
        case base64
    }

    /// `term encode`'s options.
    public struct EncodeOptions: Sendable {
        /// The term literal.
        public var literal: String
        /// The literal's syntax.
        public var syntax: SourceSyntax
        /// The zlib level when `--compressed` is given (tag 80 when it makes the output smaller), else nil.
        public var compressionLevel: Int?
        /// How to write the bytes.
        public var output: OutputEncoding
        /// The releases named by `--elixir-version` and `--otp-release` (the newest without them). The bytes are the
        /// same for every supported release (OTP 24–28 encode these terms alike); the profile is accepted so that
        /// `encode` and `decode` take the same options.
        public var profile: PrinterProfile

        /// Options with every field given.
        public init(
            literal: String, syntax: SourceSyntax, compressionLevel: Int?, output: OutputEncoding,
            profile: PrinterProfile = .newest
        ) {
            self.profile = profile
            self.literal = literal
            self.syntax = syntax
            self.compressionLevel = compressionLevel
            self.output = output
        }
    }

    /// Why a conversion failed: the message printed after `beamconsole: ` (the command exits with status 65).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The message.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    // MARK: - The pure conversions

    /// The text `term decode` prints for `raw` (the input as read), without the final newline.
    public static func decode(_ raw: [UInt8], options: DecodeOptions) throws(Failure) -> String {
        let bytes: [UInt8]
        do {
            bytes = try TermInput.etfBytes(from: raw, encoding: options.encoding)
        } catch {
            throw Failure(message: "invalid input: \(error)")
        }
        let term: Term
        do {
            term = try ETFDecoder().decode(bytes)
        } catch {
            throw Failure(message: "invalid ETF: \(error)")
        }
        if options.json {
            do {
                return try TermJSON.encode(term)
            } catch {
                throw Failure(message: "no JSON form: \(error)")
            }
        }
        return TermRenderer.render(
            term, syntax: options.syntax, width: options.width, limit: options.limit, printableLimit: nil,
            profile: options.profile)
    }

    /// The profile `--elixir-version` and `--otp-release` name: `elixirVersion` as `1.15` or `1.15.7`, `otpRelease`
    /// as `26`, each within the supported ranges; what is not given is the newest release's.
    public static func profile(elixirVersion: String?, otpRelease: String?) throws(Failure) -> PrinterProfile {
        var p = PrinterProfile.newest
        if let text = elixirVersion {
            guard let v = PrinterProfile.ElixirVersion(text), PrinterProfile.supportedElixir.contains(v) else {
                throw Failure(
                    message: "--elixir-version \(text): expected a release from \(PrinterProfile.supportedElixir.lowerBound) "
                        + "to \(PrinterProfile.supportedElixir.upperBound), such as 1.15")
            }
            p.elixir = v
        }
        if let text = otpRelease {
            guard let r = Int(text), PrinterProfile.supportedOTP.contains(r) else {
                throw Failure(
                    message: "--otp-release \(text): expected a release from \(PrinterProfile.supportedOTP.lowerBound) "
                        + "to \(PrinterProfile.supportedOTP.upperBound), such as 26")
            }
            p.otp = r
        }
        return p
    }

    /// The bytes `term encode` writes to standard output.
    public static func encode(_ options: EncodeOptions) throws(Failure) -> [UInt8] {
        let term: Term
        do {
            term = try TermParser.parse(options.literal, syntax: options.syntax)
        } catch {
            throw Failure(message: "\(error)")
        }
        let bytes: [UInt8]
        do {
            bytes = try ETFEncoder(compressionLevel: options.compressionLevel).encode(term)
        } catch {
            throw Failure(message: "cannot encode: \(error)")
        }
        switch options.output {
        case .raw: return bytes
        case .hex: return Array((TermInput.hex(bytes) + "\n").utf8)
        case .base64: return Array((TermInput.base64(bytes) + "\n").utf8)
        }
    }

    // MARK: - The commands (input, output, exit status)

    /// `term decode`: reads the input, prints the term, and returns the exit status (65 for bad input).
    public static func runDecode(_ options: DecodeOptions) -> Int32 {
        let raw: [UInt8]
        do {
            raw = try readAll(path: options.input)
        } catch {
            return fail("cannot read input: \(error)")
        }
        do throws(Failure) {
            writeAll(1, try decode(raw, options: options) + "\n")
            return CommandOutput.Status.ok
        } catch {
            return fail(error.message)
        }
    }

    /// `term encode`: writes the encoded term and returns the exit status (65 for a bad literal).
    public static func runEncode(_ options: EncodeOptions) -> Int32 {
        do throws(Failure) {
            writeAll(1, try encode(options))
            return CommandOutput.Status.ok
        } catch {
            return fail(error.message)
        }
    }

    /// Prints `beamconsole: message` to standard error and returns the bad-input status.
    private static func fail(_ message: String) -> Int32 {
        printError("beamconsole: \(message)")
        return CommandOutput.Status.badInput
    }

    /// Reads a whole file, or standard input when `path` is nil or "-".
    static func readAll(path: String?) throws(ReadFailure) -> [UInt8] {
        let fd: Int32
        if let path, path != "-" {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw ReadFailure(errno: errno, path: path) }
        } else {
            fd = 0
        }
        defer { if fd != 0 { close(fd) } }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadFailure(errno: errno, path: path ?? "stdin")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// A file that could not be read: `path: strerror`.
    struct ReadFailure: Error, CustomStringConvertible {
        let errno: Int32
        let path: String
        var description: String { "\(path): \(String(cString: strerror(errno)))" }
    }
}
