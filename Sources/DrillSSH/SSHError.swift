/// An error from the SSH transport: what failed, on which host, and what to do next.
///
/// Match on ``code`` (a struct with static members, so new codes do not break callers). ``message`` is written
/// for the person running the drill and never holds a password or passphrase.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Kind: String, Hashable, Sendable {
            case connectionRefused = "connection refused"
            case timedOut = "connection timed out"
            case unreachable = "host unreachable"
            case connectionLost = "connection lost"
            case handshakeFailed = "handshake failed"
            case authenticationFailed = "authentication failed"
            case unsupportedKey = "unsupported key"
            case keyUnreadable = "key unreadable"
            case hostKeyUnknown = "host key unknown"
            case hostKeyChanged = "host key changed"
            case hostKeyRevoked = "host key revoked"
            case knownHostsUnwritable = "known_hosts unwritable"
            case channelFailure = "channel failure"
            case sftpFailure = "SFTP failure"
            case commandTimedOut = "command timed out"
            case outcomeUnknown = "outcome unknown"
            case shutDown = "transport shut down"
            case cancelled = "cancelled"
            case invalidRequest = "invalid request"
        }

        fileprivate let kind: Kind

        /// The target (or bastion) actively refused the TCP connection: nothing listens on that port.
        public static let connectionRefused = Code(kind: .connectionRefused)
        /// The TCP connection, the handshake or authentication did not finish before the connect timeout.
        public static let timedOut = Code(kind: .timedOut)
        /// The name did not resolve, or there is no route to the address.
        public static let unreachable = Code(kind: .unreachable)
        /// The server closed or reset the connection before the command started (retried automatically).
        public static let connectionLost = Code(kind: .connectionLost)
        /// The SSH key exchange failed (no common algorithm, protocol error).
        public static let handshakeFailed = Code(kind: .handshakeFailed)
        /// Every authentication method was tried and refused.
        public static let authenticationFailed = Code(kind: .authenticationFailed)
        /// The private key is of a type libssh2 1.10 cannot use with OpenSSH (RSA).
        public static let unsupportedKey = Code(kind: .unsupportedKey)
        /// The private key file is missing, unreadable, or encrypted without a passphrase.
        public static let keyUnreadable = Code(kind: .keyUnreadable)
        /// Strict host key checking and the host is not in known_hosts.
        public static let hostKeyUnknown = Code(kind: .hostKeyUnknown)
        /// The host presented a key that differs from the one recorded in known_hosts.
        public static let hostKeyChanged = Code(kind: .hostKeyChanged)
        /// The host presented a key marked `@revoked` in known_hosts.
        public static let hostKeyRevoked = Code(kind: .hostKeyRevoked)
        /// accept-new could not record the new key.
        public static let knownHostsUnwritable = Code(kind: .knownHostsUnwritable)
        /// The server refused to open a channel or start the command; the command did not run.
        public static let channelFailure = Code(kind: .channelFailure)
        /// An SFTP operation failed (open, write, set mode, rename).
        public static let sftpFailure = Code(kind: .sftpFailure)
        /// The command did not finish in time and no result could be read (the normal timeout is a result,
        /// ``RemoteResult/timedOut``; this code is for uploads and other operations without a result).
        public static let commandTimedOut = Code(kind: .commandTimedOut)
        /// The connection broke after the command was started: it may or may not have run. Not retried.
        public static let outcomeUnknown = Code(kind: .outcomeUnknown)
        /// ``SSHTransport/shutdown()`` was called.
        public static let shutDown = Code(kind: .shutDown)
        /// The calling task was cancelled.
        public static let cancelled = Code(kind: .cancelled)
        /// The request itself is invalid (bad port, NUL byte in a command, relative upload path).
        public static let invalidRequest = Code(kind: .invalidRequest)

        public var description: String { kind.rawValue }

        /// True for failures that happened before anything ran on the target and may be retried.
        var isRetryableConnectFailure: Bool {
            switch kind {
            case .connectionRefused, .connectionLost, .timedOut: true
            default: false
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence or two: what failed and what to do next. Never contains a secret.
    public var message: String
    /// The host (`name (address:port)`), when the failure concerns one.
    public var host: String?
    /// The lower-level error (libssh2 message, errno), when there is one.
    public var underlying: String?

    /// Creates an error. `message` must not contain secrets.
    public init(code: Code, message: String, host: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.host = host
        self.underlying = underlying
    }

    public var description: String {
        var text = host.map { "\($0): " } ?? ""
        text += "\(code): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}

extension SSHError {
    func with(host: String) -> SSHError {
        var copy = self
        if copy.host == nil { copy.host = host }
        return copy
    }
}
