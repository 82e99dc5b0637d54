public import Hummingbird
public import NIOCore

/// The request context: Hummingbird's core storage plus the client's address (for sign-in rate limiting).
public struct PortalRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, when known.
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Bodies are collected by the portal itself with its own limit; this is a backstop.
    public var maxUploadSize: Int { 64 * 1024 }
}
