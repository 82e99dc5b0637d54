import ArgumentParser
import DrillCore
import DrillEngine
import DrillStore
import Foundation

extension MissedPolicy: ExpressibleByArgument {}
extension OutagePolicy: ExpressibleByArgument {}

/// `drillctl resume RUN`: continue a run from its journal after the engine stopped (kill -9 included).
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its journal after the engine stopped (a crash, kill -9, a reboot).",
        discussion: """
            Nothing already fired fires again (every intent has an idempotency key in the journal). A host \
            action or cleanup whose intent is journaled without an outcome is marked `uncertain` and not \
            repeated. Responses recorded while the engine was down are kept, and deadlines keep their original \
            times. --outage pause (the default) resumes the exercise clock at the last exercise time in the \
            journal, as if the clock had stopped during the outage; --outage continue resumes it where it would \
            be had the engine never stopped. Injects that fell due while the engine was down are listed, then \
            follow --missed: fire (late, the default), skip (journaled as skipped), or ask (one question per \
            inject). A run that had ended or was aborted only finishes its cleanup.

            \(EngineExit.help)
            """
    )

    @Argument(help: "The run: its id (under --run-dir) or its folder.")
    var run: String

    @Option(help: "What to do with injects that fell due while the engine was down: fire, skip or ask.")
    var missed: MissedPolicy = .fire

    @Option(help: "How the exercise clock accounts for the outage: pause or continue.")
    var outage: OutagePolicy = .pause

    @Option(
        name: [.short, .customLong("inventory")],
        help: "The inventory to use instead of the run's copy (for hosts whose secrets the copy leaves out)."
    )
    var inventory: String?

    @OptionGroup var base: RunBaseOptions
    @OptionGroup var ssh: EngineSSHOptions

    func run() async throws {
        let directory = try base.locate(run)
        let context = try RunContext.open(directory, inventoryOverride: inventory)
        let settings = RunSettings.read(from: directory)
        let before = RunState.fold(try context.journal.eventsNow(after: 0))
        writeOut("resuming run \(directory.runID) (\(before.status.rawValue), \(before.eventCount) events)\n")
        let resume = EngineService<ContinuousClock>.Resume(outage: outage, missed: missed) { due, policy in
            var lines = ["injects that fell due while the engine was down:"]
            lines += due.map { "  \($0.inject) (due at \(RunStatusText.clock($0.scheduledMillis)))" }
            switch policy {
            case .fire: lines.append("--missed fire: firing them now, marked late")
            case .skip: lines.append("--missed skip: not firing them (journaled as skipped)")
            case .ask: break
            }
            writeOut(lines.joined(separator: "\n") + "\n")
            guard policy == .ask else { return [] }
            var fire: Set<String> = []
            for order in due {
                writeOut("fire \(order.inject) now, late? [y/N] ")
                if let answer = readLine(), answer.lowercased().hasPrefix("y") { fire.insert(order.inject) }
            }
            return fire
        }
        let result = try await driveEngine(
            context: context,
            ssh: ssh,
            simulator: settings.simulateTeams.flatMap(TeamSimulator.init(parsing:)),
            startAtWallMillis: nil,
            resume: resume,
            console: EngineConsole(plan: context.plan)
        )
        fflush(nil)
        _exit(result.status)
    }
}
