import DrillCore
import Foundation
import Testing

/// drillctl's `inventory list` against the output of the real `ansible-inventory --list` (ansible-core 2.19.14),
/// committed beside each fixture by `Fixtures/inventory/regenerate.sh`.
@Suite("inventory list agrees with ansible-inventory --list")
struct InventoryParityTests {
    static let fixtures = [
        "basic.yaml", "ranges.yaml", "precedence.yaml", "yaml11.yaml", "empty-groups.yaml", "drill.yaml",
        "ini-basic.ini", "ini-literals.ini", "ini-ranges.ini", "ini-multi.ini", "ini-unicode.ini",
        "child-first.ini", "folder",
    ]

    @Test("the same groups, hosts and host variables as ansible-inventory (secrets redacted)", arguments: fixtures)
    func parity(fixture: String) throws {
        let name = fixture.split(separator: ".").first.map(String.init) ?? fixture
        let expected = try StrictJSON.parse(InventoryFixtures.text("inventory/\(name).expected.json"))
        let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/\(fixture)"))
        let listed = try StrictJSON.parse(InventoryListing.listJSON(inventory))
        #expect(listed == InventoryListing.redacted(expected))
        #expect(InventoryListing.list(inventory) == InventoryListing.redacted(expected))
    }

    @Test("every fixture on disk is in the table, so a new one cannot be forgotten")
    func allFixturesListed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: InventoryFixtures.path("inventory"))
        let sources = names.filter {
            !$0.hasSuffix(".json") && !$0.hasSuffix(".sh") && !$0.hasSuffix(".py") && $0 != "patterns"
        }
        #expect(Set(sources) == Set(Self.fixtures))
    }

    @Test("secrets never print: ansible-inventory shows them, drillctl shows <redacted>")
    func secretsRedacted() throws {
        let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/drill.yaml"))
        let text = InventoryListing.listJSON(inventory)
        #expect(!text.contains("s3cret"))
        #expect(!text.contains("hunter2"))
        #expect(text.contains("\"ansible_password\": \"<redacted>\""))
        #expect(text.contains("\"ansible_become_password\": \"<redacted>\""))
        // The value is still there for the SSH transport.
        #expect(inventory.connectionFacts(forHost: "gz-uni-dba.example").password?.reveal() == "s3cret")
    }

    @Test("the JSON text is byte for byte ansible-inventory's (sorted keys, four-space indents, UTF-8)")
    func byteIdentical() throws {
        for name in ["basic", "precedence", "ini-unicode", "ranges"] {
            let fixture = name.hasPrefix("ini") ? "\(name).ini" : "\(name).yaml"
            let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/\(fixture)"))
            let expected = try InventoryFixtures.text("inventory/\(name).expected.json")
            #expect(InventoryListing.listJSON(inventory) + "\n" == expected, "\(name)")
        }
    }

    @Test("--graph draws the tree as ansible-inventory --graph does")
    func graph() throws {
        let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/child-first.ini"))
        #expect(
            InventoryListing.graph(inventory) == """
                @all:
                  |--@ungrouped:
                  |--@region:
                  |  |--@province:
                  |  |  |--@team:
                  |  |  |  |--t1.example
                """
        )
        #expect(InventoryListing.graph(inventory, from: "province")?.hasPrefix("@province:\n  |--@team:") == true)
        #expect(InventoryListing.graph(inventory, from: "nope") == nil)
    }
}
