/// The values a template is rendered with: the host, team, province, inject and drill at hand.
public struct TemplateContext: Sendable, Hashable {
    /// The target host a command runs on.
    public struct Host: Sendable, Hashable {
        public var name: String
        /// `ansible_host`, else the name.
        public var address: String
        /// The host's resolved inventory variables.
        public var variables: [String: InventoryValue]

        public init(name: String, address: String? = nil, variables: [String: InventoryValue] = [:]) {
            self.name = name
            self.address = address ?? variables["ansible_host"]?.stringValue ?? name
            self.variables = variables
        }
    }

    public var host: Host?
    public var team: Team?
    public var province: Province?
    public var injectID: String?
    public var injectTitle: String?
    public var drillID: String?
    public var drillTitle: String?
    /// Inject variables over scenario variables.
    public var variables: [String: InventoryValue]

    public init(
        host: Host? = nil,
        team: Team? = nil,
        province: Province? = nil,
        injectID: String? = nil,
        injectTitle: String? = nil,
        drillID: String? = nil,
        drillTitle: String? = nil,
        variables: [String: InventoryValue] = [:]
    ) {
        self.host = host
        self.team = team
        self.province = province
        self.injectID = injectID
        self.injectTitle = injectTitle
        self.drillID = drillID
        self.drillTitle = drillTitle
        self.variables = variables
    }

    /// The context of `inject` in `scenario`, without host, team or province (set those per delivery).
    public init(scenario: Scenario, inject: Inject) {
        self.init(
            injectID: inject.id,
            injectTitle: inject.title,
            drillID: scenario.id,
            drillTitle: scenario.title,
            variables: scenario.variables.merging(inject.variables) { _, injectValue in injectValue }
        )
    }

    /// The text a placeholder renders to, or nil when the context has no value for it.
    public func value(of reference: Template.Reference) -> String? {
        switch reference {
        case .hostName: host?.name
        case .hostAddress: host?.address
        case .hostVariable(let name): host?.variables[name]?.renderedText
        case .teamID: team?.id
        case .teamName: team?.name
        case .provinceID: province?.id
        case .provinceName: province?.name
        case .injectID: injectID
        case .injectTitle: injectTitle
        case .drillID: drillID
        case .drillTitle: drillTitle
        case .variable(let name): variables[name]?.renderedText
        case .bare(let name): (host?.variables[name] ?? variables[name])?.renderedText
        }
    }

    var whereText: String { host.map { " on host '\($0.name)'" } ?? "" }
}

extension Plan {
    /// The context to render `planned`'s templates with: for its message to `team` (no host), or for a command
    /// on `host` (a host of `team`, or of no team).
    ///
    /// The host's variables are its resolved inventory variables; team and province come from the scenario.
    public func templateContext(
        for planned: PlannedInject,
        team teamID: String?,
        host hostName: String? = nil,
        inventory: Inventory
    ) -> TemplateContext {
        var context = TemplateContext(scenario: scenario, inject: planned.inject)
        if let teamID, let team = scenario.team(teamID) {
            context.team = team
            context.province = scenario.province(team.province)
        }
        if let hostName {
            context.host = TemplateContext.Host(name: hostName, variables: inventory.variables(forHost: hostName))
        }
        return context
    }
}
