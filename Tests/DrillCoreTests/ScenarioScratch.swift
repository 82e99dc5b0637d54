import DrillCore
import Testing

@Test func scratch() throws {
    print(try ScenarioDiagnosticsTests.check("  - { id: a, at: 1m, message: hi, severity: V }"))
    print(try ScenarioDiagnosticsTests.check("  - { id: a, at: 1m, message: hi }", extra: "titel: x"))
    let loaded = try ScenarioFixtures.load("six-problems.yaml")
    let d = ScenarioValidator.validate(loaded, inventory: ScenarioFixtures.inventory)
    print(DiagnosticRenderer(sources: ["six-problems.yaml": loaded.text]).render(d))
    let s = try ScenarioFixtures.load("small.yaml")
    print(DiagnosticRenderer(sources: ["small.yaml": s.text]).render(ScenarioValidator.validate(s, inventory: ScenarioFixtures.inventory)))
}
