import DrillCore
import Foundation
import Yams

/// Reads the inventory for `ping`, `exec` and `lab up --inventory`, and turns hosts into connection facts.
///
/// INTERIM: a small reader of Ansible YAML inventories (all / children / hosts / vars, no host ranges, no INI)
/// used until `InventoryLoader` (branch `inventory`) lands; then `load` calls `InventoryLoader.load(path:)` and
/// `connectionFacts` calls `Inventory.connectionFacts(forHost:)`.
enum FanOutInventory {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    static func load(path: String) throws -> Inventory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path): cannot read the inventory (no such file, or not readable)")
        }
        let source = try YAMLSource(text: String(decoding: data, as: UTF8.self), file: path)
        guard let root = source.root, let top = root.mapping else {
            throw LoadError(description: "\(path):1:1: error: expected a YAML mapping of groups (all: …)")
        }
        var groups: [String: Inventory.Group] = [:]
        var hosts: [String: Inventory.Host] = [:]
        var order: [String] = []
        func parseGroup(_ name: String, _ node: Node?) {
            var group = groups[name] ?? Inventory.Group(name: name, location: node.map(source.location(of:)))
            if let mapping = node?.mapping {
                if let vars = mapping["vars"]?.mapping {
                    for (key, value) in vars { if let key = key.string { group.vars[key] = value.inventoryValue } }
                }
                if let hostMap = mapping["hosts"]?.mapping {
                    for (key, value) in hostMap {
                        guard let host = key.string else { continue }
                        if !group.hosts.contains(host) { group.hosts.append(host) }
                        var entry = hosts[host] ?? Inventory.Host(name: host, location: source.location(of: key))
                        if hosts[host] == nil { order.append(host) }
                        for (varKey, varValue) in value.mapping ?? [:] {
                            if let varKey = varKey.string { entry.vars[varKey] = varValue.inventoryValue }
                        }
                        hosts[host] = entry
                    }
                }
                if let children = mapping["children"]?.mapping {
                    for (key, value) in children {
                        guard let child = key.string else { continue }
                        if !group.children.contains(child) { group.children.append(child) }
                        groups[name] = group
                        parseGroup(child, value)
                        group = groups[name] ?? group
                    }
                }
            }
            groups[name] = group
        }
        for (key, value) in top {
            guard let name = key.string else { continue }
            parseGroup(name, value)
        }
        return Inventory(groups: Array(groups.values), hosts: order.compactMap { hosts[$0] })
    }

    /// How to reach `host`: `ansible_host`, `ansible_port`, `ansible_user`, `ansible_ssh_private_key_file`,
    /// and `-o UserKnownHostsFile=` / `-J` from `ansible_ssh_common_args`.
    static func connectionFacts(_ inventory: Inventory, host: String) -> ConnectionFacts {
        let vars = inventory.variables(forHost: host)
        var facts = ConnectionFacts(
            name: host,
            address: vars["ansible_host"]?.stringValue ?? host,
            port: vars["ansible_port"]?.intValue ?? 22,
            user: vars["ansible_user"]?.stringValue,
            privateKeyFile: (vars["ansible_ssh_private_key_file"] ?? vars["ansible_private_key_file"])?.stringValue
        )
        let args = [vars["ansible_ssh_common_args"], vars["ansible_ssh_extra_args"]].compactMap { $0?.stringValue }
        let words = args.joined(separator: " ").split(separator: " ").map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "-o", index + 1 < words.count {
                let option = words[index + 1]
                if option.lowercased().hasPrefix("userknownhostsfile=") {
                    facts.knownHostsFile = String(option.dropFirst("userknownhostsfile=".count))
                } else if option.lowercased().hasPrefix("proxyjump=") {
                    facts.jumpHosts = option.dropFirst("proxyjump=".count).split(separator: ",")
                        .compactMap { JumpHost(parsing: String($0)) }
                }
                index += 2
            } else if word == "-J", index + 1 < words.count {
                facts.jumpHosts = words[index + 1].split(separator: ",").compactMap { JumpHost(parsing: String($0)) }
                index += 2
            } else {
                index += 1
            }
        }
        return facts
    }
}

extension Node {
    fileprivate var inventoryValue: InventoryValue {
        switch self {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if let value = Int(scalar.string) { return .int(value) }
            if ["true", "yes", "True"].contains(scalar.string) { return .bool(true) }
            if ["false", "no", "False"].contains(scalar.string) { return .bool(false) }
            if scalar.string == "~" || scalar.string == "null" || scalar.string.isEmpty { return .null }
            if let value = Double(scalar.string) { return .double(value) }
            return .string(scalar.string)
        case .sequence(let sequence): return .list(sequence.map(\.inventoryValue))
        case .mapping(let mapping):
            var result: [String: InventoryValue] = [:]
            for (key, value) in mapping { if let key = key.string { result[key] = value.inventoryValue } }
            return .map(result)
        case .alias: return .null
        }
    }
}
