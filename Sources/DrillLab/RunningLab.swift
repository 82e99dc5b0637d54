import DrillCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A lab started by a test: its connection facts, and controls for fault tests (kill or restart the sshd).
///
/// ```swift
/// let lab = try await Lab.start(hosts: 3, in: temporaryDirectory.path)
/// let result = try await executor.run(RemoteCommand("echo ok"), on: lab.connectionFacts[0])
/// ```
public struct RunningLab: Sendable {
    /// The lab's files (client key, known_hosts, inventory, log …).
    public let paths: LabPaths
    /// The port every host answers on.
    public let port: Int
    /// The login user.
    public let user: String
    /// The hosts, in inventory order.
    public let hosts: [LabHost]
    let sshdPath: String

    /// How to reach each host (address, port, user, the lab's client key and known_hosts), in inventory order.
    public var connectionFacts: [ConnectionFacts] {
        hosts.map { host in
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

    /// The facts of the host named `name`, if the lab has it.
    public func connectionFacts(forHost name: String) -> ConnectionFacts? {
        connectionFacts.first { $0.name == name }
    }

    /// The client's public key (`ssh-ed25519 AAAA…`), to let this lab's key into another lab (a bastion).
    public var clientPublicKey: String {
        let text = (try? String(contentsOfFile: paths.clientKey + ".pub", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The lab's known_hosts lines, to combine with another lab's.
    public var knownHostsText: String {
        (try? String(contentsOfFile: paths.knownHosts, encoding: .utf8)) ?? ""
    }

    /// The pid of the running sshd listener, nil when it is not running.
    public var serverPid: Int32? {
        Lab(directory: paths.directory).ourServerPid(sshdPath: sshdPath)
    }

    /// Stops the sshd and removes the lab folder's files (``Lab/down()``).
    public func stop() async throws {
        try await Lab(directory: paths.directory).down()
    }

    /// Kills the sshd listener and every session it started with SIGKILL, leaving the files in place: the
    /// hosts stop answering (connection refused) and running commands lose their connection.
    public func killServer() async {
        guard let pid = serverPid else { return }
        let sessions = LabSystem.descendants(of: pid)
        LabSystem.signal(pid, SIGKILL)
        for session in sessions { LabSystem.signal(session, SIGKILL) }
        _ = await LabSystem.waitUntilGone(pid, timeout: .seconds(5))
        for session in sessions { _ = await LabSystem.waitUntilGone(session, timeout: .seconds(2)) }
    }

    /// Kills the sessions (logged-in connections and their commands) but keeps the listener: new connections
    /// work, existing ones are cut.
    public func killSessions() {
        guard let pid = serverPid else { return }
        for session in LabSystem.descendants(of: pid) { LabSystem.signal(session, SIGKILL) }
    }

    /// Starts the sshd again (same config, host key and port) after ``killServer()``; does nothing when it runs.
    public func restartServer() async throws {
        guard serverPid == nil else { return }
        _ = try await Lab.launchServer(sshdPath, paths: paths, port: port)
    }
}

extension Lab {
    /// Starts a lab of `hosts` generated hosts in `directory` for a test, on a free port unless `port` is given.
    ///
    /// - Parameters:
    ///   - hosts: how many target hosts (127.0.10.1 …).
    ///   - directory: the lab folder, usually a fresh temporary folder.
    ///   - port: a fixed port, or nil for one the kernel says is free (tests run in parallel).
    ///   - additionalAuthorizedKeys: other public keys the hosts accept (another lab's ``RunningLab/clientPublicKey``).
    ///   - sshdPath: the sshd to run.
    /// - Throws: ``LabError`` (openssh-server missing, port busy, sshd failed to start).
    public static func start(
        hosts: Int,
        in directory: String,
        port: Int? = nil,
        additionalAuthorizedKeys: [String] = [],
        sshdPath: String = "/usr/sbin/sshd"
    ) async throws -> RunningLab {
        var configuration = LabConfiguration(hostCount: hosts, directory: directory, port: port, sshdPath: sshdPath)
        configuration.additionalAuthorizedKeys = additionalAuthorizedKeys
        return try await start(configuration)
    }

    /// Starts a lab from a full configuration for a test.
    public static func start(_ configuration: LabConfiguration) async throws -> RunningLab {
        let status = try await up(configuration)
        return RunningLab(
            paths: status.paths,
            port: status.port ?? 0,
            user: status.user ?? configuration.user,
            hosts: status.hosts,
            sshdPath: configuration.sshdPath
        )
    }
}
