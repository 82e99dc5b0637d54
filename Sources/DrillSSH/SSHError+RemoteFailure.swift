public import DrillCore

extension SSHError: RemoteFailure {
    /// False for failures before a command could start (the connection, the host key or the login refused);
    /// true for failures that may have come after it started (a lost connection, a channel failure, an unknown
    /// outcome).
    public var commandMayHaveStarted: Bool {
        switch code {
        case .connectionRefused, .timedOut, .unreachable, .handshakeFailed, .authenticationFailed, .unsupportedKey,
            .keyUnreadable, .hostKeyUnknown, .hostKeyChanged, .hostKeyRevoked, .knownHostsUnwritable, .invalidRequest:
            false
        default:
            true
        }
    }
}
