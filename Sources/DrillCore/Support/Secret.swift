/// A secret (password, key passphrase, access code) that never prints itself.
///
/// `description`, `debugDescription` and string interpolation all give `<redacted>`, so a secret that slips
/// into a log line, an error or a report shows nothing. Read the value only where it is used.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// The secret itself. Use it only to hand it to the thing that needs it (libssh2, a hash function).
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
}
