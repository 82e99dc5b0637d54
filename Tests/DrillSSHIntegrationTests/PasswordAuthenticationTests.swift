import DrillCore
import DrillSSH
import DrillTesting
import Foundation
import Testing

/// Password logins need a server that allows them and a user with a password. The lab allows keys only and root's
/// password must not change, so this test makes a dedicated local user with a random name and password, runs its
/// own sshd (password only, that user only, 127.0.10.200), and removes the user afterwards.
@Suite("password authentication against a real sshd")
struct PasswordAuthenticationTests {
    /// Removes the throwaway user, retrying while its killed sshd session is still being reaped (userdel refuses a
    /// user with live processes).
    static func removeUser(_ user: String) async {
        for _ in 0..<50 {
            guard let result = try? await CommandRunner.run("/usr/sbin/userdel", [user]), result.status != 0 else {
                return
            }
            if result.stderr.contains("does not exist") { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
        _ = try? await CommandRunner.run("/usr/sbin/userdel", ["-f", user])
    }

    @Test("password from the inventory, then from DRILL_SSH_PASSWORD; a wrong one never leaks")
    func password() async throws {
        guard geteuid() == 0 else {
            Issue.record("password test needs root to create a throwaway user (useradd)")
            return
        }
        let user = "drillpw\(Int.random(in: 10000...99999))"
        let password = "pw-\(UUID().uuidString)"
        let created = try await CommandRunner.run("/usr/sbin/useradd", ["-M", "-d", "/tmp", "-s", "/bin/sh", user])
        try #require(created.status == 0, "useradd failed: \(created)")
        do {
            try await exercise(user: user, password: password)
        } catch {
            await Self.removeUser(user)
            throw error
        }
        await Self.removeUser(user)
    }

    private func exercise(user: String, password: String) async throws {
        let set = try await CommandRunner.run("/usr/sbin/chpasswd", [], stdin: "\(user):\(password)\n")
        try #require(set.status == 0, "chpasswd failed: \(set)")

        let sshd = try await OwnSSHD(extraConfig: [
            "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication no",
            "AuthenticationMethods password",
            "AllowUsers \(user)",
        ])
        defer { sshd.stop() }
        let knownHosts = try sshd.folder.write("known_hosts", sshd.knownHostsLine)
        var facts = ConnectionFacts(
            name: "pwhost",
            address: sshd.address,
            port: sshd.port,
            user: user,
            password: Secret(password),
            knownHostsFile: knownHosts
        )
        let (ssh, log) = SSHTestSupport.transport()
        let result = try await ssh.run(RemoteCommand("id -un"), on: facts)
        #expect(result.stdout == "\(user)\n")
        await ssh.shutdown()

        facts.password = nil
        let (fromEnv, _) = SSHTestSupport.transport(environment: [SSHEnvironment.password: password])
        let output7 = try await fromEnv.run(RemoteCommand("echo env"), on: facts)
        #expect(output7.stdout == "env\n")
        await fromEnv.shutdown()

        let wrong = "wrong-\(UUID().uuidString)"
        facts.password = Secret(wrong)
        let (bad, badLog) = SSHTestSupport.transport()
        let error = await #expect(throws: SSHError.self) { try await bad.run(RemoteCommand("true"), on: facts) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.message.contains("Tried: password") == true)
        let everything = String(describing: error) + SSHTestSupport.allLogText(log) + SSHTestSupport.allLogText(badLog)
        #expect(!everything.contains(wrong))
        #expect(!everything.contains(password))
        await bad.shutdown()
    }
}
