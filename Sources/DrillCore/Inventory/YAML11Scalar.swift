import Foundation

/// Resolves plain YAML scalars the way PyYAML does (YAML 1.1), which is what Ansible's YAML loader uses.
///
/// Yams' own resolver differs in small ways (it reads `1e3` as a float, PyYAML keeps it a string), so the
/// inventory reads each scalar's text and applies PyYAML's rules itself: `yes`/`no`/`on`/`off` are booleans
/// (but `y`/`n` are strings), `0755` is octal, `1:30` is base 60, `1_000` is an integer, a float needs a dot
/// and a signed exponent (`1.0e+3`), and dates become ISO text as `ansible-inventory` prints them.
enum YAML11Scalar {
    /// The value of a plain (unquoted, untagged) scalar.
    static func resolvePlain(_ text: String) -> InventoryValue {
        if let value = null(text) { return value }
        if let value = bool(text) { return value }
        if let value = int(text) { return value }
        if let value = float(text) { return value }
        if let value = timestamp(text) { return value }
        return .string(text)
    }

    static func null(_ text: String) -> InventoryValue? {
        switch text {
        case "", "~", "null", "Null", "NULL": .null
        default: nil
        }
    }

    static func bool(_ text: String) -> InventoryValue? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": .bool(false)
        default: nil
        }
    }

    private static let intPattern = regex(
        #"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"#
    )
    private static let floatPattern = regex(
        #"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"#
    )
    private static let timestampPattern = regex(
        #"^(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?)$"#
    )
    private static let datePattern = regex(#"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#)

    static func int(_ text: String) -> InventoryValue? {
        guard matches(intPattern, text) else { return nil }
        var body = text.replacingOccurrences(of: "_", with: "")
        var sign = 1
        if body.hasPrefix("-") {
            sign = -1
            body.removeFirst()
        } else if body.hasPrefix("+") {
            body.removeFirst()
        }
        let magnitude: Int?
        if body == "0" {
            magnitude = 0
        } else if body.hasPrefix("0b") {
            magnitude = Int(body.dropFirst(2), radix: 2)
        } else if body.hasPrefix("0x") {
            magnitude = Int(body.dropFirst(2), radix: 16)
        } else if body.hasPrefix("0") {
            magnitude = Int(body.dropFirst(), radix: 8)
        } else if body.contains(":") {
            var total = 0
            for part in body.split(separator: ":") {
                guard let digit = Int(part) else { return nil }
                total = total * 60 + digit
            }
            magnitude = total
        } else {
            magnitude = Int(body)
        }
        // PyYAML's `0b` / `0x` / octal forms allow a body of only underscores; Python then fails on it.
        guard let magnitude else { return nil }
        return .int(sign * magnitude)
    }

    static func float(_ text: String) -> InventoryValue? {
        guard matches(floatPattern, text) else { return nil }
        var body = text.replacingOccurrences(of: "_", with: "").lowercased()
        var sign = 1.0
        if body.hasPrefix("-") {
            sign = -1
            body.removeFirst()
        } else if body.hasPrefix("+") {
            body.removeFirst()
        }
        if body == ".inf" { return .double(sign * .infinity) }
        if body == ".nan" { return .double(.nan) }
        if body.contains(":") {
            var total = 0.0
            for part in body.split(separator: ":") {
                guard let digit = Double(part) else { return nil }
                total = total * 60 + digit
            }
            return .double(sign * total)
        }
        if body.hasSuffix(".") { body += "0" }
        if body.hasPrefix(".") { body = "0" + body }
        guard let value = Double(body) else { return nil }
        return .double(sign * value)
    }

    /// A YAML 1.1 timestamp, rendered as Python's `isoformat()` (what `ansible-inventory` prints for dates).
    static func timestamp(_ text: String) -> InventoryValue? {
        let nsText = text as NSString
        guard let match = timestampPattern.firstMatch(in: text, range: NSRange(location: 0, length: nsText.length))
        else { return nil }
        func group(_ index: Int) -> String? {
            let range = match.range(at: index)
            return range.location == NSNotFound ? nil : nsText.substring(with: range)
        }
        guard let year = group(1), let month = group(2).flatMap({ Int($0) }), let day = group(3).flatMap({ Int($0) })
        else { return nil }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "\(year)-\(two(month))-\(two(day))"
        guard let hour = group(4).flatMap({ Int($0) }), let minute = group(5), let second = group(6) else {
            // A bare date must use two-digit month and day.
            return matches(datePattern, text) ? .string(date) : nil
        }
        var result = "\(date)T\(two(hour)):\(minute):\(second)"
        if let fraction = group(7), !fraction.isEmpty {
            let micro = String((fraction + "000000").prefix(6))
            if micro != "000000" { result += ".\(micro)" }
        }
        if let zone = group(8) {
            if zone == "Z" {
                result += "+00:00"
            } else if let sign = group(9), let hours = group(10).flatMap({ Int($0) }) {
                let minutes = group(11).flatMap { Int($0) } ?? 0
                if hours == 0 && minutes == 0 {
                    result += "+00:00"
                } else {
                    result += "\(sign)\(two(hours)):\(two(minutes))"
                }
            }
        }
        return .string(result)
    }

    private static func regex(_ pattern: String) -> NSRegularExpression {
        // The patterns are constants written above; a typo is a programming error.
        try! NSRegularExpression(pattern: pattern)
    }

    private static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
    }
}
