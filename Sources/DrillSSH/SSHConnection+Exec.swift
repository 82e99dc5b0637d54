import CLibSSH2
import DrillCore
import Foundation
import Logging

/// Keeps the first `limit` bytes of a stream and counts the rest.
struct BoundedBuffer {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(limit: Int) { self.limit = max(0, limit) }

    mutating func append(_ chunk: UnsafeBufferPointer<UInt8>) {
        let room = limit - bytes.count
        if chunk.count > room {
            truncated = true
            if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
        } else {
            bytes.append(contentsOf: chunk)
        }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension SSHConnection {
    /// How long after the remote `timeout` should have fired the client gives up on the channel.
    static let clientDeadlineGrace: Duration = .seconds(3)

    /// Runs `command` on a new channel of this session and reads stdout and stderr interleaved.
    ///
    /// - Throws: ``SSHError``: `.connectionLost` or `.channelFailure` when the command did not start (safe to retry
    ///   on another session), `.outcomeUnknown` when the connection broke after it started, `.cancelled`.
    func exec(_ command: RemoteCommand, context: JobContext?, logger: Logger) throws(SSHError) -> RemoteResult {
        guard let session else {
            throw SSHError(code: .connectionLost, message: "session already closed", host: endpoint.label)
        }
        let label = endpoint.label
        let started = Deadline.now()
        let clientDeadline = Deadline.after(command.timeout + Self.clientDeadlineGrace)
        let setupWaiter = makeWaiter(deadline: clientDeadline, context: context, phase: "channel set-up")
        // Opening the channel: a failure here means nothing ran.
        let channel: OpaquePointer
        do throws(SSHError) {
            channel = try setupWaiter.pointer("libssh2_channel_open_session") {
                drill_libssh2_channel_open_session(session)
            }
        } catch {
            throw error.code == .channelFailure
                ? SSHError(
                    code: .channelFailure,
                    message:
                        "\(label) refused to open a session channel (MaxSessions reached?); the command did not run",
                    host: label,
                    underlying: error.underlying
                ) : error
        }
        var channelOpen = true
        defer {
            if channelOpen {
                // Leaving early (error, cancellation): don't wait for the server; a session whose channel could not
                // be freed at once is marked broken and closed instead of reused.
                freeChannel(channel, deadline: .after(.milliseconds(100)))
            }
        }
        let wrapped = RemoteCommandWrapper.wrap(command.command, timeout: command.timeout)
        do throws(SSHError) {
            try setupWaiter.call("libssh2_channel_exec") { drill_libssh2_channel_exec(channel, wrapped) }
        } catch {
            if error.code == .connectionLost {
                markBroken()
                throw SSHError(
                    code: .outcomeUnknown,
                    message:
                        "the connection to \(label) broke while starting the command; it may or may not have run. Check the host before running it again",
                    host: label,
                    underlying: error.underlying
                )
            }
            throw SSHError(
                code: .channelFailure,
                message: "\(label) refused to start the command; it did not run",
                host: label,
                underlying: error.underlying
            )
        }
        // No stdin: like `ssh host cmd </dev/null`, so a command that reads stdin sees end-of-file.
        _ = try? setupWaiter.call("libssh2_channel_send_eof") { libssh2_channel_send_eof(channel) }

        var stdout = BoundedBuffer(limit: command.outputLimit)
        var stderr = BoundedBuffer(limit: command.outputLimit)
        var clientTimedOut = false
        var pidLine = PidLineParser()
        let readWaiter = makeWaiter(deadline: clientDeadline, context: context, phase: "command")
        let chunkSize = 32 * 1024
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        readLoop: while true {
            var progressed = false
            // Read both streams every round: reading only stdout while the command fills the window with stderr
            // deadlocks.
            for isStderr in [false, true] {
                let count =
                    isStderr
                    ? drill_libssh2_channel_read_stderr(channel, buffer, chunkSize)
                    : drill_libssh2_channel_read(channel, buffer, chunkSize)
                if count > 0 {
                    progressed = true
                    buffer.withMemoryRebound(to: UInt8.self, capacity: count) { pointer in
                        let chunk = UnsafeBufferPointer(start: pointer, count: count)
                        if isStderr {
                            let passed = pidLine.feed(chunk)
                            passed.withUnsafeBufferPointer { stderr.append($0) }
                        } else {
                            stdout.append(chunk)
                        }
                    }
                } else if count < 0 && count != Int(LIBSSH2_ERROR_EAGAIN) {
                    markBroken()
                    throw lostAfterStart(code: Int32(count))
                }
            }
            if progressed { continue }
            // Nothing buffered on either stream and the server sent EOF: all output is read.
            if libssh2_channel_eof(channel) != 0 { break }
            do throws(SSHError) {
                try readWaiter.wait()
            } catch {
                if error.code == .timedOut {
                    clientTimedOut = true
                    killRemote(pid: pidLine.pid, logger: logger)
                    break readLoop
                }
                if error.code == .cancelled {
                    // Closing the channel would leave the command running on the target: kill it first.
                    killRemote(pid: pidLine.pid, logger: logger)
                }
                throw error
            }
        }
        pidLine.finish().withUnsafeBufferPointer { stderr.append($0) }
        var exitStatus: Int32?
        var exitSignal: String?
        if !clientTimedOut {
            // > libssh2_channel_wait_closed: "Enter a temporary blocking state until the remote host closes the named
            // > channel." The exit-status and exit-signal requests arrive before the close.
            let closeWaiter = makeWaiter(deadline: .after(.seconds(5)), context: nil, phase: "channel close")
            do throws(SSHError) {
                try closeWaiter.call("libssh2_channel_close") { libssh2_channel_close(channel) }
                try closeWaiter.call("libssh2_channel_wait_closed") { libssh2_channel_wait_closed(channel) }
            } catch {
                if error.code == .connectionLost || error.code == .timedOut {
                    markBroken()
                    throw lostAfterStart(code: LIBSSH2_ERROR_SOCKET_DISCONNECT)
                }
            }
            exitSignal = readExitSignal(channel)
            if exitSignal == nil { exitStatus = libssh2_channel_get_exit_status(channel) }
        }
        channelOpen = false
        freeChannel(channel, deadline: .after(.seconds(2)))
        let elapsed = Deadline.elapsed(since: started)
        let timedOut =
            clientTimedOut
            || RemoteCommandWrapper.wasKilledByDeadline(
                exitStatus: exitStatus,
                exitSignal: exitSignal,
                elapsed: elapsed,
                timeout: command.timeout
            )
        if clientTimedOut {
            logger.warning(
                "command on \(label) still held its channel \(Self.clientDeadlineGrace) after its deadline; channel closed (is `timeout` installed on the target?)",
                metadata: ["host": "\(label)"]
            )
        }
        return RemoteResult(
            exitStatus: exitStatus,
            exitSignal: exitSignal,
            stdout: stdout.text,
            stderr: stderr.text,
            stdoutTruncated: stdout.truncated,
            stderrTruncated: stderr.truncated,
            timedOut: timedOut,
            timings: RemoteTimings(run: elapsed)
        )
    }

    /// Kills the command's process group on the target over a second channel of this session (best effort, at most
    /// two seconds). libssh2 1.10 cannot send signals and closing a channel does not stop a remote command.
    private func killRemote(pid: Int32?, logger: Logger) {
        guard let pid, let session, !isBroken else {
            logger.warning(
                "could not stop the command on \(endpoint.label): its pid is unknown; it runs until its own deadline",
                metadata: ["host": "\(endpoint.label)"]
            )
            return
        }
        let waiter = makeWaiter(deadline: .after(.seconds(2)), context: nil, phase: "kill")
        do throws(SSHError) {
            let channel = try waiter.pointer("libssh2_channel_open_session") {
                drill_libssh2_channel_open_session(session)
            }
            defer { freeChannel(channel, deadline: .after(.milliseconds(500))) }
            let command = RemoteCommandWrapper.killCommand(pid: pid)
            try waiter.call("libssh2_channel_exec") { drill_libssh2_channel_exec(channel, command) }
            try waiter.call("libssh2_channel_close") { libssh2_channel_close(channel) }
            try waiter.call("libssh2_channel_wait_closed") { libssh2_channel_wait_closed(channel) }
            logger.debug("killed process group \(pid) on the target", metadata: ["host": "\(endpoint.label)"])
        } catch {
            logger.warning(
                "could not stop the command on \(endpoint.label) (\(error.code)); it runs until its own deadline",
                metadata: ["host": "\(endpoint.label)"]
            )
        }
    }

    private func lostAfterStart(code: Int32) -> SSHError {
        let (_, message) = LibSSH2.lastError(session)
        return SSHError(
            code: .outcomeUnknown,
            message:
                "the connection to \(endpoint.label) broke while the command was running; it may have finished, failed or still be running. Check the host before running it again",
            host: endpoint.label,
            underlying: message
        )
    }

    /// `libssh2_channel_get_exit_signal`: the signal name (without `SIG`) when the command was killed.
    private func readExitSignal(_ channel: OpaquePointer) -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var nameLength = 0
        var message: UnsafeMutablePointer<CChar>?
        var messageLength = 0
        var language: UnsafeMutablePointer<CChar>?
        var languageLength = 0
        guard
            libssh2_channel_get_exit_signal(
                channel,
                &name,
                &nameLength,
                &message,
                &messageLength,
                &language,
                &languageLength
            ) == 0
        else { return nil }
        // > "exitsignal … allocated by libssh2 … must be freed with libssh2_free()" (the other two as well).
        defer {
            for pointer in [name, message, language] where pointer != nil { libssh2_free(session, pointer) }
        }
        guard let name, nameLength > 0 else { return nil }
        return name.withMemoryRebound(to: UInt8.self, capacity: nameLength) {
            String(decoding: UnsafeBufferPointer(start: $0, count: nameLength), as: UTF8.self)
        }
    }

    /// Frees a channel; when the session cannot finish that in time it is marked broken (never reused).
    func freeChannel(_ channel: OpaquePointer, deadline: Deadline) {
        while true {
            let rc = libssh2_channel_free(channel)
            if rc != LIBSSH2_ERROR_EAGAIN {
                if rc < 0 { markBroken() }
                return
            }
            if deadline.hasPassed {
                markBroken()
                return
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN | POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 50)
        }
    }
}
