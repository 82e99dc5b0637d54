import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import InMemoryLogging
import Logging
import Testing

/// Host key checking against the lab's real host key, with known_hosts files written as OpenSSH writes them.
@Suite("host key checking against a real sshd")
struct HostKeyTests {
    /// The lab's host key line (`ssh-ed25519 AAAA…`) and its fingerprint as ssh-keygen prints it.
    static func hostKey(_ lab: RunningLab) async throws -> (line: String, fingerprint: String) {
        let line = try String(contentsOfFile: lab.paths.hostKey + ".pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let printed = try await CommandRunner.run("/usr/bin/ssh-keygen", ["-lf", lab.paths.hostKey + ".pub"])
        let fingerprint = printed.stdout.split(separator: " ")[1]
        return (line, String(fingerprint))
    }

    static func facts(_ lab: RunningLab, knownHosts: String) -> ConnectionFacts {
        var facts = lab.connectionFacts[0]
        facts.knownHostsFile = knownHosts
        return facts
    }

    @Test("strict: an unknown host is refused, naming host, key type, fingerprint and the file")
    func strictUnknown() async throws {
        try await withLab(hosts: 1) { lab in
            let hostKey = try await Self.hostKey(lab)
            let folder = try TemporaryDirectory(prefix: "drill-kh")
            defer { folder.remove() }
            let knownHosts = try folder.write("known_hosts", "")
            let (ssh, _) = SSHTestSupport.transport()
            let facts = Self.facts(lab, knownHosts: knownHosts)
            let error = await #expect(throws: SSHError.self) { try await ssh.run(RemoteCommand("true"), on: facts) }
            let fingerprint = hostKey.fingerprint
            #expect(error?.code == .hostKeyUnknown)
            #expect(error?.message.contains("\(facts.address) port \(facts.port) is not in \(knownHosts)") == true)
            #expect(error?.message.contains("ssh-ed25519 key \(fingerprint)") == true)
        }
    }

    @Test("strict: a changed key is refused with the file and line of the recorded key")
    func changedKey() async throws {
        try await withLab(hosts: 1) { lab in
            let hostKey = try await Self.hostKey(lab)
            let folder = try TemporaryDirectory(prefix: "drill-kh")
            defer { folder.remove() }
            let other = try await SSHTestSupport.generateKey(in: folder, name: "other", type: "ed25519")
            let otherLine = try SSHTestSupport.publicKey(of: other)
            let address = lab.hosts[0].address
            let knownHosts = try folder.write(
                "known_hosts",
                "# first line\n[\(address)]:\(lab.port) \(otherLine)\n"
            )
            let (ssh, _) = SSHTestSupport.transport()
            let error = await #expect(throws: SSHError.self) {
                try await ssh.run(RemoteCommand("true"), on: Self.facts(lab, knownHosts: knownHosts))
            }
            #expect(error?.code == .hostKeyChanged)
            #expect(error?.message.contains("\(knownHosts):2") == true)
            #expect(error?.message.contains(hostKey.fingerprint) == true)
        }
    }

    @Test("hashed entries (ssh-keygen -H) are trusted")
    func hashed() async throws {
        try await withLab(hosts: 1) { lab in
            let folder = try TemporaryDirectory(prefix: "drill-kh")
            defer { folder.remove() }
            let knownHosts = try folder.write("known_hosts", lab.knownHostsText)
            let hashed = try await CommandRunner.run("/usr/bin/ssh-keygen", ["-H", "-f", knownHosts])
            #expect(hashed.status == 0)
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).hasPrefix("|1|"))
            let (ssh, _) = SSHTestSupport.transport()
            let result = try await ssh.run(RemoteCommand("echo ok"), on: Self.facts(lab, knownHosts: knownHosts))
            #expect(result.stdout == "ok\n")
            await ssh.shutdown()
        }
    }

    @Test("a port-less line does not vouch for another port (OpenSSH semantics)")
    func portlessLine() async throws {
        try await withLab(hosts: 1) { lab in
            let hostKey = try await Self.hostKey(lab)
            let folder = try TemporaryDirectory(prefix: "drill-kh")
            defer { folder.remove() }
            let knownHosts = try folder.write("known_hosts", "\(lab.hosts[0].address) \(hostKey.line)\n")
            let (ssh, _) = SSHTestSupport.transport()
            let error = await #expect(throws: SSHError.self) {
                try await ssh.run(RemoteCommand("true"), on: Self.facts(lab, knownHosts: knownHosts))
            }
            #expect(error?.code == .hostKeyUnknown)
        }
    }

    @Test("@revoked is honoured even when another line trusts the key")
    func revoked() async throws {
        try await withLab(hosts: 1) { lab in
            let hostKey = try await Self.hostKey(lab)
            let folder = try TemporaryDirectory(prefix: "drill-kh")
            defer { folder.remove() }
            let knownHosts = try folder.write(
                "known_hosts",
                lab.knownHostsText + "@revoked * \(hostKey.line)\n"
            )
            let (ssh, _) = SSHTestSupport.transport()
            let error = await #expect(throws: SSHError.self) {
                try await ssh.run(RemoteCommand("true"), on: Self.facts(lab, knownHosts: knownHosts))
            }
            #expect(error?.code == .hostKeyRevoked)
            #expect(error?.message.contains("\(knownHosts):2") == true)
        }
    }

    @Test("accept-new records an unknown key, then strict trusts it; accept-new still refuses a changed key")
    func acceptNew() async throws {
        try await withLab(hosts: 1) { lab in
            let hostKey = try await Self.hostKey(lab)
            let folder = try TemporaryDirectory(prefix: "drill-kh")
            defer { folder.remove() }
            let knownHosts = folder.path + "/new/known_hosts"
            let facts = Self.facts(lab, knownHosts: knownHosts)
            let (acceptNew, log) = SSHTestSupport.transport(hostKeyChecking: .acceptNew)
            let output2 = try await acceptNew.run(RemoteCommand("echo first"), on: facts)
            #expect(output2.stdout == "first\n")
            await acceptNew.shutdown()
            let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
            #expect(recorded == "[\(facts.address)]:\(facts.port) \(hostKey.line)\n")
            #expect(SSHTestSupport.allLogText(log).contains("recorded new ssh-ed25519 host key"))

            let (strict, _) = SSHTestSupport.transport()
            let output3 = try await strict.run(RemoteCommand("echo again"), on: facts)
            #expect(output3.stdout == "again\n")
            await strict.shutdown()

            let other = try await SSHTestSupport.generateKey(in: folder, name: "other", type: "ed25519")
            let changed = try folder.write(
                "changed",
                "[\(facts.address)]:\(facts.port) \(try SSHTestSupport.publicKey(of: other))\n"
            )
            let (refusing, _) = SSHTestSupport.transport(hostKeyChecking: .acceptNew)
            let error = await #expect(throws: SSHError.self) {
                try await refusing.run(RemoteCommand("true"), on: Self.facts(lab, knownHosts: changed))
            }
            #expect(error?.code == .hostKeyChanged)
        }
    }

    @Test("off connects to an unknown host and warns loudly")
    func off() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, log) = SSHTestSupport.transport(hostKeyChecking: .off)
            let facts = Self.facts(lab, knownHosts: "/nonexistent/known_hosts")
            let output4 = try await ssh.run(RemoteCommand("echo off"), on: facts)
            #expect(output4.stdout == "off\n")
            #expect(
                log.entries.contains { $0.level == .warning && "\($0.message)".contains("HOST KEY CHECKING IS OFF") }
            )
            await ssh.shutdown()
        }
    }

    @Test("the host key method follows known_hosts: a server with ECDSA and ed25519 keys is checked by its ed25519 key")
    func hostKeyPreference() async throws {
        let sshd = try await OwnSSHD(
            address: "127.0.10.201",
            extraConfig: ["PubkeyAuthentication yes", "AuthorizedKeysFile none"],
            extraHostKeyTypes: ["ecdsa"]
        )
        defer { sshd.stop() }
        let knownHosts = try sshd.folder.write("known_hosts", sshd.knownHostsLine)  // the ed25519 key only
        let facts = ConnectionFacts(
            name: "two-keys",
            address: sshd.address,
            port: sshd.port,
            knownHostsFile: knownHosts
        )
        let (ssh, _) = SSHTestSupport.transport()
        // No key is authorised, so the login fails, but only after the host key was accepted.
        let error = await #expect(throws: SSHError.self) { try await ssh.run(RemoteCommand("true"), on: facts) }
        #expect(error?.code == .authenticationFailed)
    }
}
