import CEditLine
import ErlangDistribution
import ErlangTerm
import TermSyntax

/// The views build their JSON with ``JSONValue`` (ordered objects keep their byte-stable key order).
typealias ViewJSON = JSONValue

/// Human units for the views.
enum HumanUnits {
    /// `512 B`, `3.4 KB`, `25.3 MB`, `1.2 GB` (powers of 1024).
    static func bytes(_ n: Int) -> String {
        let units = ["KB", "MB", "GB", "TB"]
        if n < 1024 { return "\(n) B" }
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return printfFixed(value, places: 1) + " " + units[unit]
    }

    /// `2d 3h 4m`, `3h 4m`, `4m 5s`, `5s`.
    static func duration(milliseconds ms: Int) -> String {
        let total = max(0, ms) / 1000
        let d = total / 86_400, h = total % 86_400 / 3600, m = total % 3600 / 60, s = total % 60
        if d > 0 { return "\(d)d \(h)h \(m)m" }
        if h > 0 { return "\(h)h \(m)m" }
        if m > 0 { return "\(m)m \(s)s" }
        return "\(s)s"
    }

    /// `52 / 262144 (0.0%)`.
    static func usage(_ count: Int, of limit: Int) -> String {
        let pct = limit > 0 ? Double(count) * 100 / Double(limit) : 0
        return "\(count) / \(limit) (\(printfFixed(pct, places: 1))%)"
    }
}

/// Sets up the character-type locale once (as the line editor does), so that ``displayWidth(_:)`` counts `✓`, `—` and
/// other non-ASCII text as one column instead of zero. Renderers call this before measuring.
let viewLocaleReady: Bool = cel_setup_locale() != 0

/// A term in Erlang syntax on one line (`~w`), for error messages, as the node's OTP release prints it (`profile`:
/// the node's own, ``ConsoleSettings/knownProfile(of:caller:)``, when known).
func termText(_ term: Term, profile: PrinterProfile) -> String {
    var options = ErlangFormatOptions()
    options.profile = profile
    return ErlangFormat.write(term, options: options)
}

/// Lays out `label  value` lines with the labels padded to one width.
func keyValueLines(_ pairs: [(String, String)], indent: String = "") -> String {
    let w = pairs.map { displayWidth($0.0) }.max() ?? 0
    var out = ""
    for (k, v) in pairs {
        out += indent + k + String(repeating: " ", count: w - displayWidth(k)) + "  " + v + "\n"
    }
    return out
}
