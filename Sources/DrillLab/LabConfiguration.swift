import DrillCore
import Foundation

/// What `drillctl lab up` starts: where, on which port, and which hosts.
public struct LabConfiguration: Sendable {
    /// The lab folder (made absolute). Everything the lab creates lives here.
    public var directory: String
    /// The TCP port every lab host answers on. `nil` picks a free port (for tests running in parallel).
    public var port: Int?
    /// The inventory the lab is shaped after: one target per host. Connection variables are replaced.
    public var source: Inventory
    /// The OpenSSH server to run (Debian's, from openssh-server).
    public var sshdPath: String
    /// The key generator (from openssh-client).
    public var sshKeygenPath: String
    /// The login user written to the inventory: the current user.
    public var user: String
    /// More public keys (OpenSSH `authorized_keys` lines, without options) allowed to log in, for example
    /// another lab's client key when this lab serves as a bastion.
    public var additionalAuthorizedKeys: [String]
    /// Where the source inventory came from, for the inventory's header.
    public var sourceDescription: String
    /// sshd's privilege-separation folder, which `up` creates (as root) before it invokes sshd at all. Always
    /// `/run/sshd` for Debian's sshd; tests of that order of work point it elsewhere.
    public var sshdPrivilegeSeparationFolder: String = SSHDPrerequisites.privilegeSeparationFolder

    /// A lab of `hostCount` generated hosts (see ``LabLayout``).
    public init(
        hostCount: Int,
        directory: String = ".drill-lab",
        port: Int? = 2222,
        sshdPath: String = "/usr/sbin/sshd",
        sshKeygenPath: String = "/usr/bin/ssh-keygen"
    ) {
        self.init(
            source: LabLayout.inventory(hostCount: max(1, hostCount)),
            sourceDescription: "\(hostCount) generated hosts (--hosts \(hostCount))",
            directory: directory,
            port: port,
            sshdPath: sshdPath,
            sshKeygenPath: sshKeygenPath
        )
    }

    /// A lab with one target per host of `source`.
    public init(
        source: Inventory,
        sourceDescription: String,
        directory: String = ".drill-lab",
        port: Int? = 2222,
        sshdPath: String = "/usr/sbin/sshd",
        sshKeygenPath: String = "/usr/bin/ssh-keygen"
    ) {
        self.source = source
        self.sourceDescription = sourceDescription
        self.directory = LabConfiguration.absolute(directory)
        self.port = port
        self.sshdPath = sshdPath
        self.sshKeygenPath = sshKeygenPath
        self.user = LabSystem.currentUserName()
        self.additionalAuthorizedKeys = []
    }

    /// `path` made absolute against the current folder, with `.`/`..` and a trailing `/` removed.
    static func absolute(_ path: String) -> String {
        let base = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in base.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// The files of a lab folder. `up` creates exactly these; `down` removes exactly these.
public struct LabPaths: Sendable, Hashable {
    public var directory: String

    public init(directory: String) { self.directory = LabConfiguration.absolute(directory) }

    public var sshdConfig: String { directory + "/sshd_config" }
    public var hostKey: String { directory + "/ssh_host_ed25519_key" }
    public var clientKey: String { directory + "/id_ed25519" }
    public var knownHosts: String { directory + "/known_hosts" }
    public var inventory: String { directory + "/inventory.yaml" }
    public var authorizedKeys: String { directory + "/authorized_keys.d" }
    public var hosts: String { directory + "/hosts" }
    public var pidFile: String { directory + "/sshd.pid" }
    public var log: String { directory + "/sshd.log" }
    public var readme: String { directory + "/README.md" }
    public var state: String { directory + "/lab.json" }

    /// Every top-level entry `up` creates, in the order `down` removes them (the state file last).
    public var created: [String] {
        [
            sshdConfig, hostKey, hostKey + ".pub", clientKey, clientKey + ".pub", knownHosts, inventory,
            authorizedKeys, hosts, pidFile, log, readme, state,
        ]
    }
}
