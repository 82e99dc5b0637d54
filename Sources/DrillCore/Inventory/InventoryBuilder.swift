import Foundation

/// Collects groups, hosts, children and variables in the order the files define them, with the rules of
/// Ansible's `InventoryData` (`add_group`, `add_host`, `add_child`, `set_variable`, `reconcile_inventory`),
/// then builds an ``Inventory``.
struct InventoryBuilder {
    private(set) var groups: [String: Inventory.Group] = [:]
    private(set) var groupOrder: [String] = []
    private(set) var hosts: [String: Inventory.Host] = [:]
    private(set) var hostOrder: [String] = []
    /// Parents of each group, to refuse loops.
    private var parents: [String: [String]] = [:]
    var groupFileVars: [String: [String: InventoryValue]] = [:]
    var hostFileVars: [String: [String: InventoryValue]] = [:]

    init() {
        addGroup("all")
        addGroup("ungrouped")
        _ = addChild("ungrouped", to: "all")
    }

    func hasGroup(_ name: String) -> Bool { groups[name] != nil }
    func hasHost(_ name: String) -> Bool { hosts[name] != nil }

    /// Adds a group unless it exists.
    mutating func addGroup(_ name: String, location: SourceLocation? = nil) {
        guard groups[name] == nil else { return }
        groups[name] = Inventory.Group(name: name, location: location)
        groupOrder.append(name)
    }

    /// Adds a host unless it exists, and puts it in `group`. A port given with the host's first definition
    /// becomes its `ansible_port` (later ports are ignored, as in Ansible).
    mutating func addHost(
        _ name: String,
        toGroup group: String? = nil,
        port: Int? = nil,
        location: SourceLocation? = nil
    ) {
        if hosts[name] == nil {
            var host = Inventory.Host(name: name, location: location)
            if let port { host.vars["ansible_port"] = .int(port) }
            hosts[name] = host
            hostOrder.append(name)
        }
        if let group, var entry = groups[group], !entry.hosts.contains(name) {
            entry.hosts.append(name)
            groups[group] = entry
        }
    }

    /// Sets a group variable; `ansible_group_priority` sets the priority instead.
    ///
    /// - Returns: false when the priority is not a whole number.
    @discardableResult
    mutating func setGroupVariable(_ group: String, _ key: String, _ value: InventoryValue) -> Bool {
        if key == "ansible_group_priority" {
            guard let priority = Self.pythonInt(value) else { return false }
            setGroupPriority(group, priority)
            return true
        }
        groups[group]?.vars[key] = value
        return true
    }

    mutating func setGroupPriority(_ group: String, _ priority: Int) {
        groups[group]?.priority = priority
    }

    mutating func setHostVariable(_ host: String, _ key: String, _ value: InventoryValue) {
        hosts[host]?.vars[key] = value
    }

    /// Python's `int(value)` for the values an inventory can hold.
    static func pythonInt(_ value: InventoryValue) -> Int? {
        switch value {
        case .int(let number): number
        case .bool(let flag): flag ? 1 : 0
        case .double(let number): number.isFinite ? Int(number.rounded(.towardZero)) : nil
        case .string(let text):
            Int(text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "_", with: ""))
        default: nil
        }
    }

    /// Whether `ancestor` is `group` or above it.
    func isAncestor(_ ancestor: String, of group: String) -> Bool {
        var stack = [group]
        var seen = Set<String>()
        while let name = stack.popLast() {
            if name == ancestor { return true }
            guard seen.insert(name).inserted else { continue }
            stack.append(contentsOf: parents[name] ?? [])
        }
        return false
    }

    /// Makes `child` (an existing group) a child of `parent`.
    ///
    /// - Returns: false, changing nothing, when the edge would make a loop (Ansible: "creates a recursive
    ///   dependency loop").
    mutating func addChild(_ child: String, to parent: String) -> Bool {
        guard var entry = groups[parent], groups[child] != nil else { return false }
        if entry.children.contains(child) { return true }
        if isAncestor(child, of: parent) { return false }
        entry.children.append(child)
        groups[parent] = entry
        parents[child, default: []].append(parent)
        return true
    }

    /// Removes `host` from `group`'s direct hosts.
    private mutating func removeHost(_ host: String, from group: String) {
        groups[group]?.hosts.removeAll { $0 == host }
    }

    /// Ansible's `reconcile_inventory` followed by building the lookups.
    ///
    /// Every group without a parent becomes a child of `all`; a host in no group but `all` goes to
    /// `ungrouped`, and one that is in `ungrouped` and also in another group leaves `ungrouped`.
    func build() -> Inventory {
        var builder = self
        for name in builder.groupOrder where name != "all" && (builder.parents[name] ?? []).isEmpty {
            _ = builder.addChild(name, to: "all")
        }
        // Direct group memberships of each host.
        var direct: [String: [String]] = [:]
        for name in builder.groupOrder {
            for host in builder.groups[name]?.hosts ?? [] { direct[host, default: []].append(name) }
        }
        // Ansible looks at every group of the host, ancestors included: a host listed only in an
        // `ungrouped` that someone made a child of another group leaves `ungrouped` (and so every group).
        var ancestorCache: [String: Set<String>] = [:]
        func ancestors(_ group: String) -> Set<String> {
            if let known = ancestorCache[group] { return known }
            var result: Set<String> = [group]
            var stack = [group]
            while let name = stack.popLast() {
                for parent in builder.parents[name] ?? [] where result.insert(parent).inserted { stack.append(parent) }
            }
            ancestorCache[group] = result
            return result
        }
        for host in builder.hostOrder {
            let mine = (direct[host] ?? []).reduce(into: Set<String>()) { $0.formUnion(ancestors($1)) }
            if mine.contains("ungrouped") {
                if mine.contains(where: { $0 != "all" && $0 != "ungrouped" }) {
                    builder.removeHost(host, from: "ungrouped")
                }
            } else if mine.allSatisfy({ $0 == "all" }) {
                builder.addHost(host, toGroup: "ungrouped")
            }
        }
        for (name, vars) in builder.groupFileVars where builder.groups[name] != nil {
            builder.groups[name]?.fileVars.merge(vars) { _, new in new }
        }
        for (name, vars) in builder.hostFileVars where builder.hosts[name] != nil {
            builder.hosts[name]?.fileVars.merge(vars) { _, new in new }
        }
        return Inventory(
            groups: builder.groups,
            hosts: builder.hosts,
            groupOrder: builder.groupOrder,
            hostInsertionOrder: builder.hostOrder
        )
    }
}
