import Foundation

/// Checks a scenario against an inventory: every reference, every selector, the schedule, the deadlines and
/// the templates. Pure: data in, diagnostics out.
///
/// Decisions worth knowing:
/// - A selector that names hosts or groups outside the scenario's scope is an **error** (the drill would refuse to
///   touch them on the day); a team owning hosts outside the scope is a warning, and injects that reach the team
///   (untargeted, or by team or province) reach only its hosts in scope.
/// - A placeholder with no value (an unknown `vars.NAME`, a host variable some target host lacks) is an
///   **error**: the command could not be rendered on the day.
/// - An inject with neither a message nor actions is a warning: it does nothing visible.
public enum ScenarioValidator {
    /// Validates `scenario` against `inventory`; `sourceMap` (from ``ScenarioLoader``) gives positions.
    public static func validate(
        _ scenario: Scenario,
        inventory: Inventory,
        sourceMap: SourceMap = SourceMap()
    ) -> Diagnostics {
        var checker = Checker(scenario: scenario, inventory: inventory, map: sourceMap)
        checker.run()
        return checker.diagnostics
    }

    /// Validates a loaded scenario and returns its loading diagnostics followed by the validation ones.
    public static func validate(_ loaded: LoadedScenario, inventory: Inventory) -> Diagnostics {
        var diagnostics = loaded.diagnostics
        diagnostics.append(contentsOf: validate(loaded.scenario, inventory: inventory, sourceMap: loaded.sourceMap))
        return diagnostics
    }
}

/// Lists a few names and says how many more there are: `web01, web02, web03 and 7 more`.
func listed(_ names: [String], limit: Int = 3) -> String {
    if names.count <= limit { return names.joined(separator: ", ") }
    return names.prefix(limit).joined(separator: ", ") + " and \(names.count - limit) more"
}

private struct Checker {
    let scenario: Scenario
    let inventory: Inventory
    let map: SourceMap
    var diagnostics = Diagnostics()
    var resolver: TargetResolver
    let schedule: Schedule

    init(scenario: Scenario, inventory: Inventory, map: SourceMap) {
        self.scenario = scenario
        self.inventory = inventory
        self.map = map
        self.resolver = TargetResolver(scenario: scenario, inventory: inventory)
        self.schedule = Schedule(scenario)
    }

    mutating func error(_ message: String, _ location: SourceLocation?, hint: String? = nil) {
        diagnostics.error(message, at: location, hint: hint)
    }

    mutating func warning(_ message: String, _ location: SourceLocation?, hint: String? = nil) {
        diagnostics.warning(message, at: location, hint: hint)
    }

    var provinceIDs: [String] { scenario.provinces.map(\.id) }
    var teamIDs: [String] { scenario.teams.map(\.id) }
    var groupNames: [String] { inventory.groups.keys.sorted() }

    mutating func run() {
        checkScope()
        checkTeams()
        checkSeverityDeadlines()
        for index in scenario.injects.indices { checkInject(index) }
        checkCycles()
    }

    // MARK: Scope and teams

    mutating func checkScope() {
        for (index, pattern) in scenario.scope.enumerated() where resolver.hosts(matching: pattern).isEmpty {
            error(
                "scope pattern '\(pattern)' matches no inventory host",
                map[".scope[\(index)]", ".scope"],
                hint: Suggestions.didYouMean(pattern, among: groupNames + inventory.hostOrder)
            )
        }
    }

    mutating func checkTeams() {
        for (index, team) in scenario.teams.enumerated() {
            let path = ".teams[\(index)]"
            if !team.province.isEmpty, scenario.province(team.province) == nil {
                error(
                    "unknown province '\(team.province)' for team '\(team.id)'",
                    map[path + ".province", path],
                    hint: Suggestions.didYouMean(team.province, among: provinceIDs)
                )
            }
            var referencesBroken = false
            for (patternIndex, pattern) in team.hostPatterns.enumerated()
            where resolver.hosts(matching: pattern).isEmpty {
                referencesBroken = true
                error(
                    "host pattern '\(pattern)' of team '\(team.id)' matches no inventory host",
                    map["\(path).hosts[\(patternIndex)]", path + ".hosts", path],
                    hint: Suggestions.didYouMean(pattern, among: groupNames + inventory.hostOrder)
                )
            }
            for (groupIndex, group) in team.groups.enumerated() where inventory.groups[group] == nil {
                referencesBroken = true
                error(
                    "unknown inventory group '\(group)' for team '\(team.id)'",
                    map["\(path).groups[\(groupIndex)]", path + ".groups", path],
                    hint: Suggestions.didYouMean(group, among: groupNames)
                )
            }
            let hosts = resolver.teamHosts[team.id] ?? resolver.empty
            if hosts.isEmpty && !referencesBroken {
                let how =
                    team.hostPatterns.isEmpty && team.groups.isEmpty
                    ? "no 'hosts' or 'groups', and no inventory host has drill_team: \(team.id)"
                    : "its hosts and groups select nothing"
                error("team '\(team.id)' has no hosts: \(how)", map[path + ".id", path])
            }
            let outside = resolver.names(hosts.subtracting(resolver.scope))
            if !outside.isEmpty && !scenario.scope.isEmpty {
                warning(
                    "team '\(team.id)' has \(outside.count) host\(outside.count == 1 ? "" : "s") outside the drill's scope (\(listed(outside))); the drill will never touch \(outside.count == 1 ? "it" : "them")",
                    map[path + ".hosts", path + ".groups", path]
                )
            }
        }
    }

    // MARK: Deadlines

    mutating func checkSeverityDeadlines() {
        for grade in SeverityGrade.allCases {
            guard let deadlines = scenario.severityDeadlines[grade] else { continue }
            let path = ".severity_deadlines.\(grade.rawValue)"
            let map = self.map
            checkOrder(deadlines, owner: "grade \(grade.rawValue)") { phase in
                map["\(path).\(phase.rawValue)", path]
            }
        }
    }

    /// Reports a phase whose deadline is shorter than an earlier phase's.
    mutating func checkOrder(
        _ deadlines: PhaseDeadlines,
        owner: String,
        location: (ResponsePhase) -> SourceLocation?
    ) {
        var previous: (phase: ResponsePhase, deadline: Duration)?
        for phase in ResponsePhase.allCases {
            guard let deadline = deadlines[phase] else { continue }
            if let previous, deadline < previous.deadline {
                error(
                    "the \(phase.rawValue) deadline of \(owner) (\(DurationText.format(deadline))) is shorter than its \(previous.phase.rawValue) deadline (\(DurationText.format(previous.deadline))); phases run acknowledge, then report, then resolve",
                    location(phase)
                )
            }
            if previous == nil || deadline >= previous!.deadline { previous = (phase, deadline) }
        }
    }

    // MARK: Injects

    mutating func checkInject(_ index: Int) {
        let inject = scenario.injects[index]
        let path = ".injects[\(index)]"
        let injectLocation = map[path + ".id", path]

        // Trigger.
        if case .after(let after) = inject.trigger {
            if !after.inject.isEmpty, schedule.index[after.inject] == nil {
                error(
                    "inject '\(inject.id)' follows unknown inject '\(after.inject)'",
                    map[path + ".after.inject", path + ".after"],
                    hint: Suggestions.didYouMean(after.inject, among: scenario.injects.map(\.id))
                )
            }
            if let condition = after.condition, condition.within == nil,
                let parent = schedule.index[after.inject], schedule.deadlines[parent][condition.unless] == nil
            {
                error(
                    "'unless: \(condition.unless.pastTense)' needs 'within', because inject '\(after.inject)' has no \(condition.unless.rawValue) deadline to wait for",
                    map[path + ".after.unless", path + ".after"]
                )
            }
        }
        if let time = schedule.times[index], time > scenario.duration {
            let how: String
            switch inject.trigger {
            case .at: how = ""
            case .after(let after):
                let parentTime = schedule.index[after.inject].flatMap { schedule.times[$0] } ?? .zero
                var parts = ["'\(after.inject)' at \(DurationText.exerciseTime(parentTime))"]
                if let window = schedule.windows[index] { parts.append("\(DurationText.format(window)) to respond") }
                if after.delay > .zero { parts.append("\(DurationText.format(after.delay)) delay") }
                how = " (\(parts.joined(separator: " + ")))"
            }
            error(
                "inject '\(inject.id)' would fire at \(DurationText.exerciseTime(time))\(how), after the drill ends at \(DurationText.exerciseTime(scenario.duration))",
                map[path + ".at", path + ".after", path]
            )
        }

        // Deadlines.
        let map = self.map
        checkOrder(schedule.deadlines[index], owner: "inject '\(inject.id)'") { phase in
            map["\(path).deadlines.\(phase.rawValue)", path + ".deadlines", path + ".severity", path + ".id", path]
        }

        // Objectives.
        let objectiveIDs = scenario.objectives.map(\.id)
        for (objectiveIndex, objective) in inject.objectives.enumerated() where !objectiveIDs.contains(objective) {
            error(
                "unknown objective '\(objective)' in inject '\(inject.id)'",
                map["\(path).objectives[\(objectiveIndex)]", path + ".objectives"],
                hint: Suggestions.didYouMean(objective, among: objectiveIDs)
            )
        }

        // Targets.
        let selector = schedule.targets[index]
        let referencesOK = checkSelectorReferences(
            selector,
            inject: inject,
            path: path + ".targets",
            own: inject.targets != nil
        )
        let selected = resolver.select(selector)
        var targetHosts = resolver.empty
        if referencesOK {
            // Untargeted injects and team or province lists reach each team's hosts ∩ scope: a team's hosts
            // outside the scope are left out (the team itself gets the warning that the drill never touches them).
            // Naming hosts or groups outside the scope is an error.
            let namesHosts = !selector.groups.isEmpty || !selector.hosts.isEmpty
            let outside = namesHosts ? selected.subtracting(resolver.scope) : resolver.empty
            if !outside.isEmpty && !scenario.scope.isEmpty {
                error(
                    "the targets of inject '\(inject.id)' reach \(outside.count) host\(outside.count == 1 ? "" : "s") outside the drill's scope (\(listed(resolver.names(outside)))); narrow the targets or widen 'scope'",
                    map[path + ".targets", path + ".after", path]
                )
            }
            let teamless = resolver.reachSets(selected: selected, selector: selector).teamless
            targetHosts = selected.intersection(resolver.scope)
            if targetHosts.isEmpty && outside.isEmpty && !scenario.scope.isEmpty {
                error(
                    "the targets of inject '\(inject.id)' (\(describe(selector))) match no host",
                    map[path + ".targets", path + ".after", path]
                )
            } else if !teamless.isEmpty {
                let names = resolver.names(teamless)
                warning(
                    "inject '\(inject.id)' reaches \(names.count) host\(names.count == 1 ? "" : "s") that belong to no team it reaches (\(listed(names))); actions run there but no team is told",
                    map[path + ".targets", path]
                )
            }
        }

        // Something to do.
        if (inject.message ?? "").isEmpty && inject.actions.isEmpty {
            warning("inject '\(inject.id)' has neither a message nor actions; it does nothing", injectLocation)
        }

        checkTemplates(inject, index: index, path: path, targetHosts: referencesOK ? targetHosts : nil)
    }

    /// Reports unknown provinces, teams, groups and host patterns in a selector; false when any was found.
    mutating func checkSelectorReferences(_ selector: TargetSelector, inject: Inject, path: String, own: Bool) -> Bool {
        guard own else { return true }  // Inherited targets were checked on the parent.
        var ok = true
        for (index, province) in selector.provinces.enumerated() where scenario.province(province) == nil {
            ok = false
            error(
                "unknown province '\(province)' in the targets of inject '\(inject.id)'",
                map["\(path).province[\(index)]", path],
                hint: Suggestions.didYouMean(province, among: provinceIDs)
            )
        }
        for (index, team) in selector.teams.enumerated() where scenario.team(team) == nil {
            ok = false
            error(
                "unknown team '\(team)' in the targets of inject '\(inject.id)'",
                map["\(path).team[\(index)]", path],
                hint: Suggestions.didYouMean(team, among: teamIDs)
            )
        }
        for (index, group) in selector.groups.enumerated() where inventory.groups[group] == nil {
            ok = false
            error(
                "unknown inventory group '\(group)' in the targets of inject '\(inject.id)'",
                map["\(path).group[\(index)]", path],
                hint: Suggestions.didYouMean(group, among: groupNames)
            )
        }
        for (index, pattern) in selector.hosts.enumerated() where resolver.hosts(matching: pattern).isEmpty {
            ok = false
            error(
                "host pattern '\(pattern)' in the targets of inject '\(inject.id)' matches no inventory host",
                map["\(path).host[\(index)]", path],
                hint: Suggestions.didYouMean(pattern, among: inventory.hostOrder + groupNames)
            )
        }
        return ok
    }

    func describe(_ selector: TargetSelector) -> String {
        var parts: [String] = []
        if !selector.provinces.isEmpty { parts.append("province \(selector.provinces.joined(separator: "|"))") }
        if !selector.teams.isEmpty { parts.append("team \(selector.teams.joined(separator: "|"))") }
        if !selector.groups.isEmpty { parts.append("group \(selector.groups.joined(separator: "|"))") }
        if !selector.hosts.isEmpty { parts.append("host \(selector.hosts.joined(separator: "|"))") }
        return parts.isEmpty ? "every team" : parts.joined(separator: " ∩ ")
    }

    // MARK: Cycles

    mutating func checkCycles() {
        for cycle in schedule.cycles {
            let names = (cycle + [cycle[0]]).map { "'\(scenario.injects[$0].id)'" }
            let first = cycle[0]
            error(
                "injects depend on each other in a cycle: \(names.joined(separator: " -> ")); none of them can fire",
                map[".injects[\(first)].after.inject", ".injects[\(first)].after", ".injects[\(first)]"]
            )
        }
    }

    // MARK: Templates

    /// Every template of an inject, with its path and whether it is a shell command.
    func templates(of inject: Inject, path: String) -> [(text: String, path: String, shell: Bool, what: String)] {
        var result: [(String, String, Bool, String)] = []
        if let message = inject.message { result.append((message, path + ".message", false, "the message")) }
        func actions(_ list: [Action], _ key: String) {
            for (index, action) in list.enumerated() {
                let actionPath = "\(path).\(key)[\(index)]"
                switch action {
                case .run(let run): result.append((run.command, actionPath + ".run", true, "a command"))
                case .upload(let upload):
                    if let content = upload.content {
                        result.append((content, actionPath + ".upload.content", false, "an upload's content"))
                    }
                    result.append((upload.destination, actionPath + ".upload.dest", false, "an upload's destination"))
                }
            }
        }
        actions(inject.actions, "actions")
        if let check = inject.landedWhen { result.append((check.command, path + ".landed_when.run", true, "a check")) }
        if let check = inject.resolvedWhen {
            result.append((check.command, path + ".resolved_when.run", true, "a check"))
        }
        actions(inject.remedy, "remedy")
        actions(inject.cleanup, "cleanup")
        return result
    }

    mutating func checkTemplates(_ inject: Inject, index: Int, path: String, targetHosts: HostSet?) {
        let variables = scenario.variables.merging(inject.variables) { _, new in new }
        for item in templates(of: inject, path: path) where !Template.isPlain(item.text) {
            let location = map[item.path, item.path.replacingOccurrences(of: ".run", with: ""), path]
            let template: Template
            do {
                template = try Template(parsing: item.text)
            } catch {
                self.error("in \(item.what) of inject '\(inject.id)': \(error.message)", location, hint: error.hint)
                continue
            }
            if item.shell {
                for reference in template.placeholdersInsideShellQuotes {
                    self.error(
                        "'{{ \(reference) }}' is inside quotes in \(item.what) of inject '\(inject.id)'; write it outside quotes, because drillctl quotes substituted values itself",
                        location
                    )
                }
            }
            var reported = Set<Template.Reference>()
            for reference in template.references where reported.insert(reference).inserted {
                checkReference(
                    reference,
                    in: item.what,
                    shell: item.shell,
                    inject: inject,
                    variables: variables,
                    targetHosts: targetHosts,
                    location: location
                )
            }
        }
    }

    mutating func checkReference(
        _ reference: Template.Reference,
        in what: String,
        shell: Bool,
        inject: Inject,
        variables: [String: InventoryValue],
        targetHosts: HostSet?,
        location: SourceLocation?
    ) {
        let variableNames = variables.keys.sorted()
        if !shell && what == "the message" && reference.needsHost {
            if case .bare(let name) = reference, variables[name] != nil { return }
            error(
                "'{{ \(reference) }}' cannot be used in the message of inject '\(inject.id)': a message goes to a team, not to one host",
                location,
                hint: reference.description.hasPrefix("host.") ? nil : "define '\(reference)' in 'vars'"
            )
            return
        }
        switch reference {
        case .variable(let name):
            if variables[name] == nil {
                error(
                    "unknown variable '{{ vars.\(name) }}' in \(what) of inject '\(inject.id)'; define it in the scenario's or the inject's 'vars'",
                    location,
                    hint: Suggestions.didYouMean(name, among: variableNames)
                )
            }
        case .hostVariable(let name), .bare(let name):
            if case .bare = reference, variables[name] != nil { return }
            guard let targetHosts, !targetHosts.isEmpty else { return }
            let holders = resolver.hostsDefining(name)
            let missingSet = targetHosts.subtracting(holders)
            guard !missingSet.isEmpty else { return }
            let missing = resolver.names(missingSet)
            let targetCount = targetHosts.count
            let scopeText =
                missing.count == targetCount
                ? "any of its \(targetCount) target host\(targetCount == 1 ? "" : "s")"
                : "\(missing.count) of its \(targetCount) target hosts (\(listed(missing)))"
            if case .bare = reference {
                error(
                    "'{{ \(name) }}' in \(what) of inject '\(inject.id)' is not a scenario or inject variable, and is not set on \(scopeText)",
                    location,
                    hint: Suggestions.didYouMean(name, among: variableNames)
                )
            } else {
                error(
                    "'{{ host.vars.\(name) }}' in \(what) of inject '\(inject.id)' is not set on \(scopeText)",
                    location
                )
            }
        default:
            break
        }
    }
}
