import CLibSSH2
import DrillCore
import Foundation
import Logging

/// Where and how to open one SSH session: the resolved facts for one hop.
struct SessionEndpoint: Sendable {
    /// `name (address:port)` for messages.
    var label: String
    var address: String
    var port: Int
    var credentials: LoginCredentials
    var hostKeyChecking: HostKeyChecking
    var knownHostsFile: String
}

/// One authenticated libssh2 session and its socket.
///
/// Not thread-safe by itself. Invariant that makes `@unchecked Sendable` sound: a connection is used by exactly one
/// worker thread at a time. The ``SessionPool`` (a class whose state is behind a `Mutex`) hands it to one caller
/// at a time (a lease); that caller only touches it inside a ``WorkerPool`` job, and hands it back after the job
/// finished. The pool's lock and the worker pool's job hand-off order every access after the previous one. A session is owned by the bastion pump's
/// thread for its whole life when it serves as a bastion.
final class SSHConnection: @unchecked Sendable {
    let endpoint: SessionEndpoint
    private(set) var session: OpaquePointer?
    private(set) var socket: Int32
    /// Set when the transport broke or a channel could not be cleaned up: the pool must not reuse it.
    private(set) var isBroken = false
    /// When the session was last handed back; read by the pool for idle closing.
    var lastUsed: Deadline = .now()
    /// The bastion tunnel this session runs over, kept alive as long as the session.
    var tunnel: TunnelHandle?
    /// How the login succeeded (`publickey (agent)`, `publickey (path)`, `password`).
    private(set) var authMethod = ""

    private init(endpoint: SessionEndpoint, socket: Int32) {
        self.endpoint = endpoint
        self.socket = socket
    }

    deinit {
        assert(session == nil && socket < 0, "leak of an open SSHConnection")
    }

    // MARK: - Opening

    /// Timings of ``open(endpoint:socket:deadline:context:logger:)``.
    struct OpenTimings {
        var connect: Duration = .zero
        var authenticate: Duration = .zero
    }

    /// Runs the SSH handshake on `socket` (already connected), checks the host key and authenticates.
    ///
    /// The connection takes ownership of `socket` and closes it on failure.
    ///
    /// - Throws: ``SSHError``: `.connectionLost` or `.timedOut` (retryable: nothing ran), `.handshakeFailed`,
    ///   `.hostKeyUnknown` / `.hostKeyChanged` / `.hostKeyRevoked`, `.authenticationFailed`, `.cancelled`.
    static func open(
        endpoint: SessionEndpoint,
        socket: Int32,
        started: Deadline,
        deadline: Deadline,
        context: JobContext?,
        logger: Logger
    ) throws(SSHError) -> (SSHConnection, OpenTimings) {
        precondition(LibSSH2.initialised, "libssh2_init failed")
        let connection = SSHConnection(endpoint: endpoint, socket: socket)
        do throws(SSHError) {
            let timings = try connection.start(started: started, deadline: deadline, context: context, logger: logger)
            return (connection, timings)
        } catch {
            connection.close()
            throw error.with(host: endpoint.label)
        }
    }

    private func start(
        started: Deadline,
        deadline: Deadline,
        context: JobContext?,
        logger: Logger
    ) throws(SSHError) -> OpenTimings {
        guard let session = drill_libssh2_session_init(nil) else {
            throw SSHError(code: .handshakeFailed, message: "libssh2 could not allocate a session (out of memory?)")
        }
        self.session = session
        libssh2_session_set_blocking(session, 0)
        // Host key methods: the key types known_hosts holds for this host, so the server presents the key we can
        // check (libssh2 would otherwise ask for ECDSA while OpenSSH clients record ed25519).
        var knownTypes: [String] = []
        if endpoint.hostKeyChecking != .off {
            knownTypes = try KnownHostsStore.load(endpoint.knownHostsFile)
                .keyTypes(forHost: endpoint.address, port: endpoint.port)
        }
        let preferences: [(Int32, String)] = [
            (LIBSSH2_METHOD_HOSTKEY, HostKeyBlob.hostKeyMethods(for: knownTypes)),
            (
                LIBSSH2_METHOD_KEX,
                "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
            ),
            (LIBSSH2_METHOD_CRYPT_CS, "aes256-ctr,aes192-ctr,aes128-ctr"),
            (LIBSSH2_METHOD_CRYPT_SC, "aes256-ctr,aes192-ctr,aes128-ctr"),
            (LIBSSH2_METHOD_MAC_CS, "hmac-sha2-256,hmac-sha2-512"),
            (LIBSSH2_METHOD_MAC_SC, "hmac-sha2-256,hmac-sha2-512"),
        ]
        for (method, list) in preferences where libssh2_session_method_pref(session, method, list) != 0 {
            logger.debug("libssh2 rejected method preference \(list)")
        }
        let waiter = makeWaiter(deadline: deadline, context: context, phase: "handshake")
        // > libssh2_session_handshake: "Begin transport layer protocol negotiation with the connected host."
        try waiter.call("libssh2_session_handshake") { libssh2_session_handshake(session, libssh2_socket_t(socket)) }
        try checkHostKey(logger: logger)
        var timings = OpenTimings(connect: Deadline.elapsed(since: started))
        let authStart = Deadline.now()
        try authenticate(waiter: makeWaiter(deadline: deadline, context: context, phase: "auth"), logger: logger)
        timings.authenticate = Deadline.elapsed(since: authStart)
        logger.debug(
            "authenticated",
            metadata: ["host": "\(endpoint.label)", "ssh.auth": "\(authMethod)"]
        )
        return timings
    }

    private func checkHostKey(logger: Logger) throws(SSHError) {
        var length = 0
        var type: Int32 = 0
        guard let session, let raw = libssh2_session_hostkey(session, &length, &type) else {
            throw SSHError(code: .handshakeFailed, message: "the server sent no host key")
        }
        let key = raw.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
        try KnownHostsStore.verify(
            hostLabel: endpoint.label,
            address: endpoint.address,
            port: endpoint.port,
            key: key,
            mode: endpoint.hostKeyChecking,
            path: endpoint.knownHostsFile,
            logger: logger
        )
    }

    // MARK: - Authentication

    /// Tries ssh-agent, then the private key files, then the password: the order OpenSSH uses
    /// (`PreferredAuthentications publickey,keyboard-interactive,password`, agent keys before identity files).
    private func authenticate(waiter: SessionWaiter, logger: Logger) throws(SSHError) {
        guard let session else { return }
        let credentials = endpoint.credentials
        let user = credentials.user
        // > libssh2_userauth_list: "Send a SSH_USERAUTH_NONE request to the remote host. … returns NULL … if the
        // > 'none' method was accepted" (check libssh2_userauth_authenticated).
        var offered: [String] = []
        while true {
            if let list = drill_libssh2_userauth_list(session, user) {
                offered = String(cString: list).split(separator: ",").map(String.init)
                break
            }
            if libssh2_userauth_authenticated(session) != 0 {
                authMethod = "none"
                return
            }
            let code = libssh2_session_last_errno(session)
            if code == LIBSSH2_ERROR_EAGAIN {
                try waiter.wait()
                continue
            }
            try throwTransportFailure(function: "libssh2_userauth_list", code: code)
        }
        var tried: [String] = []
        var notes: [String] = []
        func attempt(_ name: String, _ body: () throws(SSHError) -> Bool) throws(SSHError) -> Bool {
            tried.append(name)
            do throws(SSHError) {
                return try body()
            } catch {
                if error.code == .connectionLost || error.code == .timedOut || error.code == .cancelled { throw error }
                notes.append("\(name): \(error.underlying ?? error.message)")
                return false
            }
        }
        if offered.contains("publickey"), let socketPath = credentials.agentSocket {
            if try attempt("publickey (ssh-agent)", { () throws(SSHError) in try agentLogin(socketPath, waiter) }) {
                authMethod = "publickey (ssh-agent)"
                return
            }
        }
        if offered.contains("publickey") {
            for key in credentials.keyFiles {
                let name = "publickey (\(key.path))"
                if try attempt(name, { () throws(SSHError) in try keyLogin(key, waiter) }) {
                    authMethod = name
                    return
                }
            }
        }
        if offered.contains("password"), let password = credentials.password {
            if try attempt("password", { () throws(SSHError) in try passwordLogin(password, waiter) }) {
                authMethod = "password"
                return
            }
        }
        var message =
            "could not log in as '\(user)'. Tried: \(tried.isEmpty ? "nothing usable" : tried.joined(separator: ", ")); the server offers: \(offered.joined(separator: ", "))."
        if !notes.isEmpty { message += " Details: \(notes.joined(separator: "; "))." }
        message +=
            " Check ansible_user and ansible_ssh_private_key_file, that the key is in the user's authorized_keys, or set \(SSHEnvironment.password) when the server allows password logins"
        throw SSHError(code: .authenticationFailed, message: message)
    }

    private func agentLogin(_ socketPath: String, _ waiter: SessionWaiter) throws(SSHError) -> Bool {
        guard let session, let agent = libssh2_agent_init(session) else { return false }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, socketPath)
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else {
            throw SSHError(
                code: .authenticationFailed,
                message: "cannot talk to ssh-agent",
                underlying: "ssh-agent at \(SSHEnvironment.agentSocket)=\(socketPath) did not answer"
            )
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            let rc = libssh2_agent_get_identity(agent, &identity, previous)
            guard rc == 0, let identity else { return false }
            previous = identity
            var result: Int32 = 0
            repeat {
                result = libssh2_agent_userauth(agent, endpoint.credentials.user, identity)
                if result == LIBSSH2_ERROR_EAGAIN { try waiter.wait() }
            } while result == LIBSSH2_ERROR_EAGAIN
            if result == 0 { return true }
            if result.isLibSSH2SocketError {
                try throwTransportFailure(function: "libssh2_agent_userauth", code: result)
            }
        }
    }

    private func keyLogin(_ key: LoginCredentials.KeyFile, _ waiter: SessionWaiter) throws(SSHError) -> Bool {
        guard let session else { return false }
        let user = endpoint.credentials.user
        let passphrase = key.passphrase?.reveal()
        while true {
            let rc = drill_libssh2_userauth_publickey_fromfile(session, user, nil, key.path, passphrase)
            if rc == 0 { return true }
            if rc == LIBSSH2_ERROR_EAGAIN {
                try waiter.wait()
                continue
            }
            if rc.isLibSSH2SocketError { try throwTransportFailure(function: "libssh2_userauth_publickey", code: rc) }
            let (_, message) = LibSSH2.lastError(session)
            if rc == LIBSSH2_ERROR_FILE {
                throw SSHError(
                    code: .keyUnreadable,
                    message: "key refused",
                    underlying:
                        "libssh2 could not load the key (wrong passphrase in \(SSHEnvironment.keyPassphrase)/\(SSHEnvironment.keyPassphraseFile)?): \(message)"
                )
            }
            throw SSHError(code: .authenticationFailed, message: "key refused", underlying: message)
        }
    }

    private func passwordLogin(_ password: Secret, _ waiter: SessionWaiter) throws(SSHError) -> Bool {
        guard let session else { return false }
        while true {
            let rc = drill_libssh2_userauth_password(session, endpoint.credentials.user, password.reveal())
            if rc == 0 { return true }
            if rc == LIBSSH2_ERROR_EAGAIN {
                try waiter.wait()
                continue
            }
            if rc.isLibSSH2SocketError { try throwTransportFailure(function: "libssh2_userauth_password", code: rc) }
            throw SSHError(code: .authenticationFailed, message: "password refused", underlying: "password refused")
        }
    }

    private func throwTransportFailure(function: String, code: Int32) throws(SSHError) -> Never {
        let (_, message) = LibSSH2.lastError(session)
        isBroken = true
        throw SSHError(
            code: .connectionLost,
            message: "the connection broke during \(function)",
            underlying: message
        )
    }

    // MARK: - Waiting

    func makeWaiter(deadline: Deadline, context: JobContext?, phase: String) -> SessionWaiter {
        guard let session else { preconditionFailure("makeWaiter on a closed SSHConnection") }
        let label = endpoint.label
        let budget = phase == "handshake" || phase == "auth" ? "the connect timeout" : "its deadline"
        return SessionWaiter(
            session: session,
            socket: socket,
            deadline: deadline,
            context: context,
            timeoutError: {
                SSHError(
                    code: .timedOut,
                    message:
                        "\(phase) with \(label) did not finish within \(budget); the server may be overloaded (MaxStartups) or the route slow",
                    host: label
                )
            },
            failure: { [weak self] function, code, message in
                if code.isLibSSH2SocketError {
                    self?.isBroken = true
                    return SSHError(
                        code: .connectionLost,
                        message:
                            "the connection to \(label) closed during \(phase) (\(function)); the server may have dropped it (MaxStartups, or sshd restarting)",
                        host: label,
                        underlying: message
                    )
                }
                if phase == "handshake" {
                    return SSHError(
                        code: .handshakeFailed,
                        message:
                            "the SSH key exchange with \(label) failed; the server may offer no algorithm libssh2 1.10 supports (aes-ctr, hmac-sha2, curve25519/ecdh)",
                        host: label,
                        underlying: "\(function): \(message)"
                    )
                }
                return SSHError(
                    code: .channelFailure,
                    message: "\(function) failed on \(label)",
                    host: label,
                    underlying: message
                )
            }
        )
    }

    func markBroken() { isBroken = true }

    // MARK: - Closing

    /// Disconnects, frees the session, then closes the socket, in that order.
    ///
    /// The session is freed before the socket is closed: closing first lets the next connection reuse the
    /// descriptor, and the old session would then write into the new connection.
    func close() {
        if let session {
            let deadline = Deadline.after(.milliseconds(500))
            if !isBroken {
                while drill_libssh2_session_disconnect(session, "drillctl closing") == LIBSSH2_ERROR_EAGAIN {
                    if deadline.hasPassed { break }
                    var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, 50)
                }
            }
            while libssh2_session_free(session) == LIBSSH2_ERROR_EAGAIN {
                if deadline.hasPassed {
                    // Give up on a graceful goodbye: with the socket shut down every pending write fails at once
                    // instead of waiting, and libssh2 finishes freeing.
                    shutdown(socket, Int32(SHUT_RDWR))
                }
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN | POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, 50)
            }
            self.session = nil
        }
        if socket >= 0 {
            Foundation.close(socket)
            socket = -1
        }
        tunnel = nil
    }
}
