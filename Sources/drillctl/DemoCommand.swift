import ArgumentParser
import DrillCore
import DrillEngine
import DrillLab
import DrillReport
import DrillRun
import DrillStore
import Foundation

/// `drillctl demo`: the practice range, the quick-start drill at speed 60 with simulated teams, the report.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the practice range, run the quick-start drill at high speed with simulated teams, summarise.",
        discussion: """
            One command for a fresh machine (OpenSSH server installed): starts a practice range shaped after \
            inventory/quickstart.yaml in --dir, runs scenarios/quickstart.yaml against it at --speed 60 (its 30 \
            minutes in about 30 seconds) with the `default` simulated teams, writes a summary next to the run's \
            journal, stops the range (also on failure or Ctrl-C) and says where everything is.

            \(EngineExit.help)
            """
    )

    @Option(help: "The scenario to run.")
    var scenario: String = "scenarios/quickstart.yaml"

    @Option(name: [.short, .customLong("inventory")], help: "The inventory the practice range is shaped after.")
    var inventory: String = "inventory/quickstart.yaml"

    @Option(name: .customLong("dir"), help: "The demo folder: the range in DIR/lab, runs in DIR/runs.")
    var directory: String = ".drill-demo"

    @Option(help: "How many times faster than real time the drill runs.")
    var speed: Double = 60

    @Option(name: .customLong("simulate-teams"), help: "The simulated teams' profile: default, fast or sloppy.")
    var simulateTeams: String = "default"

    @Option(name: .customLong("sshd"), help: ArgumentHelp("The OpenSSH server to run.", visibility: .hidden))
    var sshdPath: String = "/usr/sbin/sshd"

    func validate() throws {
        if !RunClock.speedRange.contains(speed) {
            throw ValidationError("--speed must be from 1 to 10000 (exercise seconds per real second); found \(speed)")
        }
        if TeamSimulator(parsing: simulateTeams) == nil {
            throw ValidationError("unknown --simulate-teams '\(simulateTeams)': default, fast or sloppy")
        }
    }

    func run() async throws {
        for (path, what) in [(scenario, "scenario"), (inventory, "inventory")]
        where !FileManager.default.fileExists(atPath: path) {
            throw EngineCLIFailure("the \(what) \(path) does not exist; run `drillctl demo` from the drillctl folder")
        }
        let labDirectory = directory + "/lab"
        let source: Inventory
        do {
            source = try InventoryLoader.load(path: inventory)
        } catch {
            throw EngineCLIFailure("cannot read \(inventory): \(error)")
        }
        writeOut("1/4 starting the practice range in \(labDirectory) …\n")
        let lab = Lab(directory: labDirectory)
        if lab.status().isRunning { _ = try? await lab.down() }
        let status: LabStatus
        do {
            status = try await Lab.up(
                LabConfiguration(
                    source: source,
                    sourceDescription: inventory,
                    directory: labDirectory,
                    port: nil,
                    sshdPath: sshdPath
                )
            )
        } catch let error as LabError {
            throw EngineCLIFailure(error.message)
        }
        writeOut("    \(status.hosts.count) hosts on 127.0.10.x port \(status.port ?? 0)\n")
        var exitStatus: Int32 = DrillExit.failure
        var runFolder: RunFolder?
        do {
            writeOut("2/4 running \(scenario) at speed \(speed) with simulated teams (\(simulateTeams)) …\n")
            let base = try RunBaseOptions.parse(["--run-dir", directory + "/runs"])
            let ssh = try EngineSSHOptions.parse(["--forks", "32"])
            let result = try await RunCommand.execute(
                scenario: scenario,
                inventory: status.paths.inventory,
                speed: speed,
                startAt: nil,
                simulateTeams: simulateTeams,
                base: base,
                ssh: ssh
            )
            exitStatus = result.status
            runFolder = result.folder
            writeOut("3/4 writing the after-action report and a summary …\n")
            let opened = try OpenedRun.open(result.folder, readOnly: true)
            for path in try DemoCommand.writeReport(opened) { writeOut("    \(path)\n") }
        } catch {
            printToStandardError("Error: \(error)")
        }
        writeOut("4/4 stopping the practice range …\n")
        do {
            _ = try await lab.down()
        } catch {
            printToStandardError(
                "could not stop the practice range: \(error); run `drillctl lab down --dir \(labDirectory)`"
            )
        }
        if let runFolder {
            writeOut(
                """

                done (exit status \(exitStatus)). Output:
                  run folder  \(runFolder.url.path)
                  journal     \(runFolder.journalPath)
                  report      \(runFolder.reportPath(extension: "html")) (also .md, .json, .csv)
                  summary     \(runFolder.summaryPath)
                  status      drillctl ctl --run \(runFolder.url.path) status

                """
            )
        }
        fflush(nil)
        _exit(exitStatus)
    }

    /// The demo's after-action output: the report (`drillctl report RUN --format all`, in Chinese, the
    /// scenario's language) and a short Markdown summary of the run, both in the run folder.
    ///
    /// - Returns: the paths written.
    static func writeReport(_ run: OpenedRun) throws -> [String] {
        var written: [String] = []
        switch ReportInputs.evaluate(run.folder) {
        case .success(let evaluation):
            for format in ReportFormat.allCases {
                let path = run.folder.reportPath(extension: format.fileExtension)
                let text = ReportRenderer.render(evaluation, format: format, language: .zh)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                written.append(path)
            }
        case .failure(let error):
            printToStandardError("could not write the after-action report: \(error)")
        }
        try RunSummaryText.markdown(run).write(toFile: run.folder.summaryPath, atomically: true, encoding: .utf8)
        written.append(run.folder.summaryPath)
        return written
    }
}

/// A short Markdown summary of a finished run, from its ledger and the rules every view uses.
enum RunSummaryText {
    static func markdown(_ run: OpenedRun) throws -> String {
        let events = try run.journal.eventsNow(after: 0)
        let ledger = RunLedger(events: events, scenario: run.scenario)
        var out = "# \(run.scenario.title)\n\nrun `\(run.folder.runID)` — \(ledger.status.rawValue)"
        out +=
            ", \(events.count) journal events\n\n## Injects\n\n| inject | fired at | hosts ok | landed |\n|---|---|---|---|\n"
        for planned in run.plan.injects {
            guard let record = ledger.injects[planned.id], let fired = record.firstIntent else {
                out += "| \(planned.id) | not fired | | |\n"
                continue
            }
            let hosts = record.hosts.sorted()
            let outcomes = hosts.compactMap { ledger.hostInjects[RunLedger.HostKey(host: $0, inject: planned.id)] }
            let ok = outcomes.filter { $0.touched && $0.results.values.allSatisfy(\.succeeded) }.count
            let landed = hosts.filter { host in
                RunRules.landed(
                    ledger.hostInjects[RunLedger.HostKey(host: host, inject: planned.id)],
                    firing: record.firings.first
                )
            }.count
            out +=
                "| \(planned.id) | \(RunStatusText.clock(fired.exerciseMillis)) | \(ok)/\(hosts.count) | \(landed)/\(hosts.count) |\n"
        }
        out +=
            "\n## Team responses (time from delivery, and the status every view shows)\n\n| team | inject | acknowledge | report | resolve |\n|---|---|---|---|---|\n"
        let report = RunStatusReport(
            ledger: ledger,
            heartbeat: nil,
            nowWallMillis: ledger.lastWallMillis,
            scenario: run.scenario
        )
        for result in report.results.sorted(by: { ($0.team, $0.inject) < ($1.team, $1.inject) }) {
            let delivered = ledger.pair(result.inject, result.team)?.delivery?.at.exerciseMillis ?? 0
            let cells = result.phases.map { phase -> String in
                let word = RunStatusText.word(
                    phase.status,
                    resolution: phase.phase == .resolve ? result.resolution : nil
                )
                guard let done = phase.doneAtMillis else { return word }
                return DurationText.format(.milliseconds(done.subtractingSaturating(delivered))) + " " + word
            }
            out += "| \(result.team) | \(result.inject) | \(cells.joined(separator: " | ")) |\n"
        }
        let unclean = ledger.hostsNeedingCleanup
        out += "\n## Cleanup\n\n"
        out +=
            unclean.isEmpty
            ? "Every touched host was put back.\n"
            : unclean.map { "- **NOT CLEANED** \($0.host): \($0.injects.joined(separator: ", "))" }.joined(
                separator: "\n"
            ) + "\n"
        return out
    }
}
