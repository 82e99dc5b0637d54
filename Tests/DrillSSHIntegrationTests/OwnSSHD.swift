import DrillLab
import DrillTesting
import Foundation

/// A throwaway OpenSSH server for the cases the lab does not configure (password logins): its own config, host
/// key and pid file in a temporary folder, `ListenAddress 127.0.10.x:PORT`, started in the foreground (`-D`) and
/// stopped by the pid it was started with.
final class OwnSSHD: @unchecked Sendable {
    // Invariant: mutated only in init and stop(), which a test calls from one task.
    let folder: TemporaryDirectory
    let address: String
    let port: Int
    let hostKeyLine: String
    private let process: BackgroundProcess

    /// Starts sshd with `extraConfig` lines appended to a minimal config.
    /// `extraHostKeyTypes` (`ecdsa`, …) adds host keys after the ed25519 one.
    init(address: String = "127.0.10.200", extraConfig: [String], extraHostKeyTypes: [String] = []) async throws {
        // As the lab does: sshd's privilege-separation folder first (a fresh machine has no /run/sshd).
        try SSHDPrerequisites.prepare()
        folder = try TemporaryDirectory(prefix: "drill-own-sshd")
        self.address = address
        let hostKey = folder.path + "/host_ed25519"
        let keygen = try await CommandRunner.run(
            "/usr/bin/ssh-keygen",
            ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]
        )
        guard keygen.status == 0 else { throw TestFailure("ssh-keygen: \(keygen)") }
        let publicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8)
        hostKeyLine = publicKey.split(separator: " ").prefix(2).joined(separator: " ")
        var hostKeyLines = ["HostKey \(hostKey)"]
        for type in extraHostKeyTypes {
            let path = folder.path + "/host_\(type)"
            _ = try await CommandRunner.run("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-f", path])
            hostKeyLines.append("HostKey \(path)")
        }
        var lastError = ""
        for _ in 0..<5 {
            let port = Int.random(in: 20000...60000)
            let config =
                [
                    "ListenAddress \(address):\(port)",
                    "PidFile \(folder.path)/sshd.pid",
                    "UsePAM no",
                    "StrictModes no",
                    "PrintMotd no",
                    "UseDNS no",
                    "Subsystem sftp internal-sftp",
                ] + hostKeyLines + extraConfig
            let configPath = try folder.write("sshd_config", config.joined(separator: "\n") + "\n")
            let log = open(try folder.write("sshd.log", ""), O_WRONLY | O_APPEND | O_CLOEXEC)
            defer { if log >= 0 { close(log) } }
            let process = try await BackgroundProcess.start(
                "/usr/sbin/sshd",
                ["-D", "-e", "-f", configPath],
                stdout: log >= 0 ? log : nil,
                stderr: log >= 0 ? log : nil
            )
            if await OwnSSHD.waitForListener(address: address, port: port) {
                self.port = port
                self.process = process
                return
            }
            await process.kill()
            lastError = (try? String(contentsOfFile: folder.path + "/sshd.log", encoding: .utf8)) ?? ""
        }
        throw TestFailure("could not start sshd on \(address): \(lastError)")
    }

    /// `[address]:port key` for a known_hosts file.
    var knownHostsLine: String { "[\(address)]:\(port) \(hostKeyLine)\n" }

    /// Kills the sessions this sshd started, then the sshd itself, with SIGKILL; swift-subprocess reaps it.
    func stop() {
        if process.isRunning {
            for child in OwnSSHD.children(of: process.pid) { kill(child, SIGKILL) }
            process.signal(SIGKILL)
        }
        folder.remove()
    }

    /// The pids whose parent is `pid` (from /proc; no child process needed).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let candidate = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? candidate : nil
        }
    }

    private static func waitForListener(address: String, port: Int) async -> Bool {
        for _ in 0..<50 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, address, &addr.sin_addr)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if rc == 0 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
