public import DrillCore
public import DrillStore
import Foundation

/// A run's access codes: one per team, the evaluators and the director. Printed once, written to the run folder
/// (mode 0600), stored in the journal as salted hashes only.
public enum RunAccessCodes {
    /// The evaluators a run gets when nothing else says (`evaluator-1`, `evaluator-2`).
    public static func evaluators(count: Int) -> [String] { (1...max(1, count)).map { "evaluator-\($0)" } }

    /// Generates and stores the codes for `scenario`'s run in `folder`, and returns the text printed once.
    ///
    /// - Throws: when the journal or the codes file cannot be written.
    public static func create(
        for scenario: Scenario,
        evaluators: [String] = evaluators(count: 2),
        journal: Journal,
        folder: RunFolder,
        wallMillis: Int64
    ) throws -> String {
        var entries: [(role: String, subject: String)] = [("director", "director")]
        entries += scenario.teams.map { ("team", $0.id) }
        entries += evaluators.map { ("evaluator", $0) }
        var text = "access codes for run \(folder.runID):\n"
        let width = entries.map { $0.role.count + $0.subject.count + 1 }.max() ?? 0
        for entry in entries {
            let code = AccessCode.generate()
            try journal.storeCredential(
                role: entry.role,
                subject: entry.subject,
                hash: CredentialHash.make(code: code),
                wallMillis: wallMillis
            )
            let label = entry.role == entry.subject ? entry.role : "\(entry.role) \(entry.subject)"
            text += "  \(label.padding(toLength: width, withPad: " ", startingAt: 0))  \(code)\n"
        }
        try folder.writeAccessCodes(text)
        return text
    }
}

/// The inventory copy the engine reads back on resume: every in-scope host with its resolved variables
/// (secrets left out) and the group memberships, as YAML (in JSON flow style).
public enum RunInventoryCopy {
    public static func yaml(_ inventory: Inventory) -> String {
        var hosts: [String: InventoryValue] = [:]
        for host in inventory.hostOrder {
            var vars = inventory.variables(forHost: host)
            for name in vars.keys where InventoryListing.isSecret(name) { vars[name] = nil }
            for name in ["inventory_hostname", "inventory_hostname_short", "group_names", "groups"] {
                vars[name] = nil
            }
            hosts[host] = .map(vars)
        }
        var children: [String: InventoryValue] = [:]
        for (name, group) in inventory.groups where name != "all" && name != "ungrouped" {
            var entry: [String: InventoryValue] = [:]
            if !group.hosts.isEmpty {
                entry["hosts"] = .map(
                    Dictionary(uniqueKeysWithValues: group.hosts.map { ($0, InventoryValue.map([:])) })
                )
            }
            if !group.children.isEmpty {
                entry["children"] = .map(
                    Dictionary(uniqueKeysWithValues: group.children.map { ($0, InventoryValue.map([:])) })
                )
            }
            children[name] = .map(entry)
        }
        var all: [String: InventoryValue] = ["hosts": .map(hosts)]
        if !children.isEmpty { all["children"] = .map(children) }
        var out = "# Written by drillctl run: the run's inventory, resolved (secrets left out). resume reads it.\n"
        InventoryValue.map(["all": .map(all)]).writeJSON(into: &out, sortedKeys: true, indent: 2, level: 0)
        return out + "\n"
    }
}
