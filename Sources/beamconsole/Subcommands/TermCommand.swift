import ArgumentParser
import ConsoleREPL
import ErlangTerm
import TermSyntax

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ETFInputEncoding: ExpressibleByArgument {}

/// `beamconsole term decode|encode`.
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

        func validate() throws {
            if hex && base64 { throw ValidationError("--hex and --base64 cannot be used together.") }
            if width < 1 { throw ValidationError("--width must be positive.") }
        }

        func run() throws {
            let raw: [UInt8]
            do {
                raw = try readAll(path: input)
            } catch {
                throw fail("cannot read input: \(error)")
            }
            let encoding: ETFInputEncoding = hex ? .hex : base64 ? .base64 : .raw
            let bytes: [UInt8]
            do {
                bytes = try TermInput.etfBytes(from: raw, encoding: encoding)
            } catch {
                throw fail("invalid input: \(error)")
            }
            let term: Term
            do {
                term = try ETFDecoder().decode(bytes)
            } catch {
                throw fail("invalid ETF: \(error)")
            }
            if json {
                do {
                    print(try TermJSON.encode(term))
                } catch {
                    throw fail("no JSON form: \(error)")
                }
            } else {
                print(TermRenderer.render(term, syntax: syntax, width: width, limit: limit, printableLimit: nil))
            }
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode a term literal as ETF and write it to standard output.",
            discussion: """
                Examples:
                  beamconsole term encode '%{user_id: 42, roles: [:admin]}' --hex
                  beamconsole term encode --syntax erlang '{ok, [1,2,3]}' --base64
                """
        )

        @Argument(help: "The term, in Elixir (default) or Erlang syntax.") var literal: String
        @Option(name: .long, help: "The literal's syntax: elixir or erlang.") var syntax: SourceSyntax = .elixir
        @Flag(name: .long, help: "Compress (tag 80) when it makes the output smaller.") var compressed = false
        @Option(name: .long, help: "zlib level 1-9 for --compressed (default 6).") var level: Int = 6
        @Flag(name: .customLong("hex"), help: "Write hexadecimal.") var hex = false
        @Flag(name: .customLong("base64"), help: "Write base64.") var base64 = false

        func validate() throws {
            if hex && base64 { throw ValidationError("--hex and --base64 cannot be used together.") }
            if !(1...9).contains(level) { throw ValidationError("--level must be between 1 and 9.") }
        }

        func run() throws {
            let term: Term
            do {
                term = try TermParser.parse(literal, syntax: syntax)
            } catch {
                throw fail("\(error)")
            }
            let bytes: [UInt8]
            do {
                bytes = try ETFEncoder(compressionLevel: compressed ? level : nil).encode(term)
            } catch {
                throw fail("cannot encode: \(error)")
            }
            if hex {
                print(TermInput.hex(bytes))
            } else if base64 {
                print(TermInput.base64(bytes))
            } else {
                writeAll(1, bytes)
            }
        }
    }
}

/// Prints `beamconsole: message` to standard error and returns the data-error exit code to throw.
func fail(_ message: String) -> ExitCode {
    FileHandleStderr.write("beamconsole: \(message)\n")
    return ExitCodes.dataError
}

enum FileHandleStderr {
    static func write(_ s: String) { writeAll(2, Array(s.utf8)) }
}


/// Reads a whole file, or standard input when `path` is nil or "-".
func readAll(path: String?) throws -> [UInt8] {
    let fd: Int32
    if let path, path != "-" {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXErrorText(errno: errno, path: path) }
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
            throw POSIXErrorText(errno: errno, path: path ?? "stdin")
        }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return out
}

struct POSIXErrorText: Error, CustomStringConvertible {
    let errno: Int32
    let path: String
    var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
