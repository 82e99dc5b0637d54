/// Encodes `Encodable` values straight into a ``JournalValue`` tree, with no JSON text in between.
///
/// Payload types are plain `Codable` structs whose members are spelled once, as their properties; this coder and
/// ``JournalValueDecoder`` map them to and from the journal's value tree. Optional members that are `nil` are left
/// out; integers become ``JournalValue/int(_:)``, floating-point numbers ``JournalValue/double(_:)``; dictionaries
/// with string keys (or `CodingKeyRepresentable` keys) become objects.
public struct JournalValueEncoder: Sendable {
    public init() {}

    /// `value` as a journal value.
    ///
    /// - Throws: `EncodingError.invalidValue` for a value with no journal form (a dictionary keyed by something
    ///   that is not text, an encoder used without a value).
    public func encode<T: Encodable>(_ value: T) throws -> JournalValue {
        if let direct = value as? JournalValue { return direct }
        let encoder = ValueEncoder()
        try value.encode(to: encoder)
        guard let result = encoder.result else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "nothing was encoded"))
        }
        return result
    }
}

/// Decodes `Decodable` values straight from a ``JournalValue`` tree.
///
/// Members a type does not know are ignored (journals written by a newer drillctl still read); a missing or
/// `null` member decodes as `nil` for an optional. Numbers convert where they fit exactly: an integer member reads
/// `3` and `3.0`, a floating-point member reads both too.
public struct JournalValueDecoder: Sendable {
    public init() {}

    /// The `T` that `value` holds.
    ///
    /// - Throws: `DecodingError` naming the member that is missing or has the wrong type.
    public func decode<T: Decodable>(_ type: T.Type, from value: JournalValue) throws -> T {
        if T.self == JournalValue.self { return value as! T }
        return try T(from: ValueDecoder(value: value, codingPath: []))
    }
}

// MARK: - Encoding

/// An object under construction: plain members, and nested containers that are finished at the end.
private final class ObjectBox {
    var members: [String: JournalValue] = [:]
    var children: [String: AnyBox] = [:]

    func finish() -> JournalValue {
        guard !children.isEmpty else { return .object(members) }
        var members = members
        for (key, child) in children { members[key] = child.finish() }
        return .object(members)
    }
}

/// An array under construction.
private final class ArrayBox {
    enum Element {
        case value(JournalValue)
        case box(AnyBox)
    }

    var elements: [Element] = []

    func finish() -> JournalValue {
        .array(
            elements.map {
                switch $0 {
                case .value(let value): value
                case .box(let box): box.finish()
                }
            }
        )
    }
}

/// A nested container (or a nested encoder, for `superEncoder`) still being written.
private enum AnyBox {
    case object(ObjectBox)
    case array(ArrayBox)
    case encoder(ValueEncoder)

    func finish() -> JournalValue {
        switch self {
        case .object(let box): box.finish()
        case .array(let box): box.finish()
        case .encoder(let encoder): encoder.result ?? .null
        }
    }
}

private final class ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var root: AnyBox?
    private var single: JournalValue?

    init(codingPath: [any CodingKey] = []) {
        self.codingPath = codingPath
    }

    /// What was encoded, once `encode(to:)` has returned.
    var result: JournalValue? { single ?? root?.finish() }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectBox
        if case .object(let existing) = root {
            object = existing
        } else {
            object = ObjectBox()
            root = .object(object)
            single = nil
        }
        return KeyedEncodingContainer(KeyedValueEncoder<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayBox
        if case .array(let existing) = root {
            array = existing
        } else {
            array = ArrayBox()
            root = .array(array)
            single = nil
        }
        return UnkeyedValueEncoder(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueEncoder(encoder: self) }

    /// Sets a plain value as the result.
    func set(_ value: JournalValue) {
        root = nil
        single = value
    }

    /// Encodes `value`: primitives directly, anything else through a nested encoder.
    static func box<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JournalValue {
        switch value {
        case let value as JournalValue: return value
        case let value as String: return .string(value)
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(Int64(value))
        case let value as Int64: return .int(value)
        case let value as Int32: return .int(Int64(value))
        case let value as Double: return .double(value)
        default:
            let nested = ValueEncoder(codingPath: codingPath)
            try value.encode(to: nested)
            return nested.result ?? .object([:])
        }
    }
}

private struct KeyedValueEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectBox
    let codingPath: [any CodingKey]

    func put(_ value: JournalValue, _ key: Key) {
        object.children[key.stringValue] = nil
        object.members[key.stringValue] = value
    }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        guard let exact = Int64(exactly: value) else { throw tooLarge(value, key) }
        put(.int(exact), key)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        guard let exact = Int64(exactly: value) else { throw tooLarge(value, key) }
        put(.int(exact), key)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try ValueEncoder.box(value, codingPath: codingPath + [key]), key)
    }

    private func tooLarge(_ value: Any, _ key: Key) -> EncodingError {
        EncodingError.invalidValue(
            value,
            .init(codingPath: codingPath + [key], debugDescription: "an integer above Int64.max has no journal form")
        )
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = ObjectBox()
        object.members[key.stringValue] = nil
        object.children[key.stringValue] = .object(child)
        return KeyedEncodingContainer(
            KeyedValueEncoder<NestedKey>(object: child, codingPath: codingPath + [key])
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = ArrayBox()
        object.members[key.stringValue] = nil
        object.children[key.stringValue] = .array(child)
        return UnkeyedValueEncoder(array: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let nested = ValueEncoder(codingPath: codingPath + [key])
        object.members[key.stringValue] = nil
        object.children[key.stringValue] = .encoder(nested)
        return nested
    }
}

private struct UnkeyedValueEncoder: UnkeyedEncodingContainer {
    let array: ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { array.elements.count }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    func append(_ value: JournalValue) { array.elements.append(.value(value)) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { append(.int(value)) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt) throws {
        guard let exact = Int64(exactly: value) else { throw tooLarge(value) }
        append(.int(exact))
    }
    mutating func encode(_ value: UInt64) throws {
        guard let exact = Int64(exactly: value) else { throw tooLarge(value) }
        append(.int(exact))
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try ValueEncoder.box(value, codingPath: codingPath + [Index(count)]))
    }

    private func tooLarge(_ value: Any) -> EncodingError {
        EncodingError.invalidValue(
            value,
            .init(
                codingPath: codingPath + [Index(count)],
                debugDescription: "an integer above Int64.max has no journal form"
            )
        )
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = ObjectBox()
        let path = codingPath + [Index(count)]
        array.elements.append(.box(.object(child)))
        return KeyedEncodingContainer(KeyedValueEncoder<NestedKey>(object: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = ArrayBox()
        let path = codingPath + [Index(count)]
        array.elements.append(.box(.array(child)))
        return UnkeyedValueEncoder(array: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let nested = ValueEncoder(codingPath: codingPath + [Index(count)])
        array.elements.append(.box(.encoder(nested)))
        return nested
    }
}

private struct SingleValueEncoder: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.set(.null) }
    mutating func encode(_ value: Bool) throws { encoder.set(.bool(value)) }
    mutating func encode(_ value: String) throws { encoder.set(.string(value)) }
    mutating func encode(_ value: Double) throws { encoder.set(.double(value)) }
    mutating func encode(_ value: Float) throws { encoder.set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { encoder.set(.int(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { encoder.set(.int(Int64(value))) }
    mutating func encode(_ value: UInt) throws {
        guard let exact = Int64(exactly: value) else { throw tooLarge(value) }
        encoder.set(.int(exact))
    }
    mutating func encode(_ value: UInt64) throws {
        guard let exact = Int64(exactly: value) else { throw tooLarge(value) }
        encoder.set(.int(exact))
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.set(try ValueEncoder.box(value, codingPath: codingPath))
    }

    private func tooLarge(_ value: Any) -> EncodingError {
        EncodingError.invalidValue(
            value,
            .init(codingPath: codingPath, debugDescription: "an integer above Int64.max has no journal form")
        )
    }
}

// MARK: - Decoding

private struct ValueDecoder: Decoder {
    let value: JournalValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch(
                [String: JournalValue].self,
                .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.kindName)")
            )
        }
        return KeyedDecodingContainer(KeyedValueDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw DecodingError.typeMismatch(
                [JournalValue].self,
                .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.kindName)")
            )
        }
        return UnkeyedValueDecoder(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueDecoder(value: value, codingPath: codingPath)
    }
}

/// Reads primitives out of journal values, the same way for every container.
private enum Primitive {
    static func mismatch<T>(_ type: T.Type, _ value: JournalValue, _ path: [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(
            type,
            .init(codingPath: path, debugDescription: "expected \(T.self), found \(value.kindName)")
        )
    }

    static func bool(_ value: JournalValue, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(Bool.self, value, path) }
        return bool
    }

    static func string(_ value: JournalValue, _ path: [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw mismatch(String.self, value, path) }
        return string
    }

    static func double(_ value: JournalValue, _ path: [any CodingKey]) throws -> Double {
        switch value {
        case .double(let double): return double
        case .int(let int): return Double(int)
        default: throw mismatch(Double.self, value, path)
        }
    }

    static func integer<T: FixedWidthInteger>(
        _ type: T.Type,
        _ value: JournalValue,
        _ path: [any CodingKey]
    ) throws
        -> T
    {
        switch value {
        case .int(let int):
            guard let exact = T(exactly: int) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path, debugDescription: "\(int) does not fit in \(T.self)")
                )
            }
            return exact
        case .double(let double):
            guard double.rounded() == double, let exact = T(exactly: double) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path, debugDescription: "\(double) is not a whole number that fits in \(T.self)")
                )
            }
            return exact
        default:
            throw mismatch(T.self, value, path)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JournalValue, _ path: [any CodingKey]) throws -> T {
        switch type {
        case is JournalValue.Type: return value as! T
        case is String.Type: return try string(value, path) as! T
        case is Bool.Type: return try bool(value, path) as! T
        case is Int64.Type: return try integer(Int64.self, value, path) as! T
        case is Int.Type: return try integer(Int.self, value, path) as! T
        case is Int32.Type: return try integer(Int32.self, value, path) as! T
        case is Double.Type: return try double(value, path) as! T
        default: return try T(from: ValueDecoder(value: value, codingPath: path))
        }
    }
}

private struct KeyedValueDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JournalValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JournalValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                .init(codingPath: codingPath, debugDescription: "the member '\(key.stringValue)' is missing")
            )
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let value = members[key.stringValue] else { return true }
        return value == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Primitive.bool(member(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Primitive.string(member(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Primitive.double(member(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(try Primitive.double(member(key), path(key)))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try Primitive.integer(type, member(key), path(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try Primitive.decode(type, member(key), path(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try Primitive.string(value, path(key))
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try Primitive.integer(type, value, path(key))
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try Primitive.bool(value, path(key))
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try Primitive.decode(type, value, path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: member(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: member(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: members["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: members[key.stringValue] ?? .null, codingPath: path(key))
    }
}

private struct UnkeyedValueDecoder: UnkeyedDecodingContainer {
    let elements: [JournalValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JournalValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private mutating func next() throws -> (JournalValue, [any CodingKey]) {
        let path = codingPath + [Index(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JournalValue.self,
                .init(codingPath: path, debugDescription: "the array has only \(elements.count) elements")
            )
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let (value, path) = try next()
        return try Primitive.bool(value, path)
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let (value, path) = try next()
        return try Primitive.string(value, path)
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let (value, path) = try next()
        return try Primitive.double(value, path)
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let (value, path) = try next()
        return Float(try Primitive.double(value, path))
    }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try Primitive.integer(type, value, path)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try Primitive.decode(type, value, path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next()
        return try ValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try ValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return ValueDecoder(value: value, codingPath: path)
    }
}

private struct SingleValueDecoder: SingleValueDecodingContainer {
    let value: JournalValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try Primitive.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Primitive.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Primitive.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Primitive.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Primitive.integer(type, value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Primitive.decode(type, value, codingPath) }
}

extension JournalValue {
    /// What kind of value this is, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "text"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
