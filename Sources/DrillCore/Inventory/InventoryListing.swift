import Foundation

/// `ansible-inventory --list` and `--graph` output for an ``Inventory``, with secrets redacted.
public enum InventoryListing {
    /// What secrets print as.
    public static let redactionMarker = "<redacted>"

    /// Variables never printed in clear: connection and privilege-escalation passwords, passphrases, tokens.
    ///
    /// A name is secret when, lower-cased, it is one of these words or ends with `_` and one of them
    /// (`ansible_password`, `ansible_ssh_pass`, `ansible_become_password`, `ansible_become_pass`,
    /// `vault_token`, `api_secret`, …).
    public static let secretWords = ["password", "pass", "passwd", "passphrase", "secret", "token", "api_key"]

    /// Whether a variable named `name` holds a secret.
    public static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretWords.contains { lower == $0 || lower.hasSuffix("_" + $0) }
    }

    /// `value` with every secret-named entry (at any depth) replaced by ``redactionMarker``.
    public static func redacted(_ value: InventoryValue) -> InventoryValue {
        switch value {
        case .map(let entries):
            var result: [String: InventoryValue] = [:]
            for (key, item) in entries {
                result[key] = isSecret(key) ? .string(redactionMarker) : redacted(item)
            }
            return .map(result)
        case .list(let items):
            return .list(items.map(redacted))
        default:
            return value
        }
    }

    /// Variables `ansible-inventory` never prints, even when an inventory sets them (Ansible's
    /// `INTERNAL_STATIC_VARS`).
    public static let internalVariables: Set<String> = [
        "ansible_async_path", "ansible_collection_name", "ansible_config_file", "ansible_dependent_role_names",
        "ansible_diff_mode", "ansible_facts", "ansible_forks", "ansible_inventory_sources", "ansible_limit",
        "ansible_play_batch", "ansible_play_hosts", "ansible_play_hosts_all", "ansible_play_role_names",
        "ansible_playbook_python", "ansible_role_name", "ansible_role_names", "ansible_run_tags",
        "ansible_skip_tags", "ansible_verbosity", "ansible_version", "inventory_dir", "inventory_file",
        "inventory_hostname", "inventory_hostname_short", "groups", "group_names", "hostvars", "playbook_dir",
        "play_hosts", "role_name", "role_names", "role_path", "role_uuid",
    ]

    /// The data of `ansible-inventory --list`: `_meta.hostvars` (hosts with at least one variable),
    /// `_meta.profile`, and for every group with hosts or children its direct `hosts` and `children`; `all`
    /// lists only children. Groups with neither are left out but still named by their parents, as Ansible
    /// does. Secrets are redacted.
    ///
    /// - Parameter hosts: the hosts to show (Ansible's `--limit`); nil for all.
    public static func list(_ inventory: Inventory, hosts selection: [String]? = nil) -> InventoryValue {
        let available = Set(selection ?? inventory.hostOrder)
        var result: [String: InventoryValue] = [:]
        var seen = Set<String>()
        func format(_ name: String) {
            guard let group = inventory.groups[name] else { return }
            var entry: [String: InventoryValue] = [:]
            if name != "all" {
                let members = group.hosts.filter(available.contains)
                if !members.isEmpty { entry["hosts"] = .list(members.map(InventoryValue.string)) }
            }
            if !group.children.isEmpty { entry["children"] = .list(group.children.map(InventoryValue.string)) }
            for child in group.children where seen.insert(child).inserted { format(child) }
            if !entry.isEmpty { result[name] = .map(entry) }
        }
        format("all")
        var hostvars: [String: InventoryValue] = [:]
        for host in inventory.hostOrder where available.contains(host) {
            var vars = inventory.variables(forHost: host)
            for name in internalVariables { vars[name] = nil }
            if !vars.isEmpty { hostvars[host] = redacted(.map(vars)) }
        }
        result["_meta"] = .map(["hostvars": .map(hostvars), "profile": .string("inventory_legacy")])
        return .map(result)
    }

    /// `ansible-inventory --list` as text: JSON with sorted keys and four-space indents, like Python's
    /// `json.dumps(…, sort_keys=True, indent=4)`, but with UTF-8 text unescaped.
    public static func listJSON(_ inventory: Inventory, hosts selection: [String]? = nil) -> String {
        var out = ""
        list(inventory, hosts: selection).writeJSON(into: &out, sortedKeys: true, indent: 4, level: 0)
        return out
    }

    /// `ansible-inventory --graph [GROUP]`: the group tree from `group` (default `all`), one line per group
    /// (`@name:`) and host, indented with `  |--`.
    ///
    /// - Returns: nil when `group` is not a group.
    public static func graph(
        _ inventory: Inventory,
        from group: String = "all",
        hosts selection: [String]? = nil
    )
        -> String?
    {
        guard inventory.groups[group] != nil else { return nil }
        let available = Set(selection ?? inventory.hostOrder)
        var lines: [String] = []
        func name(_ text: String, _ depth: Int) -> String {
            depth == 0 ? text : String(repeating: "  |", count: depth) + "--" + text
        }
        func walk(_ groupName: String, _ depth: Int) {
            guard let entry = inventory.groups[groupName] else { return }
            lines.append(name("@\(groupName):", depth))
            for child in entry.children { walk(child, depth + 1) }
            if groupName != "all" {
                for host in entry.hosts where available.contains(host) { lines.append(name(host, depth + 1)) }
            }
        }
        walk(group, 0)
        return lines.joined(separator: "\n")
    }
}
