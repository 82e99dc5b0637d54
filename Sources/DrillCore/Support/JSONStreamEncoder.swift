/// Writes an `Encodable` value as indented JSON in one pass, straight into a byte buffer: no intermediate tree.
///
/// Foundation's `JSONEncoder` builds the whole document as a tree of boxed values before it writes a byte, which
/// for the report of a large drill, or the plan of a large scenario, costs seconds and hundreds of megabytes. This
/// encoder writes members as the value's `encode(to:)` hands them over, so keys come in declaration order
/// (deterministic for types that hold no dictionaries, as the report's and the plan's models do), `nil` members are
/// left out, and the output is exactly as large as the JSON.
public struct JSONStreamEncoder: Sendable {
    public init() {}

    /// `value` as JSON text, indented by two spaces, ending in a newline.
    public func encode<T: Encodable>(_ value: T) throws -> String {
        let writer = JSONStreamWriter()
        try writer.value(value)
        writer.bytes.append(UInt8(ascii: "\n"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// The output and the open containers. One writer per document; containers are used in strict nesting order
/// (as every synthesized `Encodable` does), so a container still open when its value's `encode(to:)` returns is
/// closed then.
private final class JSONStreamWriter {
    enum Container {
        case object(first: Bool)
        case array(first: Bool)
    }

    var bytes: [UInt8] = []
    var stack: [Container] = []
    /// Where a single value goes when nothing opened a container (a `singleValueContainer`).
    var wroteSingle = false

    init() { bytes.reserveCapacity(1 << 20) }

    func newline() {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<stack.count {
            bytes.append(UInt8(ascii: " "))
            bytes.append(UInt8(ascii: " "))
        }
    }

    /// Writes `value` and closes whatever containers its `encode(to:)` opened.
    func value<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as String: string(value)
        case let value as Bool: raw(value ? "true" : "false")
        case let value as Int: raw(String(value))
        case let value as Int64: raw(String(value))
        case let value as Int32: raw(String(value))
        case let value as Double: number(value)
        default:
            let depth = stack.count
            try value.encode(to: JSONStreamEncoderContext(writer: self, depth: depth))
            close(to: depth)
        }
    }

    /// Closes containers down to `depth`.
    func close(to depth: Int) {
        while stack.count > depth {
            let container = stack.removeLast()
            switch container {
            case .object(let first):
                if !first { newline() }
                bytes.append(UInt8(ascii: "}"))
            case .array(let first):
                if !first { newline() }
                bytes.append(UInt8(ascii: "]"))
            }
        }
    }

    func openObject(at depth: Int) {
        guard stack.count == depth else { return }  // asked twice for the same value's container
        bytes.append(UInt8(ascii: "{"))
        stack.append(.object(first: true))
    }

    func openArray(at depth: Int) {
        guard stack.count == depth else { return }
        bytes.append(UInt8(ascii: "["))
        stack.append(.array(first: true))
    }

    /// Starts a member of the innermost object.
    func key(_ key: String) {
        if case .object(let first) = stack.last {
            if !first { bytes.append(UInt8(ascii: ",")) }
            stack[stack.count - 1] = .object(first: false)
        }
        newline()
        string(key)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
    }

    /// Starts an element of the innermost array.
    func element() {
        if case .array(let first) = stack.last {
            if !first { bytes.append(UInt8(ascii: ",")) }
            stack[stack.count - 1] = .array(first: false)
        }
        newline()
    }

    func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func number(_ value: Double) {
        if value.isNaN {
            string("NaN")
        } else if value.isInfinite {
            string(value > 0 ? "Infinity" : "-Infinity")
        } else if value == value.rounded(), abs(value) < 1e15 {
            raw(String(Int64(value)))
        } else {
            raw(String(value))
        }
    }

    func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)],
                    hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

private struct JSONStreamEncoderContext: Encoder {
    let writer: JSONStreamWriter
    /// The stack depth of the value this encoder writes (its container, once opened, is at this index).
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        writer.openObject(at: depth)
        return KeyedEncodingContainer(Keyed<Key>(writer: writer, level: depth + 1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.openArray(at: depth)
        return Unkeyed(writer: writer, level: depth + 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(writer: writer) }

    /// A keyed container at stack index `level - 1`: before each member it closes what an earlier member's
    /// nested container left open.
    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: JSONStreamWriter
        let level: Int
        var codingPath: [any CodingKey] { [] }

        private func begin(_ key: Key) {
            writer.close(to: level)
            writer.key(key.stringValue)
        }

        mutating func encodeNil(forKey key: Key) throws {
            begin(key)
            writer.raw("null")
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            begin(key)
            try writer.value(value)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type,
            forKey key: Key
        )
            -> KeyedEncodingContainer<NestedKey>
        {
            begin(key)
            writer.openObject(at: level)
            return KeyedEncodingContainer(Keyed<NestedKey>(writer: writer, level: level + 1))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            begin(key)
            writer.openArray(at: level)
            return Unkeyed(writer: writer, level: level + 1)
        }
        mutating func superEncoder() -> any Encoder {
            writer.close(to: level)
            writer.key("super")
            return JSONStreamEncoderContext(writer: writer, depth: level)
        }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            begin(key)
            return JSONStreamEncoderContext(writer: writer, depth: level)
        }
    }

    /// An unkeyed container at stack index `level - 1`.
    struct Unkeyed: UnkeyedEncodingContainer {
        let writer: JSONStreamWriter
        let level: Int
        var codingPath: [any CodingKey] { [] }
        var count = 0

        private mutating func begin() {
            writer.close(to: level)
            writer.element()
            count += 1
        }

        mutating func encodeNil() throws {
            begin()
            writer.raw("null")
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            begin()
            try writer.value(value)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type
        )
            -> KeyedEncodingContainer<NestedKey>
        {
            begin()
            writer.openObject(at: level)
            return KeyedEncodingContainer(Keyed<NestedKey>(writer: writer, level: level + 1))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            begin()
            writer.openArray(at: level)
            return Unkeyed(writer: writer, level: level + 1)
        }
        mutating func superEncoder() -> any Encoder {
            begin()
            return JSONStreamEncoderContext(writer: writer, depth: level)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let writer: JSONStreamWriter
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { writer.raw("null") }
        mutating func encode<T: Encodable>(_ value: T) throws { try writer.value(value) }
    }
}
