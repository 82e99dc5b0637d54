import ArgumentParser
import DrillCore
import DrillEngine
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
        if !(speed > 0) || !speed.isFinite { throw ValidationError("--speed must be a positive number") }
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
    ) async throws -> (status: Int32, directory: RunDirectory, state: RunState) {
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

        // The run folder: journal, copies, settings, access codes.
        let now = Date()
        let directory = try RunDirectory.create(under: base.baseURL, scenario: scenario.id, date: now)
        try directory.writeScenarioCopy(loaded.text)
        try UploadSourceFiles.copy(
            loaded,
            from: URL(fileURLWithPath: scenarioPath).deletingLastPathComponent(),
            into: directory.url
        )
        try directory.writeInventoryCopy(InventoryListing.listJSON(inventory))
        try RunInventoryCopy.yaml(inventory).write(
            toFile: RunSettings.inventoryPath(directory),
            atomically: true,
            encoding: .utf8
        )
        try RunSettings(
            simulateTeams: simulateTeams,
            forks: ssh.forks,
            hostKeyChecking: ssh.hostKeyChecking.rawValue,
            knownHosts: ssh.knownHosts
        ).write(to: directory)
        let journal = try Journal.create(
            at: directory.journalPath,
            runID: directory.runID,
            created: RunCreatedPayload(
                scenario: scenario.id,
                title: scenario.title,
                durationMillis: Int64(scenario.duration.components.seconds) * 1000,
                speed: speed,
                timezone: scenario.timeZone
            ),
            wallMillis: nowWallMillis()
        )
        let codes = try RunAccessCodes.create(for: scenario, journal: journal, directory: directory)
        writeOut("run \(directory.runID)\nfolder \(directory.url.path)\n\n")
        writeOut(codes)
        writeOut("(printed once; also in \(directory.accessCodesPath), readable by you only)\n\n")
        if let startDate, startDate > Date() {
            writeOut("waiting for STARTEX at \(WallTime.format(startDate, timeZone: zone)) …\n")
        }

        let context = RunContext(
            directory: directory,
            journal: journal,
            loaded: loaded,
            inventory: inventory,
            plan: Planner.plan(scenario, inventory: inventory, startex: startDate ?? now)
        )
        let console = makeConsole?(context.plan) ?? EngineConsole(plan: context.plan)
        let drive = {
            try await driveEngine(
                context: context,
                ssh: ssh,
                simulator: simulateTeams.flatMap(TeamSimulator.init(parsing:)),
                startAtWallMillis: startAtMillis,
                resume: nil,
                console: console
            )
        }
        // No PortalOptions() here: an unparsed ParsableArguments traps when its options are read.
        let result =
            if let portal {
                try await portal.serving(directory, journal: journal, drive)
            } else {
                try await drive()
            }
        return (result.status, directory, result.state)
    }
}

/// The run's access codes: one per team, two evaluators and the director. Printed once, written 0600, stored
/// as hashes only.
enum RunAccessCodes {
    static let evaluators = ["evaluator-1", "evaluator-2"]

    static func create(for scenario: Scenario, journal: Journal, directory: RunDirectory) throws -> String {
        var entries: [(role: String, subject: String)] = [("director", "director")]
        entries += scenario.teams.map { ("team", $0.id) }
        entries += evaluators.map { ("evaluator", $0) }
        var text = "access codes for run \(directory.runID):\n"
        let width = entries.map { $0.role.count + $0.subject.count + 1 }.max() ?? 0
        for entry in entries {
            let code = AccessCode.generate()
            try journal.storeCredential(
                role: entry.role,
                subject: entry.subject,
                hash: CredentialHash.make(code: code),
                wallMillis: nowWallMillis()
            )
            let label = entry.role == entry.subject ? entry.role : "\(entry.role) \(entry.subject)"
            text += "  \(pad(label, width))  \(code)\n"
        }
        try directory.writeAccessCodes(text)
        return text
    }
}
