import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import Testing

/// A target reached through a bastion: two labs (two sshds on different ports), the target's key authorised on the
/// bastion too, and one known_hosts file holding both host keys.
@Suite("jump hosts through a real bastion sshd")
struct JumpHostTests {
    @Test("commands and uploads reach the target through the bastion, which is checked and logged into too")
    func throughBastion() async throws {
        try await withLab(hosts: 2) { targets in
            try await withLab(hosts: 1, additionalAuthorizedKeys: [targets.clientPublicKey]) { bastion in
                let folder = try TemporaryDirectory(prefix: "drill-jump")
                defer { folder.remove() }
                let knownHosts = try folder.write("known_hosts", targets.knownHostsText + bastion.knownHostsText)
                let jump = JumpHost(user: bastion.user, address: bastion.hosts[0].address, port: bastion.port)
                let facts = targets.connectionFacts.map { host in
                    var facts = host
                    facts.jumpHosts = [jump]
                    facts.knownHostsFile = knownHosts
                    return facts
                }
                let (ssh, _) = SSHTestSupport.transport()
                for round in 0..<3 {
                    for host in facts {
                        let result = try await ssh.run(RemoteCommand("echo $SSH_CONNECTION"), on: host)
                        // sshd's SSH_CONNECTION: client address, client port, server address, server port.
                        let fields = result.stdout.split(separator: " ")
                        #expect(fields.count == 4, "round \(round): \(result)")
                        #expect(fields.count == 4 && fields[2] == host.address && fields[3] == "\(host.port)\n")
                    }
                }
                let path = targets.paths.hosts + "/" + targets.hosts[1].name + "/via-bastion"
                let payload = [UInt8](repeating: 7, count: 1 << 20)
                try await ssh.upload(payload, to: path, mode: 0o644, on: facts[1])
                #expect(FileManager.default.contents(atPath: path) == Data(payload))
                // Two target sessions, one bastion session, each logged in once.
                #expect(ssh.statistics.logins == 2)
                let bastionLog = try String(contentsOfFile: bastion.paths.log, encoding: .utf8)
                #expect(bastionLog.components(separatedBy: "Accepted publickey").count - 1 == 1)
                await ssh.shutdown()
            }
        }
    }

    @Test("two hops: the second bastion is reached through the first")
    func twoHops() async throws {
        try await withLab(hosts: 1) { targets in
            let keys = [targets.clientPublicKey]
            try await withLab(hosts: 1, additionalAuthorizedKeys: keys) { first in
                try await withLab(hosts: 1, additionalAuthorizedKeys: keys) { second in
                    let folder = try TemporaryDirectory(prefix: "drill-jump")
                    defer { folder.remove() }
                    let knownHosts = try folder.write(
                        "known_hosts",
                        targets.knownHostsText + first.knownHostsText + second.knownHostsText
                    )
                    var facts = targets.connectionFacts[0]
                    facts.knownHostsFile = knownHosts
                    facts.jumpHosts = [
                        JumpHost(user: first.user, address: first.hosts[0].address, port: first.port),
                        JumpHost(user: second.user, address: second.hosts[0].address, port: second.port),
                    ]
                    let (ssh, _) = SSHTestSupport.transport()
                    let result = try await ssh.run(RemoteCommand("echo two hops"), on: facts)
                    #expect(result.stdout == "two hops\n")
                    for lab in [first, second] {
                        let log = try String(contentsOfFile: lab.paths.log, encoding: .utf8)
                        #expect(log.components(separatedBy: "Accepted publickey").count - 1 == 1)
                    }
                    await ssh.shutdown()
                }
            }
        }
    }

    @Test("a bastion that is down gives a typed error naming the bastion")
    func bastionDown() async throws {
        try await withLab(hosts: 1) { targets in
            var facts = targets.connectionFacts[0]
            // Port 1 on a lab address: nothing listens there.
            facts.jumpHosts = [JumpHost(address: "127.0.10.250", port: 1)]
            let (ssh, _) = SSHTestSupport.transport()
            let error = await #expect(throws: SSHError.self) { try await ssh.run(RemoteCommand("true"), on: facts) }
            #expect(error?.code == .connectionRefused)
            #expect(error?.message.contains("127.0.10.250 refused the connection on port 1") == true)
            await ssh.shutdown()
        }
    }

    @Test("a bastion whose host key is unknown is refused like any host")
    func unknownBastion() async throws {
        try await withLab(hosts: 1) { targets in
            try await withLab(hosts: 1, additionalAuthorizedKeys: [targets.clientPublicKey]) { bastion in
                var facts = targets.connectionFacts[0]
                facts.jumpHosts = [JumpHost(user: bastion.user, address: bastion.hosts[0].address, port: bastion.port)]
                let (ssh, _) = SSHTestSupport.transport()
                let error = await #expect(throws: SSHError.self) { try await ssh.run(RemoteCommand("true"), on: facts) }
                #expect(error?.code == .hostKeyUnknown)
                #expect(error?.host?.hasPrefix("bastion ") == true)
                await ssh.shutdown()
            }
        }
    }
}
