public import Foundation

/// How the portal serves.
public struct PortalConfiguration: Sendable {
    /// The address to bind: loopback by default. Anything else must be asked for explicitly (`--bind`).
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int
    /// PEM certificate chain and private key for HTTPS; plain HTTP when `nil`.
    public var tls: TLSFiles?
    /// A session unused this long expires.
    public var sessionIdleTimeout: Duration
    /// A session expires this long after sign-in.
    public var sessionAbsoluteTimeout: Duration
    /// Sign-in attempts allowed per client address per ``signInWindow``.
    public var signInLimit: Int
    public var signInWindow: Duration
    /// The largest request body accepted (larger: 413).
    public var maxBodyBytes: Int
    /// The longest situation report or note accepted, in characters.
    public var maxTextLength: Int
    /// How often the journal is polled for new events.
    public var pollInterval: Duration
    /// How often a live stream sends a keep-alive comment.
    public var heartbeat: Duration

    /// PEM files for HTTPS.
    public struct TLSFiles: Sendable, Hashable {
        public var certificatePath: String
        public var privateKeyPath: String
        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        tls: TLSFiles? = nil,
        sessionIdleTimeout: Duration = .seconds(8 * 3600),
        sessionAbsoluteTimeout: Duration = .seconds(24 * 3600),
        signInLimit: Int = 10,
        signInWindow: Duration = .seconds(60),
        maxBodyBytes: Int = 16 * 1024,
        maxTextLength: Int = 8000,
        pollInterval: Duration = .milliseconds(50),
        heartbeat: Duration = .seconds(15)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionAbsoluteTimeout = sessionAbsoluteTimeout
        self.signInLimit = signInLimit
        self.signInWindow = signInWindow
        self.maxBodyBytes = maxBodyBytes
        self.maxTextLength = maxTextLength
        self.pollInterval = pollInterval
        self.heartbeat = heartbeat
    }

    /// True when ``host`` is a loopback address (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool { Self.isLoopback(host) }

    /// True when `host` is a loopback address.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The warning to print before serving, if any: plain HTTP off loopback sends access codes and session
    /// cookies across the network in clear.
    public var exposureWarning: String? {
        guard !isLoopback, tls == nil else { return nil }
        return """
            WARNING: serving plain HTTP on \(host):\(port), which is not a loopback address.
            WARNING: access codes and session cookies will cross the network IN CLEAR.
            WARNING: use --tls-cert and --tls-key to serve HTTPS.
            """
    }
}
