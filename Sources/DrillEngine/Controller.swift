public import DrillCore

/// The director's controls on a run: pause, resume, trigger, extend, abort. The one path for `drillctl ctl`
/// and the portal.
///
/// A control is a ``JournalEvent/Kind/control`` event with who and when; the running engine reads it from the
/// journal and acts (a pause stops its exercise clock, a trigger fires, an abort cleans up). The event itself
/// is the effect: ``RunState`` and ``RunClock`` change with it whether or not an engine runs.
public struct Controller: Sendable {
    public let journal: any JournalWriter & JournalReader
    /// The run's scenario, to check inject ids (optional).
    public let scenario: Scenario?

    public init(journal: any JournalWriter & JournalReader, scenario: Scenario? = nil) {
        self.journal = journal
        self.scenario = scenario
    }

    /// A control.
    public enum Command: Sendable, Hashable {
        case pause
        case resume
        /// Fire the inject now (again, if it fired already).
        case trigger(inject: String)
        /// Move an inject's phase deadline later for every team it reaches.
        case extend(inject: String, phase: ResponsePhase, by: Duration)
        case abort
    }

    /// Why a control was refused.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Journals `command` by `actor` at wall time `wallMillis`.
    ///
    /// - Throws: ``Refusal`` when the control makes no sense now (pause a paused drill, trigger an unknown
    ///   inject, control a finished drill); a journal error when it cannot be written.
    @discardableResult
    public func perform(
        _ command: Command,
        actor: JournalEvent.Actor = JournalEvent.Actor(.director),
        reason: String? = nil,
        wallMillis: Int64
    ) async throws -> JournalEvent {
        let events = try await journal.allEvents()
        let state = RunState.fold(events)
        if state.status.isFinished {
            throw Refusal("refused: the drill is over (\(state.status.rawValue))")
        }
        var inject: String?
        let payload: ControlPayload
        switch command {
        case .pause:
            guard state.status == .running else {
                throw Refusal("refused: only a running drill can be paused (it is \(state.status.rawValue))")
            }
            payload = ControlPayload(action: .pause, reason: reason)
        case .resume:
            guard state.status == .paused else {
                throw Refusal("refused: only a paused drill can be resumed (it is \(state.status.rawValue))")
            }
            payload = ControlPayload(action: .resume, reason: reason)
        case .trigger(let id):
            try checkInject(id)
            inject = id
            payload = ControlPayload(action: .trigger, reason: reason)
        case .extend(let id, let phase, let duration):
            try checkInject(id)
            guard duration > .zero else { throw Refusal("refused: an extension must be longer than zero") }
            inject = id
            payload = ControlPayload(action: .extend, phase: phase, extension: duration, reason: reason)
        case .abort:
            payload = ControlPayload(action: .abort, reason: reason)
        }
        let clock = RunClock(journal: events)
        return try await journal.append(
            JournalEvent(
                kind: .control,
                runID: state.runID ?? "",
                wallMillis: wallMillis,
                exerciseMillis: clock.exerciseMillis(atWallMillis: wallMillis),
                inject: inject,
                actor: actor,
                payload: payload.journalValue
            )
        )
    }

    private func checkInject(_ id: String) throws {
        guard let scenario else { return }
        guard scenario.inject(id) != nil else {
            let known = scenario.injects.map(\.id).joined(separator: ", ")
            throw Refusal("refused: there is no inject '\(id)' in this drill (injects: \(known))")
        }
    }
}
