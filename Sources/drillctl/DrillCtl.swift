import ArgumentParser
import Foundation

/// The drillctl command line: a thin composition root over the Drill* libraries.
///
/// Exit statuses are the same for every command: 0 success, 1 the input or the work failed (an invalid
/// scenario, an unreachable host), 2 the command line itself was wrong. Commands that need more say so in
/// their help.
@main
struct DrillCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drillctl",
        abstract: "Validate, preview and run cyber-range emergency drills.",
        discussion: """
            A drill director describes a drill in a scenario YAML file and its target hosts in an Ansible \
            inventory. `drillctl validate` checks both, `drillctl plan` previews the timeline, and the lab \
            commands start a local practice range to rehearse against.

            Exit status: 0 success; 1 invalid input or a failed host; 2 a usage error.
            """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self,
            PlanCommand.self,
            InventoryCommand.self,
            LabCommand.self,
            PingCommand.self,
            ExecCommand.self,
            RunCommand.self,
            ResumeCommand.self,
            RespondCommand.self,
            CtlCommand.self,
            RunsCommand.self,
            DemoCommand.self,
            ServeCommand.self,
            TeamCommand.self,
            ReportCommand.self,
        ]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (EX_USAGE, 64) to exit status 2, the
    /// convention of most Unix tools and the one drillctl documents.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                let message = fullMessage(for: error)
                if !message.isEmpty { printToStandardError(message) }
                Foundation.exit(DrillExit.usage)
            }
            exit(withError: error)
        }
    }
}

/// drillctl's documented exit statuses.
enum DrillExit {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}

/// Writes `text` and a newline to standard error.
func printToStandardError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    FileHandle.standardError.write(Data(line.utf8))
}
