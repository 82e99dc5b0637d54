import ArgumentParser
import DrillCore
import Foundation

/// `drillctl plan SCENARIO -i INVENTORY`: the drill's timeline before it runs.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Preview a drill's timeline: every inject, when, what triggers it, whom it reaches, its deadlines.",
        discussion: """
            Injects are listed in exercise-time order (T+hh:mm:ss from STARTEX), with wall times in the drill's \
            time zone when the scenario plans a STARTEX or --start-at gives one. Conditional injects (escalations \
            that fire only for teams that miss a response) are marked and placed at the earliest time they can \
            fire. The plan goes to standard output; warnings go to standard error.

            Exit status: 0 the plan was printed; 1 the scenario is not valid (its problems are printed to \
            standard error instead, as `drillctl validate` prints them); 2 a usage error.
            """
    )

    @Argument(help: "The scenario YAML file.", completion: .file(extensions: ["yaml", "yml"]))
    var scenario: String

    @Option(name: [.short, .customLong("inventory")], help: "The Ansible inventory (a YAML or INI file, or a folder).")
    var inventory: String

    @Option(help: "The output format: text or json.")
    var format: OutputFormat = .text

    @Option(
        name: .customLong("start-at"),
        help: "The STARTEX to show wall times from, in ISO 8601 (without an offset, the drill's time zone)."
    )
    var startAt: String?

    func validate() throws {
        if let startAt, WallTime.parse(startAt, timeZone: TimeZone(identifier: "UTC")!) == nil {
            throw ValidationError(
                "'\(startAt)' is not a date and time; write ISO 8601 such as 2026-06-18T09:00:00+08:00"
            )
        }
    }

    func run() async throws {
        let inputs = try DrillInputs.load(scenario: scenario, inventory: inventory)
        if !inputs.diagnostics.isEmpty {
            var report = inputs.diagnostics.sorted.map { inputs.renderer.render($0) }.joined(separator: "\n") + "\n"
            if inputs.diagnostics.hasErrors {
                report += "\(inputs.summary)\nno plan: fix the errors above first\n"
            }
            printToStandardError(report)
        }
        guard !inputs.diagnostics.hasErrors, let loaded = inputs.loaded, let inventory = inputs.inventory else {
            throw ExitCode(DrillExit.failure)
        }
        let zone = TimeZone(identifier: loaded.scenario.timeZone) ?? TimeZone(identifier: "UTC")!
        let startex = startAt.flatMap { WallTime.parse($0, timeZone: zone) }
        let plan = Planner.plan(loaded.scenario, inventory: inventory, startex: startex)
        let output = format == .json ? PlanRenderer.json(plan) : PlanRenderer.text(plan)
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
