import Crypto

/// The typed payload of a journal event kind: a plain `Codable` struct whose members are spelled once, as its
/// properties. Payloads are wire types: add optional members only, never rename. They encode straight to the
/// journal's value tree and back (``JournalValueEncoder``, ``JournalValueDecoder``), with no JSON text in between.
public protocol JournalPayload: Codable, Sendable, Hashable {}

extension JournalPayload {
    /// The payload as a journal value (a JSON object).
    public var journalValue: JournalValue {
        // Payloads are structs of strings, numbers, arrays and string-keyed maps: encoding cannot fail.
        (try? JournalValueEncoder().encode(self)) ?? .emptyObject
    }

    /// Reads the payload from a journal value.
    ///
    /// - Throws: `DecodingError` when a required member is missing or has the wrong type.
    public init(journalValue: JournalValue) throws {
        self = try JournalValueDecoder().decode(Self.self, from: journalValue)
    }
}

extension JournalEvent {
    /// The payload read as `type`.
    ///
    /// - Throws: `DecodingError` when the payload does not have `type`'s shape.
    public func payload<P: JournalPayload>(as type: P.Type) throws -> P {
        try P(journalValue: payload)
    }
}

/// ``JournalEvent/Kind/runCreated``: what the run is.
public struct RunCreatedPayload: JournalPayload, Hashable {
    /// The scenario's `drill` name.
    public var scenario: String
    /// The scenario's title, if any.
    public var title: String?
    /// The planned exercise duration in milliseconds.
    public var durationMillis: Int64?
    /// The speed factor (1 = real time, 60 = an hour a minute).
    public var speed: Double?
    /// The time zone the drill is shown in (IANA name).
    public var timezone: String?

    public init(
        scenario: String,
        title: String? = nil,
        durationMillis: Int64? = nil,
        speed: Double? = nil,
        timezone: String? = nil
    ) {
        self.scenario = scenario
        self.title = title
        self.durationMillis = durationMillis
        self.speed = speed
        self.timezone = timezone
    }
}

/// ``JournalEvent/Kind/startex``.
public struct StartexPayload: JournalPayload, Hashable {
    /// The speed factor the exercise clock runs at.
    public var speed: Double?
    public init(speed: Double? = nil) { self.speed = speed }
}

/// ``JournalEvent/Kind/injectIntent``: what the engine is about to do for an inject.
public struct InjectIntentPayload: JournalPayload, Hashable {
    /// The exercise time the inject was scheduled for, in milliseconds (the event's own time is when it fired).
    public var scheduledMillis: Int64?
    /// The hosts its actions will run on.
    public var hosts: [String]
    /// The teams its message will reach.
    public var teams: [String]
    /// Why it fires: `schedule`, `trigger` (the director), `condition` (an `after`/`unless` rule), `late`
    /// (fell due while the engine was down).
    public var reason: String?
    /// How many actions run on each host (absent in older journals).
    public var steps: Int?
    /// True when a `landed_when` check decides whether it landed on a host (absent in older journals).
    public var landedCheck: Bool?

    public init(
        scheduledMillis: Int64? = nil,
        hosts: [String] = [],
        teams: [String] = [],
        reason: String? = nil,
        steps: Int? = nil,
        landedCheck: Bool? = nil
    ) {
        self.scheduledMillis = scheduledMillis
        self.hosts = hosts
        self.teams = teams
        self.reason = reason
        self.steps = steps
        self.landedCheck = landedCheck
    }
}

/// ``JournalEvent/Kind/injectFired``: an inject's firing is complete (its actions ran, its messages went out).
public struct InjectFiredPayload: JournalPayload {
    /// The idempotency key of the intent this firing completes (``EventKey/injectIntent(inject:occurrence:team:)``).
    public var intentKey: String?
    /// The firing's occurrence number.
    public var occurrence: Int?
    /// How many hosts and teams it reached.
    public var hosts: Int?
    public var teams: Int?

    public init(intentKey: String? = nil, occurrence: Int? = nil, hosts: Int? = nil, teams: Int? = nil) {
        self.intentKey = intentKey
        self.occurrence = occurrence
        self.hosts = hosts
        self.teams = teams
    }
}

/// ``JournalEvent/Kind/hostActionStarted``: an action about to run on a host.
public struct HostActionIntentPayload: JournalPayload, Hashable {
    /// The action's index in the inject's `actions`.
    public var step: Int
    /// The rendered command (secrets are never in a command line).
    public var command: String

    public init(step: Int, command: String) {
        self.step = step
        self.command = command
    }
}

/// ``JournalEvent/Kind/hostActionResult``: what an action did on a host.
public struct HostActionResultPayload: JournalPayload, Hashable {
    /// The action's index in the inject's `actions`.
    public var step: Int
    /// The exit status, when the command exited.
    public var exitStatus: Int32?
    /// The signal that ended it, when it was killed.
    public var exitSignal: String?
    /// True when it ran past its timeout.
    public var timedOut: Bool
    /// The start of its standard output, bounded.
    public var stdoutExcerpt: String
    /// The start of its standard error, bounded.
    public var stderrExcerpt: String
    /// Time to connect, authenticate and run, in milliseconds.
    public var connectMillis: Int64
    public var authenticateMillis: Int64
    public var runMillis: Int64
    /// Why the command could not be run, or why its outcome is unknown, if so.
    public var error: String?
    /// False when the command never started on the host (the connection, the host key or the login was
    /// refused), so nothing there needs cleaning up; absent in journals written before this member existed
    /// (read as "it may have started").
    public var started: Bool?

    public init(
        step: Int,
        exitStatus: Int32?,
        exitSignal: String? = nil,
        timedOut: Bool = false,
        stdoutExcerpt: String = "",
        stderrExcerpt: String = "",
        connectMillis: Int64 = 0,
        authenticateMillis: Int64 = 0,
        runMillis: Int64 = 0,
        error: String? = nil,
        started: Bool? = nil
    ) {
        self.step = step
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.timedOut = timedOut
        self.stdoutExcerpt = stdoutExcerpt
        self.stderrExcerpt = stderrExcerpt
        self.connectMillis = connectMillis
        self.authenticateMillis = authenticateMillis
        self.runMillis = runMillis
        self.error = error
        self.started = started
    }
}

/// ``JournalEvent/Kind/delivered``: an inject's message reached a team.
public struct DeliveredPayload: JournalPayload, Hashable {
    /// The message as delivered.
    public var message: String?
    /// The inject's severity grade (I–IV), if any.
    public var severity: String?
    /// Each phase's deadline, in milliseconds of exercise time after delivery (keys: `acknowledge`, `report`,
    /// `resolve`). Only expected phases have one.
    public var deadlines: [String: Int64]
    /// The phases the inject asks of the team (absent in older journals: all three).
    public var expects: [ResponsePhase]?
    /// True when the inject's resolution is confirmed by a `resolved_when` check on the team's hosts rather than
    /// by the team's claim (absent in older journals: decided from the scenario).
    public var resolveByCheck: Bool?
    /// The team's hosts the inject acts on (absent in older journals).
    public var hosts: [String]?

    public init(
        message: String? = nil,
        severity: String? = nil,
        deadlines: [ResponsePhase: Duration] = [:],
        expects: [ResponsePhase]? = nil,
        resolveByCheck: Bool? = nil,
        hosts: [String]? = nil
    ) {
        self.message = message
        self.severity = severity
        self.deadlines = Dictionary(uniqueKeysWithValues: deadlines.map { ($0.key.rawValue, $0.value.journalMillis) })
        self.expects = expects
        self.resolveByCheck = resolveByCheck
        self.hosts = hosts
    }

    /// The relative deadline of `phase`, if it has one.
    public func deadline(_ phase: ResponsePhase) -> Int64? { deadlines[phase.rawValue] }
}

/// ``JournalEvent/Kind/response``: a team's acknowledgement, report or resolution.
public struct ResponsePayload: JournalPayload, Hashable {
    /// Which phase the response is for.
    public var phase: ResponsePhase
    /// The team's text (a situation report), if any. It is data: escape it wherever it is shown.
    public var text: String?

    public init(phase: ResponsePhase, text: String? = nil) {
        self.phase = phase
        self.text = text
    }
}

/// The evidence of a check run on a host, sealed with a SHA-256 digest.
public struct CheckEvidence: Codable, Sendable, Hashable {
    /// The rendered check command.
    public var command: String
    /// Its exit status, when it exited.
    public var exitStatus: Int32?
    /// The start of its output, bounded.
    public var outputExcerpt: String
    /// When it ran, in UTC milliseconds.
    public var checkedAtWallMillis: Int64
    /// Lower-case hex SHA-256 of ``canonicalText``; see ``sealed()``.
    public var digest: String?

    public init(command: String, exitStatus: Int32?, outputExcerpt: String, checkedAtWallMillis: Int64) {
        self.command = command
        self.exitStatus = exitStatus
        self.outputExcerpt = outputExcerpt
        self.checkedAtWallMillis = checkedAtWallMillis
        self.digest = nil
    }

    /// The canonical encoding the digest covers: the canonical JSON of
    /// `{"checkedAtWallMillis","command","exitStatus","outputExcerpt"}` (exitStatus `null` when absent).
    public var canonicalText: String {
        let value: JournalValue = [
            "checkedAtWallMillis": .int(checkedAtWallMillis),
            "command": .string(command),
            "exitStatus": exitStatus.map { JournalValue.int(Int64($0)) } ?? .null,
            "outputExcerpt": .string(outputExcerpt),
        ]
        return value.canonicalJSON
    }

    /// A copy with ``digest`` set.
    public func sealed() -> CheckEvidence {
        var copy = self
        copy.digest = Self.digest(of: canonicalText)
        return copy
    }

    /// True when ``digest`` is present and matches the evidence.
    public var isIntact: Bool { digest == Self.digest(of: canonicalText) }

    /// Lower-case hex SHA-256 of `text`'s UTF-8 bytes (swift-crypto).
    static func digest(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// ``JournalEvent/Kind/checkResult`` and ``JournalEvent/Kind/landedCheck``.
public struct CheckResultPayload: JournalPayload, Hashable {
    /// True when the check passed (the event landed; the team remediated).
    public var passed: Bool
    /// The sealed evidence.
    public var evidence: CheckEvidence

    public init(passed: Bool, evidence: CheckEvidence) {
        self.passed = passed
        self.evidence = evidence.digest == nil ? evidence.sealed() : evidence
    }
}

/// ``JournalEvent/Kind/deadlineMet`` and ``JournalEvent/Kind/deadlineMissed``.
public struct DeadlinePayload: JournalPayload, Hashable {
    public var phase: ResponsePhase
    /// The deadline, in exercise milliseconds since STARTEX (extensions included).
    public var deadlineMillis: Int64

    public init(phase: ResponsePhase, deadlineMillis: Int64) {
        self.phase = phase
        self.deadlineMillis = deadlineMillis
    }
}

/// ``JournalEvent/Kind/phaseVerdict``: the engine's verdict on one phase of one delivery, written each time the
/// status the rules give changes (a phase may go from missed to late when a fix comes after the deadline), and
/// once more at ENDEX for every phase whose final status was not written yet.
public struct PhaseVerdictPayload: JournalPayload {
    public var phase: ResponsePhase
    public var status: PhaseStatus
    /// The deadline, in exercise milliseconds since STARTEX (extensions included), if the phase has one.
    public var deadlineMillis: Int64?
    /// When the phase was done (exercise milliseconds), if it was.
    public var doneAtMillis: Int64?

    public init(phase: ResponsePhase, status: PhaseStatus, deadlineMillis: Int64? = nil, doneAtMillis: Int64? = nil) {
        self.phase = phase
        self.status = status
        self.deadlineMillis = deadlineMillis
        self.doneAtMillis = doneAtMillis
    }
}

/// ``JournalEvent/Kind/ratingReconciled``: the panel's agreed HSEEP rating for an inject × team, recorded by a
/// lead evaluator or the director where the evaluators' ratings split. The event's actor says who.
public struct RatingReconciledPayload: JournalPayload {
    /// `P`, `S`, `M` or `U`.
    public var rating: String
    /// Why, in the reconciler's words. Data: escape wherever shown.
    public var reason: String

    public init(rating: String, reason: String) {
        self.rating = rating
        self.reason = reason
    }
}

/// ``JournalEvent/Kind/control``: the director's controls. The event's actor says who.
public struct ControlPayload: JournalPayload, Hashable {
    /// What was done. `skip` records an inject that fell due while the engine was down and that the director
    /// chose not to fire (`drillctl resume --missed skip`).
    public enum Action: String, Codable, Sendable, Hashable {
        case pause, resume, trigger, extend, abort, skip
    }

    public var action: Action
    /// For `extend`: the phase whose deadline moves.
    public var phase: ResponsePhase?
    /// For `extend`: by how many exercise milliseconds.
    public var extensionMillis: Int64?
    /// Why, in the director's words.
    public var reason: String?

    public init(action: Action, phase: ResponsePhase? = nil, extension: Duration? = nil, reason: String? = nil) {
        self.action = action
        self.phase = phase
        self.extensionMillis = `extension`?.journalMillis
        self.reason = reason
    }
}

/// ``JournalEvent/Kind/cleanupIntent``.
public struct CleanupIntentPayload: JournalPayload, Hashable {
    /// The rendered cleanup commands.
    public var commands: [String]
    public init(commands: [String] = []) { self.commands = commands }
}

/// ``JournalEvent/Kind/cleanupResult``.
public struct CleanupResultPayload: JournalPayload, Hashable {
    /// True when every cleanup command succeeded.
    public var succeeded: Bool
    public var exitStatus: Int32?
    public var outputExcerpt: String
    /// Why cleanup could not run (host unreachable, timed out), if so.
    public var error: String?

    public init(succeeded: Bool, exitStatus: Int32? = nil, outputExcerpt: String = "", error: String? = nil) {
        self.succeeded = succeeded
        self.exitStatus = exitStatus
        self.outputExcerpt = outputExcerpt
        self.error = error
    }
}

/// ``JournalEvent/Kind/observation``: an evaluator's scores and notes on a team's handling of an inject.
public struct ObservationPayload: JournalPayload, Hashable {
    /// Rubric scores by criterion (e.g. `detection: 4`).
    public var scores: [String: Double]
    /// An HSEEP rating, `P`, `S`, `M` or `U`, if given.
    public var rating: String?
    /// The evaluator's notes. Data: escape wherever shown.
    public var notes: String?
    /// Strengths the evaluator saw, one per item (the report lists them under strengths). Data.
    public var strengths: [String]?
    /// Areas for improvement the evaluator saw, one per item. Data.
    public var improvements: [String]?

    public init(
        scores: [String: Double] = [:],
        rating: String? = nil,
        notes: String? = nil,
        strengths: [String]? = nil,
        improvements: [String]? = nil
    ) {
        self.scores = scores
        self.rating = rating
        self.notes = notes
        self.strengths = strengths
        self.improvements = improvements
    }
}

/// ``JournalEvent/Kind/endex``.
public struct EndexPayload: JournalPayload, Hashable {
    /// Why it ended: `schedule` (the planned duration elapsed) or `director`.
    public var reason: String?
    public init(reason: String? = nil) { self.reason = reason }
}

/// ``JournalEvent/Kind/uncertain``: an intent whose outcome was never journaled.
public struct UncertainPayload: JournalPayload, Hashable {
    /// The sequence of the intent event.
    public var intentSequence: Int64
    /// The intent's kind.
    public var intentKind: String
    /// Why the outcome is unknown.
    public var reason: String

    public init(intentSequence: Int64, intentKind: JournalEvent.Kind, reason: String) {
        self.intentSequence = intentSequence
        self.intentKind = intentKind.rawValue
        self.reason = reason
    }
}

extension Duration {
    /// The duration in whole milliseconds (truncated), saturating at the bounds of `Int64` instead of trapping.
    public var journalMillis: Int64 {
        let (seconds, attoseconds) = components
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        return millis.addingSaturating(attoseconds / 1_000_000_000_000_000)
    }
}

extension Int64 {
    /// `self + other`, clamped to `Int64`'s range: journaled numbers are folded with this, so that no value in a
    /// journal can make a reader trap.
    public func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other > 0 ? .max : .min }
        return sum
    }

    /// `self - other`, clamped to `Int64`'s range.
    public func subtractingSaturating(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { return other > 0 ? .min : .max }
        return difference
    }
}
