/// One journal event, decoded once: the envelope's columns and a typed body.
///
/// Readers decode each ``JournalEvent`` with ``init(_:)`` at the boundary and fold ``RunEvent``s (``RunLedger``);
/// writers build a ``Body`` and turn it into a ``JournalEvent`` with ``JournalEvent/init(_:runID:wallMillis:exerciseMillis:inject:team:host:actor:key:)``.
/// An event of a kind this version does not know reads as ``Body/unknown(kind:payload:)``; one of a known kind
/// whose payload does not have its shape (a journal edited by hand, or a hostile writer) reads as
/// ``Body/unreadable(kind:payload:reason:)``. Neither stops a reader: it counts them and goes on.
public struct RunEvent: Sendable, Hashable {
    /// The position in the journal, from 1 (0 for an event not appended yet).
    public var sequence: Int64
    public var runID: String
    /// UTC milliseconds.
    public var wallMillis: Int64
    /// Milliseconds since STARTEX, paused time excluded.
    public var exerciseMillis: Int64
    public var inject: String?
    public var team: String?
    public var host: String?
    public var actor: JournalEvent.Actor?
    /// The idempotency key as written (``EventKey`` reads it).
    public var idempotencyKey: String?
    public var body: Body

    /// The typed body of an event: one case per kind, with its payload.
    public enum Body: Sendable, Hashable {
        case runCreated(RunCreatedPayload)
        case startex(StartexPayload)
        case injectIntent(InjectIntentPayload)
        case injectFired(InjectFiredPayload)
        case hostActionStarted(HostActionIntentPayload)
        case hostActionResult(HostActionResultPayload)
        case landedCheck(CheckResultPayload)
        case delivered(DeliveredPayload)
        case response(ResponsePayload)
        case checkResult(CheckResultPayload)
        /// A deadline verdict in journals written before ``phaseVerdict(_:)`` existed.
        case deadlineMet(DeadlinePayload)
        case deadlineMissed(DeadlinePayload)
        case phaseVerdict(PhaseVerdictPayload)
        case control(ControlPayload)
        case cleanupIntent(CleanupIntentPayload)
        case cleanupResult(CleanupResultPayload)
        case observation(ObservationPayload)
        case ratingReconciled(RatingReconciledPayload)
        case endex(EndexPayload)
        case uncertain(UncertainPayload)
        /// A kind this version does not know (a newer drillctl wrote it).
        case unknown(kind: String, payload: JournalValue)
        /// A known kind whose payload could not be read; `reason` says which member was wrong.
        case unreadable(kind: String, payload: JournalValue, reason: String)

        /// The body of a wire event of `kind` with `payload`.
        public init(kind: JournalEvent.Kind, payload: JournalValue) {
            guard let known = kind.known else {
                self = .unknown(kind: kind.rawValue, payload: payload)
                return
            }
            do {
                self = try Self.decode(known, payload)
            } catch {
                self = .unreadable(kind: kind.rawValue, payload: payload, reason: Self.describe(error))
            }
        }

        private static func decode(_ known: JournalEvent.Kind.Known, _ payload: JournalValue) throws -> Body {
            switch known {
            case .runCreated: .runCreated(try RunCreatedPayload(journalValue: payload))
            case .startex: .startex(try StartexPayload(journalValue: payload))
            case .injectIntent: .injectIntent(try InjectIntentPayload(journalValue: payload))
            case .injectFired: .injectFired(try InjectFiredPayload(journalValue: payload))
            case .hostActionStarted: .hostActionStarted(try HostActionIntentPayload(journalValue: payload))
            case .hostActionResult: .hostActionResult(try HostActionResultPayload(journalValue: payload))
            case .landedCheck: .landedCheck(try CheckResultPayload(journalValue: payload))
            case .delivered: .delivered(try DeliveredPayload(journalValue: payload))
            case .response: .response(try ResponsePayload(journalValue: payload))
            case .checkResult: .checkResult(try CheckResultPayload(journalValue: payload))
            case .deadlineMet: .deadlineMet(try DeadlinePayload(journalValue: payload))
            case .deadlineMissed: .deadlineMissed(try DeadlinePayload(journalValue: payload))
            case .phaseVerdict: .phaseVerdict(try PhaseVerdictPayload(journalValue: payload))
            case .control: .control(try ControlPayload(journalValue: payload))
            case .cleanupIntent: .cleanupIntent(try CleanupIntentPayload(journalValue: payload))
            case .cleanupResult: .cleanupResult(try CleanupResultPayload(journalValue: payload))
            case .observation: .observation(try ObservationPayload(journalValue: payload))
            case .ratingReconciled: .ratingReconciled(try RatingReconciledPayload(journalValue: payload))
            case .endex: .endex(try EndexPayload(journalValue: payload))
            case .uncertain: .uncertain(try UncertainPayload(journalValue: payload))
            }
        }

        /// The wire kind.
        public var kind: JournalEvent.Kind {
            switch self {
            case .runCreated: .runCreated
            case .startex: .startex
            case .injectIntent: .injectIntent
            case .injectFired: .injectFired
            case .hostActionStarted: .hostActionStarted
            case .hostActionResult: .hostActionResult
            case .landedCheck: .landedCheck
            case .delivered: .delivered
            case .response: .response
            case .checkResult: .checkResult
            case .deadlineMet: .deadlineMet
            case .deadlineMissed: .deadlineMissed
            case .phaseVerdict: .phaseVerdict
            case .control: .control
            case .cleanupIntent: .cleanupIntent
            case .cleanupResult: .cleanupResult
            case .observation: .observation
            case .ratingReconciled: .ratingReconciled
            case .endex: .endex
            case .uncertain: .uncertain
            case .unknown(let kind, _), .unreadable(let kind, _, _): JournalEvent.Kind(rawValue: kind)
            }
        }

        /// The wire payload.
        public var payload: JournalValue {
            switch self {
            case .runCreated(let payload): payload.journalValue
            case .startex(let payload): payload.journalValue
            case .injectIntent(let payload): payload.journalValue
            case .injectFired(let payload): payload.journalValue
            case .hostActionStarted(let payload): payload.journalValue
            case .hostActionResult(let payload): payload.journalValue
            case .landedCheck(let payload): payload.journalValue
            case .delivered(let payload): payload.journalValue
            case .response(let payload): payload.journalValue
            case .checkResult(let payload): payload.journalValue
            case .deadlineMet(let payload): payload.journalValue
            case .deadlineMissed(let payload): payload.journalValue
            case .phaseVerdict(let payload): payload.journalValue
            case .control(let payload): payload.journalValue
            case .cleanupIntent(let payload): payload.journalValue
            case .cleanupResult(let payload): payload.journalValue
            case .observation(let payload): payload.journalValue
            case .ratingReconciled(let payload): payload.journalValue
            case .endex(let payload): payload.journalValue
            case .uncertain(let payload): payload.journalValue
            case .unknown(_, let payload), .unreadable(_, let payload, _): payload
            }
        }

        /// A decoding error in a few words: which member, and what was wrong.
        static func describe(_ error: any Error) -> String {
            guard let error = error as? DecodingError else { return "\(error)" }
            func path(_ context: DecodingError.Context) -> String {
                let members = context.codingPath.map(\.stringValue).joined(separator: ".")
                return members.isEmpty ? "the payload" : "'\(members)'"
            }
            switch error {
            case .keyNotFound(let key, let context):
                let members = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
                return "the member '\(members)' is missing"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return "\(path(context)): \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
    }

    /// Decodes a wire event (never fails: see ``Body/unknown(kind:payload:)`` and
    /// ``Body/unreadable(kind:payload:reason:)``).
    public init(_ event: JournalEvent) {
        sequence = event.sequence ?? 0
        runID = event.runID
        wallMillis = event.wallMillis
        exerciseMillis = event.exerciseMillis
        inject = event.inject
        team = event.team
        host = event.host
        actor = event.actor
        idempotencyKey = event.idempotencyKey
        body = Body(kind: event.kind, payload: event.payload)
    }

    /// The idempotency key, read as an ``EventKey``.
    public var key: EventKey? { idempotencyKey.flatMap(EventKey.init(parsing:)) }

    /// The event as written to the journal.
    public var journalEvent: JournalEvent {
        JournalEvent(
            kind: body.kind,
            runID: runID,
            wallMillis: wallMillis,
            exerciseMillis: exerciseMillis,
            inject: inject,
            team: team,
            host: host,
            actor: actor,
            idempotencyKey: idempotencyKey,
            payload: body.payload,
            sequence: sequence == 0 ? nil : sequence
        )
    }
}

extension JournalEvent {
    /// A new event with a typed body (not appended yet).
    public init(
        _ body: RunEvent.Body,
        runID: String,
        wallMillis: Int64,
        exerciseMillis: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: Actor? = nil,
        key: EventKey? = nil
    ) {
        self.init(
            kind: body.kind,
            runID: runID,
            wallMillis: wallMillis,
            exerciseMillis: exerciseMillis,
            inject: inject,
            team: team,
            host: host,
            actor: actor,
            idempotencyKey: key?.description,
            payload: body.payload
        )
    }

    /// The event decoded (see ``RunEvent/init(_:)``).
    public var typed: RunEvent { RunEvent(self) }
}
