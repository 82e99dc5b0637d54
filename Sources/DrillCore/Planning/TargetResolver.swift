/// Resolves team hosts, scope and inject selectors against an inventory, caching what it computes so that a
/// scenario with thousands of injects over thousands of hosts resolves in linear time.
///
/// Shared by ``ScenarioValidator`` and ``Planner`` so that both agree on who an inject reaches.
struct TargetResolver {
    let scenario: Scenario
    let inventory: Inventory
    /// Position of each host in inventory order.
    let hostIndex: [String: Int]
    /// Every host the scope patterns select.
    let scope: Set<String>
    /// Each team's hosts (by team id), in inventory order.
    private(set) var teamHosts: [String: [String]] = [:]
    /// The teams (indices into `scenario.teams`) each host belongs to.
    private(set) var hostTeams: [String: [Int]] = [:]
    private var patternCache: [String: Set<String>] = [:]
    private var groupCache: [String: Set<String>] = [:]
    private var provinceCache: [String: Set<String>] = [:]
    private var variableHolders: [String: Set<String>] = [:]

    init(scenario: Scenario, inventory: Inventory) {
        self.scenario = scenario
        self.inventory = inventory
        var index: [String: Int] = [:]
        index.reserveCapacity(inventory.hostOrder.count)
        for (position, host) in inventory.hostOrder.enumerated() { index[host] = position }
        self.hostIndex = index
        var scope = Set<String>()
        for pattern in scenario.scope { scope.formUnion(inventory.select(pattern: pattern)) }
        self.scope = scope
        for (teamIndex, team) in scenario.teams.enumerated() {
            let hosts = ordered(hostsOf(team))
            if teamHosts[team.id] == nil { teamHosts[team.id] = hosts }
            for host in hosts { hostTeams[host, default: []].append(teamIndex) }
        }
    }

    /// Hosts sorted in inventory order.
    func ordered(_ hosts: Set<String>) -> [String] {
        hosts.sorted { (hostIndex[$0] ?? .max, $0) < (hostIndex[$1] ?? .max, $1) }
    }

    private mutating func hostsOf(_ team: Team) -> Set<String> {
        var hosts = Set<String>()
        for pattern in team.hostPatterns { hosts.formUnion(self.hosts(matching: pattern)) }
        for group in team.groups { hosts.formUnion(self.hosts(inGroup: group)) }
        if team.hostPatterns.isEmpty && team.groups.isEmpty {
            // Default: the hosts whose `drill_team` variable names the team.
            for host in hostsDefining("drill_team")
            where inventory.variables(forHost: host)["drill_team"]?.renderedText == team.id {
                hosts.insert(host)
            }
        }
        return hosts
    }

    /// The hosts an Ansible pattern selects.
    mutating func hosts(matching pattern: String) -> Set<String> {
        if let cached = patternCache[pattern] { return cached }
        let result = Set(inventory.select(pattern: pattern))
        patternCache[pattern] = result
        return result
    }

    /// The hosts in an inventory group (and its children).
    mutating func hosts(inGroup group: String) -> Set<String> {
        if let cached = groupCache[group] { return cached }
        let result = Set(inventory.hosts(inGroup: group))
        groupCache[group] = result
        return result
    }

    /// The hosts of every team in a province.
    mutating func hosts(inProvince province: String) -> Set<String> {
        if let cached = provinceCache[province] { return cached }
        var result = Set<String>()
        for team in scenario.teams where team.province == province { result.formUnion(teamHosts[team.id] ?? []) }
        provinceCache[province] = result
        return result
    }

    /// The hosts that have variable `name` at all (set on the host or on any group above it). Whether a host
    /// has a variable does not depend on precedence, so this needs no per-host resolution.
    mutating func hostsDefining(_ name: String) -> Set<String> {
        if let cached = variableHolders[name] { return cached }
        var result = Set<String>()
        for group in inventory.groups.values where group.vars[name] != nil {
            result.formUnion(hosts(inGroup: group.name))
        }
        for host in inventory.hosts.values where host.vars[name] != nil { result.insert(host.name) }
        variableHolders[name] = result
        return result
    }

    /// What a selector selects before scope is applied: each kind present narrows the set, a list within a kind
    /// widens it. Unknown names select nothing (the validator reports them). An empty selector selects every
    /// team's hosts.
    mutating func select(_ selector: TargetSelector) -> Set<String> {
        var result: Set<String>?
        func narrow(_ hosts: Set<String>) {
            result = result.map { $0.intersection(hosts) } ?? hosts
        }
        if !selector.provinces.isEmpty {
            var hosts = Set<String>()
            for province in selector.provinces { hosts.formUnion(self.hosts(inProvince: province)) }
            narrow(hosts)
        }
        if !selector.teams.isEmpty {
            var hosts = Set<String>()
            for team in selector.teams { hosts.formUnion(teamHosts[team] ?? []) }
            narrow(hosts)
        }
        if !selector.groups.isEmpty {
            var hosts = Set<String>()
            for group in selector.groups { hosts.formUnion(self.hosts(inGroup: group)) }
            narrow(hosts)
        }
        if !selector.hosts.isEmpty {
            var hosts = Set<String>()
            for pattern in selector.hosts { hosts.formUnion(self.hosts(matching: pattern)) }
            narrow(hosts)
        }
        if let result { return result }
        return Set(hostTeams.keys)
    }

    /// The teams a selector may reach: those its province and team kinds allow (all teams when it names
    /// neither), as indices into `scenario.teams`.
    func allowedTeams(_ selector: TargetSelector) -> Set<Int> {
        var allowed = Set(scenario.teams.indices)
        if !selector.provinces.isEmpty {
            let provinces = Set(selector.provinces)
            allowed = allowed.filter { provinces.contains(scenario.teams[$0].province) }
        }
        if !selector.teams.isEmpty {
            let teams = Set(selector.teams)
            allowed = allowed.filter { teams.contains(scenario.teams[$0].id) }
        }
        return allowed
    }

    /// Each reached team's hosts (selected ∩ team ∩ scope), in scenario team order, hosts in inventory order;
    /// and the selected in-scope hosts that belong to no allowed team.
    func reach(
        selected: Set<String>,
        selector: TargetSelector
    ) -> (teams: [(team: Int, hosts: [String])], teamless: [String]) {
        let allowed = allowedTeams(selector)
        var perTeam: [Int: [String]] = [:]
        var teamless: [String] = []
        for host in ordered(selected) where scope.contains(host) {
            var placed = false
            for team in hostTeams[host] ?? [] where allowed.contains(team) {
                perTeam[team, default: []].append(host)
                placed = true
            }
            if !placed { teamless.append(host) }
        }
        return (perTeam.keys.sorted().map { ($0, perTeam[$0]!) }, teamless)
    }
}
