import DrillTesting
import Foundation
import Testing

@Suite("drillctl inventory, run as a user runs it")
struct InventoryListTests {
    static let fixtures = CommandRunner.packageRoot.appendingPathComponent("Tests/DrillCoreTests/Fixtures/inventory")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    @Test("list prints exactly what ansible-inventory --list printed for the fixture")
    func listMatchesAnsible() async throws {
        let output = try await CommandRunner.drillctl(["inventory", "list", "-i", fixture("basic.yaml")])
        #expect(output.status == 0, "\(output)")
        let expected = try String(contentsOfFile: fixture("basic.expected.json"), encoding: .utf8)
        #expect(output.stdout == expected)
        #expect(output.stderr.isEmpty)
        let long = try await CommandRunner.drillctl(["inventory", "list", "--inventory", fixture("basic.yaml")])
        #expect(long.stdout == expected)
    }

    @Test("secrets print as <redacted>")
    func secrets() async throws {
        let output = try await CommandRunner.drillctl(["inventory", "list", "-i", fixture("drill.yaml")])
        #expect(output.status == 0, "\(output)")
        #expect(!output.stdout.contains("s3cret") && !output.stdout.contains("hunter2"))
        #expect(output.stdout.contains("\"ansible_ssh_pass\": \"<redacted>\""))
        #expect(output.stdout.contains("云南电信"))
    }

    @Test("--graph, and --limit narrowing list and hosts")
    func graphAndLimit() async throws {
        let graph = try await CommandRunner.drillctl(["inventory", "list", "-i", fixture("child-first.ini"), "--graph"])
        #expect(graph.status == 0, "\(graph)")
        #expect(graph.stdout.hasPrefix("@all:\n  |--@ungrouped:\n  |--@region:\n"))

        let hosts = try await CommandRunner.drillctl([
            "inventory", "hosts", "-i", fixture("drill.yaml"), "--limit", "yunnan:!yn_mobile",
        ])
        #expect(hosts.status == 0, "\(hosts)")
        #expect(hosts.stdout == "yn-tel-web01.example\nyn-tel-web02.example\nyn-tel-web03.example\n")

        let limited = try await CommandRunner.drillctl([
            "inventory", "list", "-i", fixture("drill.yaml"), "-l", "gz_unicom",
        ])
        #expect(limited.status == 0, "\(limited)")
        #expect(limited.stdout.contains("gz-uni-dba.example") && !limited.stdout.contains("yn-tel-web01"))
    }

    @Test("a pattern that selects nothing fails and says so")
    func emptyLimit() async throws {
        let output = try await CommandRunner.drillctl([
            "inventory", "hosts", "-i", fixture("drill.yaml"), "--limit", "guizou",
        ])
        #expect(output.status == 1)
        #expect(
            output.stderr == """
                warning: --limit: 'guizou' matches no group or host; did you mean 'guizhou'?
                error: --limit 'guizou' selects no host of the inventory

                """
        )
    }

    @Test("a broken inventory: file:line:column, the line, a caret, and exit 1")
    func brokenInventory() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try folder.write("inv.yaml", "all:\n  children:\n    web:\n      host:\n        web01:\n")
        let output = try await CommandRunner.drillctl(["inventory", "list", "-i", path])
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(
            output.stderr == """
                \(path):4:7: error: unknown key 'host' in group 'web'; a group holds only 'hosts', 'children' and 'vars'; did you mean 'hosts'?
                      host:
                      ^
                1 error

                """
        )
    }

    @Test("a missing inventory exits 1; a missing -i is a usage error, exit 2")
    func exitStatuses() async throws {
        let missing = try await CommandRunner.drillctl(["inventory", "list", "-i", "/nonexistent/inv.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("error: no inventory at '/nonexistent/inv.yaml'"))
        let usage = try await CommandRunner.drillctl(["inventory", "list"])
        #expect(usage.status == 2, "\(usage)")
        #expect(usage.stderr.contains("--inventory"))
    }
}
