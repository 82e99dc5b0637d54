import ArgumentParser
import DrillCore
import DrillEngine
import DrillStore
import Foundation

/// `drillctl ctl --run RUN pause|resume|trigger INJECT|extend INJECT PHASE DURATION|abort|status`.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract:
            "Control a running drill: pause, resume, trigger INJECT, extend INJECT PHASE DURATION, abort, status.",
        discussion: """
            Each control is written to the run's journal with who (the director) and when; the running engine \
            picks it up within a fraction of a second. pause stops the exercise clock (no inject fires, \
            deadlines do not run, checks wait); resume continues exactly where it stopped. trigger fires an \
            inject now (once more if it fired already). extend moves a phase's deadline (acknowledge, report or \
            resolve) of an inject later for every team, e.g. `extend webshell report 10m`. abort ends the drill: \
            the engine cleans every touched host. status prints the run's state from its journal, whether or not \
            an engine runs.

            Exit status: 0 done; 1 refused (the reason is printed) or the run cannot be opened; 2 a usage error.
            """
    )

    @Option(help: "The run: its id (under --run-dir) or its folder.")
    var run: String

    @Argument(help: "pause, resume, trigger INJECT, extend INJECT PHASE DURATION, abort, or status.")
    var words: [String]

    @Option(help: "Why (kept in the journal).")
    var reason: String?

    @OptionGroup var base: RunBaseOptions

    func parse() throws -> Controller.Command? {
        guard let verb = words.first else {
            throw ValidationError("say what to do: pause, resume, trigger, extend, abort or status")
        }
        let rest = Array(words.dropFirst())
        func arity(_ count: Int, _ usage: String) throws {
            if rest.count != count { throw ValidationError("usage: ctl --run RUN \(usage)") }
        }
        switch verb {
        case "pause":
            try arity(0, "pause")
            return .pause
        case "resume":
            try arity(0, "resume")
            return .resume
        case "abort":
            try arity(0, "abort")
            return .abort
        case "status":
            try arity(0, "status")
            return nil
        case "trigger":
            try arity(1, "trigger INJECT")
            return .trigger(inject: rest[0])
        case "extend":
            try arity(3, "extend INJECT PHASE DURATION")
            guard let phase = ResponsePhase(rawValue: rest[1]) else {
                throw ValidationError("'\(rest[1])' is not a phase: acknowledge, report or resolve")
            }
            guard let duration = DurationText.parse(rest[2]), duration > .zero else {
                throw ValidationError("'\(rest[2])' is not a duration: write 90s, 10m, 1h30m or 00:10:00")
            }
            return .extend(inject: rest[0], phase: phase, by: duration)
        default:
            throw ValidationError("unknown control '\(verb)': pause, resume, trigger, extend, abort or status")
        }
    }

    func validate() throws { _ = try parse() }

    func run() async throws {
        let directory = try base.locate(run)
        let scenario = try? ScenarioLoader.load(path: directory.scenarioPath).scenario
        guard let command = try parse() else {
            let journal = try Journal.openForReading(at: directory.journalPath)
            let events = try journal.eventsNow(after: 0)
            let state = RunState.fold(events)
            let now = RunClock(journal: events).exerciseMillis(atWallMillis: nowWallMillis())
            var plan: Plan?
            if let scenario, let inventory = try? InventoryLoader.load(path: RunSettings.inventoryPath(directory)) {
                plan = Planner.plan(scenario, inventory: inventory)
            }
            print(
                RunStatusText.status(state, now: state.status.isFinished ? state.lastExerciseMillis : now, plan: plan),
                terminator: ""
            )
            return
        }
        let journal = try Journal.open(at: directory.journalPath)
        do {
            let event = try await Controller(journal: journal, scenario: scenario)
                .perform(command, reason: reason, wallMillis: nowWallMillis())
            print(
                "\(words.joined(separator: " ")): journaled at \(RunStatusText.clock(event.exerciseMillis)) (event \(event.sequence ?? 0))"
            )
        } catch let refusal as Controller.Refusal {
            printToStandardError("Error: \(refusal)")
            throw ExitCode(DrillExit.failure)
        }
    }
}
