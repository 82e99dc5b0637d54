import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import Testing

/// Many hosts at once: one lab sshd answering on 100 loopback addresses.
@Suite("concurrency against a real sshd")
struct ConcurrencyTests {
    static func processCPU() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let micros =
            Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
            + Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return .microseconds(micros)
    }

    @Test("100 hosts at once: every command runs, one login per host, within the global limit")
    func hundredHosts() async throws {
        try await withLab(hosts: 100) { lab in
            let (ssh, _) = SSHTestSupport.transport { $0.maxConcurrentOperations = 64 }
            let clock = ContinuousClock()
            let cpuBefore = Self.processCPU()
            let started = clock.now
            let results = try await withThrowingTaskGroup(of: (String, RemoteResult).self) { group in
                for host in lab.connectionFacts {
                    group.addTask { (host.address, try await ssh.run(RemoteCommand("echo $SSH_CONNECTION"), on: host)) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let wall = clock.now - started
            let cpu = Self.processCPU() - cpuBefore
            #expect(results.count == 100)
            for (address, result) in results {
                #expect(result.stdout.split(separator: " ").dropFirst(2).first.map(String.init) == address)
            }
            #expect(ssh.statistics.logins == 100)
            // The client CPU of the whole test process (connect, key exchange, auth, exec, plus the test's own work).
            print("100 hosts: wall \(wall), client CPU \(cpu) (\(cpu / 100) per host)")
            await ssh.shutdown()
        }
    }
}
