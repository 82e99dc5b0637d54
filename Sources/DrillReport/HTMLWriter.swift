/// Builds HTML (and inline SVG) text. Everything that is not markup goes through ``text(_:)`` or an attribute,
/// both escaped, so scenario and team text can never become markup.
struct HTMLWriter {
    private(set) var output = ""

    init(capacity: Int = 1 << 16) { output.reserveCapacity(capacity) }

    /// Markup written as is. Never pass data here.
    mutating func raw(_ markup: String) { output += markup }

    /// Text content, escaped.
    mutating func text(_ text: String) { HTMLWriter.escape(text, into: &output) }

    /// `<tag attr="value" …>`, attribute values escaped; nil values are left out.
    mutating func open(_ tag: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        output += "<" + tag
        for (name, value) in attributes {
            guard let value else { continue }
            output += " " + name + "=\""
            HTMLWriter.escape(value, into: &output)
            output += "\""
        }
        output += ">"
    }

    mutating func close(_ tag: String) { output += "</" + tag + ">" }

    /// `<tag …>text</tag>`.
    mutating func element(_ tag: String, _ attributes: KeyValuePairs<String, String?> = [:], text content: String) {
        open(tag, attributes)
        text(content)
        close(tag)
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` (safe in text and in quoted attribute values).
    static func escape(_ text: String) -> String {
        var out = ""
        escape(text, into: &out)
        return out
    }

    static func escape(_ text: String, into out: inout String) {
        var needs = false
        for byte in text.utf8 where byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 {
            needs = true
            break
        }
        guard needs else {
            out += text
            return
        }
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
    }
}
