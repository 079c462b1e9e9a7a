// Erlang term printing, byte-identical to OTP 25's (and, per ``PrinterProfile``, OTP 26-28's) `io_lib:format("~p" | "~tp" | "~w" | "~tw", [Term])`.
//
// The algorithms in ErlangFormat*.swift are ports of OTP 25 (stdlib 4.2) `io_lib.erl` (`write/2`, `write_atom/1`,
// `quote_atom/2`, `write_string/2`, `printable_list/1`, `write_binary/3`), `io_lib_pretty.erl` (`print/9` and the
// `print_length`/`cind`/`pp` layout) and `io_lib_format.erl` (`fwrite_g/1`, i.e. `float_to_list(F, [short])`).
// OTP is Copyright Ericsson AB and licensed under the Apache License, Version 2.0
// <http://www.apache.org/licenses/LICENSE-2.0>.

import ErlangTerm

/// How map entries are ordered when printed.
public enum ErlangMapOrder: Sendable, Equatable {
    /// What OTP 25's `maps:iterator/1` yields, which is what `io_lib` prints: maps of up to 32 keys (flatmaps)
    /// in Erlang term order, larger maps (HAMTs) in the reverse of the order they were decoded in. A large map
    /// decoded from a `term_to_binary/1` produced by an OTP 25 node is therefore printed exactly as that node
    /// prints it; a large map built by hand is printed in reverse insertion order.
    case otp25
    /// Erlang term order (integers before floats), whatever the size. Matches OTP 26+'s `~kp`.
    case termOrder
    /// The order of ``TermMap/entries``, as decoded or built.
    case asGiven
    /// What OTP 26+'s `maps:iterator/1` yields (OTP-18414, erlang/otp PR #6151): maps of up to 32 keys in their
    /// internal order, which is the order `term_to_binary` writes them, so the order of ``TermMap/entries`` as
    /// decoded from the wire; larger maps as ``otp25``.
    case otp26
    /// What the OTP release of ``ErlangFormatOptions/profile`` prints: ``otp25`` before OTP 26, ``otp26`` from it.
    case release

    /// The order this one stands for under `profile` (``release`` resolved).
    public func resolved(for profile: PrinterProfile) -> ErlangMapOrder {
        guard self == .release else { return self }
        return profile.otp >= 26 ? .otp26 : .otp25
    }
}

/// Which characters count as printable when deciding whether a list or a binary is shown as a string, as the
/// emulator flag `+pc` sets (`io:printable_range/0`). Only matters for ``ErlangFormatOptions/unicode`` (`~tp`):
/// `~p` always uses Latin-1.
public enum ErlangPrintableRange: Sendable, Equatable {
    /// `+pc latin1`, the default of `erl`: `[1087]` prints as `[1087]` even under `~tp`.
    case latin1
    /// `+pc unicode`: `[1087]` prints as `"п"` under `~tp`.
    case unicode
}

/// Options for ``ErlangFormat``. The defaults give exactly `io_lib:format("~p", [T])` of an `erl` started without
/// flags, on a node that is not distributed (`nonode@nohost`).
public struct ErlangFormatOptions: Sendable {
    /// The line length (`~Wp` field width); `io_lib:format("~p")` uses 80. 0 means never break lines.
    public var lineLength: Int = 80
    /// The column the term starts in, 1-based; `io_lib:format("~p", ...)` starts in column 1.
    public var column: Int = 1
    /// `true` for `~tp`/`~tw` (encoding `unicode`): atoms and strings may hold any character, and binaries that are
    /// valid UTF-8 print as `<<"..."/utf8>>`. `false` for `~p`/`~w`: characters above 255 in atoms are escaped
    /// as `\x{...}`, and only Latin-1 lists and binaries print as strings.
    public var unicode: Bool = false
    /// `io:printable_range()` of the node being imitated (`+pc`).
    public var printableRange: ErlangPrintableRange = .latin1
    /// The print depth (`~P`/`~W`): nil is unlimited (`~p`/`~w`). Must be positive when set.
    public var depth: Int? = nil
    /// Whether lists of characters and character binaries print as strings (`~p`); `false` is `~lp`.
    public var strings: Bool = true
    /// Map entry order; see ``ErlangMapOrder``. The default follows ``profile``.
    public var mapOrder: ErlangMapOrder = .release
    /// The printing node's name. Pids, ports and references of this node print with node number 0: `<0.12.0>`.
    public var localNode: Atom = "nonode@nohost"
    /// The node number OTP prints for a remote pid, port or reference (`<N.12.0>`). OTP shows the number of the
    /// node's entry in the printing node's distribution table, which only that node knows; give those numbers
    /// here. Nodes not listed print as ``defaultRemoteNodeNumber``.
    public var nodeNumbers: [Atom: Int] = [:]
    /// The node number for a remote node missing from ``nodeNumbers``.
    public var defaultRemoteNodeNumber: Int = 1
    /// The OTP (and Elixir) release imitated (see ``PrinterProfile``).
    public var profile: PrinterProfile = .elixir114otp25

    /// The defaults: `~p` of a plain `erl`.
    public init() {}

    /// Options for `~p` (`unicode: false`) or `~tp` (`unicode: true`) with the given line length.
    public init(lineLength: Int = 80, unicode: Bool = false, depth: Int? = nil) {
        self.lineLength = lineLength
        self.unicode = unicode
        self.depth = depth
    }

    /// `~tp` of a plain `erl`.
    public static var unicode: ErlangFormatOptions { ErlangFormatOptions(unicode: true) }
}

/// Erlang's own text for terms: `io_lib:format("~p")` (``pretty(_:options:)``) and `io_lib:format("~w")`
/// (``write(_:options:)``) of OTP 25, character for character.
///
/// See <https://www.erlang.org/doc/man/io_lib.html#format-2> and <https://www.erlang.org/doc/man/io.html#fwrite-1>
/// (control sequences `~p`, `~w`, `~P`, `~W` and the `t` modifier).
public enum ErlangFormat {
    /// `io_lib:format("~p", [term])` (or `"~tp"` with ``ErlangFormatOptions/unicode``): the term laid out to fit
    /// ``ErlangFormatOptions/lineLength``, lists of printable characters shown as strings.
    public static func pretty(_ term: Term, options: ErlangFormatOptions = ErlangFormatOptions()) -> String {
        var printer = ErlangPrettyPrinter(options: options)
        return printer.print(term)
    }

    /// `io_lib:format("~w", [term])` (or `"~tw"` with ``ErlangFormatOptions/unicode``): one line, no strings.
    public static func write(_ term: Term, options: ErlangFormatOptions = ErlangFormatOptions()) -> String {
        let writer = ErlangWriter(options: options)
        var out = ""
        writer.write(term, depth: options.depth ?? -1, into: &out)
        return out
    }

    /// An atom as Erlang source shows it: `ok`, `'Elixir.Foo'`, `'receive'` (`io_lib:write_atom/1` when `unicode`,
    /// else `io_lib:write_atom_as_latin1/1`), with the reserved words of OTP release `otp` (`'maybe'` from 27).
    public static func atom(_ atom: Atom, unicode: Bool = true, otp: Int = PrinterProfile.elixir114otp25.otp) -> String {
        var out = ""
        ErlangWriter.writeAtom(atom, unicode: unicode, otp: otp, into: &out)
        return out
    }

    /// A float as `float_to_list(F, [short])` shows it: the shortest text that reads back as the same float,
    /// such as `0.1`, `1.0e20` or `-0.0`.
    public static func float(_ value: Double) -> String {
        var out = ""
        ErlangWriter.writeFloat(value, into: &out)
        return out
    }
}
