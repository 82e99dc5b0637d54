import Foundation

/// Builds the command line sent to the target so that a deadline is enforced on the target itself.
///
/// Closing an SSH channel does not stop the remote command, and libssh2 1.10 cannot send signals, so DrillSSH runs
/// every command as `exec timeout -s KILL <seconds> sh -c '<command>'`. GNU `timeout` (coreutils, also busybox)
/// puts itself and the command in a new process group and, at the deadline, sends KILL to the whole group: the
/// command and every child it started (unless a child left the group with `setsid`). The client keeps its own
/// deadline a few seconds later as a backstop and then closes the channel.
enum RemoteCommandWrapper {
    /// Quotes `text` for a POSIX shell: `'…'`, with each `'` written as `'\''`.
    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `printf 'drill-pid:%s\n' "$$" >&2; exec timeout -s KILL <seconds> sh -c '<command>'`.
    ///
    /// The first stderr line names the pid of `timeout` (the login shell `exec`s it, so `$$` is its pid), which is
    /// also the process group it creates. ``PidLineParser`` takes that line out of stderr; when the caller cancels,
    /// or the client's backstop fires, the client kills that group over a second channel.
    static func wrap(_ command: String, timeout: Duration) -> String {
        "printf '\(pidPrefix)%s\\n' \"$$\" >&2; exec timeout -s KILL \(seconds(timeout)) sh -c \(shellQuote(command))"
    }

    static let pidPrefix = "drill-pid:"

    /// The command that kills the process group `pid` (and `pid` itself) on the target.
    static func killCommand(pid: Int32) -> String {
        "kill -KILL -- -\(pid) \(pid) 2>/dev/null; true"
    }

    /// `timeout`'s duration argument: whole seconds, or seconds with up to three decimals; at least 0.001.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = max(
            1,
            duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        )
        if milliseconds % 1000 == 0 { return String(milliseconds / 1000) }
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// True when the wrapped command was stopped by its deadline: `timeout` exits with 137 (128 + KILL) or is
    /// itself killed by the group-wide KILL, and at least `timeout` has passed.
    static func wasKilledByDeadline(
        exitStatus: Int32?,
        exitSignal: String?,
        elapsed: Duration,
        timeout: Duration
    ) -> Bool {
        guard elapsed >= timeout - .milliseconds(50) else { return false }
        return exitSignal == "KILL" || exitStatus == 137
    }
}

/// Takes the `drill-pid:<n>` line that ``RemoteCommandWrapper/wrap(_:timeout:)`` puts first on stderr out of the
/// stream, and passes everything else through.
struct PidLineParser {
    private(set) var pid: Int32?
    private var pending: [UInt8] = []
    private var done = false

    /// Feeds a chunk of stderr; returns the bytes that belong to the command's own stderr.
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if done { return Array(chunk) }
        pending.append(contentsOf: chunk)
        guard let newline = pending.firstIndex(of: UInt8(ascii: "\n")) else {
            if pending.count > 64 {
                done = true
                defer { pending = [] }
                return pending
            }
            return []
        }
        done = true
        let line = String(decoding: pending[..<newline], as: UTF8.self)
        let rest = Array(pending[(newline + 1)...])
        pending = []
        if line.hasPrefix(RemoteCommandWrapper.pidPrefix),
            let value = Int32(line.dropFirst(RemoteCommandWrapper.pidPrefix.count)), value > 1
        {
            pid = value
            return rest
        }
        return Array(line.utf8) + [UInt8(ascii: "\n")] + rest
    }

    /// Whatever is still held back (a short first line with no newline yet) when the stream ends.
    mutating func finish() -> [UInt8] {
        done = true
        defer { pending = [] }
        return pending
    }
}
