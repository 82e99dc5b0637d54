import Foundation

/// A variable's value in an inventory or scenario: the JSON data model, which is what Ansible's YAML and
/// INI inventories resolve to.
public enum InventoryValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([InventoryValue])
    case map([String: InventoryValue])

    /// The value as text, the way a template renders it (`true`, `42`, `web01`); lists and maps as JSON.
    public var renderedText: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): InventoryValue.format(value)
        case .string(let value): value
        case .list, .map: jsonText(sortedKeys: true)
        }
    }

    /// The value if it is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as an integer when it is one, or a string holding one (INI inventories keep `:vars` as text).
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .string(let value): Int(value.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// Compact JSON text for this value.
    public func jsonText(sortedKeys: Bool = true) -> String {
        var out = ""
        writeJSON(into: &out, sortedKeys: sortedKeys, indent: nil, level: 0)
        return out
    }

    /// Writes this value as JSON. `indent` nil gives compact output; otherwise pretty output with that many
    /// spaces per level, in the style of Python's `json.dumps(indent=…)`.
    public func writeJSON(into out: inout String, sortedKeys: Bool, indent: Int?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += InventoryValue.format(value)
        case .string(let value): InventoryValue.writeJSONString(value, into: &out)
        case .list(let values):
            if values.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                InventoryValue.newline(into: &out, indent: indent, level: level + 1)
                value.writeJSON(into: &out, sortedKeys: sortedKeys, indent: indent, level: level + 1)
            }
            InventoryValue.newline(into: &out, indent: indent, level: level)
            out += "]"
        case .map(let entries):
            if entries.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            let keys = sortedKeys ? entries.keys.sorted() : Array(entries.keys)
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                InventoryValue.newline(into: &out, indent: indent, level: level + 1)
                InventoryValue.writeJSONString(key, into: &out)
                out += indent == nil ? ":" : ": "
                entries[key]!.writeJSON(into: &out, sortedKeys: sortedKeys, indent: indent, level: level + 1)
            }
            InventoryValue.newline(into: &out, indent: indent, level: level)
            out += "}"
        }
    }

    private static func newline(into out: inout String, indent: Int?, level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    private static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value == value.rounded(), abs(value) < 1e16 { return String(format: "%.1f", value) }
        return String(value)
    }

    /// Appends `text` as a JSON string literal, escaping what JSON requires and nothing else (UTF-8 text such
    /// as Chinese stays readable).
    public static func writeJSONString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
