import DrillCore
import Foundation

/// Fixtures and a small two-province inventory shared by the scenario, plan and template tests.
enum ScenarioFixtures {
    /// The text of `Fixtures/scenarios/NAME`.
    static func text(_ name: String) throws -> String {
        guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: folder.appendingPathComponent("scenarios/\(name)"), encoding: .utf8)
    }

    /// Loads `Fixtures/scenarios/NAME`, naming it `NAME` in diagnostics.
    static func load(_ name: String) throws -> LoadedScenario {
        try ScenarioLoader.load(text: text(name), file: name)
    }

    /// Loads YAML text given inline, naming it `s.yaml`.
    static func load(text: String) throws -> LoadedScenario {
        try ScenarioLoader.load(text: text, file: "s.yaml")
    }

    /// Diagnostics of loading and validating `text` against ``inventory``, one line each, in reading order.
    static func diagnostics(_ text: String, inventory: Inventory = ScenarioFixtures.inventory) throws -> [String] {
        let loaded = try load(text: text)
        return ScenarioValidator.validate(loaded, inventory: inventory).sorted.map(\.description)
    }

    /// Two provinces; web, dns and db roles; one production host outside the drill's usual scope.
    ///
    /// ```
    /// yunnan:      yn_telecom: yn-tel-web01 yn-tel-dns01    yn_mobile: yn-mob-web01 yn-mob-web02
    /// gz_telecom:  gz-tel-web01 gz-tel-db01
    /// web:         yn-tel-web01 yn-mob-web01 yn-mob-web02 gz-tel-web01   (webroot set on the group)
    /// production:  prod-db01
    /// ```
    static let inventory = Inventory(
        groups: [
            Inventory.Group(name: "all", vars: ["drill_root": .string("/srv/drill")]),
            Inventory.Group(name: "yunnan", children: ["yn_telecom", "yn_mobile"]),
            Inventory.Group(name: "yn_telecom", hosts: ["yn-tel-web01", "yn-tel-dns01"]),
            Inventory.Group(name: "yn_mobile", hosts: ["yn-mob-web01", "yn-mob-web02"]),
            Inventory.Group(name: "gz_telecom", hosts: ["gz-tel-web01", "gz-tel-db01"]),
            Inventory.Group(
                name: "web",
                hosts: ["yn-tel-web01", "yn-mob-web01", "yn-mob-web02", "gz-tel-web01"],
                vars: ["webroot": .string("/var/www/html")]
            ),
            Inventory.Group(name: "dns", hosts: ["yn-tel-dns01"]),
            Inventory.Group(name: "db", hosts: ["gz-tel-db01", "prod-db01"]),
            Inventory.Group(name: "production", hosts: ["prod-db01"]),
        ],
        hosts: [
            Inventory.Host(name: "yn-tel-web01", vars: ["ansible_host": .string("127.0.10.1")]),
            Inventory.Host(name: "yn-tel-dns01"),
            Inventory.Host(name: "yn-mob-web01"),
            Inventory.Host(name: "yn-mob-web02"),
            Inventory.Host(name: "gz-tel-web01"),
            Inventory.Host(name: "gz-tel-db01"),
            Inventory.Host(name: "prod-db01"),
        ]
    )
}
