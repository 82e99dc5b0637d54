import DrillCore
import DrillTesting
import Foundation
import Testing

@Suite("The example scenarios")
struct ScenarioExamplesTests {
    static func load(_ name: String) throws -> (LoadedScenario, Inventory, Diagnostics) {
        let root = CommandRunner.packageRoot
        let loaded = try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/\(name).yaml").path)
        let inventory = try InventoryLoader.load(path: root.appendingPathComponent("inventory/\(name).yaml").path)
        return (loaded, inventory, ScenarioValidator.validate(loaded, inventory: inventory))
    }

    @Test(
        "validate clean against their inventories: no errors, no warnings",
        arguments: ["quickstart", "yunnan-guizhou"]
    )
    func validateClean(name: String) throws {
        let (_, _, diagnostics) = try Self.load(name)
        #expect(diagnostics.isEmpty, "\(diagnostics.sorted.map(\.description))")
    }

    @Test("the Yunnan–Guizhou drill has what the issue asks for")
    func yunnanGuizhouShape() throws {
        let (loaded, inventory, _) = try Self.load("yunnan-guizhou")
        let scenario = loaded.scenario
        #expect(scenario.provinces.map(\.id) == ["yunnan", "guizhou"])
        for province in scenario.provinces {
            #expect(scenario.teams.count { $0.province == province.id } >= 3)
        }
        #expect(scenario.injects.count >= 10)
        #expect(scenario.evaluation?.rubric.isEmpty == false)
        let plan = Planner.plan(scenario, inventory: inventory)
        #expect(plan.injects.count == scenario.injects.count)
        #expect(plan.injects.contains { $0.isConditional })
        // Exercise control's own host is never in scope.
        #expect(!plan.scopeHosts.contains("exercise-control"))
        #expect(plan.injects.allSatisfy { $0.time <= scenario.duration })
    }

    @Test(
        "every technical inject can be checked, remedied and cleaned up",
        arguments: ["quickstart", "yunnan-guizhou"]
    )
    func technicalInjectsAreComplete(name: String) throws {
        let scenario = try Self.load(name).0.scenario
        for inject in scenario.injects where !inject.actions.isEmpty {
            #expect(inject.resolvedWhen != nil, "\(inject.id) has no resolved_when")
            #expect(inject.landedWhen != nil, "\(inject.id) has no landed_when")
            #expect(!inject.remedy.isEmpty, "\(inject.id) has no remedy")
            #expect(!inject.cleanup.isEmpty, "\(inject.id) has no cleanup")
        }
    }

    @Test("commands only touch the lab's per-host folders", arguments: ["quickstart", "yunnan-guizhou"])
    func commandsStayInDrillFolders(name: String) throws {
        let (loaded, inventory, _) = try Self.load(name)
        let plan = Planner.plan(loaded.scenario, inventory: inventory)
        // Render every command for a host whose folders are distinctive, and check each absolute path in it.
        let host = TemplateContext.Host(
            name: "h",
            variables: ["drill_root": .string("/LAB/h"), "webroot": .string("/LAB/h/www")]
        )
        for planned in plan.injects {
            var context = TemplateContext(scenario: loaded.scenario, inject: planned.inject)
            context.host = host
            let commands =
                (planned.inject.actions + planned.inject.remedy + planned.inject.cleanup).flatMap(\.templateTexts)
                + [planned.inject.landedWhen?.command, planned.inject.resolvedWhen?.command].compactMap { $0 }
            for text in commands {
                let rendered = try Template(parsing: text).render(context, mode: .shell)
                // Drop the quotes drillctl added, then look at every word that is an absolute path.
                let words = rendered.replacingOccurrences(of: "'", with: "").split(whereSeparator: {
                    " \n\">;".contains($0)
                })
                let paths = words.filter { $0.hasPrefix("/") && !$0.hasPrefix("/*") && !$0.hasPrefix("/drill:") }
                for path in paths where path != "/dev/null" {
                    #expect(path.hasPrefix("/LAB/h"), "\(planned.id): \(path) in \(rendered)")
                }
            }
        }
    }
}
