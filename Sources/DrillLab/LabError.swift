/// Why the practice range could not be started, inspected or stopped. Each message says what to do.
public struct LabError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for callers that branch on it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable, Hashable {
            case sshdMissing, sshKeygenMissing, portBusy, alreadyRunning, startFailed, badDirectory, tooManyHosts
            case commandFailed
        }
        fileprivate var value: Value

        /// `/usr/sbin/sshd` (openssh-server) is not installed.
        public static let sshdMissing = Code(value: .sshdMissing)
        /// `ssh-keygen` (openssh-client) is not installed.
        public static let sshKeygenMissing = Code(value: .sshKeygenMissing)
        /// Another program already listens on the lab's port.
        public static let portBusy = Code(value: .portBusy)
        /// A lab with other settings is already running in the folder.
        public static let alreadyRunning = Code(value: .alreadyRunning)
        /// sshd did not start (its log says why).
        public static let startFailed = Code(value: .startFailed)
        /// The lab folder is unusable (not a folder, not ours, or writable by others).
        public static let badDirectory = Code(value: .badDirectory)
        /// More hosts than loopback addresses the lab hands out.
        public static let tooManyHosts = Code(value: .tooManyHosts)
        /// A helper program (ssh-keygen) failed.
        public static let commandFailed = Code(value: .commandFailed)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// The full message: what failed, on what, and how to fix it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func sshdMissing(path: String) -> LabError {
        LabError(
            .sshdMissing,
            "openssh-server is not installed: run `apt-get install openssh-server` (no sshd at \(path))"
        )
    }
}
