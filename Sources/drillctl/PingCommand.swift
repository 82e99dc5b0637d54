import ArgumentParser
import DrillCore
import DrillSSH
import Foundation

/// `drillctl ping`: can every selected host be reached, its key verified, logged in to, and run `true`?
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Check that every selected host answers over SSH (connect, host key, login, run `true`).",
        discussion: """
            Prints a table of host, province (drill_province), team (drill_team), result, time and the reason \
            for each failure. `--format json` prints a list with one object per host: host, address, province, \
            team, ok, seconds, and error when not ok.

            Exit status: 0 every host answered; 1 at least one did not (or the inventory could not be read); \
            2 a usage error.
            """
    )

    @OptionGroup var options: FanOutOptions

    @Option(help: "Seconds allowed per host for connecting, logging in and running `true`.")
    var timeout: Double = 10

    func validate() throws {
        try options.validateShared()
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        let targets = try options.selectTargets()
        let timeout = Duration.milliseconds(Int64(self.timeout * 1000))
        let transport = options.makeTransport(connectTimeout: timeout)
        let fanOut = FanOut(
            executor: ProblemCheckingExecutor(base: transport),
            forks: options.forks,
            describe: describeFanOutError
        )
        let results = await fanOut.run(
            RemoteCommand("true", timeout: timeout, outputLimit: 4096),
            on: targets.map(\.facts)
        )
        await transport.shutdown()

        let rows = zip(targets, results).map { target, result in PingRow(target: target, result: result) }
        switch options.format {
        case .json: print(try jsonText(rows))
        case .text: print(PingRow.table(rows), terminator: "")
        }
        finishFanOut(status: rows.contains(where: { !$0.ok }) ? DrillExit.failure : DrillExit.success)
    }
}

/// One host's line in `ping`'s output.
struct PingRow: Encodable {
    var host: String
    var address: String
    var port: Int
    var province: String?
    var team: String?
    var ok: Bool
    var seconds: Double
    var error: String?

    init(target: FanOutTarget, result: FanOutResult) {
        host = target.facts.name
        address = target.facts.address
        port = target.facts.port
        province = target.province
        team = target.team
        seconds = (result.seconds * 1000).rounded() / 1000
        switch result.outcome {
        case .unreachable(let reason):
            ok = false
            error = reason
        case .completed(let remote):
            ok = remote.succeeded
            if !ok {
                error =
                    remote.timedOut
                    ? "`true` did not finish in time"
                    : "`true` failed: \(remote.exitSignal.map { "signal \($0)" } ?? "exit status \(remote.exitStatus ?? -1)")"
            }
        }
    }

    /// The text table with a summary line.
    static func table(_ rows: [PingRow]) -> String {
        let hostWidth = max(4, rows.map(\.host.count).max() ?? 0)
        let provinceWidth = max(8, rows.map { ($0.province ?? "-").count }.max() ?? 0)
        let teamWidth = max(4, rows.map { ($0.team ?? "-").count }.max() ?? 0)
        var out =
            "\(pad("HOST", hostWidth))  \(pad("PROVINCE", provinceWidth))  \(pad("TEAM", teamWidth))  RESULT  TIME     REASON\n"
        for row in rows {
            out += "\(pad(row.host, hostWidth))  \(pad(row.province ?? "-", provinceWidth))  "
            out += "\(pad(row.team ?? "-", teamWidth))  \(pad(row.ok ? "ok" : "FAILED", 6))  "
            out += "\(pad(formatSeconds(row.seconds), 7))  \(row.error ?? "")"
            out = String(out.reversed().drop { $0 == " " }.reversed()) + "\n"
        }
        let failed = rows.count { !$0.ok }
        out += "\(rows.count) host\(rows.count == 1 ? "" : "s"): \(rows.count - failed) ok, \(failed) failed\n"
        return out
    }
}
