/// Clock times from microseconds since the Unix epoch, in UTC, with no calendar library (the trace and log views
/// print many of them).
enum UTCTime {
    /// `17:22:01.123456`.
    static func clock(micros: Int) -> String {
        let (_, rest) = split(micros)
        return clockText(rest)
    }

    /// `2026-12-07T17:22:01.123456Z`.
    static func iso(micros: Int) -> String {
        let (days, rest) = split(micros)
        let (y, m, d) = civil(days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(clockText(rest))Z"
    }

    private static func split(_ micros: Int) -> (days: Int, microsOfDay: Int) {
        let perDay = 86_400_000_000
        let days = micros >= 0 ? micros / perDay : (micros - perDay + 1) / perDay
        return (days, micros - days * perDay)
    }

    private static func clockText(_ microsOfDay: Int) -> String {
        let s = microsOfDay / 1_000_000
        return "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2)).\(pad(microsOfDay % 1_000_000, 6))"
    }

    /// Howard Hinnant's days-to-civil.
    private static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
