import ArgumentParser
import DrillCore
import DrillRun
import DrillStore
import Foundation

/// `drillctl respond --run RUN --team TEAM --inject INJECT acknowledge|report TEXT|resolve`.
struct RespondCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Record a team's response to an inject: acknowledge, report TEXT, or resolve.",
        discussion: """
            The response is written to the run's journal with its wall and exercise time; the running engine \
            picks it up from there (the portal records responses through the same code). A response after the \
            phase's deadline is kept and marked late. A response to an inject the team never received, from an \
            unknown team, or to a drill that has not started or is over, is refused with the reason.

            Exit status: 0 recorded (on time or late); 1 refused, or the run cannot be opened; 2 a usage error.
            """
    )

    @Option(help: "The run: its id (under --run-dir) or its folder.")
    var run: String

    @Option(help: "The team responding (its id in the scenario).")
    var team: String

    @Option(help: "The inject responded to (its id in the scenario).")
    var inject: String

    @Argument(help: "acknowledge, report TEXT, or resolve.")
    var words: [String]

    @OptionGroup var base: RunBaseOptions

    func validate() throws {
        guard let first = words.first, let phase = ResponsePhase(rawValue: first) else {
            throw ValidationError("say acknowledge, report TEXT or resolve")
        }
        if phase == .report && words.count < 2 {
            throw ValidationError("report needs its TEXT: report 'what we found'")
        }
        if phase != .report && words.count > 1 { throw ValidationError("\(phase.rawValue) takes no text") }
    }

    func run() async throws {
        let folder = try base.locate(run)
        let journal = try Journal.open(at: folder.journalPath)
        let scenario = try? ScenarioLoader.load(path: folder.scenarioPath).scenario
        let phase = ResponsePhase(rawValue: words[0])!
        let text = words.count > 1 ? words.dropFirst().joined(separator: " ") : nil
        do {
            let receipt = try await ResponseDesk(journal: journal, scenario: scenario)
                .respond(team: team, inject: inject, phase: phase, text: text, wallMillis: nowWallMillis())
            var line =
                "recorded: \(team) \(phase.rawValue) \(inject) at \(RunStatusText.clock(receipt.event.exerciseMillis))"
            if let deadline = receipt.deadlineMillis {
                let delta = receipt.event.exerciseMillis.subtractingSaturating(deadline)
                line +=
                    receipt.late
                    ? " — LATE by \(DurationText.format(.milliseconds(delta)))"
                    : " — on time (\(DurationText.format(.milliseconds(-delta))) to spare)"
            }
            if phase == .resolve, receipt.status == .pending || receipt.status == .missed {
                line += " — claimed; it counts once the check confirms it on the team's hosts"
            }
            if receipt.repeated { line += " (the phase was already done; the first response counts for timing)" }
            print(line)
            // A response while the engine is down is recorded all the same; say so.
            let ledger = RunLedger(events: try journal.eventsNow(after: 0), scenario: scenario)
            let report = RunStatusReport(
                ledger: ledger,
                heartbeat: try journal.lastHeartbeat(),
                nowWallMillis: nowWallMillis()
            )
            if let notice = report.engineNotice {
                printToStandardError(
                    "warning: \(notice); the response is recorded and counts at \(RunStatusText.clock(receipt.event.exerciseMillis)), but nothing reacts to it until `drillctl resume` runs"
                )
            }
        } catch let refusal as RunRules.Refusal {
            printToStandardError("Error: \(refusal)")
            throw ExitCode(refusal.exitStatus)
        }
    }
}
