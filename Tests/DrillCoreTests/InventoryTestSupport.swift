import DrillCore
import Foundation

/// Fixtures and a strict JSON reader for the inventory tests.
enum InventoryFixtures {
    /// `Tests/DrillCoreTests/Fixtures`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Reads JSON into ``InventoryValue`` keeping what Foundation's reader blurs: `1` (int), `1.0` (float) and
/// `true` (bool) stay different, so a parity test fails when drillctl prints another type than Ansible.
struct StrictJSON {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0

    static func parse(_ text: String) throws -> InventoryValue {
        var reader = StrictJSON(scalars: Array(text.unicodeScalars))
        let value = try reader.value()
        reader.skip()
        guard reader.index == reader.scalars.count else {
            throw Failure(description: "trailing text at \(reader.index)")
        }
        return value
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private mutating func skip() {
        while index < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[index]) { index += 1 }
    }

    private mutating func expect(_ word: String) throws {
        for scalar in word.unicodeScalars {
            guard index < scalars.count, scalars[index] == scalar else {
                throw Failure(description: "expected \(word)")
            }
            index += 1
        }
    }

    private mutating func value() throws -> InventoryValue {
        skip()
        guard index < scalars.count else { throw Failure(description: "unexpected end") }
        switch scalars[index] {
        case "{":
            index += 1
            var entries: [String: InventoryValue] = [:]
            skip()
            if scalars[index] == "}" {
                index += 1
                return .map(entries)
            }
            while true {
                skip()
                guard case .string(let key) = try value() else { throw Failure(description: "key") }
                skip()
                try expect(":")
                entries[key] = try value()
                skip()
                if scalars[index] == "," {
                    index += 1
                    continue
                }
                try expect("}")
                return .map(entries)
            }
        case "[":
            index += 1
            var items: [InventoryValue] = []
            skip()
            if scalars[index] == "]" {
                index += 1
                return .list(items)
            }
            while true {
                items.append(try value())
                skip()
                if scalars[index] == "," {
                    index += 1
                    continue
                }
                try expect("]")
                return .list(items)
            }
        case "\"":
            index += 1
            var out = String.UnicodeScalarView()
            while scalars[index] != "\"" {
                if scalars[index] == "\\" {
                    index += 1
                    let c = scalars[index]
                    index += 1
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "u":
                        var code = UInt32(String(String.UnicodeScalarView(scalars[index..<index + 4])), radix: 16)!
                        index += 4
                        if (0xD800..<0xDC00).contains(code), scalars[index] == "\\" {
                            let low = UInt32(
                                String(String.UnicodeScalarView(scalars[index + 2..<index + 6])),
                                radix: 16
                            )!
                            index += 6
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out.append(Unicode.Scalar(code)!)
                    default: out.append(c)
                    }
                } else {
                    out.append(scalars[index])
                    index += 1
                }
            }
            index += 1
            return .string(String(out))
        case "t":
            try expect("true")
            return .bool(true)
        case "f":
            try expect("false")
            return .bool(false)
        case "n":
            try expect("null")
            return .null
        default:
            var text = ""
            while index < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[index]) {
                text.unicodeScalars.append(scalars[index])
                index += 1
            }
            if text.contains(where: { ".eE".contains($0) }), let number = Double(text) { return .double(number) }
            guard let number = Int(text) else { throw Failure(description: "bad number '\(text)'") }
            return .int(number)
        }
    }
}
