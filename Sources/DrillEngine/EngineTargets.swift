public import DrillCore

/// The target hosts an engine may reach: connection facts and variables per inventory host, for the hosts of
/// the drill's scope only. A host that is not here is never contacted.
public struct EngineTargets: Sendable {
    /// One reachable host.
    public struct Host: Sendable, Hashable {
        public var facts: ConnectionFacts
        /// The host's resolved inventory variables (for templates).
        public var variables: [String: InventoryValue]

        public init(facts: ConnectionFacts, variables: [String: InventoryValue]) {
            self.facts = facts
            self.variables = variables
        }
    }

    /// Hosts by inventory name.
    public var hosts: [String: Host]

    public init(hosts: [String: Host]) { self.hosts = hosts }

    /// The plan's scope hosts, reached as the inventory says.
    public init(plan: Plan, inventory: Inventory) {
        var hosts: [String: Host] = [:]
        for name in plan.scopeHosts {
            hosts[name] = Host(
                facts: inventory.connectionFacts(forHost: name),
                variables: inventory.variables(forHost: name)
            )
        }
        self.init(hosts: hosts)
    }
}

/// What time it is, on the wall and in the exercise.
public struct EngineTime: Sendable, Hashable {
    /// UTC milliseconds.
    public var wallMillis: Int64
    /// Exercise milliseconds since STARTEX.
    public var exerciseMillis: Int64

    public init(wallMillis: Int64, exerciseMillis: Int64) {
        self.wallMillis = wallMillis
        self.exerciseMillis = exerciseMillis
    }
}

/// Limits the engine works within.
public struct EngineLimits: Sendable, Hashable {
    /// Hosts worked on at once per inject (and for checks and cleanup).
    public var forks: Int
    /// How long an action may run when the scenario does not say.
    public var actionTimeout: Duration
    /// How long a check may run.
    public var checkTimeout: Duration
    /// How long each cleanup command may run.
    public var cleanupTimeout: Duration
    /// How much of a command's output is kept in the journal (characters).
    public var excerptLimit: Int

    public init(
        forks: Int = 32,
        actionTimeout: Duration = .seconds(60),
        checkTimeout: Duration = .seconds(30),
        cleanupTimeout: Duration = .seconds(30),
        excerptLimit: Int = 2000
    ) {
        self.forks = max(1, forks)
        self.actionTimeout = actionTimeout
        self.checkTimeout = checkTimeout
        self.cleanupTimeout = cleanupTimeout
        self.excerptLimit = excerptLimit
    }
}
