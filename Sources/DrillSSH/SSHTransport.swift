public import DrillCore
import Foundation
public import Logging
import Synchronization

/// The SSH transport: runs commands and uploads files on inventory hosts over libssh2.
///
/// One `SSHTransport` serves a whole drill. It keeps one authenticated session per host and route (up to
/// ``Configuration/maxSessionsPerHost`` when commands to the same host overlap), reconnects when a kept session
/// died, and retries connection failures that happened before anything ran. libssh2 work runs on a bounded pool of
/// dedicated threads, never on Swift's cooperative pool.
///
/// ```swift
/// let ssh = SSHTransport(configuration: .init(hostKeyChecking: .strict), logger: logger)
/// let result = try await ssh.run(RemoteCommand("uptime", timeout: .seconds(10)), on: facts)
/// await ssh.shutdown()
/// ```
public final class SSHTransport: RemoteExecutor {
    /// Settings for a transport. The defaults suit a drill of a few hundred hosts.
    public struct Configuration: Sendable {
        /// Host key policy. Default ``HostKeyChecking/strict``.
        public var hostKeyChecking: HostKeyChecking
        /// The known_hosts file for every host (`--known-hosts`). When nil: the host's `UserKnownHostsFile`
        /// (``ConnectionFacts/knownHostsFile``), else `~/.ssh/known_hosts`.
        public var knownHostsFile: String?
        /// Time allowed for TCP connect, key exchange, host key check and authentication together. Default 10 s.
        public var connectTimeout: Duration
        /// How many operations (connect + command, or upload) run at once over all hosts. Default 200; each running
        /// operation occupies one worker thread, mostly asleep in `poll()`.
        public var maxConcurrentOperations: Int
        /// How many sessions one host may have open at once. Default 4: OpenSSH's `MaxStartups 10:30:100` starts
        /// dropping unauthenticated connections beyond 10, and a drill rarely runs more than a few commands on one
        /// host at a time.
        public var maxSessionsPerHost: Int
        /// How long an unused session stays open. Default 60 s.
        public var idleTimeout: Duration
        /// How many more times a connection that failed before authentication (refused, dropped, reset) is tried.
        /// Default 2. A command that started is never retried.
        public var connectRetries: Int
        /// The first retry waits this long, each next one twice as long (with ±25 % jitter). Default 200 ms.
        public var retryBackoff: Duration
        /// Time allowed for one upload once connected. Default 120 s.
        public var uploadTimeout: Duration
        /// The environment read for `SSH_AUTH_SOCK`, `HOME`, `DRILL_SSH_KEY_PASSPHRASE`,
        /// `DRILL_SSH_KEY_PASSPHRASE_FILE` and `DRILL_SSH_PASSWORD`. Default: the process environment.
        public var environment: [String: String]

        public init(
            hostKeyChecking: HostKeyChecking = .strict,
            knownHostsFile: String? = nil,
            connectTimeout: Duration = .seconds(10),
            maxConcurrentOperations: Int = 200,
            maxSessionsPerHost: Int = 4,
            idleTimeout: Duration = .seconds(60),
            connectRetries: Int = 2,
            retryBackoff: Duration = .milliseconds(200),
            uploadTimeout: Duration = .seconds(120),
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.hostKeyChecking = hostKeyChecking
            self.knownHostsFile = knownHostsFile
            self.connectTimeout = connectTimeout
            self.maxConcurrentOperations = maxConcurrentOperations
            self.maxSessionsPerHost = maxSessionsPerHost
            self.idleTimeout = idleTimeout
            self.connectRetries = connectRetries
            self.retryBackoff = retryBackoff
            self.uploadTimeout = uploadTimeout
            self.environment = environment
        }
    }

    /// The settings this transport was made with.
    public let configuration: Configuration
    private let logger: Logger
    private let workers: WorkerPool
    private let limiter: AsyncLimiter
    private let sessions: SessionPool
    private let bastions: BastionRegistry
    private let counters = TransportCounters()

    /// Creates a transport. Nothing connects until the first command.
    ///
    /// - Parameters:
    ///   - configuration: limits, timeouts and host key policy.
    ///   - logger: where connection events go (debug: connects and logins; warning: `off` host key checking).
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // Worker threads: one per concurrent operation, plus one per bastion pump (those have their own threads).
        let workers = WorkerPool(maxThreads: max(1, configuration.maxConcurrentOperations))
        self.workers = workers
        self.limiter = AsyncLimiter(permits: configuration.maxConcurrentOperations)
        self.sessions = SessionPool(
            perHostLimit: configuration.maxSessionsPerHost,
            idleTimeout: configuration.idleTimeout
        ) { connections in
            workers.submit { for connection in connections { connection.close() } }
        }
        self.bastions = BastionRegistry(logger: logger)
    }

    /// Statistics since the transport was made: sessions opened, logins, commands, reconnects.
    public var statistics: SSHTransportStatistics { counters.snapshot }

    // MARK: - RemoteExecutor

    /// Runs `command` on `target`, reusing a kept session when there is one.
    ///
    /// The command runs as `timeout -s KILL <seconds> sh -c '<command>'` so that its deadline stops it on the target
    /// too (GNU coreutils or busybox `timeout` must be on the target's PATH). A non-zero exit status, a signal or
    /// a timeout is a result, not an error.
    ///
    /// - Throws: ``SSHError``: `.connectionRefused`, `.timedOut`, `.unreachable`, `.connectionLost` (after the
    ///   retries), `.handshakeFailed`, `.hostKeyUnknown`, `.hostKeyChanged`, `.hostKeyRevoked`,
    ///   `.authenticationFailed`, `.unsupportedKey`, `.keyUnreadable`, `.channelFailure` (the command did not run),
    ///   `.outcomeUnknown` (the connection broke after the command started: never retried), `.shutDown`,
    ///   `.cancelled`, `.invalidRequest`.
    public func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult {
        guard command.timeout > .zero, !command.command.utf8.contains(0) else {
            throw SSHError(
                code: .invalidRequest,
                message: "a command needs a positive timeout and no NUL byte",
                host: Self.label(target)
            )
        }
        let logger = self.logger
        return try await withSession(on: target) { connection, context throws(SSHError) in
            try connection.exec(command, context: context, logger: logger)
        }
    }

    /// Writes `data` to the absolute `path` on `target` with permissions `mode` (for example `0o644`), atomically.
    ///
    /// - Throws: ``SSHError``: the connection errors of ``run(_:on:)``, `.sftpFailure`, `.commandTimedOut`,
    ///   `.invalidRequest` for a relative path.
    public func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws {
        guard path.hasPrefix("/"), !path.hasSuffix("/"), !path.utf8.contains(0) else {
            throw SSHError(
                code: .invalidRequest,
                message: "upload path '\(path)' must be an absolute file path",
                host: Self.label(target)
            )
        }
        let logger = self.logger
        let timeout = configuration.uploadTimeout
        _ = try await withSession(on: target) { connection, context throws(SSHError) in
            try connection.upload(data, to: path, mode: mode, timeout: timeout, context: context, logger: logger)
            return RemoteResult(exitStatus: 0)
        }
    }

    /// Closes every kept session and bastion. Commands already running finish; new ones fail with `.shutDown`.
    public func shutdown() async {
        sessions.shutdown()
        bastions.shutdown()
    }

    /// Closes kept sessions that have been idle longer than ``Configuration/idleTimeout`` now (this also happens at
    /// every command).
    public func closeIdleSessions() {
        sessions.closeIdle()
    }

    // MARK: - Sessions

    /// Leases a session for `target` (reusing, opening or reconnecting), runs `body` on a worker thread with it,
    /// and gives it back.
    private func withSession(
        on target: ConnectionFacts,
        _ body: @escaping @Sendable (SSHConnection, JobContext) throws(SSHError) -> RemoteResult
    ) async throws(SSHError) -> RemoteResult {
        let label = Self.label(target)
        let credentials = try LoginCredentials.resolve(
            user: target.user,
            privateKeyFile: target.privateKeyFile,
            password: target.password,
            environment: configuration.environment,
            hostLabel: label
        )
        let knownHosts = knownHostsPath(for: target)
        let key = SessionKey(
            address: target.address,
            port: target.port,
            user: credentials.user,
            privateKeyFile: target.privateKeyFile,
            jumpHosts: target.jumpHosts,
            knownHostsFile: knownHosts,
            hostKeyChecking: configuration.hostKeyChecking
        )
        let endpoint = SessionEndpoint(
            label: label,
            address: target.address,
            port: target.port,
            credentials: credentials,
            hostKeyChecking: configuration.hostKeyChecking,
            knownHostsFile: knownHosts
        )
        var attempt = 0
        var reconnects = 0
        while true {
            let lease = try await sessions.acquire(key)
            do throws(SSHError) {
                try await limiter.acquire()
            } catch {
                sessions.release(key, connection: lease.connection, reusable: true)
                throw error
            }
            var connection = lease.connection
            do throws(SSHError) {
                var timings = RemoteTimings()
                if connection == nil {
                    let (opened, openTimings) = try await open(endpoint, jumpHosts: target.jumpHosts)
                    connection = opened
                    timings.connect = openTimings.connect
                    timings.authenticate = openTimings.authenticate
                }
                let leased = connection!
                var result = try await workers.run { context throws(SSHError) in try body(leased, context) }
                limiter.release()
                sessions.release(key, connection: leased, reusable: true)
                counters.commands.add(1, ordering: .relaxed)
                result.timings.connect = timings.connect
                result.timings.authenticate = timings.authenticate
                return result
            } catch {
                limiter.release()
                sessions.release(key, connection: connection, reusable: false)
                if case .reuse = lease, error.code == .connectionLost, reconnects < 2 {
                    // A kept session had died (sshd restarted, idle timeout on the server): nothing ran; reconnect.
                    reconnects += 1
                    counters.reconnects.add(1, ordering: .relaxed)
                    logger.debug("kept session was dead; reconnecting", metadata: ["host": "\(label)"])
                    continue
                }
                let retryable = error.code == .connectionRefused || error.code == .connectionLost
                guard case .open = lease, retryable, attempt < configuration.connectRetries else {
                    throw error.with(host: label)
                }
                attempt += 1
                let delay = backoff(attempt: attempt)
                logger.debug(
                    "connection failed before login (\(error.code)); retry \(attempt) in \(delay)",
                    metadata: ["host": "\(label)"]
                )
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw SSHError(code: .cancelled, message: "cancelled while waiting to retry", host: label)
                }
            }
        }
    }

    private func open(
        _ endpoint: SessionEndpoint,
        jumpHosts: [JumpHost]
    ) async throws(SSHError) -> (SSHConnection, SSHConnection.OpenTimings) {
        let connectTimeout = configuration.connectTimeout
        let logger = self.logger
        let bastions = self.bastions
        let bastionEndpoints = jumpHosts.map { bastionEndpoint($0, for: endpoint) }
        let result = try await workers.run { context throws(SSHError) in
            let started = Deadline.now()
            let deadline = Deadline.after(connectTimeout)
            let socket: Int32
            var tunnel: TunnelHandle?
            if bastionEndpoints.isEmpty {
                socket = try TCPConnector.connect(
                    address: endpoint.address,
                    port: endpoint.port,
                    deadline: deadline,
                    context: context
                )
            } else {
                let handle = try bastions.openTunnel(
                    through: bastionEndpoints,
                    to: endpoint.address,
                    port: endpoint.port,
                    deadline: deadline,
                    connectTimeout: connectTimeout
                )
                socket = handle.socket
                tunnel = handle
            }
            let (connection, timings) = try SSHConnection.open(
                endpoint: endpoint,
                socket: socket,
                started: started,
                deadline: deadline,
                context: context,
                logger: logger
            )
            connection.tunnel = tunnel
            return OpenedConnection(connection: connection, timings: timings)
        }
        counters.logins.add(1, ordering: .relaxed)
        return (result.connection, result.timings)
    }

    private func bastionEndpoint(
        _ jump: JumpHost,
        for target: SessionEndpoint
    ) -> SessionEndpoint {
        let label = "bastion \(jump)"
        // The bastion login: its own user if given, else the target's; the target's key, the agent and password.
        let credentials = LoginCredentials(
            user: jump.user ?? target.credentials.user,
            agentSocket: target.credentials.agentSocket,
            keyFiles: target.credentials.keyFiles,
            password: target.credentials.password
        )
        return SessionEndpoint(
            label: label,
            address: jump.address,
            port: jump.port,
            credentials: credentials,
            hostKeyChecking: target.hostKeyChecking,
            knownHostsFile: target.knownHostsFile
        )
    }

    private func knownHostsPath(for target: ConnectionFacts) -> String {
        let home = configuration.environment["HOME"] ?? NSHomeDirectory()
        let path = configuration.knownHostsFile ?? target.knownHostsFile ?? "~/.ssh/known_hosts"
        return LoginCredentials.expandTilde(path, home: home)
    }

    private func backoff(attempt: Int) -> Duration {
        let base = configuration.retryBackoff * (1 << min(attempt - 1, 8))
        return base * Double.random(in: 0.75...1.25)
    }

    static func label(_ target: ConnectionFacts) -> String {
        let address = target.address.contains(":") ? "[\(target.address)]" : target.address
        return target.name == target.address && target.port == 22
            ? target.name : "\(target.name) (\(address):\(target.port))"
    }
}

/// A connection opened on a worker thread, on its way back to the caller (see ``SSHConnection``'s invariant).
private struct OpenedConnection: Sendable {
    let connection: SSHConnection
    let timings: SSHConnection.OpenTimings
}

extension SessionPool.Lease {
    fileprivate var connection: SSHConnection? {
        if case .reuse(let connection) = self { return connection }
        return nil
    }
}
