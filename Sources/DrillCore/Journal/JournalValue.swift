/// A JSON value in a journal event's payload.
///
/// The journal stores payloads as canonical JSON text (see ``canonicalJSON``): object keys sorted by their
/// UTF-8 bytes, no insignificant whitespace, integers without a fraction. The same value always gives the
/// same bytes, which is what evidence digests are computed over.
public enum JournalValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JournalValue])
    case object([String: JournalValue])

    /// An empty object, the payload of events that carry nothing beyond their columns.
    public static let emptyObject = JournalValue.object([:])

    /// The member `key` when this is an object.
    public subscript(key: String) -> JournalValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value if it is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value if it is an integer (or a double with no fraction that fits in 64 bits).
    public var int64Value: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value):
            guard value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
            return exact
        default: return nil
        }
    }

    /// The value if it is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The value if it is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The members if this is an object.
    public var objectValue: [String: JournalValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements if this is an array.
    public var arrayValue: [JournalValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}

extension JournalValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JournalValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JournalValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JournalValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JournalValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JournalValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
