import Foundation

/// Reads and writes the durations a scenario author types: `90s`, `15m`, `1h30m`, `2h`, `1d`, `00:15:00`,
/// `15:00`, or a bare number of seconds.
///
/// Clock forms count from the right: `SS`, `MM:SS`, `HH:MM:SS`. So `15:00` is fifteen minutes and `00:15:00`
/// is fifteen minutes too, which is also what YAML 1.1's base-60 integers (`15:00` = 900) say. Minutes and
/// seconds after the first field must be below 60.
public enum DurationText {
    /// Parses `text`; nil when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        seconds(text).map { .seconds($0) }
    }

    /// Parses `text` into whole seconds; nil when it is not a duration.
    public static func seconds(_ text: String) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 40 else { return nil }
        if text.contains(":") { return clockSeconds(text) }
        if text.allSatisfy(\.isASCIIDigit) { return Int64(text) }
        return unitSeconds(text)
    }

    private static func clockSeconds(_ text: String) -> Int64? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count) else { return nil }
        var total: Int64 = 0
        for (index, field) in fields.enumerated() {
            guard !field.isEmpty, field.count <= 12, field.allSatisfy(\.isASCIIDigit), let value = Int64(field)
            else { return nil }
            if index > 0 && (value >= 60 || field.count != 2) { return nil }
            total = total * 60 + value
        }
        return total
    }

    private static func unitSeconds(_ text: String) -> Int64? {
        // A sequence of <digits><unit> with units d, h, m, s each at most once and in that order.
        let units: [(Character, Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var total: Int64 = 0
        var digits = ""
        var nextUnit = 0
        for character in text {
            if character.isASCIIDigit {
                digits.append(character)
                continue
            }
            guard !digits.isEmpty, digits.count <= 12, let value = Int64(digits),
                let position = units[nextUnit...].firstIndex(where: { $0.0 == character })
            else { return nil }
            total += value * units[position].1
            nextUnit = position + 1
            digits = ""
        }
        return digits.isEmpty ? total : nil
    }

    /// A compact human form: `90s` -> `1m30s`, `5400s` -> `1h30m`, `0` -> `0s`.
    public static func format(_ duration: Duration) -> String {
        var rest = duration.components.seconds
        if rest == 0 { return "0s" }
        var text = rest < 0 ? "-" : ""
        rest = abs(rest)
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    /// Exercise time as `T+HH:MM:SS` (hours grow past 99 if they must).
    public static func exerciseTime(_ duration: Duration) -> String {
        "T+" + clock(duration)
    }

    /// `HH:MM:SS` for a non-negative duration.
    public static func clock(_ duration: Duration) -> String {
        let total = max(0, duration.components.seconds)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(total / 3600)):\(two(total / 60 % 60)):\(two(total % 60))"
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension Duration {
    /// Whole seconds of this duration (sub-second parts are dropped).
    public var wholeSeconds: Int64 { components.seconds }
}
