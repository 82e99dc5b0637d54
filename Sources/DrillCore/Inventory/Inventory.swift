/// An Ansible inventory: hosts, groups, group children and variables, with Ansible's semantics.
///
/// Build one with ``InventoryLoader`` (YAML and INI files, or a folder of them) or, in tests, with
/// ``init(groups:hosts:)``. Every inventory has the implicit groups `all` and `ungrouped`, as in Ansible.
public struct Inventory: Sendable, Hashable {
    /// A group of hosts. `hosts` and `children` are the direct members; use ``Inventory/hosts(inGroup:)`` for
    /// every host below a group.
    public struct Group: Sendable, Hashable {
        public var name: String
        /// Hosts listed directly in this group, in the order they were first listed.
        public var hosts: [String]
        /// Child groups, in the order they were first listed.
        public var children: [String]
        /// Variables set on this group.
        public var vars: [String: InventoryValue]
        /// Where the group was (first) defined, for diagnostics.
        public var location: SourceLocation?

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
            self.vars = vars
            self.location = location
        }

        /// `ansible_group_priority` (default 1): among groups of the same depth, a higher priority wins.
        public var priority: Int { vars["ansible_group_priority"]?.intValue ?? 1 }
    }

    /// A host and the variables set on the host itself.
    public struct Host: Sendable, Hashable {
        public var name: String
        public var vars: [String: InventoryValue]
        /// Where the host was (first) defined, for diagnostics.
        public var location: SourceLocation?

        public init(name: String, vars: [String: InventoryValue] = [:], location: SourceLocation? = nil) {
            self.name = name
            self.vars = vars
            self.location = location
        }
    }

    /// Groups by name, including `all` and `ungrouped`.
    public private(set) var groups: [String: Group]
    /// Hosts by name.
    public private(set) var hosts: [String: Host]
    /// Host names in the order they were first defined (Ansible's order for `all`).
    public private(set) var hostOrder: [String]

    /// Builds an inventory from groups and hosts. Hosts named in a group but not in `hosts` are created
    /// without variables. `all` and `ungrouped` are added and filled as Ansible does: every top-level group is
    /// a child of `all`, and hosts in no group but `all` belong to `ungrouped`.
    public init(groups: [Group], hosts: [Host] = []) {
        var groupTable: [String: Group] = [:]
        var hostTable: [String: Host] = [:]
        var order: [String] = []
        for host in hosts where hostTable[host.name] == nil {
            hostTable[host.name] = host
            order.append(host.name)
        }
        for group in groups {
            if var existing = groupTable[group.name] {
                for host in group.hosts where !existing.hosts.contains(host) { existing.hosts.append(host) }
                for child in group.children where !existing.children.contains(child) { existing.children.append(child) }
                existing.vars.merge(group.vars) { _, new in new }
                groupTable[group.name] = existing
            } else {
                groupTable[group.name] = group
            }
            for host in group.hosts where hostTable[host] == nil {
                hostTable[host] = Host(name: host)
                order.append(host)
            }
        }
        for child in groupTable.values.flatMap(\.children) where groupTable[child] == nil {
            groupTable[child] = Group(name: child)
        }
        var all = groupTable["all"] ?? Group(name: "all")
        var ungrouped = groupTable["ungrouped"] ?? Group(name: "ungrouped")
        let childNames = Set(groupTable.values.filter { $0.name != "all" }.flatMap(\.children))
        for name in groupTable.keys.sorted() where name != "all" && !childNames.contains(name) {
            if !all.children.contains(name) { all.children.append(name) }
        }
        if !all.children.contains("ungrouped") { all.children.append("ungrouped") }
        let grouped = Set(groupTable.values.filter { $0.name != "all" && $0.name != "ungrouped" }.flatMap(\.hosts))
        for host in order where !grouped.contains(host) && !ungrouped.hosts.contains(host) {
            ungrouped.hosts.append(host)
        }
        all.hosts = []
        groupTable["all"] = all
        groupTable["ungrouped"] = ungrouped
        self.groups = groupTable
        self.hosts = hostTable
        self.hostOrder = order
    }

    /// Every host in `group` or in any group below it, in inventory order; empty for an unknown group.
    public func hosts(inGroup group: String) -> [String] {
        if group == "all" { return hostOrder }
        var members = Set<String>()
        var visited = Set<String>()
        var stack = [group]
        while let name = stack.popLast() {
            guard visited.insert(name).inserted, let current = groups[name] else { continue }
            members.formUnion(current.hosts)
            stack.append(contentsOf: current.children)
        }
        return hostOrder.filter(members.contains)
    }

    /// The groups `host` belongs to, directly or through a child group, including `all`.
    public func groups(ofHost host: String) -> [String] {
        var parents: [String: Set<String>] = [:]
        for group in groups.values {
            for child in group.children { parents[child, default: []].insert(group.name) }
        }
        var result = Set<String>()
        var stack = groups.values.filter { $0.hosts.contains(host) }.map(\.name)
        while let name = stack.popLast() {
            guard result.insert(name).inserted else { continue }
            stack.append(contentsOf: parents[name] ?? [])
        }
        if hosts[host] != nil { result.insert("all") }
        return result.sorted()
    }

    /// The depth of each group below `all` (all = 0), the longest path, as Ansible computes it.
    public func groupDepths() -> [String: Int] {
        var depth: [String: Int] = ["all": 0]
        var changed = true
        var rounds = 0
        while changed && rounds <= groups.count {
            changed = false
            rounds += 1
            for group in groups.values {
                guard let parentDepth = depth[group.name] else { continue }
                for child in group.children where (depth[child] ?? -1) < parentDepth + 1 {
                    depth[child] = parentDepth + 1
                    changed = true
                }
            }
        }
        return depth
    }

    /// The variables of `host` after Ansible's precedence: `all`, then groups by depth (parents before
    /// children), then `ansible_group_priority`, then name; host variables last. Also sets
    /// `inventory_hostname`-free values only: magic variables are not added.
    public func variables(forHost host: String) -> [String: InventoryValue] {
        let depths = groupDepths()
        let ordered = groups(ofHost: host).compactMap { groups[$0] }.sorted { lhs, rhs in
            let l = (depths[lhs.name] ?? 0, lhs.priority, lhs.name)
            let r = (depths[rhs.name] ?? 0, rhs.priority, rhs.name)
            return l < r
        }
        var result: [String: InventoryValue] = [:]
        for group in ordered { result.merge(group.vars) { _, new in new } }
        result.merge(hosts[host]?.vars ?? [:]) { _, new in new }
        return result
    }

    /// The hosts an Ansible host pattern selects, in inventory order.
    ///
    /// Supports what `ansible --limit` does for names: `all` / `*`, group and host names, globs (`web*`),
    /// regular expressions (`~web\d+`), unions (`a:b` or `a,b`), intersections (`a:&b`) and exclusions
    /// (`a:!b`).
    public func select(pattern: String) -> [String] {
        HostPattern(pattern).select(in: self)
    }
}
