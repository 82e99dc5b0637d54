import Foundation

/// Turns a scenario and an inventory into a ``Plan``. Pure and deterministic.
public enum Planner {
    /// Plans `scenario` against `inventory`.
    ///
    /// Validate first (``ScenarioValidator``): the planner does not report problems, it leaves out what it
    /// cannot place (an inject in a dependency cycle or following an unknown inject) and reaches no host it
    /// cannot resolve.
    ///
    /// - Parameters:
    ///   - startex: The STARTEX to compute wall times from; defaults to the scenario's planned one.
    public static func plan(_ scenario: Scenario, inventory: Inventory, startex: Date? = nil) -> Plan {
        var resolver = TargetResolver(scenario: scenario, inventory: inventory)
        let schedule = Schedule(scenario)
        var planned: [(order: (Duration, Int, Int), inject: PlannedInject)] = []
        for (index, inject) in scenario.injects.enumerated() {
            guard let time = schedule.times[index] else { continue }
            let trigger: PlannedTrigger
            switch inject.trigger {
            case .at(let at):
                trigger = .at(at)
            case .after(let after):
                if let condition = after.condition {
                    trigger = .unless(
                        inject: after.inject,
                        phase: condition.unless,
                        within: schedule.windows[index] ?? .zero,
                        delay: after.delay
                    )
                } else {
                    trigger = .after(inject: after.inject, delay: after.delay)
                }
            }
            let selector = schedule.targets[index]
            let selected = resolver.select(selector)
            let reach = resolver.reach(selected: selected, selector: selector)
            var teams = reach.teams.map { entry in
                let team = scenario.teams[entry.team]
                return PlannedTeam(id: team.id, name: team.name, province: team.province, hosts: entry.hosts)
            }
            // A selector naming teams or provinces reaches those teams even when they have no selected host
            // (a message-only inject), as long as it selects by team/province alone.
            if selector.groups.isEmpty && selector.hosts.isEmpty {
                let reached = Set(teams.map(\.id))
                for teamIndex in resolver.allowedTeams(selector)
                where !reached.contains(scenario.teams[teamIndex].id) {
                    let team = scenario.teams[teamIndex]
                    teams.append(PlannedTeam(id: team.id, name: team.name, province: team.province, hosts: []))
                }
                let order = Dictionary(scenario.teams.enumerated().map { ($1.id, $0) }) { first, _ in first }
                teams.sort { (order[$0.id] ?? .max) < (order[$1.id] ?? .max) }
            }
            var provinces: [ProvinceReach] = []
            for province in scenario.provinces {
                let inProvince = teams.filter { $0.province == province.id }
                guard !inProvince.isEmpty else { continue }
                provinces.append(
                    ProvinceReach(
                        id: province.id,
                        name: province.name,
                        teams: inProvince.map(\.id),
                        hostCount: Set(inProvince.flatMap(\.hosts)).count
                    )
                )
            }
            let hosts = resolver.names(selected.intersection(resolver.scope))
            planned.append(
                (
                    (time, schedule.depths[index], index),
                    PlannedInject(
                        inject: inject,
                        time: time,
                        trigger: trigger,
                        severity: inject.severity,
                        deadlines: schedule.deadlines[index],
                        targets: selector,
                        teams: teams,
                        provinces: provinces,
                        hosts: hosts
                    )
                )
            )
        }
        planned.sort { $0.order < $1.order }
        return Plan(
            scenario: scenario,
            startex: startex ?? scenario.startex,
            scopeHosts: resolver.names(resolver.scope),
            injects: planned.map(\.inject)
        )
    }
}
