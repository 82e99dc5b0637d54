public import DrillCore
public import DrillRun
public import DrillStore
import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle
import UnixSignals

/// The portal as a service: the HTTP server and the journal feed, ready to run next to the engine.
///
/// `drillctl serve` runs it alone; `drillctl run --portal ADDRESS` adds it to the engine's `ServiceGroup`:
///
/// ```swift
/// let portal = try PortalServer.make(run: runDirectory, journal: journal, configuration: config, logger: logger)
/// let group = ServiceGroup(services: [engine, portal], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct PortalServer: Service {
    /// The portal's state and handlers (sessions, feed).
    public let portal: Portal
    private let application: Application<PortalResponder>

    /// Builds the portal for the run in `run`, reading and appending to `journal`.
    ///
    /// - Parameters:
    ///   - run: the run's folder; its `scenario.yaml` (if readable) gives inject titles, teams and the rubric.
    ///   - journal: the run's journal, open for appending (responses, observations and controls are events).
    ///   - configuration: address, TLS, limits.
    ///   - commands: what records responses and controls; ``RunCommandDesk`` (DrillRun's `ResponseDesk` and
    ///     `ControlDesk`, as `drillctl respond` / `ctl` use them) when `nil`.
    ///   - onListening: called with the bound port once the server listens (useful with port 0).
    /// - Throws: ``PortalSetupError`` when the TLS files cannot be read.
    public static func make(
        run: RunFolder,
        journal: Journal,
        configuration: PortalConfiguration,
        commands: (any PortalCommandHandling)? = nil,
        now: @escaping @Sendable () -> Int64 = Portal.wallClock,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> PortalServer {
        let scenario = try? ScenarioLoader.load(path: run.scenarioPath).scenario
        let feed = PortalFeed(reader: journal, scenario: scenario, interval: configuration.pollInterval, logger: logger)
        let desk =
            commands
            ?? RunCommandDesk(journal: journal, feed: feed, runID: journal.runID, scenario: scenario, now: now)
        let portal = Portal(
            configuration: configuration,
            runID: journal.runID,
            scenario: scenario,
            feed: feed,
            commands: desk,
            credentials: JournalCredentialChecker(journal: journal),
            now: now,
            logger: logger
        )
        return try PortalServer(portal: portal, logger: logger, onListening: onListening)
    }

    /// Serves `portal` (built by hand, e.g. with test doubles).
    public init(portal: Portal, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws
    {
        self.portal = portal
        let configuration = portal.configuration
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificatePath)
                let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
                let tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: certificates.map { .certificate($0) },
                    privateKey: .privateKey(key)
                )
                server = try .tls(.http1(), tlsConfiguration: tlsConfiguration)
            } catch {
                throw PortalSetupError(
                    "cannot read the TLS certificate '\(tls.certificatePath)' or key '\(tls.privateKeyPath)': \(error);"
                        + " pass PEM files"
                )
            }
        } else {
            server = .http1()
        }
        application = Application(
            responder: PortalResponder(portal: portal),
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "drillctl"
            ),
            services: [portal.feed],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Runs the feed and the server until cancelled or shut down gracefully.
    public func run() async throws {
        try await portal.feed.catchUp()
        try await application.run()
    }

    /// Runs until SIGINT or SIGTERM (for `drillctl serve`).
    public func runUntilSignalled() async throws {
        try await portal.feed.catchUp()
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// The portal could not be set up (bad TLS files).
public struct PortalSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
