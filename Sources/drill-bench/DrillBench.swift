import ArgumentParser

/// Benchmarks for drillctl. Build and run in release mode: `swift run -c release drill-bench <name>`.
/// Each prints its figures; none asserts a threshold.
@main
struct DrillBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill-bench",
        abstract: "Measure drillctl's performance targets and print the figures.",
        subcommands: [
            PlanBench.self,
            GenerateBench.self,
            ExecBench.self,
            JournalBench.self,
            PortalBench.self,
            EngineBench.self,
            ReportBench.self,
        ]
    )
}
