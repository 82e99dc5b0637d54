/// Resolves team hosts, scope and inject selectors against an inventory, caching what it computes so that a
/// scenario with thousands of injects over thousands of hosts resolves quickly.
///
/// Hosts are handled as ``HostSet`` bit sets over inventory order. Shared by ``ScenarioValidator`` and
/// ``Planner`` so that both agree on who an inject reaches.
struct TargetResolver {
    let scenario: Scenario
    let inventory: Inventory
    /// Host names in inventory order; a host's position is its index here.
    let hostNames: [String]
    /// Position of each host in inventory order.
    let hostIndex: [String: Int]
    /// Every host the scope patterns select.
    private(set) var scope: HostSet
    /// Each team's hosts (by team id).
    private(set) var teamHosts: [String: HostSet] = [:]
    /// The teams (indices into `scenario.teams`) each host belongs to, by host position.
    private(set) var hostTeams: [[Int]]
    /// Hosts that belong to at least one team.
    private(set) var teamMembers: HostSet
    /// The first team with each id (a duplicated id is an error reported elsewhere; it resolves to the first).
    private(set) var firstTeam: [String: Int] = [:]
    private var patternCache: [String: HostSet] = [:]
    private var groupCache: [String: HostSet] = [:]
    private var provinceCache: [String: HostSet] = [:]
    private var variableHolders: [String: HostSet] = [:]

    init(scenario: Scenario, inventory: Inventory) {
        self.scenario = scenario
        self.inventory = inventory
        hostNames = inventory.hostOrder
        var index: [String: Int] = [:]
        index.reserveCapacity(hostNames.count)
        for (position, host) in hostNames.enumerated() where index[host] == nil { index[host] = position }
        hostIndex = index
        scope = HostSet(capacity: hostNames.count)
        teamMembers = HostSet(capacity: hostNames.count)
        hostTeams = Array(repeating: [], count: hostNames.count)
        for pattern in scenario.scope { scope.formUnion(hosts(matching: pattern)) }
        for (teamIndex, team) in scenario.teams.enumerated() {
            let hosts = hostsOf(team)
            if teamHosts[team.id] == nil {
                teamHosts[team.id] = hosts
                firstTeam[team.id] = teamIndex
            }
            for position in hosts.positions { hostTeams[position].append(teamIndex) }
            teamMembers.formUnion(hosts)
        }
    }

    var empty: HostSet { HostSet(capacity: hostNames.count) }

    /// A set of the named hosts (names not in the inventory are left out).
    func set(_ names: some Sequence<String>) -> HostSet {
        var result = empty
        for name in names {
            if let position = hostIndex[name] { result.insert(position) }
        }
        return result
    }

    /// The names of a set's hosts, in inventory order.
    func names(_ hosts: HostSet) -> [String] { hosts.positions.map { hostNames[$0] } }

    private mutating func hostsOf(_ team: Team) -> HostSet {
        var hosts = empty
        for pattern in team.hostPatterns { hosts.formUnion(self.hosts(matching: pattern)) }
        for group in team.groups { hosts.formUnion(self.hosts(inGroup: group)) }
        if team.hostPatterns.isEmpty && team.groups.isEmpty {
            // Default: the hosts whose `drill_team` variable names the team.
            for position in hostsDefining("drill_team").positions
            where inventory.variables(forHost: hostNames[position])["drill_team"]?.renderedText == team.id {
                hosts.insert(position)
            }
        }
        return hosts
    }

    /// The hosts an Ansible pattern selects.
    mutating func hosts(matching pattern: String) -> HostSet {
        if let cached = patternCache[pattern] { return cached }
        let result = set(inventory.select(pattern: pattern))
        patternCache[pattern] = result
        return result
    }

    /// The hosts in an inventory group (and its children).
    mutating func hosts(inGroup group: String) -> HostSet {
        if let cached = groupCache[group] { return cached }
        let result = set(inventory.hosts(inGroup: group))
        groupCache[group] = result
        return result
    }

    /// The hosts of every team in a province.
    mutating func hosts(inProvince province: String) -> HostSet {
        if let cached = provinceCache[province] { return cached }
        var result = empty
        for team in scenario.teams where team.province == province {
            if let hosts = teamHosts[team.id] { result.formUnion(hosts) }
        }
        provinceCache[province] = result
        return result
    }

    /// The hosts that have variable `name` at all (set on the host or on any group above it). Whether a host
    /// has a variable does not depend on precedence, so this needs no per-host resolution.
    mutating func hostsDefining(_ name: String) -> HostSet {
        if let cached = variableHolders[name] { return cached }
        var result = empty
        for group in inventory.groups.values where group.vars[name] != nil {
            result.formUnion(hosts(inGroup: group.name))
        }
        for host in inventory.hosts.values where host.vars[name] != nil {
            if let position = hostIndex[host.name] { result.insert(position) }
        }
        variableHolders[name] = result
        return result
    }

    /// What a selector selects before scope is applied: each kind present narrows the set, a list within a kind
    /// widens it. Unknown names select nothing (the validator reports them). An empty selector selects every
    /// team's hosts.
    mutating func select(_ selector: TargetSelector) -> HostSet {
        var result: HostSet?
        func narrow(_ hosts: HostSet) {
            result = result.map { $0.intersection(hosts) } ?? hosts
        }
        if !selector.provinces.isEmpty {
            var hosts = empty
            for province in selector.provinces { hosts.formUnion(self.hosts(inProvince: province)) }
            narrow(hosts)
        }
        if !selector.teams.isEmpty {
            var hosts = empty
            for team in selector.teams {
                if let members = teamHosts[team] { hosts.formUnion(members) }
            }
            narrow(hosts)
        }
        if !selector.groups.isEmpty {
            var hosts = empty
            for group in selector.groups { hosts.formUnion(self.hosts(inGroup: group)) }
            narrow(hosts)
        }
        if !selector.hosts.isEmpty {
            var hosts = empty
            for pattern in selector.hosts { hosts.formUnion(self.hosts(matching: pattern)) }
            narrow(hosts)
        }
        return result ?? teamMembers
    }

    /// The teams a selector may reach: those its province and team kinds allow (all teams when it names
    /// neither), as indices into `scenario.teams`, ascending.
    func allowedTeams(_ selector: TargetSelector) -> [Int] {
        if selector.provinces.isEmpty && selector.teams.isEmpty { return Array(scenario.teams.indices) }
        let provinces = Set(selector.provinces)
        let teams = Set(selector.teams)
        return scenario.teams.indices.filter {
            (provinces.isEmpty || provinces.contains(scenario.teams[$0].province))
                && (teams.isEmpty || teams.contains(scenario.teams[$0].id))
        }
    }

    /// Each reached team's hosts (selected ∩ team ∩ scope), in scenario team order, as host sets; and the
    /// selected in-scope hosts that belong to no allowed team.
    func reachSets(
        selected: HostSet,
        selector: TargetSelector
    ) -> (teams: [(team: Int, hosts: HostSet)], teamless: HostSet) {
        let targets = selected.intersection(scope)
        var teams: [(team: Int, hosts: HostSet)] = []
        var covered = empty
        for team in allowedTeams(selector) {
            // A duplicated team id resolves to the first team's hosts; only count them once.
            let id = scenario.teams[team].id
            guard firstTeam[id] == team, let members = teamHosts[id] else { continue }
            let hosts = targets.intersection(members)
            guard !hosts.isEmpty else { continue }
            teams.append((team, hosts))
            covered.formUnion(hosts)
        }
        return (teams, targets.subtracting(covered))
    }

    /// ``reachSets(selected:selector:)`` with host names, in inventory order.
    func reach(
        selected: HostSet,
        selector: TargetSelector
    ) -> (teams: [(team: Int, hosts: [String])], teamless: [String]) {
        let sets = reachSets(selected: selected, selector: selector)
        return (sets.teams.map { ($0.team, names($0.hosts)) }, names(sets.teamless))
    }
}
