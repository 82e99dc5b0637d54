/// The status of one response phase of one delivery (an inject × a team), as every view shows it: the engine's
/// journaled verdicts, `ctl status`, the portal's pages and board, and the report. ``RunRules/phaseStatus(_:)``
/// is the one function that decides it.
///
/// A wire type: the raw values are what `phase_verdict` events and the JSON outputs hold.
public enum PhaseStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Done by the deadline.
    case met
    /// Done after the deadline (late credit).
    case late
    /// Not done, and the deadline passed.
    case missed
    /// Not done, the deadline has not come, and the run goes on.
    case pending
    /// Not done, and the run ended (ENDEX or an abort) before the deadline came.
    case interrupted
    /// Done; the phase had no deadline.
    case done
    /// Not done, the phase had no deadline, and the run is over.
    case notDone
    /// The inject does not ask this phase of teams (`expects:`): no deadline, no points.
    case notExpected
    /// The inject landed on none of the team's hosts, so there was nothing to resolve: no points either way, and
    /// the report flags it as a drill-control failure.
    case notApplicable

    /// True when the phase counts toward deadline compliance.
    public var isDecided: Bool { self == .met || self == .late || self == .missed }

    /// True when the phase was done (on time, late, or without a deadline).
    public var isDone: Bool { self == .met || self == .late || self == .done }
}
