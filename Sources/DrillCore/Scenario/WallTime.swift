import Foundation

/// Parses and prints wall-clock times (STARTEX) in a drill's time zone.
public enum WallTime {
    /// Parses ISO 8601 text: `2026-06-18T09:00:00+08:00`, `2026-06-18T01:00:00Z`, or without an offset
    /// (`2026-06-18T09:00`, `2026-06-18 09:00:00`), in which case it is read in `timeZone`.
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = timeZone
        let normalised = text.replacingOccurrences(of: " ", with: "T")
        for format in [
            "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mmXXXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX",
            "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm",
        ] {
            formatter.dateFormat = format
            if let date = formatter.date(from: normalised) { return date }
        }
        return nil
    }

    /// `2026-06-18 09:15:00` in `timeZone`.
    public static func format(_ date: Date, timeZone: TimeZone, withDate: Bool = true) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = timeZone
        formatter.dateFormat = withDate ? "yyyy-MM-dd HH:mm:ss" : "HH:mm:ss"
        return formatter.string(from: date)
    }

    /// ISO 8601 with the zone's offset: `2026-06-18T09:15:00+08:00`.
    public static func iso8601(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
        return formatter.string(from: date)
    }
}
