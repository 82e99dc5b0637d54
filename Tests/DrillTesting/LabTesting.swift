import DrillCore
import DrillLab
import Foundation

/// Test glue for the practice range: start a lab in a fresh temporary folder and reach its hosts with the
/// OpenSSH client, the reference a transport is compared against.
public enum LabTesting {
    /// Starts a lab of `hosts` hosts on a free port in a new temporary folder, runs `body`, then stops the lab
    /// and removes the folder, whatever `body` did.
    public static func withLab<T>(
        hosts: Int,
        additionalAuthorizedKeys: [String] = [],
        _ body: (RunningLab) async throws -> T
    ) async throws -> T {
        let folder = try TemporaryDirectory(prefix: "drill-lab")
        defer { folder.remove() }
        let lab = try await Lab.start(
            hosts: hosts,
            in: folder.path + "/lab",
            additionalAuthorizedKeys: additionalAuthorizedKeys
        )
        do {
            let result = try await body(lab)
            try await lab.stop()
            return result
        } catch {
            try? await lab.stop()
            throw error
        }
    }

    /// Stops the lab in `directory` right away, for a test's `defer` (``Lab/downNow()``; errors ignored).
    public static func downNow(_ directory: String) {
        _ = try? Lab(directory: directory).downNow()
    }

    /// Runs the built `drillctl` with `arguments` and waits for it (through ``LabProcess``, swift-subprocess).
    public static func drillctl(
        _ arguments: [String],
        environment: [String: String] = [:]
    ) async throws -> CommandOutput {
        try await CommandRunner.run(CommandRunner.drillctlPath, arguments, environment: environment)
    }

    /// Runs `command` on `host` with OpenSSH's `ssh` (strict host key checking against `host.knownHostsFile`,
    /// key `host.privateKeyFile`, no agent, no password prompts).
    public static func openSSH(
        _ command: String,
        on host: ConnectionFacts,
        timeout: Int = 10
    ) async throws -> CommandOutput {
        var arguments = [
            "-F", "/dev/null",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "IdentitiesOnly=yes",
            "-o", "ConnectTimeout=\(timeout)",
            "-p", String(host.port),
        ]
        if let key = host.privateKeyFile { arguments += ["-i", key] }
        if let knownHosts = host.knownHostsFile { arguments += ["-o", "UserKnownHostsFile=\(knownHosts)"] }
        arguments.append(host.user.map { "\($0)@\(host.address)" } ?? host.address)
        arguments.append(command)
        return try await CommandRunner.run("/usr/bin/ssh", arguments)
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension LabTesting {
    /// A TCP port nothing listens on right now (the kernel's choice), for a lab started through the CLI or for
    /// an inventory entry that must be refused.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed")
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        precondition(ok, "could not bind a free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
