import DrillCore
import Foundation
import Testing

/// Host patterns (`--limit`) against the real `ansible -i patterns.yaml PATTERN --list-hosts`
/// (ansible-core 2.19.14), committed in `Fixtures/inventory/patterns/patterns.expected.json`.
@Suite("host patterns select what ansible --list-hosts lists, in its order")
struct HostPatternTests {
    struct Row: Decodable, CustomTestStringConvertible, Sendable {
        var pattern: String
        var hosts: [String]
        var testDescription: String { "'\(pattern)'" }
    }

    static let rows: [Row] = {
        let path = InventoryFixtures.path("inventory/patterns/patterns.expected.json")
        guard let data = FileManager.default.contents(atPath: path),
            let rows = try? JSONDecoder().decode([Row].self, from: data)
        else { return [] }
        return rows
    }()

    static let inventory: Inventory? = try? InventoryLoader.load(
        path: InventoryFixtures.path("inventory/patterns/patterns.yaml")
    )

    @Test("the table is there")
    func tableLoads() throws {
        #expect(Self.rows.count >= 30)
        #expect(Self.inventory != nil)
    }

    @Test("same hosts in the same order as Ansible", arguments: rows)
    func matchesAnsible(row: Row) throws {
        let inventory = try #require(Self.inventory)
        #expect(inventory.select(pattern: row.pattern) == row.hosts)
    }

    @Test("--limit keeps inventory order whatever the order of the pattern")
    func limitOrder() throws {
        let inventory = try #require(Self.inventory)
        #expect(inventory.select(pattern: "db:web").first == "db01.yn.example")
        #expect(
            inventory.hosts(limitedTo: "db:web") == [
                "web01.yn.example", "web02.yn.example", "web03.gz.example", "db01.yn.example", "db02.gz.example",
            ]
        )
    }

    @Test("terms split on commas first, else on colons outside brackets; a host name with a port is one term")
    func splitting() {
        #expect(HostPattern("a:b:&c:!d").terms == [.union("a"), .union("b"), .intersection("c"), .exclusion("d")])
        #expect(HostPattern("a, b ,!c").terms == [.union("a"), .union("b"), .exclusion("c")])
        #expect(HostPattern("web[1:3]:db").terms == [.union("web[1:3]"), .union("db")])
        #expect(HostPattern("web01.example:22").terms == [.union("web01.example:22")])
        #expect(HostPattern("a:b,c").terms == [.union("a:b"), .union("c")])
    }

    @Test("a bad regular expression or a slice past the end throws from resolve, and selects nothing")
    func failures() throws {
        let inventory = try #require(Self.inventory)
        #expect(throws: HostPattern.Failure(message: "no host matched the subscripted pattern 'web[7]'")) {
            try HostPattern("web[7]").resolve(in: inventory)
        }
        #expect(throws: HostPattern.Failure.self) { try HostPattern("~web(").resolve(in: inventory) }
        #expect(inventory.select(pattern: "web[7]").isEmpty)
        #expect(HostPattern("web:nothing:~zz").unmatchedTerms(in: inventory) == ["nothing", "~zz"])
    }

    @Test("globs translate like Python's fnmatch")
    func globs() throws {
        let inventory = try #require(Self.inventory)
        #expect(inventory.select(pattern: "[!w]*.yn.example") == ["db01.yn.example", "app01.yn.example"])
        #expect(inventory.select(pattern: "web0[1-2].yn.example") == ["web01.yn.example", "web02.yn.example"])
        // Ansible's splitter drops an unclosed '[': `web[` is the group `web`.
        #expect(inventory.select(pattern: "web[") == inventory.hosts(inGroup: "web"))
    }
}
