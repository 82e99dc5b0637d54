/// One thing that happened in a drill run, as written to the journal.
///
/// This is a frozen, versioned wire type: it is what the journal stores, what `resume` reads back and what the
/// portal and the report fold into their views. Change it only by adding optional payload members or new
/// kinds; never rename or reinterpret what is there (journals outlive the code that wrote them). Readers must
/// accept kinds they do not know (``Kind`` is an open set) and ignore payload members they do not know.
///
/// Injects, teams and hosts are named by their string ids from the scenario and the inventory.
public struct JournalEvent: Sendable, Hashable {
    /// The wire version written by this code. Version 1 is the first.
    public static let currentVersion = 1

    /// The position of the event in its run's journal, from 1, assigned by the store when the event is
    /// appended; `nil` before that. Sequences only grow: a later event has a larger sequence.
    public var sequence: Int64?
    /// The wire version the event was written with.
    public var version: Int
    /// The run the event belongs to.
    public var runID: String
    /// What happened.
    public var kind: Kind
    /// When it happened on the wall clock: milliseconds since 1970-01-01T00:00:00Z (UTC).
    public var wallMillis: Int64
    /// When it happened on the exercise clock: milliseconds since STARTEX, paused time excluded; 0 before
    /// STARTEX.
    public var exerciseMillis: Int64
    /// The inject the event is about, if any (the scenario's inject id).
    public var inject: String?
    /// The team the event is about, if any (the scenario's team id). A team may see an event only when this
    /// is its own id.
    public var team: String?
    /// The target host the event is about, if any (the inventory's host name).
    public var host: String?
    /// Who caused the event.
    public var actor: Actor?
    /// A key that makes the event unique in its journal: a store refuses a second event with the same key.
    /// Intents carry one (see ``IdempotencyKey``) so that a resumed engine cannot record the same intent twice.
    public var idempotencyKey: String?
    /// The kind-specific details: a JSON object (see the payload types such as ``ResponsePayload``).
    public var payload: JournalValue

    /// Creates an event that has not been appended yet (its ``sequence`` is `nil`).
    public init(
        kind: Kind,
        runID: String,
        wallMillis: Int64,
        exerciseMillis: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: Actor? = nil,
        idempotencyKey: String? = nil,
        payload: JournalValue = .emptyObject,
        sequence: Int64? = nil,
        version: Int = JournalEvent.currentVersion
    ) {
        self.sequence = sequence
        self.version = version
        self.runID = runID
        self.kind = kind
        self.wallMillis = wallMillis
        self.exerciseMillis = exerciseMillis
        self.inject = inject
        self.team = team
        self.host = host
        self.actor = actor
        self.idempotencyKey = idempotencyKey
        self.payload = payload
    }

    /// The exercise time as a duration since STARTEX.
    public var exerciseTime: Duration { .milliseconds(exerciseMillis) }
}

extension JournalEvent {
    /// The kind of a journal event: an open set of names, so that a journal written by a newer drillctl
    /// still reads (unknown kinds are kept and skipped by the fold).
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        /// The run was created: payload ``RunCreatedPayload``.
        public static let runCreated: Kind = "run_created"
        /// The exercise clock started (STARTEX): payload ``StartexPayload``.
        public static let startex: Kind = "startex"
        /// The engine is about to fire an inject (intent, written before acting): payload ``InjectIntentPayload``.
        public static let injectIntent: Kind = "inject_intent"
        /// The inject's actions were started on all its hosts and its messages are going out.
        public static let injectFired: Kind = "inject_fired"
        /// An action is about to run on a host (intent): payload ``HostActionIntentPayload``.
        public static let hostActionStarted: Kind = "host_action_started"
        /// An action's outcome on a host: payload ``HostActionResultPayload``.
        public static let hostActionResult: Kind = "host_action_result"
        /// The outcome of an inject's `landed_when` check on a host: payload ``CheckResultPayload``.
        public static let landedCheck: Kind = "landed_check"
        /// An inject's message reached a team; response times count from here: payload ``DeliveredPayload``.
        public static let delivered: Kind = "delivered"
        /// A team responded (acknowledge, report, resolve): payload ``ResponsePayload``.
        public static let response: Kind = "response"
        /// The outcome of a `resolved_when` check on a host, kept as evidence: payload ``CheckResultPayload``.
        public static let checkResult: Kind = "check_result"
        /// A response phase was completed before its deadline: payload ``DeadlinePayload``.
        public static let deadlineMet: Kind = "deadline_met"
        /// A response phase's deadline passed without the phase being completed: payload ``DeadlinePayload``.
        public static let deadlineMissed: Kind = "deadline_missed"
        /// The director (or the engine) controlled the run: payload ``ControlPayload``.
        public static let control: Kind = "control"
        /// Cleanup is about to run on a host (intent): payload ``CleanupIntentPayload``.
        public static let cleanupIntent: Kind = "cleanup_intent"
        /// Cleanup's outcome on a host: payload ``CleanupResultPayload``.
        public static let cleanupResult: Kind = "cleanup_result"
        /// An evaluator's observation of a team's handling of an inject: payload ``ObservationPayload``.
        public static let observation: Kind = "observation"
        /// The exercise ended (ENDEX): payload ``EndexPayload``.
        public static let endex: Kind = "endex"
        /// An intent whose outcome is unknown (the engine stopped between intent and outcome):
        /// payload ``UncertainPayload``.
        public static let uncertain: Kind = "uncertain"
        /// The engine's verdict on one response phase of one delivery (written when it changes): payload
        /// ``PhaseVerdictPayload``.
        public static let phaseVerdict: Kind = "phase_verdict"
        /// A lead evaluator or the director recorded the panel's reconciled rating: payload
        /// ``RatingReconciledPayload``.
        public static let ratingReconciled: Kind = "rating_reconciled"

        /// The kinds this version knows, one case each, spelled as on the wire. ``RunEvent`` decodes each known
        /// kind into its typed body with an exhaustive switch over these cases, so adding a kind makes the
        /// compiler point at every place that must handle it.
        public enum Known: String, Sendable, Hashable, CaseIterable {
            case runCreated = "run_created"
            case startex
            case injectIntent = "inject_intent"
            case injectFired = "inject_fired"
            case hostActionStarted = "host_action_started"
            case hostActionResult = "host_action_result"
            case landedCheck = "landed_check"
            case delivered
            case response
            case checkResult = "check_result"
            case deadlineMet = "deadline_met"
            case deadlineMissed = "deadline_missed"
            case phaseVerdict = "phase_verdict"
            case control
            case cleanupIntent = "cleanup_intent"
            case cleanupResult = "cleanup_result"
            case observation
            case ratingReconciled = "rating_reconciled"
            case endex
            case uncertain

            /// The wire kind.
            public var kind: Kind { Kind(rawValue: rawValue) }
        }

        private static let knownByName: [String: Known] = Dictionary(
            uniqueKeysWithValues: Known.allCases.map { ($0.rawValue, $0) }
        )

        /// This kind as ``Known``, or `nil` for a kind this version does not know.
        public var known: Known? { Self.knownByName[rawValue] }

        /// Every kind this version of drillctl knows.
        public static let known: [Kind] = Known.allCases.map(\.kind)
    }

    /// Who caused an event: a role and, for people, which one.
    public struct Actor: Sendable, Hashable, CustomStringConvertible {
        /// The role.
        public var role: Role
        /// Which team, evaluator or director, when the role has several (a team id, an evaluator's name).
        public var id: String?

        public init(_ role: Role, id: String? = nil) {
            self.role = role
            self.id = id
        }

        /// The engine itself.
        public static let engine = Actor(.engine)

        /// The journal's text form: `role` or `role:id`.
        public var description: String { id.map { "\(role.rawValue):\($0)" } ?? role.rawValue }

        /// Reads the journal's text form (`role` or `role:id`).
        public init(parsing text: String) {
            if let colon = text.firstIndex(of: ":") {
                role = Role(rawValue: String(text[..<colon]))
                id = String(text[text.index(after: colon)...])
            } else {
                role = Role(rawValue: text)
                id = nil
            }
        }

        /// A role that can cause events (open set).
        public struct Role: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
            public var rawValue: String
            public init(rawValue: String) { self.rawValue = rawValue }
            public init(stringLiteral value: String) { self.rawValue = value }

            public static let director: Role = "director"
            public static let team: Role = "team"
            public static let evaluator: Role = "evaluator"
            public static let engine: Role = "engine"
            public static let simulator: Role = "simulator"
        }
    }
}

/// A response phase, in the order a team goes through them: acknowledge -> report -> resolve.
///
/// Defined once, here, with the journal's events; the scenario model adds the words conditions use
/// (`pastTense`, in Scenario/Scenario.swift).
public enum ResponsePhase: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// The team has seen the inject and is on it (detection).
    case acknowledge
    /// The team has reported to exercise control.
    case report
    /// The team has contained and recovered.
    case resolve

    /// 0, 1, 2 in phase order.
    public var order: Int {
        switch self {
        case .acknowledge: 0
        case .report: 1
        case .resolve: 2
        }
    }

    public static func < (lhs: ResponsePhase, rhs: ResponsePhase) -> Bool { lhs.order < rhs.order }
}

/// Maps keyed by phase encode as objects with the phase names as keys (not as arrays of pairs).
extension ResponsePhase: CodingKeyRepresentable {}
