import ArgumentParser
import DrillCore
import DrillEngine
import DrillPortal
import DrillRun
import DrillSSH
import DrillStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Exit statuses of `drillctl run`, `resume` and `demo` (beyond 0, 1, 2).
enum EngineExit {
    /// The drill was aborted (`ctl abort`, Ctrl-C, SIGTERM) and every touched host was cleaned.
    static let aborted: Int32 = 3
    /// At least one touched host could not be cleaned (listed at the end and in the journal).
    static let cleanupFailed: Int32 = 4

    /// The status for a run as its ledger stands: 4 while any touched host is not put back, else 3 when it was
    /// aborted, 0 when it reached ENDEX, 1 when it is not over.
    static func status(for ledger: RunLedger) -> Int32 {
        if !ledger.hostsNeedingCleanup.isEmpty { return cleanupFailed }
        if ledger.status == .aborted { return aborted }
        return ledger.status == .ended ? DrillExit.success : DrillExit.failure
    }

    static let help = """
        Exit status: 0 the drill reached ENDEX and every touched host was cleaned; 1 the scenario or inventory is \
        not valid, or the journal could not be written (the run can be resumed); 2 a usage error; 3 the drill was \
        aborted (ctl abort, Ctrl-C or SIGTERM) and every touched host was cleaned; 4 at least one touched host could \
        not be cleaned (listed at the end and journaled).
        """
}

/// `--run-dir`: where run folders live.
struct RunBaseOptions: ParsableArguments {
    @Option(
        name: .customLong("run-dir"),
        help: "The folder holding run folders (default: runs, in the current folder)."
    )
    var runDirectory: String = "runs"

    var baseURL: URL { URL(fileURLWithPath: runDirectory, isDirectory: true).standardizedFileURL }

    /// The run folder named by a run id (under --run-dir) or a path.
    func locate(_ run: String) throws -> RunFolder {
        let directory = RunFolder.resolve(run, base: baseURL)
        guard directory.exists else {
            throw EngineCLIFailure(
                "no run '\(run)': neither a run id under \(baseURL.path) nor a run folder with a journal.sqlite"
                    + " (see `drillctl runs --run-dir DIR`)"
            )
        }
        return directory
    }
}

/// How the engine reaches hosts: the SSH options `run`, `resume` and `demo` share.
struct EngineSSHOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("forks")], help: "How many hosts to work on at once per inject.")
    var forks: Int = 32

    @Option(
        name: .customLong("host-key-checking"),
        help: "strict (refuse unknown or changed keys), accept-new (record unknown keys) or off (insecure)."
    )
    var hostKeyChecking: HostKeyCheckingArgument = .strict

    @Option(name: .customLong("known-hosts"), help: "The known_hosts file for every host (default: per host).")
    var knownHosts: String?

    func makeTransport() -> SSHTransport {
        var logger = Logger(label: "drillctl", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .error
        return SSHTransport(
            configuration: SSHTransport.Configuration(
                hostKeyChecking: hostKeyChecking.policy,
                knownHostsFile: knownHosts,
                connectTimeout: .seconds(10),
                maxConcurrentOperations: max(forks, 8)
            ),
            logger: logger
        )
    }
}

/// A failure already explained: printed as `Error: MESSAGE`, exit status 1.
struct EngineCLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The wall clock, UTC milliseconds.
func nowWallMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

/// The engine's terminal output: a live view redrawn in place on a terminal, one line per event otherwise. A
/// resumed run's history is summed up in a few lines, not replayed.
final class EngineConsole: Sendable {
    private struct State {
        var lastDraw: Int64 = 0
        var recent: [String] = []
    }

    let live: Bool
    let plan: Plan
    private let state = Mutex(State())

    init(plan: Plan, live: Bool = isatty(STDOUT_FILENO) == 1) {
        self.plan = plan
        self.live = live
    }

    func observe(_ observation: EngineObservation) {
        switch observation {
        case .history(let ledger):
            guard ledger.eventCount > 1 else { return }
            writeOut(Self.history(ledger))
        case .event(let event, _):
            guard let line = RunStatusText.line(event) else { return }
            if live {
                state.withLock { state in
                    state.recent.append(line)
                    if state.recent.count > 10 { state.recent.removeFirst(state.recent.count - 10) }
                }
            } else {
                writeOut(line + "\n")
            }
        case .tick(let now, let ledger, _):
            guard live else { return }
            let wall = nowWallMillis()
            let recent: [String]? = state.withLock { state in
                guard wall - state.lastDraw >= 250 else { return nil }
                state.lastDraw = wall
                return state.recent
            }
            guard let recent else { return }
            var screen = "\u{1B}[H\u{1B}[2J"
            screen += "drillctl — \(plan.scenario.title)\n\n"
            screen += RunStatusText.status(ledger, now: now, plan: plan)
            screen += "\nrecent:\n" + recent.map { "  " + $0 }.joined(separator: "\n") + "\n"
            screen +=
                "\n(ctl from another terminal: drillctl ctl --run \(ledger.runID ?? "RUN") pause|resume|abort|status)\n"
            writeOut(screen)
        }
    }

    /// A short account of what a run's journal already holds.
    static func history(_ ledger: RunLedger) -> String {
        var lines = [
            "history: \(ledger.eventCount) events, \(ledger.status.rawValue), last at \(RunStatusText.clock(ledger.lastExerciseMillis))"
        ]
        let fired = ledger.firedInjects
        lines.append("  fired: \(fired.isEmpty ? "none" : fired.joined(separator: ", "))")
        let responses = ledger.pairs.values.reduce(0) { $0 + $1.responses.count }
        lines.append("  deliveries: \(ledger.deliveryOrder.count), responses: \(responses)")
        let open = ledger.unresolvedIntents.count
        if open > 0 { lines.append("  \(open) intent(s) without an outcome: they will be marked uncertain") }
        let unclean = ledger.hostsNeedingCleanup.count
        if ledger.status.isFinished { lines.append("  \(unclean) host(s) still to put back") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Stops the process at once on the second SIGINT or SIGTERM (the first starts the graceful abort and cleanup
/// through the service group): it prints which hosts are left and exits with the status the journal gives (4 when
/// any touched host is not put back), so `drillctl resume` can finish the cleanup.
struct SecondSignalStop: Service {
    let journal: Journal

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        var seen = 0
        for await signal in signals.cancelOnGracefulShutdown() {
            seen += 1
            guard seen >= 2 else { continue }
            let ledger = RunLedger(events: (try? journal.eventsNow(after: 0)) ?? [])
            let unclean = ledger.hostsNeedingCleanup
            var message = "\(signal) again: stopping now"
            if !unclean.isEmpty {
                message +=
                    "; \(unclean.count) host(s) NOT CLEANED — run `drillctl resume \(journal.path.replacingOccurrences(of: "/journal.sqlite", with: ""))` to put them back:\n"
                    + unclean.map { "!!!   \($0.host): \($0.injects.joined(separator: ", "))" }.joined(separator: "\n")
            }
            printToStandardError(message)
            fflush(nil)
            _exit(
                EngineExit.status(for: ledger) == DrillExit.success
                    ? EngineExit.aborted : EngineExit.status(for: ledger)
            )
        }
    }
}

/// Runs (or resumes) the engine for `run` over SSH, with the portal beside it when `portal` is configured, in one
/// `ServiceGroup`: SIGINT or SIGTERM aborts the drill gracefully (journaled, then cleanup), a second one stops at
/// once. Reports the outcome and returns the exit status.
func driveEngine(
    run: OpenedRun,
    ssh: EngineSSHOptions,
    simulator: TeamSimulator?,
    start: EngineService<ContinuousClock>.Start,
    console: EngineConsole,
    portal: PortalOptions? = nil
) async throws -> (status: Int32, ledger: RunLedger) {
    let transport = ssh.makeTransport()
    let engine = EngineService(
        plan: run.plan,
        targets: EngineTargets(plan: run.plan, inventory: run.inventory),
        executor: transport,
        journal: run.journal,
        heartbeat: run.journal,
        runID: run.journal.runID,
        clock: ContinuousClock(),
        wallMillisAtStart: nowWallMillis(),
        speed: run.speed,
        simulator: simulator,
        limits: EngineLimits(forks: ssh.forks),
        start: start,
        observer: { console.observe($0) }
    )
    var logger = Logger(label: "drillctl.services")
    logger.logLevel = .error
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
        .init(service: SecondSignalStop(journal: run.journal))
    ]
    if let server = portal?.server(for: run.folder, journal: run.journal) {
        services.append(
            .init(service: server, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore)
        )
    }
    services.append(
        .init(
            service: engine,
            successTerminationBehavior: .gracefullyShutdownGroup,
            failureTerminationBehavior: .gracefullyShutdownGroup
        )
    )
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
    )
    do {
        try await group.run()
    } catch {
        await transport.shutdown()
        throw EngineCLIFailure(
            "the engine stopped: \(error)\nthe journal keeps everything so far; continue with `drillctl resume \(run.folder.url.path)`"
        )
    }
    await transport.shutdown()
    guard let outcome = engine.outcome else {
        throw EngineCLIFailure(
            "the engine stopped before the drill ended; continue with `drillctl resume \(run.folder.url.path)`"
        )
    }
    let ledger = outcome.ledger
    if console.live { writeOut("\u{1B}[H\u{1B}[2J") }
    writeOut(RunStatusText.status(ledger, now: ledger.lastExerciseMillis, plan: run.plan))
    let unclean = ledger.hostsNeedingCleanup
    if !unclean.isEmpty {
        printToStandardError(
            "\n!!! \(unclean.count) HOST(S) COULD NOT BE CLEANED — put them back by hand or run `drillctl resume`:\n"
                + unclean.map { "!!!   \($0.host): \($0.injects.joined(separator: ", "))" }.joined(separator: "\n")
        )
    }
    writeOut("journal: \(run.folder.journalPath)\n")
    return (EngineExit.status(for: ledger), ledger)
}
