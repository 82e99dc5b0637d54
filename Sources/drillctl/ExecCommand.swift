import ArgumentParser
import DrillCore
import DrillSSH
import Foundation

/// `drillctl exec`: an ad-hoc command on every selected host in parallel, like `ansible -m raw`.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command on every selected host in parallel (like `ansible -m raw`).",
        discussion: """
            The words after `--` are joined with spaces and run by the login shell of each host, as `ssh host \
            COMMAND` does. One line per host is printed as it finishes (host, result, exit status, time, first \
            line of output), then a summary. `--format json` prints, per host: host, address, province, team, \
            ok, status (ok, failed or unreachable), exit_status, exit_signal, timed_out, stdout, stderr, \
            stdout_truncated, stderr_truncated, seconds and timings (connect, authenticate, run), and error when \
            the host could not be reached.

            Exit status: 0 the command ran and exited 0 on every host; 1 it failed, timed out, or could not be \
            run on at least one host (or the inventory could not be read); 2 a usage error.
            """
    )

    @OptionGroup var options: FanOutOptions

    @Option(help: "Seconds the command may run on each host before it is killed there.")
    var timeout: Double = 60

    @Option(name: .customLong("connect-timeout"), help: "Seconds allowed for connecting and logging in.")
    var connectTimeout: Double = 10

    @Option(name: .customLong("output-limit"), help: "The most bytes of stdout and of stderr kept per host.")
    var outputLimit: Int = 64 * 1024

    @Argument(parsing: .postTerminator, help: "The command to run, after `--`.")
    var command: [String] = []

    func validate() throws {
        try options.validateShared()
        if command.isEmpty { throw ValidationError("give the command to run after `--`") }
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if !(connectTimeout > 0) { throw ValidationError("--connect-timeout must be a positive number of seconds") }
        if outputLimit < 0 { throw ValidationError("--output-limit must not be negative") }
    }

    func run() async throws {
        let targets = try options.selectTargets()
        let transport = options.makeTransport(connectTimeout: .milliseconds(Int64(connectTimeout * 1000)))
        let fanOut = FanOut(
            executor: ProblemCheckingExecutor(base: transport),
            forks: options.forks,
            describe: describeFanOutError
        )
        let remote = RemoteCommand(
            command.joined(separator: " "),
            timeout: .milliseconds(Int64(timeout * 1000)),
            outputLimit: outputLimit
        )
        let started = ContinuousClock.now
        let hostWidth = max(4, targets.map(\.facts.name.count).max() ?? 0)
        let streaming = options.format == .text
        let results = await fanOut.run(remote, on: targets.map(\.facts)) { result in
            if streaming { writeOut(ExecRow.line(result, hostWidth: hostWidth)) }
        }
        let wall = started.duration(to: .now)
        await transport.shutdown()

        let summary = FanOutSummary(results)
        switch options.format {
        case .json:
            print(try jsonText(zip(targets, results).map { ExecRow(target: $0, result: $1) }))
        case .text:
            print("\(summary) in \(formatSeconds(wall.seconds))")
        }
        finishFanOut(status: summary.ok == summary.total ? DrillExit.success : DrillExit.failure)
    }
}

/// One host's result in `exec --format json`.
struct ExecRow: Encodable {
    struct Timings: Encodable {
        var connect: Double
        var authenticate: Double
        var run: Double
    }

    var host: String
    var address: String
    var province: String?
    var team: String?
    var ok: Bool
    var status: String
    var exitStatus: Int32?
    var exitSignal: String?
    var timedOut: Bool
    var stdout: String
    var stderr: String
    var stdoutTruncated: Bool
    var stderrTruncated: Bool
    var seconds: Double
    var timings: Timings?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case host, address, province, team, ok, status, stdout, stderr, seconds, timings, error
        case exitStatus = "exit_status"
        case exitSignal = "exit_signal"
        case timedOut = "timed_out"
        case stdoutTruncated = "stdout_truncated"
        case stderrTruncated = "stderr_truncated"
    }

    init(target: FanOutTarget, result: FanOutResult) {
        host = target.facts.name
        address = target.facts.address
        province = target.province
        team = target.team
        seconds = Self.rounded(result.seconds)
        ok = result.succeeded
        switch result.outcome {
        case .unreachable(let reason):
            status = "unreachable"
            timedOut = false
            stdout = ""
            stderr = ""
            stdoutTruncated = false
            stderrTruncated = false
            error = reason
        case .completed(let remote):
            status = remote.succeeded ? "ok" : "failed"
            exitStatus = remote.exitStatus
            exitSignal = remote.exitSignal
            timedOut = remote.timedOut
            stdout = remote.stdout
            stderr = remote.stderr
            stdoutTruncated = remote.stdoutTruncated
            stderrTruncated = remote.stderrTruncated
            timings = Timings(
                connect: Self.rounded(remote.timings.connect.seconds),
                authenticate: Self.rounded(remote.timings.authenticate.seconds),
                run: Self.rounded(remote.timings.run.seconds)
            )
        }
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 10000).rounded() / 10000 }

    /// The line streamed when a host finishes: `host  ok  rc=0  0.034s  first line of output`.
    static func line(_ result: FanOutResult, hostWidth: Int) -> String {
        var text = pad(result.host, hostWidth) + "  "
        switch result.outcome {
        case .unreachable(let reason):
            text += "UNREACHABLE  \(formatSeconds(result.seconds))  \(reason)"
        case .completed(let remote):
            let state =
                remote.timedOut ? "TIMEOUT" : remote.succeeded ? "ok" : "FAILED"
            let code = remote.exitSignal.map { "signal \($0)" } ?? "rc=\(remote.exitStatus.map(String.init) ?? "?")"
            text += "\(pad(state, 7))  \(pad(code, 5))  \(formatSeconds(result.seconds))"
            let output = remote.stdout.isEmpty ? remote.stderr : remote.stdout
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            if let first = lines.first {
                let shown = first.count > 160 ? first.prefix(160) + "…" : first
                text += "  \(shown)"
                if lines.count > 1 { text += "  (+\(lines.count - 1) line\(lines.count == 2 ? "" : "s"))" }
            }
        }
        return text + "\n"
    }
}
