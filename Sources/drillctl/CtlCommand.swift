import ArgumentParser
import DrillCore
import DrillRun
import DrillStore
import Foundation

/// `drillctl ctl --run RUN pause|resume|trigger INJECT|extend INJECT PHASE DURATION|abort|reconcile …|status`.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract:
            "Control a running drill: pause, resume, trigger INJECT, extend INJECT PHASE DURATION, abort, reconcile, status.",
        discussion: """
            Each control is written to the run's journal with who (the director) and when; the running engine \
            picks it up within a fraction of a second. pause stops the exercise clock (no inject fires, \
            deadlines do not run, checks wait); resume continues exactly where it stopped. trigger fires an \
            inject now (once more if it fired already). extend moves a phase's deadline (acknowledge, report or \
            resolve) of an inject later, for the teams named with --team (repeatable) or for every team, e.g. \
            `extend webshell report 10m --team yn-telecom`; the duration needs its unit (90s, 10m, 1h30m) and is at \
            most ten times the drill's duration. An escalation waiting on that deadline (no `within`) moves with it. \
            abort ends the drill: the engine cleans every touched host. reconcile INJECT TEAM RATING --reason TEXT \
            records the panel's agreed HSEEP rating (P, S, M or U) where the evaluators split. status prints the \
            run's state from its journal, whether or not an engine runs (`--format json` for the object that \
            `drillctl` and the portal compute with the same rules).

            Exit status: 0 done; 1 refused (the reason is printed) or the run cannot be opened; 2 a usage error.
            """
    )

    @Option(help: "The run: its id (under --run-dir) or its folder.")
    var run: String

    @Argument(
        help:
            "pause, resume, trigger INJECT, extend INJECT PHASE DURATION, abort, reconcile INJECT TEAM RATING, or status."
    )
    var words: [String]

    @Option(help: "Why (kept in the journal; needed for reconcile).")
    var reason: String?

    @Option(
        name: .customLong("team"),
        help: "For extend: a team whose deadline moves (repeat for several; default every team)."
    )
    var teams: [String] = []

    @Option(help: "For status: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var base: RunBaseOptions

    /// What the words ask for.
    enum Request {
        case status
        case control(ControlDesk.Command)
        case reconcile(inject: String, team: String, rating: String)
    }

    func parseRequest() throws -> Request {
        guard let verb = words.first else {
            throw ValidationError("say what to do: pause, resume, trigger, extend, abort, reconcile or status")
        }
        let rest = Array(words.dropFirst())
        func arity(_ count: Int, _ usage: String) throws {
            if rest.count != count { throw ValidationError("usage: ctl --run RUN \(usage)") }
        }
        if verb != "extend", !teams.isEmpty { throw ValidationError("--team goes with extend only") }
        switch verb {
        case "pause":
            try arity(0, "pause")
            return .control(.pause)
        case "resume":
            try arity(0, "resume")
            return .control(.resume)
        case "abort":
            try arity(0, "abort")
            return .control(.abort)
        case "status":
            try arity(0, "status [--format json]")
            return .status
        case "trigger":
            try arity(1, "trigger INJECT")
            return .control(.trigger(inject: rest[0]))
        case "extend":
            try arity(3, "extend INJECT PHASE DURATION [--team TEAM]…")
            guard let phase = ResponsePhase(rawValue: rest[1]) else {
                throw ValidationError("'\(rest[1])' is not a phase: acknowledge, report or resolve")
            }
            let text = rest[2]
            guard text.contains(where: \.isLetter), let duration = DurationText.parse(text), duration > .zero else {
                throw ValidationError(
                    "'\(text)' is not a duration with a unit: write 90s, 10m, 1h30m or 2h (a bare number is ambiguous)"
                )
            }
            guard duration <= .seconds(100 * 86_400) else {
                throw ValidationError("'\(text)' is too long: an extension is at most ten times the drill's duration")
            }
            return .control(.extend(inject: rest[0], phase: phase, by: duration, teams: teams))
        case "reconcile":
            try arity(3, "reconcile INJECT TEAM RATING --reason TEXT")
            guard ["P", "S", "M", "U"].contains(rest[2]) else {
                throw ValidationError("'\(rest[2])' is not an HSEEP rating: write P, S, M or U")
            }
            guard reason != nil else { throw ValidationError("reconcile needs --reason TEXT (kept in the journal)") }
            return .reconcile(inject: rest[0], team: rest[1], rating: rest[2])
        default:
            throw ValidationError(
                "unknown control '\(verb)': pause, resume, trigger, extend, abort, reconcile or status"
            )
        }
    }

    func validate() throws {
        let request = try parseRequest()
        if format == .json, case .status = request {
        } else if format == .json {
            throw ValidationError("--format json goes with status")
        }
    }

    func run() async throws {
        let folder = try base.locate(run)
        let scenario = try? ScenarioLoader.load(path: folder.scenarioPath).scenario
        switch try parseRequest() {
        case .status:
            let journal = try Journal.openForReading(at: folder.journalPath)
            let ledger = RunLedger(events: try journal.eventsNow(after: 0), scenario: scenario)
            let report = RunStatusReport(
                ledger: ledger,
                heartbeat: try journal.lastHeartbeat(),
                nowWallMillis: nowWallMillis(),
                scenario: scenario
            )
            if format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            var plan: Plan?
            if let scenario, let inventory = try? InventoryLoader.load(path: folder.engineInventoryPath) {
                plan = Planner.plan(scenario, inventory: inventory)
            }
            print(RunStatusText.status(ledger, now: report.exerciseMillis, plan: plan, report: report), terminator: "")
        case .control(let command):
            let journal = try Journal.open(at: folder.journalPath)
            do {
                let events = try await ControlDesk(journal: journal, scenario: scenario)
                    .perform(command, reason: reason, wallMillis: nowWallMillis())
                let last = events.last
                var line =
                    "\(words.joined(separator: " ")): journaled at \(RunStatusText.clock(last?.exerciseMillis ?? 0)) (event \(last?.sequence ?? 0))"
                if events.count > 1 { line += " for \(events.count) teams" }
                print(line)
            } catch let refusal as RunRules.Refusal {
                printToStandardError("Error: \(refusal)")
                throw ExitCode(refusal.exitStatus)
            }
        case .reconcile(let inject, let team, let rating):
            let journal = try Journal.open(at: folder.journalPath)
            do {
                let event = try await ControlDesk(journal: journal, scenario: scenario).reconcile(
                    inject: inject,
                    team: team,
                    rating: rating,
                    reason: reason ?? "",
                    actor: JournalEvent.Actor(.director),
                    wallMillis: nowWallMillis()
                )
                print(
                    "reconciled: \(inject) × \(team) rated \(rating) at \(RunStatusText.clock(event.exerciseMillis)) (event \(event.sequence ?? 0))"
                )
            } catch let refusal as RunRules.Refusal {
                printToStandardError("Error: \(refusal)")
                throw ExitCode(refusal.exitStatus)
            }
        }
    }
}
