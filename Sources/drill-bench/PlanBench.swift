import ArgumentParser
import DrillCore
import Foundation

/// `drill-bench plan`: loads, validates and plans a generated scenario and inventory, and prints how long
/// each step took. The target: validate and plan each under 1 s for 2,000 injects over 5,000 hosts
/// in a release build.
struct PlanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Time loading, validating and planning a generated scenario (YAML parsing included)."
    )

    @Option(help: "The number of injects to generate.")
    var injects = 2000

    @Option(help: "The number of inventory hosts to generate.")
    var hosts = 5000

    @Option(help: "How many times to repeat the measurement; the best and the median are printed.")
    var repeats = 3

    func run() async throws {
        let generator = ScenarioGenerator(injects: injects, hosts: hosts)
        let scenarioText = generator.scenarioYAML()
        let inventoryText = generator.inventoryYAML()
        print(
            "generated: \(injects) injects, \(hosts) hosts, \(generator.teamCount) teams; scenario \(scenarioText.utf8.count / 1024) KiB, inventory \(inventoryText.utf8.count / 1024) KiB"
        )
        // Wall time, and the process's CPU time: on a shared machine (several builds at once) the CPU time is
        // what the work costs; the wall time includes waiting for a core.
        var wallRows: [[Duration]] = []
        var cpuRows: [[Duration]] = []
        for _ in 0..<max(1, repeats) {
            var loaded: LoadedScenario?
            var inventory: Inventory?
            var diagnostics = Diagnostics()
            var plan: Plan?
            var walls: [Duration] = []
            var cpus: [Duration] = []
            func measure(_ body: () throws -> Void) rethrows {
                let cpuStart = Self.cpuTime()
                let wallStart = ContinuousClock.now
                try body()
                walls.append(ContinuousClock.now - wallStart)
                cpus.append(Self.cpuTime() - cpuStart)
            }
            try measure { loaded = try ScenarioLoader.load(text: scenarioText, file: "bench.yaml") }
            try measure { inventory = try InventoryLoader.load(text: inventoryText, file: "inventory.yaml") }
            guard let loaded, let inventory else { throw ExitCode.failure }
            measure { diagnostics = ScenarioValidator.validate(loaded, inventory: inventory) }
            if !diagnostics.isEmpty {
                print(
                    DiagnosticRenderer(showsSnippets: false).render(Diagnostics(Array(diagnostics.sorted.prefix(10))))
                )
                throw ExitCode.failure
            }
            measure { plan = Planner.plan(loaded.scenario, inventory: inventory) }
            measure { _ = PlanRenderer.text(plan!) }
            measure { _ = PlanRenderer.json(plan!) }
            wallRows.append(walls)
            cpuRows.append(cpus)
        }
        let names = [
            "load scenario (YAML)", "load inventory (YAML)", "validate", "plan", "render plan text",
            "render plan JSON",
        ]
        print("step                     wall best  wall median    CPU best  CPU median")
        for (column, name) in names.enumerated() {
            let walls = wallRows.map { $0[column] }.sorted()
            let cpus = cpuRows.map { $0[column] }.sorted()
            print(
                pad(name, 24) + pad(ms(walls[0]), 11, left: true) + pad(ms(walls[walls.count / 2]), 13, left: true)
                    + pad(ms(cpus[0]), 12, left: true) + pad(ms(cpus[cpus.count / 2]), 12, left: true)
            )
        }
        func best(_ rows: [[Duration]], _ columns: [Int]) -> String {
            ms(rows.map { row in columns.reduce(Duration.zero) { $0 + row[$1] } }.min()!)
        }
        print(
            "`drillctl validate` work (load both + validate): wall \(best(wallRows, [0, 1, 2])), CPU \(best(cpuRows, [0, 1, 2]))"
        )
        print(
            "`drillctl plan` work (load both + validate + plan + text): wall \(best(wallRows, [0, 1, 2, 3, 4])), CPU \(best(cpuRows, [0, 1, 2, 3, 4]))"
        )
    }

    /// CPU time used by this process so far.
    static func cpuTime() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    func ms(_ duration: Duration) -> String {
        let millis = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String(format: "%.1f ms", millis)
    }

    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}

/// `drill-bench generate`: writes the generated scenario and inventory to files, to time the real CLI on them.
struct GenerateBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a generated scenario and inventory (scenario.yaml, inventory.yaml) to a folder."
    )

    @Option(help: "The number of injects to generate.")
    var injects = 2000

    @Option(help: "The number of inventory hosts to generate.")
    var hosts = 5000

    @Option(help: "The folder to write scenario.yaml and inventory.yaml to (created if missing).")
    var out: String

    func run() async throws {
        let generator = ScenarioGenerator(injects: injects, hosts: hosts)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try generator.scenarioYAML().write(toFile: out + "/scenario.yaml", atomically: true, encoding: .utf8)
        try generator.inventoryYAML().write(toFile: out + "/inventory.yaml", atomically: true, encoding: .utf8)
        print("wrote \(out)/scenario.yaml and \(out)/inventory.yaml")
        print("time: drillctl validate \(out)/scenario.yaml -i \(out)/inventory.yaml")
    }
}
