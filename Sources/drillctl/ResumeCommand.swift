import ArgumentParser
import DrillCore
import DrillEngine
import DrillRun
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
            times. --outage pause (the default) resumes the exercise clock at the engine's last sign of life (its \
            last heartbeat), as if the clock had stopped during the outage; --outage continue resumes it where it \
            would be had the engine never stopped. Injects that fell due while the engine was down are listed, \
            then follow --missed: fire (late, the default), skip (journaled as skipped), or ask (one question per \
            inject). A run that had ended or was aborted only finishes its cleanup; a failed or uncertain cleanup \
            is tried again, with the connection options given here (a corrected --known-hosts, say). --portal \
            serves the portal beside the engine, as for `run`.

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
    @OptionGroup var portal: PortalOptions

    func run() async throws {
        let folder = try base.locate(run)
        let opened: OpenedRun
        do {
            opened = try OpenedRun.open(folder, inventoryOverride: inventory)
        } catch {
            throw EngineCLIFailure("\(error)")
        }
        writeOut("resuming run \(folder.runID)\n")
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
        // The connection options given here win (a corrected --known-hosts, say); a known_hosts file the run was
        // created with is used when none is given. Host keys are checked strictly unless said otherwise.
        var connection = ssh
        if connection.knownHosts == nil { connection.knownHosts = opened.settings.knownHosts }
        let result = try await driveEngine(
            run: opened,
            ssh: connection,
            simulator: opened.settings.simulateTeams.flatMap(TeamSimulator.init(parsing:)),
            start: EngineService<ContinuousClock>.Start(resume: resume, shutdownReason: "SIGINT or SIGTERM received"),
            console: EngineConsole(plan: opened.plan),
            portal: portal
        )
        fflush(nil)
        _exit(result.status)
    }
}
