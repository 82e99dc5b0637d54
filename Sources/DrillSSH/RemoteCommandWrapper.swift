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

    /// `exec timeout -s KILL <seconds> sh -c '<command>'`.
    static func wrap(_ command: String, timeout: Duration) -> String {
        "exec timeout -s KILL \(seconds(timeout)) sh -c \(shellQuote(command))"
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
