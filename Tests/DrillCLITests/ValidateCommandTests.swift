import DrillTesting
import Foundation
import Testing

@Suite("drillctl validate")
struct ValidateCommandTests {
    static let root = CommandRunner.packageRoot.path

    @Test("the example scenarios are valid: exit 0 and a summary", arguments: ["quickstart", "yunnan-guizhou"])
    func examplesValid(name: String) async throws {
        let output = try await CommandRunner.drillctl(
            ["validate", "scenarios/\(name).yaml", "-i", "inventory/\(name).yaml"],
            in: Self.root
        )
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.hasPrefix("valid: scenarios/\(name).yaml against inventory/\(name).yaml ("))
        #expect(output.stdout.hasSuffix("; no problems found)\n"))
    }

    @Test("a broken scenario: exit 1, every problem compiler-style with a snippet")
    func brokenScenario() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scenario = try directory.write(
            "broken.yaml",
            """
            drill: broken
            duration: 1h
            scope: all
            provinces: [{ id: yunnan, name: 云南 }]
            teams:
              - { id: yn-telecom, name: 云南电信, province: yunan, groups: yn_telecom }
            injects:
              - { id: a, at: 90 minutes, message: hi }

            """
        )
        let output = try await CommandRunner.drillctl(
            ["validate", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml"]
        )
        #expect(output.status == 1, "\(output)")
        #expect(
            output.stdout == """
                \(scenario):6:45: error: unknown province 'yunan' for team 'yn-telecom'; did you mean 'yunnan'?
                  - { id: yn-telecom, name: 云南电信, province: yunan, groups: yn_telecom }
                                                                ^
                \(scenario):8:18: error: '90 minutes' is not a duration; write 90s, 15m, 1h30m, 2h, 00:15:00 (hh:mm:ss), 15:00 (mm:ss) or a number of seconds
                  - { id: a, at: 90 minutes, message: hi }
                                 ^
                invalid: \(scenario) against \(Self.root)/inventory/quickstart.yaml (2 errors)

                """
        )
    }

    @Test("--format json gives a document with every diagnostic")
    func json() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scenario = try directory.write(
            "s.yaml",
            "drill: d\nduration: 1h\nscope: all\nprovinces: [{ id: yunnan }]\nteams: [{ id: t, province: yunnan, groups: yn_telecom }]\ninjects:\n  - { id: a, at: 1m }\n  - { id: b, at: 2m, mesage: x }\n"
        )
        let output = try await CommandRunner.drillctl(
            ["validate", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml", "--format", "json"]
        )
        #expect(output.status == 1, "\(output)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        )
        #expect(document["valid"] as? Bool == false)
        #expect(document["errors"] as? Int == 1)
        #expect(document["warnings"] as? Int == 2)
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 3)
        let error = try #require(diagnostics.first { $0["severity"] as? String == "error" })
        #expect(error["file"] as? String == scenario)
        #expect(error["line"] as? Int == 8)
        #expect(error["column"] as? Int == 22)
        #expect(error["message"] as? String == "unknown key 'mesage'")
        #expect(error["hint"] as? String == "did you mean 'message'?")
        let warning = try #require(diagnostics.first { $0["severity"] as? String == "warning" })
        #expect(warning["hint"] is NSNull)
    }

    @Test("valid with warnings still exits 0; json says valid")
    func warningsAreValid() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scenario = try directory.write(
            "s.yaml",
            "drill: d\nduration: 1h\nscope: all\nprovinces: [{ id: yunnan }]\nteams: [{ id: t, province: yunnan, groups: yn_telecom }]\ninjects:\n  - { id: a, at: 1m }\n"
        )
        let inventory = "\(Self.root)/inventory/quickstart.yaml"
        let text = try await CommandRunner.drillctl(["validate", scenario, "-i", inventory])
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("warning: inject 'a' has neither a message nor actions; it does nothing"))
        #expect(text.stdout.hasSuffix("(1 inject, 1 team, 1 province; 1 warning)\n"))
        let json = try await CommandRunner.drillctl(["validate", scenario, "-i", inventory, "--format", "json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"valid\" : true"))
    }

    @Test("a YAML syntax error is a diagnostic with its position, exit 1")
    func syntaxError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scenario = try directory.write("s.yaml", "drill: d\ninjects: [a, b\n")
        let output = try await CommandRunner.drillctl(
            ["validate", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml"]
        )
        #expect(output.status == 1, "\(output)")
        #expect(output.stdout.hasPrefix("\(scenario):3:1: error: invalid YAML"))
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["validate"],
            ["validate", "scenarios/quickstart.yaml"],
            ["validate", "scenarios/quickstart.yaml", "-i", "inventory/quickstart.yaml", "--format", "xml"],
            ["validate", "scenarios/nope.yaml", "-i", "inventory/quickstart.yaml"],
            ["validate", "scenarios/quickstart.yaml", "-i", "inventory/nope.yaml"],
        ]
    )
    func usageErrors(arguments: [String]) async throws {
        let output = try await CommandRunner.drillctl(arguments, in: Self.root)
        #expect(output.status == 2, "\(output)")
        #expect(!output.stderr.isEmpty)
    }
}
