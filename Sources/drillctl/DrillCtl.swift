import ArgumentParser

/// The drillctl command line: a thin composition root over the Drill* libraries.
@main
struct DrillCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drillctl",
        abstract: "Validate, preview and run cyber-range emergency drills.",
        discussion: """
            A drill director describes a drill in a scenario YAML file and its target hosts in an Ansible \
            inventory. `drillctl validate` checks both, `drillctl plan` previews the timeline, and the lab \
            commands start a local practice range to rehearse against.
            """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self,
            PlanCommand.self,
            InventoryCommand.self,
            LabCommand.self,
            PingCommand.self,
            ExecCommand.self,
        ]
    )
}
