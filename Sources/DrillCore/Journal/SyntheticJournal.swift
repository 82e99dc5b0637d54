/// A generated, realistic journal for benchmarks and tests of code that reads journals (the fold, the report).
///
/// Each inject fires on every team's hosts: per inject × team it writes the host actions (intent and result),
/// the delivery with deadlines, acknowledge/report/resolve responses (some late), a passing check and the
/// deadline outcomes, then cleanup per host. Deterministic: the same arguments give the same events.
public enum SyntheticJournal {
    /// Events for `teams` teams with `hostsPerTeam` hosts each and `injects` injects, one a minute, starting
    /// with ``JournalEvent/Kind/runCreated`` and STARTEX and ending with ENDEX. Sequences are set from 1.
    public static func events(
        runID: String,
        teams: Int = 100,
        injects: Int = 50,
        hostsPerTeam: Int = 3
    ) -> [JournalEvent] {
        var builder = Builder(runID: runID)
        builder.add(.runCreated, exercise: 0, payload: RunCreatedPayload(scenario: "synthetic").journalValue)
        builder.add(.startex, exercise: 0)
        var random = SplitMix(seed: 2026)
        let deadlines: JournalValue = ["acknowledge": 300_000, "report": 900_000, "resolve": 3_600_000]
        for injectIndex in 0..<injects {
            let inject = "inject-\(injectIndex)"
            let firedAt = Int64(injectIndex) * 60_000 + 1000
            builder.add(
                .injectIntent,
                exercise: firedAt,
                inject: inject,
                key: IdempotencyKey.injectIntent(inject: inject)
            )
            builder.add(.injectFired, exercise: firedAt, inject: inject)
            for teamIndex in 0..<teams {
                let team = "team-\(teamIndex)"
                for hostIndex in 0..<hostsPerTeam {
                    let host = "host-\(teamIndex)-\(hostIndex)"
                    builder.add(
                        .hostActionStarted,
                        exercise: firedAt,
                        inject: inject,
                        team: team,
                        host: host,
                        key: IdempotencyKey.hostAction(inject: inject, host: host),
                        payload: ["step": 0, "command": .string("touch /tmp/drill-\(inject)")]
                    )
                    builder.add(
                        .hostActionResult,
                        exercise: firedAt + 40,
                        inject: inject,
                        team: team,
                        host: host,
                        payload: [
                            "step": 0, "exitStatus": random.next(100) < 2 ? 1 : 0, "timedOut": false,
                            "stdoutExcerpt": "", "stderrExcerpt": "", "connectMillis": 3, "authenticateMillis": 5,
                            "runMillis": 30,
                        ]
                    )
                }
                builder.add(
                    .delivered,
                    exercise: firedAt + 50,
                    inject: inject,
                    team: team,
                    key: IdempotencyKey.delivered(inject: inject, team: team),
                    payload: ["deadlines": deadlines, "message": .string("Inject \(injectIndex) for \(team)")]
                )
                var at = firedAt + 50
                for (phase, spread) in [("acknowledge", 400_000), ("report", 1_000_000), ("resolve", 3_000_000)] {
                    at += Int64(random.next(spread))
                    builder.add(
                        .response,
                        exercise: at,
                        inject: inject,
                        team: team,
                        actor: JournalEvent.Actor(.team, id: team),
                        payload: [
                            "phase": .string(phase),
                            "text": phase == "report" ? JournalValue.string("situation report") : .null,
                        ]
                    )
                }
                builder.add(
                    .checkResult,
                    exercise: at,
                    inject: inject,
                    team: team,
                    host: "host-\(teamIndex)-0",
                    payload: ["passed": true]
                )
                for phase in ["acknowledge", "report", "resolve"] {
                    builder.add(
                        .deadlineMet,
                        exercise: at,
                        inject: inject,
                        team: team,
                        payload: ["phase": .string(phase)]
                    )
                }
            }
        }
        let endAt = Int64(injects) * 60_000 + 3_600_000
        builder.add(.endex, exercise: endAt)
        for injectIndex in 0..<injects {
            let inject = "inject-\(injectIndex)"
            for teamIndex in 0..<teams {
                for hostIndex in 0..<hostsPerTeam {
                    let host = "host-\(teamIndex)-\(hostIndex)"
                    builder.add(
                        .cleanupIntent,
                        exercise: endAt,
                        inject: inject,
                        host: host,
                        key: IdempotencyKey.cleanup(inject: inject, host: host)
                    )
                    builder.add(
                        .cleanupResult,
                        exercise: endAt,
                        inject: inject,
                        host: host,
                        payload: ["succeeded": true]
                    )
                }
            }
        }
        return builder.events
    }

    /// About `count` events (never fewer), from ``events(runID:teams:injects:hostsPerTeam:)`` with 100 teams
    /// of 3 hosts and as many injects as needed, cut to exactly `count`.
    public static func events(runID: String, count: Int) -> [JournalEvent] {
        let perInject = 100 * (3 * 2 + 1 + 3 + 1 + 3 + 3 * 2) + 2
        let injects = max(1, (count + perInject - 1) / perInject)
        return Array(events(runID: runID, teams: 100, injects: injects, hostsPerTeam: 3).prefix(count))
    }

    private struct Builder {
        let runID: String
        var events: [JournalEvent] = []
        var wallStart: Int64 = 1_796_000_000_000

        init(runID: String) { self.runID = runID }

        mutating func add(
            _ kind: JournalEvent.Kind,
            exercise: Int64,
            inject: String? = nil,
            team: String? = nil,
            host: String? = nil,
            actor: JournalEvent.Actor = .engine,
            key: String? = nil,
            payload: JournalValue = .emptyObject
        ) {
            events.append(
                JournalEvent(
                    kind: kind,
                    runID: runID,
                    wallMillis: wallStart + exercise,
                    exerciseMillis: exercise,
                    inject: inject,
                    team: team,
                    host: host,
                    actor: actor,
                    idempotencyKey: key,
                    payload: payload,
                    sequence: Int64(events.count + 1)
                )
            )
        }
    }

    /// A small deterministic generator (SplitMix64), so generated journals are the same on every machine.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Int(z % UInt64(bound))
        }
    }
}
