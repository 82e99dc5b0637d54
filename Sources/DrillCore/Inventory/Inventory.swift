/// An Ansible inventory: hosts, groups, group children and variables, with Ansible's semantics.
///
/// Build one with ``InventoryLoader`` (YAML and INI files, or a folder of them) or, in tests, with
/// ``init(groups:hosts:)``. Every inventory has the implicit groups `all` and `ungrouped`, as in Ansible.
///
/// Everything a plan asks for often (the hosts below a group, the groups of a host, a host's variables) is
/// computed once when the inventory is built, so lookups stay cheap for thousands of hosts.
public struct Inventory: Sendable, Hashable {
    /// A group of hosts. `hosts` and `children` are the direct members; use ``Inventory/hosts(inGroup:)`` for
    /// every host below a group.
    public struct Group: Sendable, Hashable {
        public var name: String
        /// Hosts listed directly in this group, in the order they were first listed.
        public var hosts: [String]
        /// Child groups, in the order they were first listed.
        public var children: [String]
        /// Variables set on this group in the inventory itself (`vars:` or `[group:vars]`).
        public var vars: [String: InventoryValue]
        /// Variables from `group_vars/<name>` files beside the inventory. As in Ansible, they outrank the
        /// inline `vars` of every group, whatever its depth.
        public var fileVars: [String: InventoryValue]
        /// `ansible_group_priority` (default 1): among groups of the same depth, a higher priority wins. As in
        /// Ansible it is not a variable: it never shows in ``vars`` or a host's variables.
        public var priority: Int
        /// Where the group was (first) defined, for diagnostics.
        public var location: SourceLocation?

        /// Creates a group. An `ansible_group_priority` entry in `vars` sets ``priority`` and is removed from
        /// the variables, as Ansible does.
        public init(
            name: String,
            hosts: [String] = [],
            children: [String] = [],
            vars: [String: InventoryValue] = [:],
            location: SourceLocation? = nil
        ) {
            self.name = name
            self.hosts = hosts
            self.children = children
            var vars = vars
            self.priority = vars.removeValue(forKey: "ansible_group_priority")?.intValue ?? 1
            self.vars = vars
            self.fileVars = [:]
            self.location = location
        }
    }

    /// A host and the variables set on the host itself.
    public struct Host: Sendable, Hashable {
        public var name: String
        /// Variables set on the host in the inventory (inline host variables, and `ansible_port` from a
        /// `name:port` entry).
        public var vars: [String: InventoryValue]
        /// Variables from `host_vars/<name>` files beside the inventory; they win over everything else.
        public var fileVars: [String: InventoryValue]
        /// Where the host was (first) defined, for diagnostics.
        public var location: SourceLocation?

        public init(name: String, vars: [String: InventoryValue] = [:], location: SourceLocation? = nil) {
            self.name = name
            self.vars = vars
            self.fileVars = [:]
            self.location = location
        }
    }

    /// Groups by name, including `all` and `ungrouped`.
    public private(set) var groups: [String: Group]
    /// Hosts by name.
    public private(set) var hosts: [String: Host]
    /// Host names in Ansible's order for the pattern `all`: hosts of `all` itself, then of its children in
    /// order, then of their children, level by level.
    public private(set) var hostOrder: [String]
    /// Host names in the order they were first defined (the order host globs and regexes walk them).
    public private(set) var hostDefinitionOrder: [String]
    /// Group names in the order Ansible created them (`all`, `ungrouped`, then as the files define them);
    /// the order globs such as `web*` walk the groups in.
    public private(set) var groupOrder: [String]

    /// Lookups computed once, when the inventory is built.
    private var index: Index

    /// Builds an inventory from groups and hosts. Hosts named in a group but not in `hosts` are created
    /// without variables. `all` and `ungrouped` are added and filled as Ansible does: every group without a
    /// parent is a child of `all`, and hosts in no group but `all` belong to `ungrouped`.
    ///
    /// A child loop (a group below itself) is broken by ignoring the edge that closes it; the loaders report
    /// loops as errors before they get here.
    public init(groups: [Group], hosts: [Host] = []) {
        var builder = InventoryBuilder()
        for host in hosts {
            builder.addHost(host.name, location: host.location)
            for (key, value) in host.vars.sorted(by: { $0.key < $1.key }) {
                builder.setHostVariable(host.name, key, value)
            }
            builder.hostFileVars[host.name, default: [:]].merge(host.fileVars) { _, new in new }
        }
        for group in groups {
            builder.addGroup(group.name, location: group.location)
            for (key, value) in group.vars.sorted(by: { $0.key < $1.key }) {
                builder.setGroupVariable(group.name, key, value)
            }
            if group.priority != 1 { builder.setGroupPriority(group.name, group.priority) }
            builder.groupFileVars[group.name, default: [:]].merge(group.fileVars) { _, new in new }
            for host in group.hosts { builder.addHost(host, toGroup: group.name) }
        }
        for group in groups {
            for child in group.children {
                builder.addGroup(child)
                _ = builder.addChild(child, to: group.name)
            }
        }
        self = builder.build()
    }

    /// The inventory a builder holds, after Ansible's reconciliation.
    init(
        groups: [String: Group],
        hosts: [String: Host],
        groupOrder: [String],
        hostInsertionOrder: [String]
    ) {
        self.groups = groups
        self.hosts = hosts
        self.groupOrder = groupOrder
        self.hostDefinitionOrder = hostInsertionOrder
        self.index = Index(groups: groups, groupOrder: groupOrder, hosts: hosts, hostInsertionOrder: hostInsertionOrder)
        self.hostOrder = index.hostsBelow["all"] ?? []
    }

    /// Every host in `group` or in any group below it, in Ansible's order for that group; empty for an
    /// unknown group.
    public func hosts(inGroup group: String) -> [String] {
        index.hostsBelow[group] ?? []
    }

    /// The groups `host` belongs to, directly or through a child group, including `all`, sorted by name.
    public func groups(ofHost host: String) -> [String] {
        index.groupsOfHost[host] ?? []
    }

    /// The depth of each group below `all` (all = 0): the longest path, as Ansible computes it.
    public func groupDepths() -> [String: Int] {
        index.depth
    }

    /// The groups whose variables apply to `host`, in the order they are merged (Ansible's `sort_groups`:
    /// by depth, then `ansible_group_priority`, then name), without `all`.
    public func precedenceGroups(ofHost host: String) -> [String] {
        index.precedenceGroups[host] ?? []
    }

    /// The variables of `host` after Ansible's precedence, as `ansible-inventory --list` shows them:
    /// `all`'s vars, then the other groups' inline vars (parents before children; same depth by
    /// `ansible_group_priority`, then name), then `group_vars/all`, then the other `group_vars/` files in the
    /// same order, then the host's own vars, then `host_vars/`. Magic variables (`inventory_hostname`, …)
    /// are not added. Empty for an unknown host.
    public func variables(forHost host: String) -> [String: InventoryValue] {
        guard let entry = hosts[host] else { return [:] }
        let ordered = index.precedenceGroups[host] ?? []
        var result = groups["all"]?.vars ?? [:]
        for name in ordered {
            if let vars = groups[name]?.vars, !vars.isEmpty { result.merge(vars) { _, new in new } }
        }
        if let vars = groups["all"]?.fileVars, !vars.isEmpty { result.merge(vars) { _, new in new } }
        for name in ordered {
            if let vars = groups[name]?.fileVars, !vars.isEmpty { result.merge(vars) { _, new in new } }
        }
        result.merge(entry.vars) { _, new in new }
        result.merge(entry.fileVars) { _, new in new }
        return result
    }

    /// The hosts an Ansible host pattern selects, in the order `ansible PATTERN --list-hosts` prints them.
    ///
    /// Supports what `ansible --limit` does for names: `all` / `*`, group and host names, globs (`web*`),
    /// regular expressions (`~web\d+`), unions (`a:b` or `a,b`), intersections (`a:&b`), exclusions
    /// (`a:!b`) and group slices (`web[0]`, `web[1:3]`). See ``HostPattern``.
    public func select(pattern: String) -> [String] {
        HostPattern(pattern).select(in: self)
    }

    /// The hosts `pattern` selects, in inventory order (``hostOrder``), as `--limit PATTERN` restricts a run.
    public func hosts(limitedTo pattern: String) -> [String] {
        let selected = Set(select(pattern: pattern))
        return hostOrder.filter(selected.contains)
    }

    public static func == (lhs: Inventory, rhs: Inventory) -> Bool {
        lhs.groupOrder == rhs.groupOrder && lhs.hostOrder == rhs.hostOrder && lhs.groups == rhs.groups
            && lhs.hosts == rhs.hosts
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(groupOrder)
        hasher.combine(hostOrder)
    }
}

extension Inventory {
    /// Lookups derived from the groups and hosts.
    struct Index: Sendable {
        var depth: [String: Int] = [:]
        var hostsBelow: [String: [String]] = [:]
        var groupsOfHost: [String: [String]] = [:]
        var precedenceGroups: [String: [String]] = [:]

        init(groups: [String: Group], groupOrder: [String], hosts: [String: Host], hostInsertionOrder: [String]) {
            // Depth: the longest path from `all`, by relaxing edges in topological order.
            var parents: [String: [String]] = [:]
            for name in groupOrder {
                for child in groups[name]?.children ?? [] { parents[child, default: []].append(name) }
            }
            var depth: [String: Int] = [:]
            func depthOf(_ name: String, _ visiting: inout Set<String>) -> Int {
                if let known = depth[name] { return known }
                guard visiting.insert(name).inserted else { return 0 }
                let value = (parents[name] ?? []).map { depthOf($0, &visiting) + 1 }.max() ?? 0
                visiting.remove(name)
                depth[name] = value
                return value
            }
            var visiting = Set<String>()
            for name in groupOrder { _ = depthOf(name, &visiting) }
            self.depth = depth

            // Hosts below each group, in Ansible's `get_hosts` order: the group itself, its children in order,
            // then their children level by level.
            for name in groupOrder {
                var ordered = [name]
                var seen: Set<String> = [name]
                var level = [name]
                while !level.isEmpty {
                    var next: [String] = []
                    for group in level {
                        for child in groups[group]?.children ?? [] where seen.insert(child).inserted {
                            next.append(child)
                        }
                    }
                    ordered.append(contentsOf: next)
                    level = next
                }
                var members: [String] = []
                var seenHosts = Set<String>()
                for group in ordered {
                    for host in groups[group]?.hosts ?? [] where seenHosts.insert(host).inserted {
                        members.append(host)
                    }
                }
                hostsBelow[name] = members
            }

            // Ancestors of each group (including itself), then the groups of each host.
            var ancestors: [String: Set<String>] = [:]
            func ancestorsOf(_ name: String, _ visiting: inout Set<String>) -> Set<String> {
                if let known = ancestors[name] { return known }
                guard visiting.insert(name).inserted else { return [name] }
                var result: Set<String> = [name]
                for parent in parents[name] ?? [] { result.formUnion(ancestorsOf(parent, &visiting)) }
                visiting.remove(name)
                ancestors[name] = result
                return result
            }
            var membership: [String: Set<String>] = [:]
            for name in groupOrder {
                guard let group = groups[name], !group.hosts.isEmpty else { continue }
                var visitingAncestors = Set<String>()
                let up = ancestorsOf(name, &visitingAncestors)
                for host in group.hosts { membership[host, default: []].formUnion(up) }
            }
            for host in hostInsertionOrder {
                var names = membership[host] ?? []
                names.insert("all")
                groupsOfHost[host] = names.sorted(by: Inventory.codePointLess)
                precedenceGroups[host] = names.filter { $0 != "all" }.sorted { lhs, rhs in
                    let l = groups[lhs]
                    let r = groups[rhs]
                    let ld = depth[lhs] ?? 0
                    let rd = depth[rhs] ?? 0
                    if ld != rd { return ld < rd }
                    let lp = l?.priority ?? 1
                    let rp = r?.priority ?? 1
                    if lp != rp { return lp < rp }
                    return Inventory.codePointLess(lhs, rhs)
                }
            }
        }
    }

    /// Python's string order (by code point), which Ansible sorts group names with.
    static func codePointLess(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars)
    }
}
