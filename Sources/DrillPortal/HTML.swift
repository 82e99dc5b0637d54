/// Escaping for text shown in pages. Every string that came from a scenario, a team, an evaluator or a request
/// goes through ``escape(_:)`` before it is put in HTML, in text and in attribute values alike.
public enum HTML {
    /// `text` with `& < > " '` replaced by character references: safe in element content and in quoted
    /// attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A tiny JSON writer for the few bodies built by hand (errors, SSE data lines).
enum JSONText {
    enum Value {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
    }

    static func object(_ members: [String: Value]) -> String {
        "{" + members.keys.sorted().map { "\(quote($0)):\(render(members[$0]!))" }.joined(separator: ",") + "}"
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .string(let text): quote(text)
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Keep `<`, `>` and `&` out of JSON so it is also safe inside a page.
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
