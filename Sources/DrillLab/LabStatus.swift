import DrillCore

/// What is running in a lab folder, from `lab status` (and returned by `lab up`).
public struct LabStatus: Sendable {
    /// Whether the lab's sshd runs.
    public enum State: Sendable, Hashable {
        /// No lab in this folder.
        case absent
        /// The lab's files are there but its sshd is not running (stopped, killed, or the machine rebooted).
        case stopped
        /// The lab's sshd runs with this pid.
        case running(pid: Int32)
    }

    public var paths: LabPaths
    public var state: State
    /// The port every host answers on (nil when absent).
    public var port: Int?
    /// The login user of the lab hosts.
    public var user: String?
    /// The hosts, in inventory order.
    public var hosts: [LabHost]
    /// The lab's files that exist now.
    public var files: [String]
    /// True when `up` found this lab already running with the same settings and left it as it was.
    public var wasAlreadyRunning: Bool = false

    /// True when the sshd runs.
    public var isRunning: Bool {
        if case .running = state { return true }
        return false
    }

    /// The sshd pid when running.
    public var pid: Int32? {
        if case .running(let pid) = state { return pid }
        return nil
    }

    /// How to reach each host, as the lab's inventory says (key, known_hosts, port, user).
    public var connectionFacts: [ConnectionFacts] {
        guard let port else { return [] }
        return hosts.map { host in
            ConnectionFacts(
                name: host.name,
                address: host.address,
                port: port,
                user: user,
                privateKeyFile: paths.clientKey,
                knownHostsFile: paths.knownHosts
            )
        }
    }

    /// The commands to run next (ping, exec, ssh, down), as `lab up` prints them.
    public var usage: String {
        guard let port else { return "No practice range in \(paths.directory): start one with `drillctl lab up`.\n" }
        return LabServerConfig.usage(paths: paths, port: port, user: user ?? "root", hosts: hosts)
    }
}
