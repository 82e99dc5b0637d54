import ArgumentParser
import DrillCore
import DrillEngine
import DrillRun
import DrillStore
import Foundation

/// `drillctl run SCENARIO -i INVENTORY`: create a run and execute it until ENDEX.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a drill: create a run, wait for STARTEX, execute the plan until ENDEX, clean up.",
        discussion: """
            Validates the scenario against the inventory first (and refuses to start on any error). Creates a run \
            folder under --run-dir with the journal, a copy of the scenario and of the resolved inventory, and \
            access codes for every team, two evaluators and the director: they are printed once, written to \
            RUNDIR/access-codes.txt (mode 0600) and stored only as hashes. Then waits for STARTEX (--start-at, \
            else now) and runs the drill on the exercise clock (--speed 60 runs an hour in a minute). On a \
            terminal a live view is redrawn in place; otherwise one line is printed per event.

            From another terminal: `drillctl respond` records team responses, `drillctl ctl` pauses, resumes, \
            triggers, extends and aborts, and `drillctl ctl --run RUN status` shows the state. Ctrl-C or SIGTERM \
            aborts the drill and cleans every touched host (a second Ctrl-C stops at once; `drillctl resume` \
            then finishes the cleanup). After kill -9, `drillctl resume RUN` continues from the journal.

            \(EngineExit.help)
            """
    )

    @Argument(help: "The scenario YAML file.", completion: .file(extensions: ["yaml", "yml"]))
    var scenario: String

    @Option(name: [.short, .customLong("inventory")], help: "The Ansible inventory (a YAML or INI file, or a folder).")
    var inventory: String

    @Option(help: "How many times faster than real time the exercise clock runs (60 = an hour a minute).")
    var speed: Double = 1

    @Option(
        name: .customLong("start-at"),
        help: "STARTEX in ISO 8601 (without an offset, the drill's time zone); default now."
    )
    var startAt: String?

    @Option(
        name: .customLong("simulate-teams"),
        help: "Play the teams with built-in responders: default, fast or sloppy (PROFILE:SEED picks the seed)."
    )
    var simulateTeams: String?

    @OptionGroup var base: RunBaseOptions
    @OptionGroup var ssh: EngineSSHOptions
    @OptionGroup var portal: PortalOptions

    func validate() throws {
        if !RunClock.speedRange.contains(speed) {
            throw ValidationError("--speed must be from 1 to 10000 (exercise seconds per real second); found \(speed)")
        }
        if let startAt, WallTime.parse(startAt, timeZone: TimeZone(identifier: "UTC")!) == nil {
            throw ValidationError(
                "'\(startAt)' is not a date and time; write ISO 8601 such as 2026-06-18T09:00:00+08:00"
            )
        }
        if let simulateTeams, TeamSimulator(parsing: simulateTeams) == nil {
            throw ValidationError(
                "unknown --simulate-teams '\(simulateTeams)'; profiles: \(TeamSimulator.Profile.builtIn.keys.sorted().joined(separator: ", ")) (optionally PROFILE:SEED)"
            )
        }
        if ssh.forks < 1 { throw ValidationError("--forks must be at least 1") }
    }

    func run() async throws {
        let status = try await RunCommand.execute(
            scenario: scenario,
            inventory: inventory,
            speed: speed,
            startAt: startAt,
            simulateTeams: simulateTeams,
            base: base,
            ssh: ssh,
            portal: portal
        ).status
        fflush(nil)
        _exit(status)
    }

    /// Creates the run and drives it to its end. Shared with `drillctl demo`.
    static func execute(
        scenario scenarioPath: String,
        inventory inventoryPath: String,
        speed: Double,
        startAt: String?,
        simulateTeams: String?,
        base: RunBaseOptions,
        ssh: EngineSSHOptions,
        portal: PortalOptions? = nil,
        console makeConsole: ((Plan) -> EngineConsole)? = nil
    ) async throws -> (status: Int32, folder: RunFolder, ledger: RunLedger) {
        let inputs = try DrillInputs.load(scenario: scenarioPath, inventory: inventoryPath)
        if !inputs.diagnostics.isEmpty {
            var report = inputs.diagnostics.sorted.map { inputs.renderer.render($0) }.joined(separator: "\n") + "\n"
            if inputs.diagnostics.hasErrors { report += "\(inputs.summary)\nnot started: fix the errors above first\n" }
            printToStandardError(report)
        }
        guard !inputs.diagnostics.hasErrors, let loaded = inputs.loaded, let inventory = inputs.inventory else {
            throw ExitCode(DrillExit.failure)
        }
        let scenario = loaded.scenario
        let zone = TimeZone(identifier: scenario.timeZone) ?? TimeZone(identifier: "UTC")!
        let startDate = startAt.flatMap { WallTime.parse($0, timeZone: zone) } ?? scenario.startex
        let startAtMillis = startDate.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }

        // The run folder: journal, copies, upload sources, settings, access codes.
        let (run, codes) = try OpenedRun.create(
            loaded: loaded,
            inventory: inventory,
            under: base.baseURL,
            speed: speed,
            startex: startDate,
            settings: RunSettings(
                simulateTeams: simulateTeams,
                forks: ssh.forks,
                hostKeyChecking: ssh.hostKeyChecking.rawValue,
                knownHosts: ssh.knownHosts
            )
        )
        writeOut("run \(run.folder.runID)\nfolder \(run.folder.url.path)\n\n")
        writeOut(codes)
        writeOut("(printed once; also in \(run.folder.accessCodesPath), readable by you only)\n\n")
        if let startDate, startDate > Date() {
            writeOut("waiting for STARTEX at \(WallTime.format(startDate, timeZone: zone)) …\n")
        }
        let console = makeConsole?(run.plan) ?? EngineConsole(plan: run.plan)
        let result = try await driveEngine(
            run: run,
            ssh: ssh,
            simulator: simulateTeams.flatMap(TeamSimulator.init(parsing:)),
            start: EngineService<ContinuousClock>.Start(
                atWallMillis: startAtMillis,
                shutdownReason: "SIGINT or SIGTERM received"
            ),
            console: console,
            portal: portal
        )
        return (result.status, run.folder, result.ledger)
    }
}
