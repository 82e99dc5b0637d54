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
        builder.add(.runCreated(RunCreatedPayload(scenario: "synthetic")), exercise: 0)
        builder.add(.startex(StartexPayload(speed: 1)), exercise: 0)
        var random = SplitMix(seed: 2026)
        let deadlines: [ResponsePhase: Duration] = [
            .acknowledge: .seconds(300), .report: .seconds(900), .resolve: .seconds(3600),
        ]
        for injectIndex in 0..<injects {
            let inject = "inject-\(injectIndex)"
            let firedAt = Int64(injectIndex) * 60_000 + 1000
            let intentKey = EventKey.injectIntent(inject: inject, occurrence: 1, team: nil)
            let allHosts = (0..<teams).flatMap { team in (0..<hostsPerTeam).map { "host-\(team)-\($0)" } }
            builder.add(
                .injectIntent(
                    InjectIntentPayload(
                        scheduledMillis: firedAt,
                        hosts: allHosts,
                        teams: (0..<teams).map { "team-\($0)" },
                        reason: "schedule",
                        steps: 1,
                        landedCheck: false
                    )
                ),
                exercise: firedAt,
                inject: inject,
                key: intentKey
            )
            for teamIndex in 0..<teams {
                let team = "team-\(teamIndex)"
                for hostIndex in 0..<hostsPerTeam {
                    let host = "host-\(teamIndex)-\(hostIndex)"
                    builder.add(
                        .hostActionStarted(HostActionIntentPayload(step: 0, command: "touch /tmp/drill-\(inject)")),
                        exercise: firedAt,
                        inject: inject,
                        team: team,
                        host: host,
                        key: .hostAction(inject: inject, occurrence: 1, team: nil, step: 0, host: host)
                    )
                    builder.add(
                        .hostActionResult(
                            HostActionResultPayload(
                                step: 0,
                                exitStatus: random.next(100) < 2 ? 1 : 0,
                                connectMillis: 3,
                                authenticateMillis: 5,
                                runMillis: 30,
                                started: true
                            )
                        ),
                        exercise: firedAt + 40,
                        inject: inject,
                        team: team,
                        host: host
                    )
                }
                builder.add(
                    .delivered(
                        DeliveredPayload(
                            message: "Inject \(injectIndex) for \(team)",
                            severity: "II",
                            deadlines: deadlines,
                            expects: ResponsePhase.allCases,
                            resolveByCheck: true,
                            hosts: (0..<hostsPerTeam).map { "host-\(teamIndex)-\($0)" }
                        )
                    ),
                    exercise: firedAt + 50,
                    inject: inject,
                    team: team,
                    key: .delivered(inject: inject, occurrence: 1, team: team)
                )
                var at = firedAt + 50
                for (phase, spread) in [
                    (ResponsePhase.acknowledge, 400_000), (.report, 1_000_000), (.resolve, 3_000_000),
                ] {
                    at += Int64(random.next(spread))
                    builder.add(
                        .response(ResponsePayload(phase: phase, text: phase == .report ? "situation report" : nil)),
                        exercise: at,
                        inject: inject,
                        team: team,
                        actor: JournalEvent.Actor(.team, id: team)
                    )
                }
                for hostIndex in 0..<hostsPerTeam {
                    let host = "host-\(teamIndex)-\(hostIndex)"
                    let evidence = CheckEvidence(
                        command: "test ! -e /tmp/drill-\(inject)",
                        exitStatus: 0,
                        outputExcerpt: "",
                        checkedAtWallMillis: builder.wallStart + at
                    )
                    builder.add(
                        .checkResult(CheckResultPayload(passed: true, evidence: evidence)),
                        exercise: at,
                        inject: inject,
                        team: team,
                        host: host
                    )
                }
                for phase in ResponsePhase.allCases {
                    builder.add(
                        .phaseVerdict(PhaseVerdictPayload(phase: phase, status: .met, doneAtMillis: at)),
                        exercise: at,
                        inject: inject,
                        team: team,
                        key: .verdict(inject: inject, team: team, phase: phase, number: 1)
                    )
                }
            }
            builder.add(
                .injectFired(InjectFiredPayload(intentKey: intentKey.description, occurrence: 1)),
                exercise: firedAt + 60,
                inject: inject,
                key: .injectFired(intent: intentKey.description)
            )
        }
        let endAt = Int64(injects) * 60_000 + 3_600_000
        builder.add(.endex(EndexPayload(reason: "schedule")), exercise: endAt, key: .endex)
        for injectIndex in 0..<injects {
            let inject = "inject-\(injectIndex)"
            for teamIndex in 0..<teams {
                for hostIndex in 0..<hostsPerTeam {
                    let host = "host-\(teamIndex)-\(hostIndex)"
                    builder.add(
                        .cleanupIntent(CleanupIntentPayload(commands: ["rm -f /tmp/drill-\(inject)"])),
                        exercise: endAt,
                        inject: inject,
                        host: host,
                        key: .cleanup(inject: inject, attempt: 1, host: host)
                    )
                    builder.add(
                        .cleanupResult(CleanupResultPayload(succeeded: true)),
                        exercise: endAt,
                        inject: inject,
                        host: host
                    )
                }
            }
        }
        return builder.events
    }

    /// About `count` events (never fewer), from ``events(runID:teams:injects:hostsPerTeam:)`` with 100 teams
    /// of 3 hosts and as many injects as needed, cut to exactly `count`.
    public static func events(runID: String, count: Int) -> [JournalEvent] {
        let perInject = 100 * (3 * 2 + 1 + 3 + 3 + 3 + 3 * 2) + 2
        let injects = max(1, (count + perInject - 1) / perInject)
        return Array(events(runID: runID, teams: 100, injects: injects, hostsPerTeam: 3).prefix(count))
    }

    private struct Builder {
        let runID: String
        var events: [JournalEvent] = []
        var wallStart: Int64 = 1_796_000_000_000

        init(runID: String) { self.runID = runID }

        mutating func add(
            _ body: RunEvent.Body,
            exercise: Int64,
            inject: String? = nil,
            team: String? = nil,
            host: String? = nil,
            actor: JournalEvent.Actor = .engine,
            key: EventKey? = nil
        ) {
            var event = JournalEvent(
                body,
                runID: runID,
                wallMillis: wallStart + exercise,
                exerciseMillis: exercise,
                inject: inject,
                team: team,
                host: host,
                actor: actor,
                key: key
            )
            event.sequence = Int64(events.count + 1)
            events.append(event)
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
