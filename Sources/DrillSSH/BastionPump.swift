import CLibSSH2
import Foundation
import Logging
import Synchronization

/// The target-side end of a tunnel through a bastion: a socket the target's libssh2 session uses as its transport.
///
/// Holding the handle keeps the bastion's pump alive; the target session closes ``socket`` itself (after freeing
/// its session) and the pump then closes the bastion channel.
final class TunnelHandle: Sendable {
    let socket: Int32
    private let pump: BastionPump

    init(socket: Int32, pump: BastionPump) {
        self.socket = socket
        self.pump = pump
    }
}

/// Bastion sessions shared by every tunnel through them, keyed by the route.
final class BastionRegistry: Sendable {
    private let pumps = Mutex<[String: BastionPump]>([:])
    private let isShutDown = Atomic<Bool>(false)
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Opens a direct-tcpip tunnel to `host`:`port` through the bastions `chain` (first hop first). Called on a
    /// worker thread; waits (on that thread) until the last bastion's pump answers or `deadline` passes.
    func openTunnel(
        through chain: [SessionEndpoint],
        to host: String,
        port: Int,
        deadline: Deadline,
        connectTimeout: Duration
    ) throws(SSHError) -> TunnelHandle {
        precondition(!chain.isEmpty)
        if isShutDown.load(ordering: .relaxed) {
            throw SSHError(code: .shutDown, message: "the SSH transport was shut down")
        }
        let key = chain.map { "\($0.credentials.user)@\($0.address):\($0.port)|\($0.knownHostsFile)" }
            .joined(separator: " > ")
        for _ in 0..<3 {
            let pump = pumps.withLock { pumps in
                if let existing = pumps[key], !existing.isClosing { return existing }
                let pump = BastionPump(
                    endpoint: chain[chain.count - 1],
                    upstream: Array(chain.dropLast()),
                    registry: self,
                    key: key,
                    connectTimeout: connectTimeout
                )
                pumps[key] = pump
                pump.start()
                return pump
            }
            if let socket = try pump.requestTunnel(to: host, port: port, deadline: deadline) {
                return TunnelHandle(socket: socket, pump: pump)
            }
            // That pump was closing; make a new one.
        }
        throw SSHError(code: .channelFailure, message: "could not open a tunnel through \(chain.last!.label)")
    }

    func remove(_ pump: BastionPump, key: String) {
        pumps.withLock { pumps in
            if pumps[key] === pump { pumps[key] = nil }
        }
    }

    func shutdown() {
        isShutDown.store(true, ordering: .relaxed)
        let all = pumps.withLock { pumps in
            defer { pumps = [:] }
            return Array(pumps.values)
        }
        for pump in all { pump.stop() }
    }
}

/// One bastion session and the thread that owns it: it opens direct-tcpip channels on request and copies bytes
/// between each channel and its socketpair, in both directions.
///
/// Invariant for `@unchecked Sendable`: `connection` and `tunnels` are touched only by the pump's own thread;
/// everything shared with other threads is in `shared` (a Mutex) or is the wake-up pipe.
final class BastionPump: @unchecked Sendable {
    private struct Request {
        var host: String
        var port: Int
        var deadline: Deadline
        var reply: ReplyBox
    }

    private struct Shared {
        var requests: [Request] = []
        var closing = false
        var failure: SSHError?
    }

    /// Carries the reply of one tunnel request from the pump thread to the waiting worker thread.
    final class ReplyBox: Sendable {
        private let state = Mutex<(result: Result<Int32, SSHError>?, abandoned: Bool)>((nil, false))
        private let semaphore = DispatchSemaphore(value: 0)

        /// Delivers the result; when the requester gave up, closes the socket instead.
        func deliver(_ result: Result<Int32, SSHError>) {
            let abandoned = state.withLock { state in
                state.result = result
                return state.abandoned
            }
            if abandoned, case .success(let fd) = result { close(fd) }
            semaphore.signal()
        }

        func wait(until deadline: Deadline) -> Result<Int32, SSHError>? {
            let left = Int(deadline.millisecondsLeft(cap: Int32.max))
            _ = semaphore.wait(timeout: .now() + .milliseconds(left))
            return state.withLock { state in
                if state.result == nil { state.abandoned = true }
                return state.result
            }
        }
    }

    private final class Tunnel {
        let channel: OpaquePointer
        let fd: Int32
        var toSocket: [UInt8] = []
        var toChannel: [UInt8] = []
        var localEOF = false
        var remoteEOF = false
        var sentEOF = false
        var shutWrite = false

        init(channel: OpaquePointer, fd: Int32) {
            self.channel = channel
            self.fd = fd
        }
    }

    let endpoint: SessionEndpoint
    private let upstream: [SessionEndpoint]
    private unowned let registry: BastionRegistry
    private let key: String
    private let connectTimeout: Duration
    private let shared = Mutex(Shared())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var connection: SSHConnection?
    private var upstreamTunnel: TunnelHandle?
    private var tunnels: [Tunnel] = []

    init(
        endpoint: SessionEndpoint,
        upstream: [SessionEndpoint],
        registry: BastionRegistry,
        key: String,
        connectTimeout: Duration
    ) {
        self.endpoint = endpoint
        self.upstream = upstream
        self.registry = registry
        self.key = key
        self.connectTimeout = connectTimeout
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    var isClosing: Bool { shared.withLock { $0.closing } }

    func start() {
        let thread = Thread { [self] in self.main() }
        thread.name = "drill-ssh-bastion"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Asks the pump thread for a tunnel. Nil when the pump is closing (ask a new one).
    func requestTunnel(to host: String, port: Int, deadline: Deadline) throws(SSHError) -> Int32? {
        let box = ReplyBox()
        let accepted: Result<Bool, SSHError> = shared.withLock { shared in
            if let failure = shared.failure { return .failure(failure) }
            if shared.closing { return .success(false) }
            shared.requests.append(Request(host: host, port: port, deadline: deadline, reply: box))
            return .success(true)
        }
        guard try accepted.get() else { return nil }
        wake()
        guard let result = box.wait(until: deadline) else {
            throw SSHError(
                code: .timedOut,
                message:
                    "opening a tunnel through \(endpoint.label) to \(host) port \(port) did not finish within the connect timeout",
                host: endpoint.label
            )
        }
        return try result.get()
    }

    func stop() {
        shared.withLock { $0.closing = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: - Pump thread

    private func main() {
        do throws(SSHError) {
            try connect()
        } catch {
            let requests = shared.withLock { shared in
                shared.failure = error
                shared.closing = true
                defer { shared.requests = [] }
                return shared.requests
            }
            for request in requests { request.reply.deliver(.failure(error)) }
            registry.remove(self, key: key)
            return
        }
        loop()
        for tunnel in tunnels { closeTunnel(tunnel) }
        tunnels = []
        connection?.close()
        connection = nil
        upstreamTunnel = nil
        registry.remove(self, key: key)
        let requests = shared.withLock { shared in
            shared.closing = true
            defer { shared.requests = [] }
            return shared.requests
        }
        for request in requests {
            request.reply.deliver(.failure(SSHError(code: .shutDown, message: "the bastion was closed")))
        }
    }

    private func connect() throws(SSHError) {
        let started = Deadline.now()
        let deadline = Deadline.after(connectTimeout)
        let socket: Int32
        if upstream.isEmpty {
            socket = try TCPConnector.connect(
                address: endpoint.address,
                port: endpoint.port,
                deadline: deadline,
                context: nil
            )
        } else {
            let handle = try registry.openTunnel(
                through: upstream,
                to: endpoint.address,
                port: endpoint.port,
                deadline: deadline,
                connectTimeout: connectTimeout
            )
            upstreamTunnel = handle
            socket = handle.socket
        }
        let (connection, _) = try SSHConnection.open(
            endpoint: endpoint,
            socket: socket,
            started: started,
            deadline: deadline,
            context: nil,
            logger: registry.logger
        )
        self.connection = connection
        registry.logger.debug("bastion session open", metadata: ["host": "\(endpoint.label)"])
    }

    private func loop() {
        guard let connection, let session = connection.session else { return }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: 32 * 1024)
        defer { buffer.deallocate() }
        while true {
            let (requests, closing): ([Request], Bool) = shared.withLock { shared in
                defer { shared.requests = [] }
                if !shared.closing && shared.requests.isEmpty && tunnels.isEmpty && idleSince != nil
                    && Deadline.elapsed(since: idleSince!) > .seconds(5)
                {
                    shared.closing = true
                }
                return (shared.requests, shared.closing)
            }
            for request in requests {
                if closing {
                    request.reply.deliver(.failure(SSHError(code: .shutDown, message: "the bastion is closing")))
                } else {
                    open(request, session: session)
                }
            }
            if closing { return }
            if connection.isBroken {
                // The bastion connection died: every tunnel through it ends.
                shared.withLock { $0.closing = true }
                return
            }
            var progressed = false
            for tunnel in tunnels where pump(tunnel, buffer: buffer) { progressed = true }
            let finished = tunnels.filter { $0.localEOF && ($0.sentEOF || connection.isBroken) }
            if !finished.isEmpty {
                for tunnel in finished { closeTunnel(tunnel) }
                tunnels.removeAll { tunnel in finished.contains { $0 === tunnel } }
                progressed = true
            }
            if tunnels.isEmpty {
                if idleSince == nil { idleSince = .now() }
            } else {
                idleSince = nil
            }
            if progressed { continue }
            if tunnels.contains(where: { libssh2_poll_channel_read($0.channel, 0) != 0 }) { continue }
            var descriptors: [pollfd] = []
            let directions = libssh2_session_block_directions(session)
            var events = Int16(POLLIN)
            if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
            descriptors.append(pollfd(fd: connection.socket, events: events, revents: 0))
            descriptors.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            for tunnel in tunnels {
                var events: Int16 = 0
                if tunnel.toChannel.isEmpty && !tunnel.localEOF { events |= Int16(POLLIN) }
                if !tunnel.toSocket.isEmpty { events |= Int16(POLLOUT) }
                descriptors.append(pollfd(fd: tunnel.fd, events: events, revents: 0))
            }
            _ = poll(&descriptors, nfds_t(descriptors.count), 1000)
            if descriptors[1].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
        }
    }

    private var idleSince: Deadline?

    private func open(_ request: Request, session: OpaquePointer) {
        guard let connection else { return }
        var waiter = connection.makeWaiter(deadline: request.deadline, context: nil, phase: "tunnel")
        waiter.failure = { function, code, message in
            SSHError(
                code: code.isLibSSH2SocketError ? .connectionLost : .unreachable,
                message:
                    "\(self.endpoint.label) could not open a connection to \(request.host) port \(request.port) (\(function)); check that the target is reachable from the bastion and that the bastion allows TCP forwarding",
                host: self.endpoint.label,
                underlying: message
            )
        }
        do throws(SSHError) {
            let channel = try waiter.pointer("libssh2_channel_direct_tcpip") {
                drill_libssh2_channel_direct_tcpip(session, request.host, Int32(request.port))
            }
            var pair: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
                connection.freeChannel(channel, deadline: .after(.seconds(1)))
                throw SSHError(code: .channelFailure, message: "socketpair failed: \(String(cString: strerror(errno)))")
            }
            for fd in pair { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            tunnels.append(Tunnel(channel: channel, fd: pair[0]))
            request.reply.deliver(.success(pair[1]))
        } catch {
            request.reply.deliver(.failure(error))
        }
    }

    /// Moves what can move without waiting; true if anything moved.
    private func pump(_ tunnel: Tunnel, buffer: UnsafeMutablePointer<CChar>) -> Bool {
        var progressed = false
        // Bastion channel → target socket.
        if tunnel.toSocket.isEmpty && !tunnel.remoteEOF {
            let count = drill_libssh2_channel_read(tunnel.channel, buffer, 32 * 1024)
            if count > 0 {
                buffer.withMemoryRebound(to: UInt8.self, capacity: count) {
                    tunnel.toSocket.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
                }
                progressed = true
            } else if count == 0 || (count < 0 && count != Int(LIBSSH2_ERROR_EAGAIN)) {
                if count < 0 { connection?.markBroken() }
                if count < 0 || libssh2_channel_eof(tunnel.channel) != 0 {
                    tunnel.remoteEOF = true
                    progressed = true
                }
            }
        }
        if !tunnel.toSocket.isEmpty {
            let sent = tunnel.toSocket.withUnsafeBytes {
                send(tunnel.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                tunnel.toSocket.removeFirst(sent)
                progressed = true
            } else if sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                tunnel.toSocket = []
                tunnel.localEOF = true
                progressed = true
            }
        }
        if tunnel.remoteEOF && tunnel.toSocket.isEmpty && !tunnel.shutWrite {
            shutdown(tunnel.fd, Int32(SHUT_WR))
            tunnel.shutWrite = true
        }
        // Target socket → bastion channel.
        if tunnel.toChannel.isEmpty && !tunnel.localEOF {
            let received = recv(tunnel.fd, buffer, 32 * 1024, 0)
            if received > 0 {
                buffer.withMemoryRebound(to: UInt8.self, capacity: received) {
                    tunnel.toChannel.append(contentsOf: UnsafeBufferPointer(start: $0, count: received))
                }
                progressed = true
            } else if received == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                tunnel.localEOF = true
                progressed = true
            }
        }
        if !tunnel.toChannel.isEmpty {
            let written = tunnel.toChannel.withUnsafeBytes {
                drill_libssh2_channel_write(
                    tunnel.channel,
                    $0.baseAddress!.assumingMemoryBound(to: CChar.self),
                    $0.count
                )
            }
            if written > 0 {
                tunnel.toChannel.removeFirst(written)
                progressed = true
            } else if written < 0 && written != Int(LIBSSH2_ERROR_EAGAIN) {
                tunnel.toChannel = []
                tunnel.localEOF = true
                progressed = true
            }
        }
        if tunnel.localEOF && tunnel.toChannel.isEmpty && !tunnel.sentEOF {
            let rc = libssh2_channel_send_eof(tunnel.channel)
            if rc != LIBSSH2_ERROR_EAGAIN {
                tunnel.sentEOF = true
                progressed = true
            }
        }
        return progressed
    }

    private func closeTunnel(_ tunnel: Tunnel) {
        if let connection {
            let deadline = Deadline.after(.seconds(1))
            while libssh2_channel_close(tunnel.channel) == LIBSSH2_ERROR_EAGAIN && !deadline.hasPassed {
                var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN | POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, 50)
            }
            connection.freeChannel(tunnel.channel, deadline: deadline)
        }
        close(tunnel.fd)
    }
}
