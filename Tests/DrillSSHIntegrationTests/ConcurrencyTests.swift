import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import Testing

/// Many hosts at once: one lab sshd answering on 100 loopback addresses.
@Suite("concurrency against a real sshd")
struct ConcurrencyTests {
    @Test("100 hosts at once: every command runs, one login per host, within the global limit")
    func hundredHosts() async throws {
        try await withLab(hosts: 100) { lab in
            let (ssh, _) = SSHTestSupport.transport { $0.maxConcurrentOperations = 64 }
            let clock = ContinuousClock()
            let started = clock.now
            let results = try await withThrowingTaskGroup(of: (String, RemoteResult).self) { group in
                for host in lab.connectionFacts {
                    group.addTask { (host.address, try await ssh.run(RemoteCommand("echo $SSH_CONNECTION"), on: host)) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let wall = clock.now - started
            #expect(results.count == 100)
            for (address, result) in results {
                #expect(result.stdout.split(separator: " ").dropFirst(2).first.map(String.init) == address)
            }
            #expect(ssh.statistics.logins == 100)
            print("100 hosts: wall \(wall)")
            await ssh.shutdown()
        }
    }
}
