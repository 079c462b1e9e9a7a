import ErlangDistribution
import ErlangTerm
import TermSyntax

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// IEx's default syntax colours.
public enum ElixirColors {
    public static let iex: [ElixirSyntaxColor: String] = {
        var colors: [ElixirSyntaxColor: String] = [:]
        for c in ElixirSyntaxColor.allCases {
            switch c.rawValue {
            case "atom": colors[c] = "\u{1B}[36m"
            case "string", "binary": colors[c] = "\u{1B}[32m"
            case "list", "map", "tuple": colors[c] = "\u{1B}[39m"
            case "number": colors[c] = "\u{1B}[33m"
            case "boolean", "nil": colors[c] = "\u{1B}[35m"
            case "regex": colors[c] = "\u{1B}[31m"
            case "reset": colors[c] = "\u{1B}[0m"
            default: break
            }
        }
        return colors
    }()
}

extension ConsoleSettings {
    /// Renders a term with these settings' printer: pretty (IEx's or the Erlang shell's layout, colours, width,
    /// limit) or on one line.
    func render(_ term: Term, pretty: Bool = true) -> String {
        if !pretty {
            switch syntax {
            case .elixir:
                var options = ElixirInspectOptions(pretty: false, limit: limit)
                options.profile = profile
                return ElixirInspect.inspect(term, options: options)
            case .erlang:
                var options = ErlangFormatOptions()
                options.profile = profile
                return ErlangFormat.write(term, options: options)
            }
        }
        return TermRenderer.render(
            term, syntax: syntax, width: width, limit: limit, colors: color ? ElixirColors.iex : nil, profile: profile)
    }
}

/// Flattens Erlang chardata (a binary, a charlist, or nested lists of both) to a String.
func flattenChardata(_ t: Term) -> String? { IOServer.chardataToString(t, latin1: false) }

func stateName(_ s: PeerConnectionState) -> String {
    switch s {
    case .resolving: return "resolving"
    case .epmd: return "epmd"
    case .connecting: return "connecting"
    case .handshaking: return "handshaking"
    case .up: return "up"
    case .down: return "down"
    case .failed: return "failed"
    }
}

func stateText(_ s: PeerConnectionState) -> String {
    switch s {
    case .down(let e): return "down (\(e.code))"
    case .failed(let e): return "failed at \(e.stage) (\(e.code))"
    default: return stateName(s)
    }
}

func milliseconds(_ d: Duration) -> Double {
    let c = d.components
    return (Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15).rounded(toPlaces: 3)
}

extension Double {
    func rounded(toPlaces p: Int) -> Double {
        let m = pow(10.0, Double(p))
        return (self * m).rounded() / m
    }
}

func formatDuration(_ d: Duration) -> String {
    let ms = milliseconds(d)
    if ms < 1 { return fixed(ms * 1000, places: 0) + " µs" }
    if ms < 1000 { return fixed(ms, places: 1) + " ms" }
    return fixed(ms / 1000, places: 1) + " s"
}

/// `v` rounded to `places` decimals (0-6), as `printf("%.<places>f")` prints it for the values views show, without a
/// call to C's formatter (`watch` formats a round trip per row on every frame).
func fixed(_ v: Double, places: Int) -> String {
    guard v.isFinite else { return "\(v)" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (abs(v) * scale).rounded()
    guard scaled < 9e15 else { return printfFixed(v, places: places) }
    let n = Int64(scaled), unit = Int64(scale)
    let sign = v < 0 && n != 0 ? "-" : ""
    guard places > 0 else { return sign + "\(n)" }
    let fraction = String(n % unit)
    return sign + "\(n / unit)." + String(repeating: "0", count: places - fraction.count) + fraction
}

func formatAge(_ seconds: TimeInterval) -> String {
    let s = Int(seconds.rounded(.down))
    if s < 60 { return "\(s)s ago" }
    if s < 3600 { return "\(s / 60)m \(s % 60)s ago" }
    if s < 86400 { return "\(s / 3600)h \(s % 3600 / 60)m ago" }
    return "\(s / 86400)d \(s % 86400 / 3600)h ago"
}

func errorJSON(_ e: DistributionError) -> JSONValue {
    var o: [String: JSONValue] = [
        "stage": .string(e.stage.rawValue), "code": .string(e.code.rawValue), "message": .string(ErrorAdvice.text(e)),
    ]
    if !e.registeredNames.isEmpty { o["registered_names"] = .array(e.registeredNames.map(JSONValue.string)) }
    return .object(o)
}
