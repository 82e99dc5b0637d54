import DrillCore
import DrillEngine
import DrillTesting
import Foundation
import Testing

@Suite("Uploads: a file written on every target host")
struct UploadTests {
    static let scenario = testScenarioYAML.replacingOccurrences(
        of: """
                actions:
                  - run: "touch {{ host.vars.drill_root }}/deface"
            """,
        with: """
                actions:
                  - upload: { src: files/note.txt, dest: "{{ host.vars.drill_root }}/README.txt", mode: "0640" }
            """
    )

    @Test("an upload from src: sends the file's text, rendered for each host's team, with its mode")
    func srcUpload() async throws {
        #expect(Self.scenario.contains("src: files/note.txt"))
        var loaded = try ScenarioLoader.load(text: Self.scenario, file: "test.yaml")
        var asked: [String] = []
        loaded.inlineUploadSources { source in
            asked.append(source)
            return .success("Pay up, {{ team.name }} ($(rm -rf /) stays text)\n")
        }
        #expect(asked == ["files/note.txt"])
        #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics.sorted)")
        let inventory = try InventoryLoader.load(text: testInventoryYAML, file: "inventory.yaml")
        let plan = Planner.plan(loaded.scenario, inventory: inventory)
        var engine = try await EngineHarness(plan: plan, inventory: inventory)
        try await engine.run(until: 10 * 60_000)
        let uploads = engine.executor.uploads.sorted { $0.host < $1.host }
        #expect(uploads.map(\.host) == ["h1", "h2", "h3"])
        #expect(uploads.allSatisfy { $0.path == "/srv/drill/README.txt" && $0.mode == 0o640 })
        #expect(uploads.first?.text == "Pay up, Team One ($(rm -rf /) stays text)\n")
        #expect(uploads.last?.text == "Pay up, Team Two ($(rm -rf /) stays text)\n")
    }

    @Test("a src file that cannot be read is an error at its src key")
    func unreadableSource() throws {
        var loaded = try ScenarioLoader.load(text: Self.scenario, file: "test.yaml")
        loaded.inlineUploadSources { _ in .failure(UploadSourceError("no readable file at 'files/note.txt'")) }
        let error = try #require(loaded.diagnostics.sorted.first { $0.severity == .error })
        #expect(error.message.hasPrefix("cannot read upload src 'files/note.txt': no readable file"))
        #expect(error.location?.line == 18)  // the `- upload:` line of the deface inject
    }
}
