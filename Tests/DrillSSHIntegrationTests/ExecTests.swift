import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import Testing

/// Running commands: output, exit status and signal, deadlines that stop the command on the target, big output.
@Suite("running commands on a real sshd")
struct ExecTests {
    @Test("stdout, stderr and a non-zero exit status are a result, not an error")
    func exitStatus() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, _) = SSHTestSupport.transport()
            let result = try await ssh.run(RemoteCommand("echo out; echo err >&2; exit 3"), on: lab.connectionFacts[0])
            #expect(result.stdout == "out\n")
            #expect(result.stderr == "err\n")
            #expect(result.exitStatus == 3)
            #expect(result.exitSignal == nil)
            #expect(!result.timedOut)
            #expect(!result.succeeded)
            await ssh.shutdown()
        }
    }

    @Test("a command killed by a signal reports the signal (libssh2_channel_get_exit_signal)")
    func exitSignal() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, _) = SSHTestSupport.transport()
            let result = try await ssh.run(RemoteCommand("kill -TERM $$"), on: lab.connectionFacts[0])
            #expect(result.exitSignal == "TERM")
            #expect(result.exitStatus == nil)
            #expect(!result.timedOut)
            await ssh.shutdown()
        }
    }

    @Test("stdin is closed: a command reading it ends at once")
    func stdinClosed() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, _) = SSHTestSupport.transport()
            let result = try await ssh.run(
                RemoteCommand("cat; echo done", timeout: .seconds(5)),
                on: lab.connectionFacts[0]
            )
            #expect(result.stdout == "done\n")
            #expect(!result.timedOut)
            await ssh.shutdown()
        }
    }

    @Test("a command past its deadline is killed on the target, with its children, and the result says timedOut")
    func deadlineKillsRemoteProcess() async throws {
        try await withLab(hosts: 1) { lab in
            let folder = try TemporaryDirectory(prefix: "drill-timeout")
            defer { folder.remove() }
            let shellPid = folder.path + "/shell.pid"
            let childPid = folder.path + "/child.pid"
            let (ssh, _) = SSHTestSupport.transport()
            let clock = ContinuousClock()
            let started = clock.now
            let result = try await ssh.run(
                RemoteCommand("echo $$ > \(shellPid); sleep 300 & echo $! > \(childPid); wait", timeout: .seconds(1)),
                on: lab.connectionFacts[0]
            )
            let elapsed = clock.now - started
            #expect(result.timedOut)
            // Stopped by `timeout` on the target (KILL to its process group), not by the client's backstop.
            #expect(result.exitSignal == "KILL" || result.exitStatus == 137, "\(result)")
            #expect(elapsed < .seconds(10))
            for file in [shellPid, childPid] {
                let pid = try #require(
                    Int32(
                        try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                            in: .whitespacesAndNewlines
                        )
                    )
                )
                let gone = await eventually(timeout: .seconds(5)) {
                    // The target is this machine: the process must be gone (or a zombie being reaped).
                    let state = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
                    return state == nil || state!.contains(") Z ")
                }
                #expect(gone, "process \(pid) from \(file) still runs on the target")
            }
            // The session is still good for the next command.
            let output1 = try await ssh.run(RemoteCommand("echo next"), on: lab.connectionFacts[0])
            #expect(output1.stdout == "next\n")
            #expect(ssh.statistics.logins == 1)
            await ssh.shutdown()
        }
    }

    @Test("more than 2 MiB on both stdout and stderr: no deadlock, both cut at the limit and flagged")
    func largeOutput() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, _) = SSHTestSupport.transport()
            let command = RemoteCommand(
                "head -c 3000000 /dev/zero | tr '\\0' e >&2; head -c 3000000 /dev/zero | tr '\\0' o; echo end >&2",
                timeout: .seconds(30),
                outputLimit: 1 << 20
            )
            let result = try await ssh.run(command, on: lab.connectionFacts[0])
            #expect(result.exitStatus == 0)
            #expect(result.stdout.utf8.count == 1 << 20)
            #expect(result.stderr.utf8.count == 1 << 20)
            #expect(result.stdoutTruncated)
            #expect(result.stderrTruncated)
            #expect(result.stdout.allSatisfy { $0 == "o" })
            #expect(result.stderr.allSatisfy { $0 == "e" })

            let whole = try await ssh.run(
                RemoteCommand("head -c 2500000 /dev/zero | tr '\\0' x", timeout: .seconds(30), outputLimit: 4 << 20),
                on: lab.connectionFacts[0]
            )
            #expect(whole.stdout.utf8.count == 2_500_000)
            #expect(!whole.stdoutTruncated)
            await ssh.shutdown()
        }
    }
}
