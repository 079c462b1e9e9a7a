// The BEAM as oracle for ErlangFormat: terms go to a real `erl` as External Term Format, which answers with
// `io_lib:format(Fmt, [T])` for each format and with `term_to_binary(T)`, decoded back here so that large maps
// carry the entry order the node itself uses. A minimal ETF encoder/decoder lives here so that these tests do not
// depend on the codec; it covers the tags the generator and OTP 25's `term_to_binary/1` use.

import ErlangTerm
import Foundation
import XCTest

enum ErlangFormatOracle {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The `erl` executable, or nil when none is installed.
    static let erlPath: String? = {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":").map {
                "\($0)/erl"
            } + ["/usr/bin/erl", "/usr/local/bin/erl"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// One answer per term: the output of each format, and the term as the node re-encoded it.
    struct Answer {
        var outputs: [String]
        var canonical: Term
    }

    private static let script = #"""
        {ok, In} = file:read_file(os:getenv("EP_IN")),
        Fmts = string:tokens(os:getenv("EP_FMTS"), " "),
        Loop = fun Loop(<<Len:32, B:Len/binary, Rest/binary>>, Acc) ->
                       T = binary_to_term(B),
                       Rs = [begin
                                 Args = case string:split(F, "/") of
                                            [F1, D] -> [F1, [T, list_to_integer(D)]];
                                            [F1] -> [F1, [T]]
                                        end,
                                 S = unicode:characters_to_binary(apply(io_lib, format, Args)),
                                 <<(byte_size(S)):32, S/binary>>
                             end || F <- Fmts],
                       E = term_to_binary(T),
                       Loop(Rest, [[Rs, <<(byte_size(E)):32>>, E] | Acc]);
                   Loop(<<>>, Acc) -> lists:reverse(Acc)
               end,
        ok = file:write_file(os:getenv("EP_OUT"), Loop(In, [])),
        halt().
        """#

    /// Formats every term with every format (such as `~p`, `~w`, `~tp`) in one `erl` run. A format `~P/5` is
    /// `io_lib:format("~P", [T, 5])`.
    /// `extraArgs` go to `erl` (for example `["+pc", "unicode"]`).
    static func run(_ terms: [Term], formats: [String], extraArgs: [String] = []) throws -> [Answer] {
        guard let erl = erlPath else { throw OracleMissing() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("erlformat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.bin")
        let output = dir.appendingPathComponent("out.bin")
        var bytes: [UInt8] = []
        for t in terms {
            var etf: [UInt8] = [131]
            MiniETF.encode(t, into: &etf)
            bytes += be32(etf.count) + etf
        }
        try Data(bytes).write(to: input)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: erl)
        process.arguments = extraArgs + ["-noshell", "-noinput", "-eval", script]
        var env = ProcessInfo.processInfo.environment
        env["EP_IN"] = input.path
        env["EP_OUT"] = output.path
        env["EP_FMTS"] = formats.joined(separator: " ")
        process.environment = env
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = errPipe
        try process.run()
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: output) else {
            throw Failure(description: "erl failed: \(String(decoding: errData, as: UTF8.self).prefix(2000))")
        }
        let out = [UInt8](data)
        var pos = 0
        func chunk() throws -> ArraySlice<UInt8> {
            guard pos + 4 <= out.count else { throw Failure(description: "short oracle output") }
            let n = Int(out[pos]) << 24 | Int(out[pos + 1]) << 16 | Int(out[pos + 2]) << 8 | Int(out[pos + 3])
            pos += 4
            defer { pos += n }
            return out[pos..<pos + n]
        }
        var answers: [Answer] = []
        answers.reserveCapacity(terms.count)
        for _ in terms {
            var outputs: [String] = []
            for _ in formats { outputs.append(String(decoding: try chunk(), as: UTF8.self)) }
            let etf = Array(try chunk())
            var p = 1
            answers.append(Answer(outputs: outputs, canonical: try MiniETF.decode(etf, &p)))
        }
        return answers
    }

    /// The node numbers a fresh `erl` gives remote nodes when it first sees them in the given order; pass the
    /// probe terms first in the same run so that the numbers hold for what follows.
    static func nodeProbes(_ nodes: [Atom]) -> [Term] {
        nodes.map { .pid(Pid(node: $0, id: 1, serial: 0, creation: 1)) }
    }

    /// Reads the node number out of `<N.1.0>`.
    static func nodeNumber(fromPidText text: String) -> Int? {
        guard text.hasPrefix("<"), let dot = text.firstIndex(of: ".") else { return nil }
        return Int(text[text.index(after: text.startIndex)..<dot])
    }

    private static func be32(_ n: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
         UInt8(truncatingIfNeeded: n)]
    }
}

/// Just enough ETF for the oracle.
enum MiniETF {
    struct DecodeError: Error {}

    static func put32(_ v: UInt32, _ out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func put16(_ v: Int, _ out: inout [UInt8]) { out += [UInt8(v >> 8), UInt8(v & 0xFF)] }

    static func encodeAtom(_ a: Atom, _ out: inout [UInt8]) {
        let u = Array(a.name.utf8)
        if u.count < 256 {
            out += [119, UInt8(u.count)] + u
        } else {
            out.append(118)
            put16(u.count, &out)
            out += u
        }
    }

    static func encodeBig(_ b: BigInt, _ out: inout [UInt8]) {
        var mag: [UInt8] = []
        for w in b.magnitudeWords {
            var w = w
            for _ in 0..<8 {
                mag.append(UInt8(w & 0xFF))
                w >>= 8
            }
        }
        while let l = mag.last, l == 0 { mag.removeLast() }
        if mag.count < 256 {
            out += [110, UInt8(mag.count)]
        } else {
            out.append(111)
            put32(UInt32(mag.count), &out)
        }
        out.append(b.isNegative ? 1 : 0)
        out += mag
    }

    static func encode(_ t: Term, into out: inout [UInt8]) {
        switch t {
        case .atom(let a): encodeAtom(a, &out)
        case .integer(let i):
            if i >= 0 && i < 256 {
                out += [97, UInt8(i)]
            } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
                out.append(98)
                put32(UInt32(bitPattern: Int32(i)), &out)
            } else {
                encodeBig(BigInt(i), &out)
            }
        case .bigInteger(let b): encodeBig(b, &out)
        case .float(let d):
            out.append(70)
            let bits = d.bitPattern
            put32(UInt32(bits >> 32), &out)
            put32(UInt32(bits & 0xFFFF_FFFF), &out)
        case .binary(let b):
            out.append(109)
            put32(UInt32(b.count), &out)
            out += b
        case .bitstring(let b, let n):
            out.append(77)
            put32(UInt32(b.count), &out)
            out.append(n)
            out += b
        case .tuple(let elements):
            if elements.count < 256 {
                out += [104, UInt8(elements.count)]
            } else {
                out.append(105)
                put32(UInt32(elements.count), &out)
            }
            for e in elements { encode(e, into: &out) }
        case .list(let elements):
            if elements.isEmpty {
                out.append(106)
            } else {
                out.append(108)
                put32(UInt32(elements.count), &out)
                for e in elements { encode(e, into: &out) }
                out.append(106)
            }
        case .improperList(let elements, let tail):
            out.append(108)
            put32(UInt32(elements.count), &out)
            for e in elements { encode(e, into: &out) }
            encode(tail, into: &out)
        case .map(let m):
            out.append(116)
            put32(UInt32(m.count), &out)
            for (k, v) in m.entries {
                encode(k, into: &out)
                encode(v, into: &out)
            }
        case .pid(let p):
            out.append(88)
            encodeAtom(p.node, &out)
            put32(p.id, &out)
            put32(p.serial, &out)
            put32(p.creation, &out)
        case .port(let p):
            out.append(89)
            encodeAtom(p.node, &out)
            put32(UInt32(truncatingIfNeeded: p.id), &out)
            put32(p.creation, &out)
        case .reference(let r):
            out.append(90)
            put16(r.ids.count, &out)
            encodeAtom(r.node, &out)
            put32(r.creation, &out)
            for id in r.ids { put32(id, &out) }
        case .exportFun(let f):
            out.append(113)
            encodeAtom(f.module, &out)
            encodeAtom(f.function, &out)
            out += [97, f.arity]
        case .localFun(let f):
            out += f.encoded
        }
    }

    static func latin1Atom(_ bytes: [UInt8]) -> Atom {
        Atom(String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })))
    }

    static func decode(_ b: [UInt8], _ p: inout Int) throws -> Term {
        func u8() throws -> Int {
            guard p < b.count else { throw DecodeError() }
            defer { p += 1 }
            return Int(b[p])
        }
        func u16() throws -> Int { try u8() << 8 | u8() }
        func u32() throws -> UInt32 { UInt32(try u16() << 16 | u16()) }
        func take(_ n: Int) throws -> [UInt8] {
            guard p + n <= b.count else { throw DecodeError() }
            defer { p += n }
            return Array(b[p..<p + n])
        }
        func atom() throws -> Atom {
            guard case .atom(let a) = try decode(b, &p) else { throw DecodeError() }
            return a
        }
        func elements(_ n: Int) throws -> [Term] { try (0..<n).map { _ in try decode(b, &p) } }
        let tag = try u8()
        switch tag {
        case 97: return .integer(try u8())
        case 98: return .integer(Int(Int32(bitPattern: try u32())))
        case 110, 111:
            let n = tag == 110 ? try u8() : Int(try u32())
            let sign = try u8()
            var mag = BigInt(0)
            for byte in try take(n).reversed() { mag = mag << 8 + BigInt(byte) }
            return .int(sign == 1 ? -mag : mag)
        case 70:
            let hi = UInt64(try u32())
            let lo = UInt64(try u32())
            return .float(Double(bitPattern: hi << 32 | lo))
        case 118: return .atom(Atom(String(decoding: try take(try u16()), as: UTF8.self)))
        case 119: return .atom(Atom(String(decoding: try take(try u8()), as: UTF8.self)))
        case 100: return .atom(latin1Atom(try take(try u16())))
        case 115: return .atom(latin1Atom(try take(try u8())))
        case 104: return .tuple(try elements(try u8()))
        case 105: return .tuple(try elements(Int(try u32())))
        case 106: return .list([])
        case 107: return .list(try take(try u16()).map { .integer(Int($0)) })
        case 108:
            let items = try elements(Int(try u32()))
            let tail = try decode(b, &p)
            return Term.list(items, tail: tail)
        case 109: return .binary(try take(Int(try u32())))
        case 77:
            let n = Int(try u32())
            let bits = try u8()
            return .bitstring(try take(n), bitsInLastByte: UInt8(bits))
        case 116:
            let n = Int(try u32())
            var entries: [TermMap.Element] = []
            for _ in 0..<n {
                let k = try decode(b, &p)
                entries.append((k, try decode(b, &p)))
            }
            return .map(TermMap(uniqueEntries: entries))
        case 88:
            let node = try atom()
            return .pid(Pid(node: node, id: try u32(), serial: try u32(), creation: try u32()))
        case 89:
            let node = try atom()
            return .port(ErlangPort(node: node, id: UInt64(try u32()), creation: try u32()))
        case 120:
            let node = try atom()
            let id = UInt64(try u32()) << 32 | UInt64(try u32())
            return .port(ErlangPort(node: node, id: id, creation: try u32()))
        case 90:
            let n = try u16()
            let node = try atom()
            let creation = try u32()
            return .reference(Reference(node: node, creation: creation, ids: try (0..<n).map { _ in try u32() }))
        case 113:
            let m = try atom()
            let f = try atom()
            guard case .integer(let a) = try decode(b, &p) else { throw DecodeError() }
            return .exportFun(ExportFun(module: m, function: f, arity: UInt8(a)))
        default:
            throw DecodeError()
        }
    }
}

/// `erl` is missing: a failure, never a skip (make test installs it).
struct OracleMissing: Error, CustomStringConvertible {
    var description: String { "erl is not installed (make test installs erlang-nox)" }
}
