/// One scheduled event of a scenario (a row of the master scenario events list).
///
/// An inject may carry a message for the teams it reaches, actions to run on their hosts, checks that tell
/// when the event landed and when a team has remediated, the remedy a competent team would run, deadline
/// overrides, and cleanup that puts the hosts back. Text fields are templates (see ``Template``); they are
/// rendered per host by the engine.
public struct Inject: Sendable, Hashable {
    public var id: String
    /// A short title for timelines and reports; defaults to the id.
    public var title: String
    /// When the inject fires.
    public var trigger: Trigger
    /// The severity grade; its default deadlines apply unless ``deadlines`` overrides them.
    public var severity: SeverityGrade?
    /// Which hosts (and so which teams) the inject reaches. An `after` inject without targets inherits its
    /// parent's.
    public var targets: TargetSelector?
    /// The message delivered to each team reached (a text template).
    public var message: String?
    /// What is done to each target host when the inject fires, in order.
    public var actions: [Action]
    /// A check that confirms the event took effect on a host.
    public var landedWhen: Check?
    /// A check that starts to succeed once a team has remediated a host.
    public var resolvedWhen: Check?
    /// Commands a competent team would run to fix a host (used by simulated teams).
    public var remedy: [Action]
    /// Per-phase deadline overrides; phases not set come from the severity grade.
    public var deadlines: PhaseDeadlines
    /// What puts a host back at ENDEX or on abort.
    public var cleanup: [Action]
    /// The ids of the objectives this inject exercises.
    public var objectives: [String]
    /// Inject variables; they shadow scenario variables of the same name.
    public var variables: [String: InventoryValue]
    /// The response phases the inject asks of the teams it reaches, as written (`expects:`); `nil` when not
    /// written. See ``expectedPhases`` for the phases that apply.
    public var expects: [ResponsePhase]?

    public init(
        id: String,
        title: String? = nil,
        trigger: Trigger,
        severity: SeverityGrade? = nil,
        targets: TargetSelector? = nil,
        message: String? = nil,
        actions: [Action] = [],
        landedWhen: Check? = nil,
        resolvedWhen: Check? = nil,
        remedy: [Action] = [],
        deadlines: PhaseDeadlines = PhaseDeadlines(),
        cleanup: [Action] = [],
        objectives: [String] = [],
        variables: [String: InventoryValue] = [:],
        expects: [ResponsePhase]? = nil
    ) {
        self.id = id
        self.title = title ?? id
        self.trigger = trigger
        self.severity = severity
        self.targets = targets
        self.message = message
        self.actions = actions
        self.landedWhen = landedWhen
        self.resolvedWhen = resolvedWhen
        self.remedy = remedy
        self.deadlines = deadlines
        self.cleanup = cleanup
        self.objectives = objectives
        self.variables = variables
        self.expects = expects
    }

    /// The phases this inject asks of teams, in phase order: `expects:` when written; otherwise all three when
    /// the inject acts on hosts or has a `resolved_when` check, and only `acknowledge` for a message-only
    /// inject. A phase not expected has no deadline and no points.
    public var expectedPhases: [ResponsePhase] {
        if let expects { return ResponsePhase.allCases.filter(expects.contains) }
        return actions.isEmpty && resolvedWhen == nil ? [.acknowledge] : ResponsePhase.allCases
    }
}

/// When an inject fires.
public enum Trigger: Sendable, Hashable {
    /// At a fixed exercise time (measured from STARTEX).
    case at(Duration)
    /// Relative to another inject.
    case after(AfterTrigger)
}

/// `after: { inject: X, delay: 5m, unless: acknowledged, within: 10m }`.
///
/// Without a condition the inject fires `delay` after X fires. With one, it is decided per team: it fires
/// for each team reached by X that has not `unless`-ed X within `within` of X's delivery, `delay` after that
/// moment.
public struct AfterTrigger: Sendable, Hashable {
    /// The id of the inject this one follows.
    public var inject: String
    /// How long after the parent (or after the condition is decided) this inject fires.
    public var delay: Duration
    /// The escalation condition, if any.
    public var condition: Condition?

    public init(inject: String, delay: Duration = .zero, condition: Condition? = nil) {
        self.inject = inject
        self.delay = delay
        self.condition = condition
    }
}

/// `unless: acknowledged, within: 10m`: the inject fires only for teams that did not reach `phase` for the
/// parent inject within `within` of its delivery.
public struct Condition: Sendable, Hashable {
    /// The phase whose absence triggers the inject.
    public var unless: ResponsePhase
    /// How long teams have; nil means the parent's deadline for that phase.
    public var within: Duration?

    public init(unless: ResponsePhase, within: Duration? = nil) {
        self.unless = unless
        self.within = within
    }
}

/// Which hosts an inject reaches. Each kind present narrows the selection (intersection); a list within a kind
/// widens it (union). An empty selector reaches every team's hosts.
public struct TargetSelector: Sendable, Hashable {
    /// Province ids: hosts of the teams in these provinces.
    public var provinces: [String]
    /// Team ids: hosts of these teams.
    public var teams: [String]
    /// Inventory group names.
    public var groups: [String]
    /// Ansible host patterns.
    public var hosts: [String]

    public init(provinces: [String] = [], teams: [String] = [], groups: [String] = [], hosts: [String] = []) {
        self.provinces = provinces
        self.teams = teams
        self.groups = groups
        self.hosts = hosts
    }

    /// True when no kind is set.
    public var isEmpty: Bool { provinces.isEmpty && teams.isEmpty && groups.isEmpty && hosts.isEmpty }
}

/// Something done to a target host.
public enum Action: Sendable, Hashable {
    /// `run: COMMAND`: a shell command (a template whose substitutions are shell-quoted).
    case run(RunAction)
    /// `upload: { content | src, dest, mode }`: a file written on the host.
    case upload(UploadAction)

    /// Every template text in this action.
    public var templateTexts: [String] {
        switch self {
        case .run(let run): [run.command]
        case .upload(let upload): [upload.content, upload.destination].compactMap { $0 }
        }
    }
}

/// A shell command run on a target host.
public struct RunAction: Sendable, Hashable {
    /// The command template.
    public var command: String
    /// How long it may run (default: the engine's).
    public var timeout: Duration?

    public init(_ command: String, timeout: Duration? = nil) {
        self.command = command
        self.timeout = timeout
    }
}

/// A file written on a target host.
public struct UploadAction: Sendable, Hashable {
    /// The file's text (a template, rendered as plain text), when given inline.
    public var content: String?
    /// A local file to send, relative to the scenario file, when not inline.
    public var source: String?
    /// The destination path on the host (a template).
    public var destination: String
    /// The file mode (`0644`), when set.
    public var mode: Int?

    public init(content: String? = nil, source: String? = nil, destination: String, mode: Int? = nil) {
        self.content = content
        self.source = source
        self.destination = destination
        self.mode = mode
    }
}

/// A command polled on a host until it succeeds (exit status 0).
public struct Check: Sendable, Hashable {
    /// The command template.
    public var command: String
    /// How often it runs.
    public var every: Duration
    /// How long to keep trying (for `landed_when`); nil means until the inject's resolve deadline or ENDEX.
    public var timeout: Duration?

    public init(_ command: String, every: Duration, timeout: Duration? = nil) {
        self.command = command
        self.every = every
        self.timeout = timeout
    }

    /// Default poll interval of `resolved_when`.
    public static let defaultResolvedEvery: Duration = .seconds(30)
    /// Default poll interval of `landed_when`.
    public static let defaultLandedEvery: Duration = .seconds(5)
    /// Default time `landed_when` keeps trying.
    public static let defaultLandedTimeout: Duration = .seconds(120)
}
