import ArgumentParser
import DrillCore
import DrillLab
import DrillSSH
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `drill-bench exec`: `true` on every host of a fresh lab through the SSH transport and the fan-out, in-process,
/// measuring wall time, this process's CPU time (getrusage) and peak RSS. `scripts/bench-exec.sh` measures the
/// `drillctl exec` binary beside ansible and parallel-ssh; this one isolates the library.
struct ExecBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run `true` on every host of a fresh lab through the SSH transport and print the figures."
    )

    @Option(help: "How many lab hosts.")
    var hosts: Int = 200

    @Option(help: "How many hosts at once.")
    var forks: Int = 200

    @Option(help: "How many measured rounds (each with new connections).")
    var rounds: Int = 3

    @Option(help: "The lab's port (default: a free one).")
    var port: Int?

    @Flag(
        help: "Give each host a known_hosts file holding only its own line (shows what re-reading one big file costs)."
    )
    var splitKnownHosts = false

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drill-bench-\(getpid())").path
        let lab = try await Lab.start(hosts: hosts, in: folder, port: port)
        defer { _ = try? Lab(directory: folder).downNow() }
        var logger = Logger(label: "drill-bench", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        var targets = lab.connectionFacts
        if splitKnownHosts {
            let lines = lab.knownHostsText.split(separator: "\n")
            try FileManager.default.createDirectory(atPath: folder + "/kh", withIntermediateDirectories: true)
            for (index, line) in lines.enumerated() where index < targets.count {
                let path = folder + "/kh/" + targets[index].name
                try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: path))
                targets[index].knownHostsFile = path
            }
        }
        print("hosts  forks  round  wall s  client CPU s  ms/host  ok  peak RSS MB")
        for round in 1...rounds {
            // A new transport per round: every round pays for connect, key exchange and login, as `drillctl exec`.
            let transport = SSHTransport(
                configuration: .init(maxConcurrentOperations: forks),
                logger: logger
            )
            let fanOut = FanOut(executor: transport, forks: forks)
            let cpuBefore = Self.cpuSeconds()
            let start = ContinuousClock.now
            let results = await fanOut.run(RemoteCommand("true", timeout: .seconds(30)), on: targets)
            let wall = start.duration(to: .now)
            let cpu = Self.cpuSeconds() - cpuBefore
            await transport.shutdown()
            let ok = results.count { $0.succeeded }
            let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            print(
                String(
                    format: "%5d  %5d  %5d  %6.2f  %12.3f  %7.2f  %3d  %11.1f",
                    hosts,
                    forks,
                    round,
                    wallSeconds,
                    cpu,
                    cpu * 1000 / Double(hosts),
                    ok,
                    Self.peakRSSMegabytes()
                )
            )
            if let failure = results.first(where: { !$0.succeeded }) {
                print(
                    "  first failure: \(failure.host): \(failure.unreachableReason ?? "exit \(failure.result?.exitStatus ?? -1)")"
                )
            }
            try await Task.sleep(for: .seconds(1))
        }
        fflush(nil)
        // See drillctl's finishFanOut: skip atexit handlers while the transport's workers may still close sessions.
        _ = try? await lab.stop()
        _exit(0)
    }

    /// User + system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The peak resident set size of this process in MB.
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
