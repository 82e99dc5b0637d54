import ArgumentParser
import DrillCore
import DrillEngine
import DrillSSH
import DrillStore
import Foundation
import Logging
import Synchronization

/// Exit statuses of `drillctl run`, `resume` and `demo` (beyond 0, 1, 2).
enum EngineExit {
    /// The drill was aborted (`ctl abort`, Ctrl-C, SIGTERM) and every touched host was cleaned.
    static let aborted: Int32 = 3
    /// At least one touched host could not be cleaned (listed at the end and in the journal).
    static let cleanupFailed: Int32 = 4

    /// The status for a finished run.
    static func status(for state: RunState) -> Int32 {
        if !state.hostsNeedingCleanup.isEmpty { return cleanupFailed }
        if state.status == .aborted { return aborted }
        return state.status == .ended ? DrillExit.success : DrillExit.failure
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
    func locate(_ run: String) throws -> RunDirectory {
        let directory = RunDirectory.resolve(run, base: baseURL)
        guard FileManager.default.fileExists(atPath: directory.journalPath) else {
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

/// The settings a run keeps beside its journal (`RUNDIR/engine.json`) so `resume` continues it the same way.
struct RunSettings: Codable {
    var simulateTeams: String?
    var forks: Int?
    var hostKeyChecking: String?
    var knownHosts: String?

    static func path(_ directory: RunDirectory) -> String { directory.url.appendingPathComponent("engine.json").path }
    static func inventoryPath(_ directory: RunDirectory) -> String {
        directory.url.appendingPathComponent("engine-inventory.yaml").path
    }

    func write(to directory: RunDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(directory)))
    }

    static func read(from directory: RunDirectory) -> RunSettings {
        guard let data = FileManager.default.contents(atPath: path(directory)),
            let settings = try? JSONDecoder().decode(RunSettings.self, from: data)
        else { return RunSettings() }
        return settings
    }
}

/// Everything needed to drive a run: its folder, journal, plan and hosts.
struct RunContext {
    var directory: RunDirectory
    var journal: Journal
    var loaded: LoadedScenario
    var inventory: Inventory
    var plan: Plan

    /// Opens an existing run from its folder: the scenario copy, the inventory copy (or `inventoryOverride`),
    /// and the journal.
    static func open(_ directory: RunDirectory, inventoryOverride: String? = nil) throws -> RunContext {
        let journal = try Journal.open(at: directory.journalPath)
        var loaded: LoadedScenario
        do {
            loaded = try ScenarioLoader.load(path: directory.scenarioPath)
            UploadSourceFiles.inline(&loaded, relativeTo: directory.url)
        } catch {
            throw EngineCLIFailure("cannot read the run's scenario copy \(directory.scenarioPath): \(error)")
        }
        let inventoryPath = inventoryOverride ?? RunSettings.inventoryPath(directory)
        let inventory: Inventory
        do {
            inventory = try InventoryLoader.load(path: inventoryPath)
        } catch {
            throw EngineCLIFailure("cannot read the inventory \(inventoryPath): \(error); give it with -i")
        }
        let events = try journal.eventsNow(after: 0)
        let startex = RunState.fold(events).startexWallMillis.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let plan = Planner.plan(loaded.scenario, inventory: inventory, startex: startex)
        return RunContext(directory: directory, journal: journal, loaded: loaded, inventory: inventory, plan: plan)
    }

    /// The speed the run was created with.
    var speed: Double {
        let events = (try? journal.eventsNow(after: 0, limit: 2)) ?? []
        return events.first { $0.kind == .runCreated }?.payload["speed"]?.doubleValue ?? 1
    }
}

/// Writes an inventory the engine can read back: every in-scope host with its resolved variables (secrets
/// left out) and the group memberships, as YAML (in JSON flow style).
enum RunInventoryCopy {
    static func yaml(_ inventory: Inventory) -> String {
        var hosts: [String: InventoryValue] = [:]
        for host in inventory.hostOrder {
            var vars = inventory.variables(forHost: host)
            for name in vars.keys where InventoryListing.isSecret(name) { vars[name] = nil }
            for name in ["inventory_hostname", "inventory_hostname_short", "group_names", "groups"] {
                vars[name] = nil
            }
            hosts[host] = .map(vars)
        }
        var children: [String: InventoryValue] = [:]
        for (name, group) in inventory.groups where name != "all" && name != "ungrouped" {
            var entry: [String: InventoryValue] = [:]
            if !group.hosts.isEmpty {
                entry["hosts"] = .map(
                    Dictionary(uniqueKeysWithValues: group.hosts.map { ($0, InventoryValue.map([:])) })
                )
            }
            if !group.children.isEmpty {
                entry["children"] = .map(
                    Dictionary(uniqueKeysWithValues: group.children.map { ($0, InventoryValue.map([:])) })
                )
            }
            children[name] = .map(entry)
        }
        var all: [String: InventoryValue] = ["hosts": .map(hosts)]
        if !children.isEmpty { all["children"] = .map(children) }
        var out = "# Written by drillctl run: the run's inventory, resolved (secrets left out). resume reads it.\n"
        InventoryValue.map(["all": .map(all)]).writeJSON(into: &out, sortedKeys: true, indent: 2, level: 0)
        return out + "\n"
    }
}

/// Turns Ctrl-C and SIGTERM into an abort in the journal: the engine then cleans up and stops. A second signal
/// ends the process at once (hosts may be left uncleaned; `resume` cleans them).
///
/// `@unchecked Sendable`: `sources` is written once, by `install`, before any signal can arrive, and only kept
/// alive afterwards; `count` is behind a mutex.
final class EngineSignalHandler: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let count = Mutex(0)

    func install(journal: Journal, scenario: Scenario) {
        var installed: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let seen = count.withLock { value in
                    value += 1
                    return value
                }
                if seen > 1 {
                    printToStandardError("\(name) again: stopping now; run `drillctl resume` to clean up the hosts")
                    fflush(nil)
                    _exit(EngineExit.aborted)
                }
                printToStandardError("\(name): aborting the drill and cleaning up the hosts (again to stop at once)")
                let controller = Controller(journal: journal, scenario: scenario)
                Task {
                    _ = try? await controller.perform(
                        .abort,
                        actor: JournalEvent.Actor(.director),
                        reason: "\(name) received",
                        wallMillis: nowWallMillis()
                    )
                }
            }
            source.resume()
            installed.append(source)
        }
        sources = installed
    }
}

/// The wall clock, UTC milliseconds.
func nowWallMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

/// The engine's terminal output: a live view redrawn in place on a terminal, one line per event otherwise.
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
        case .tick(let now, let runState, let next):
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
            screen += RunStatusText.status(runState, now: now, plan: plan, next: next)
            screen += "\nrecent:\n" + recent.map { "  " + $0 }.joined(separator: "\n") + "\n"
            screen +=
                "\n(ctl from another terminal: drillctl ctl --run \(runState.runID ?? "RUN") pause|resume|abort|status)\n"
            writeOut(screen)
        }
    }
}

/// Runs (or resumes) the engine for `context` over SSH and reports the outcome. Returns the exit status.
func driveEngine(
    context: RunContext,
    ssh: EngineSSHOptions,
    simulator: TeamSimulator?,
    startAtWallMillis: Int64?,
    resume: EngineService<ContinuousClock>.Resume?,
    console: EngineConsole
) async throws -> (status: Int32, state: RunState) {
    let transport = ssh.makeTransport()
    let signals = EngineSignalHandler()
    signals.install(journal: context.journal, scenario: context.loaded.scenario)
    let service = EngineService(
        plan: context.plan,
        targets: EngineTargets(plan: context.plan, inventory: context.inventory),
        executor: transport,
        journal: context.journal,
        runID: context.journal.runID,
        clock: ContinuousClock(),
        wallMillisAtStart: nowWallMillis(),
        speed: context.speed,
        simulator: simulator,
        limits: EngineLimits(forks: ssh.forks),
        observer: { console.observe($0) }
    )
    let outcome: EngineOutcome
    do {
        outcome = try await service.run(startAtWallMillis: startAtWallMillis, resume: resume)
    } catch {
        await transport.shutdown()
        throw EngineCLIFailure(
            "the engine stopped: \(error)\nthe journal keeps everything so far; continue with `drillctl resume \(context.directory.url.path)`"
        )
    }
    await transport.shutdown()
    let state = outcome.state
    if console.live { writeOut("\u{1B}[H\u{1B}[2J") }
    writeOut(RunStatusText.status(state, now: state.lastExerciseMillis, plan: context.plan))
    let unclean = state.hostsNeedingCleanup
    if !unclean.isEmpty {
        printToStandardError(
            "\n!!! \(unclean.count) HOST(S) COULD NOT BE CLEANED — put them back by hand or run `drillctl resume`:\n"
                + unclean.map { "!!!   \($0.host): \($0.injects.joined(separator: ", "))" }.joined(separator: "\n")
        )
    }
    writeOut("journal: \(context.directory.journalPath)\n")
    return (EngineExit.status(for: state), state)
}
