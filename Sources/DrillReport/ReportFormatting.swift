import DrillCore
import Foundation

/// Formats times, durations and numbers for a report: wall times in the drill's time zone, exercise times as
/// `HH:MM:SS` since STARTEX. Pure: the same inputs always give the same text (no locale, no clock).
struct ReportFormatting {
    let language: ReportLanguage
    let timeZone: TimeZone
    let zoneName: String

    init(language: ReportLanguage, timeZone identifier: String) {
        self.language = language
        self.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        self.zoneName = TimeZone(identifier: identifier) == nil ? "UTC" : identifier
    }

    /// `2026-06-18 09:00:00` in the drill's time zone.
    func wall(_ millis: Int64?) -> String {
        guard let millis else { return "–" }
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let (y, mo, d, h, mi, s) = Self.civil(seconds + offset)
        return "\(y)-\(two(mo))-\(two(d)) \(two(h)):\(two(mi)):\(two(s))"
    }

    /// `09:00:00` (time of day only) in the drill's time zone.
    func wallTime(_ millis: Int64?) -> String {
        let text = wall(millis)
        return text.count > 11 ? String(text.suffix(8)) : text
    }

    /// The zone's offset at `millis`: `UTC+08:00`.
    func offset(at millis: Int64) -> String {
        let seconds = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(millis / 1000)))
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        return "UTC\(sign)\(two(Int64(magnitude / 3600))):\(two(Int64(magnitude % 3600 / 60)))"
    }

    /// Exercise time since STARTEX: `01:05:30`.
    func exercise(_ millis: Int64?) -> String {
        guard let millis else { return "–" }
        return clock(millis)
    }

    /// A duration: `04:30` under an hour, `1:04:30` from an hour.
    func duration(_ millis: Int64?) -> String {
        guard let millis else { return "–" }
        let negative = millis < 0
        let total = abs(millis) / 1000
        let h = total / 3600
        let m = total % 3600 / 60
        let s = total % 60
        let text = h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(two(m)):\(two(s))"
        return negative ? "-" + text : text
    }

    /// `HH:MM:SS` (hours may exceed 24).
    func clock(_ millis: Int64) -> String {
        let negative = millis < 0
        let total = abs(millis) / 1000
        let text = "\(two(total / 3600)):\(two(total % 3600 / 60)):\(two(total % 60))"
        return negative ? "-" + text : text
    }

    /// `85.0%`, or `–`.
    func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return fixed(value * 100, 1) + "%"
    }

    /// `value` with `digits` decimals (no locale).
    func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Points: `12.5`.
    func points(_ value: Double) -> String { fixed(value, 1) }

    private func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Proleptic Gregorian date and time of a Unix time (Howard Hinnant's `civil_from_days`).
    static func civil(_ seconds: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }
}
