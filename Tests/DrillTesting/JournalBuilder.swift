import DrillCore

/// Builds a run's journal by hand, in exercise seconds, for evaluation and report tests.
///
/// Wall time follows exercise time from `wallStart`, plus every pause so far (a pause stops the exercise
/// clock, not the wall): call ``pause(forWallSeconds:)`` between the pause and resume events.
public struct JournalBuilder: Sendable {
    /// The events so far; tests may edit them (to tamper with evidence, say).
    public var events: [JournalEvent] = []
    public let runID: String
    /// The wall time (UTC milliseconds) at exercise time zero.
    public let wallStart: Int64
    /// Wall time spent paused so far.
    public private(set) var pausedWallMillis: Int64 = 0

    public init(runID: String, wallStart: Int64) {
        self.runID = runID
        self.wallStart = wallStart
    }

    /// The wall time of exercise second `seconds`, given the pauses so far.
    public func wallMillis(at seconds: Int64) -> Int64 { wallStart + seconds * 1000 + pausedWallMillis }

    /// Lets `seconds` of wall time pass without exercise time (the drill is paused).
    public mutating func pause(forWallSeconds seconds: Int64) { pausedWallMillis += seconds * 1000 }

    /// Appends a typed event at exercise second `seconds`, with the next sequence.
    public mutating func add(
        _ body: RunEvent.Body,
        at seconds: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: JournalEvent.Actor = .engine,
        key: EventKey? = nil
    ) {
        var event = JournalEvent(
            body,
            runID: runID,
            wallMillis: wallMillis(at: seconds),
            exerciseMillis: seconds * 1000,
            inject: inject,
            team: team,
            host: host,
            actor: actor,
            key: key
        )
        event.sequence = Int64(events.count + 1)
        events.append(event)
    }

    /// Appends an event at exercise second `seconds`, with the next sequence (an untyped payload, for journals
    /// as another writer might have made them).
    public mutating func add(
        _ kind: JournalEvent.Kind,
        at seconds: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: JournalEvent.Actor = .engine,
        payload: JournalValue = .emptyObject
    ) {
        events.append(
            JournalEvent(
                kind: kind,
                runID: runID,
                wallMillis: wallMillis(at: seconds),
                exerciseMillis: seconds * 1000,
                inject: inject,
                team: team,
                host: host,
                actor: actor,
                payload: payload,
                sequence: Int64(events.count + 1)
            )
        )
    }
}
