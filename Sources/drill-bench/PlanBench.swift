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
        var rows: [[Duration]] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, repeats) {
            var loaded: LoadedScenario?
            var inventory: Inventory?
            let loadScenario = try clock.measure {
                loaded = try ScenarioLoader.load(text: scenarioText, file: "bench.yaml")
            }
            let loadInventory = try clock.measure {
                inventory = try InventoryLoader.load(text: inventoryText, file: "inventory.yaml")
            }
            guard let loaded, let inventory else { throw ExitCode.failure }
            var diagnostics = Diagnostics()
            let validate = clock.measure {
                diagnostics = ScenarioValidator.validate(loaded, inventory: inventory)
            }
            if diagnostics.hasErrors || !diagnostics.isEmpty {
                print(
                    DiagnosticRenderer(showsSnippets: false).render(Diagnostics(Array(diagnostics.sorted.prefix(10))))
                )
                throw ExitCode.failure
            }
            var plan: Plan?
            let planning = clock.measure { plan = Planner.plan(loaded.scenario, inventory: inventory) }
            let render = clock.measure { _ = PlanRenderer.json(plan!) }
            rows.append([loadScenario, loadInventory, validate, planning, render])
        }
        let names = ["load scenario (YAML)", "load inventory (YAML)", "validate", "plan", "render plan JSON"]
        print("step                       best        median")
        for (column, name) in names.enumerated() {
            let values = rows.map { $0[column] }.sorted()
            print(
                pad(name, 24) + pad(ms(values[0]), 12, left: true) + pad(ms(values[values.count / 2]), 12, left: true)
            )
        }
        let best = { (columns: [Int]) -> Duration in rows.map { row in columns.reduce(.zero) { $0 + row[$1] } }.min()! }
        print("`drillctl validate` work (load both + validate): \(ms(best([0, 1, 2])))")
        print("`drillctl plan` work (load both + validate + plan): \(ms(best([0, 1, 2, 3, 4])))")
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
