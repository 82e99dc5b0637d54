import DrillCore
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import Testing

/// `ctl`, `runs` and `respond` on a real run folder of the quick-start drill: the defacement (severity II:
/// acknowledge 5m, report 10m, resolve 20m) was delivered at T+00:02:00 to both teams; the engine stopped at
/// T+00:03:00 and no engine runs while the commands do.
@Suite("ctl, runs and respond on a run folder")
struct RunControlCommandTests {
    /// The quick-start run with the defacement delivered to both teams, its engine gone.
    static func deliveredRun() async throws -> PracticeRun {
        var practice = try await PracticeRun.quickstart(startedSecondsAgo: 200, prefix: "ctl-cli")
        try await practice.run(untilSeconds: 180)
        return practice
    }

    static func events(_ practice: PracticeRun) throws -> [RunEvent] {
        try practice.run.journal.eventsNow(after: 0).map(RunEvent.init)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            "not an object: \(text)"
        )
    }

    @Test("extend needs a duration with its unit: a bare number is a usage error that shows the forms")
    func extendBareNumber() async throws {
        let practice = try await Self.deliveredRun()
        defer { practice.remove() }
        let before = try Self.events(practice).count
        let output = try await CommandRunner.drillctl([
            "ctl", "--run", practice.path, "extend", "defacement", "report", "10",
        ])
        #expect(output.status == 2, "\(output)")
        #expect(output.stderr.contains("'10' is not a duration with a unit"), "\(output)")
        #expect(output.stderr.contains("10m"), "\(output)")
        #expect(try Self.events(practice).count == before, "a usage error journals nothing")

        let tooLong = try await CommandRunner.drillctl([
            "ctl", "--run", practice.path, "extend", "defacement", "report", "101d",
        ])
        #expect(tooLong.status != 0, "\(tooLong)")
        let teamElsewhere = try await CommandRunner.drillctl([
            "ctl", "--run", practice.path, "pause", "--team", "yn-mobile",
        ])
        #expect(teamElsewhere.status == 2, "\(teamElsewhere)")
        #expect(teamElsewhere.stderr.contains("--team goes with extend only"), "\(teamElsewhere)")
    }

    @Test("extend with --team twice journals one extension per team and moves both deadlines, and no other")
    func extendTwoTeams() async throws {
        let practice = try await Self.deliveredRun()
        defer { practice.remove() }
        let output = try await CommandRunner.drillctl([
            "ctl", "--run", practice.path, "extend", "defacement", "report", "10m",
            "--team", "yn-telecom", "--team", "yn-mobile", "--reason", "联络中断",
        ])
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.contains("for 2 teams"), "\(output)")
        let extensions = try Self.events(practice).filter {
            if case .control(let control) = $0.body { return control.action == .extend }
            return false
        }
        #expect(extensions.compactMap(\.team).sorted() == ["yn-mobile", "yn-telecom"])
        #expect(extensions.allSatisfy { $0.inject == "defacement" && $0.actor?.role == .director })
        for event in extensions {
            guard case .control(let control) = event.body else { continue }
            #expect(control.phase == .report && control.extensionMillis == 600_000 && control.reason == "联络中断")
        }

        let status = try await CommandRunner.drillctl(["ctl", "--run", practice.path, "status", "--format", "json"])
        #expect(status.status == 0, "\(status)")
        let results = try #require(try Self.json(status.stdout)["results"] as? [[String: Any]])
        for result in results where result["inject"] as? String == "defacement" {
            let phases = try #require(result["phases"] as? [[String: Any]])
            let deadlines = phases.map { ($0["phase"] as? String ?? "?", $0["deadlineMillis"] as? Int64 ?? -1) }
            // Delivered at 2m: acknowledge 2m+5m stays, report 2m+10m+10m, resolve 2m+20m stays.
            #expect(deadlines.map(\.0) == ["acknowledge", "report", "resolve"])
            #expect(deadlines.map(\.1) == [420_000, 1_320_000, 1_320_000], "\(result)")
        }

        let unknown = try await CommandRunner.drillctl([
            "ctl", "--run", practice.path, "extend", "defacement", "report", "10m", "--team", "gz-telecom",
        ])
        #expect(unknown.status == 1, "\(unknown)")
        #expect(unknown.stderr.contains("gz-telecom"), "\(unknown)")
    }

    @Test("status --format json: the run, the engine's liveness and every delivered phase with its deadline")
    func statusJSON() async throws {
        let practice = try await Self.deliveredRun()
        defer { practice.remove() }
        let output = try await CommandRunner.drillctl(["ctl", "--run", practice.path, "status", "--format", "json"])
        #expect(output.status == 0, "\(output)")
        let object = try Self.json(output.stdout)
        #expect(Set(object.keys) == ["runID", "state", "exerciseMillis", "engine", "results"], "\(object.keys)")
        #expect(object["runID"] as? String == practice.run.journal.runID)
        #expect(object["state"] as? String == "running")
        let now = try #require(object["exerciseMillis"] as? Int64)
        #expect(now >= 200_000 && now < 3_600_000, "the exercise clock runs on from STARTEX: \(now)")
        let engine = try #require(object["engine"] as? [String: Any])
        #expect(engine["alive"] as? Bool == false)
        #expect(engine["lastSeenMillis"] == nil, "no engine ever beat: \(engine)")

        let results = try #require(object["results"] as? [[String: Any]])
        #expect(
            results.map { "\($0["inject"] ?? "")>\($0["team"] ?? "")" } == [
                "defacement>yn-telecom", "defacement>yn-mobile",
            ]
        )
        for result in results {
            #expect(result["resolution"] as? String == "none")
            let phases = try #require(result["phases"] as? [[String: Any]])
            #expect(phases.map { $0["status"] as? String } == ["pending", "pending", "pending"])
            #expect(phases.map { $0["deadlineMillis"] as? Int64 } == [420_000, 720_000, 1_320_000])
            for phase in phases {
                let deadline = try #require(phase["deadlineMillis"] as? Int64)
                let remaining = try #require(phase["remainingMillis"] as? Int64)
                #expect(remaining == deadline - now, "remaining is counted from the same now: \(phase)")
                #expect(phase["doneAtMillis"] == nil)
            }
        }

        let ack = try await CommandRunner.drillctl([
            "respond", "--run", practice.path, "--team", "yn-telecom", "--inject", "defacement", "acknowledge",
        ])
        #expect(ack.status == 0, "\(ack)")
        let after = try await CommandRunner.drillctl(["ctl", "--run", practice.path, "status", "--format", "json"])
        let first = try #require((try Self.json(after.stdout)["results"] as? [[String: Any]])?.first)
        let acknowledge = try #require((first["phases"] as? [[String: Any]])?.first)
        #expect(acknowledge["status"] as? String == "met")
        #expect(
            (acknowledge["doneAtMillis"] as? Int64).map { $0 >= 200_000 && $0 <= 420_000 } == true,
            "\(acknowledge)"
        )
        #expect(acknowledge["remainingMillis"] == nil, "a done phase has nothing remaining: \(acknowledge)")
    }

    @Test(
        "reconcile records the panel's rating with its reason; bad ratings, no reason and undelivered pairs are refused"
    )
    func reconcile() async throws {
        let practice = try await Self.deliveredRun()
        defer { practice.remove() }
        let base = ["ctl", "--run", practice.path, "reconcile"]
        let noReason = try await CommandRunner.drillctl(base + ["defacement", "yn-telecom", "S"])
        #expect(noReason.status == 2 && noReason.stderr.contains("--reason"), "\(noReason)")
        let badRating = try await CommandRunner.drillctl(base + ["defacement", "yn-telecom", "X", "--reason", "r"])
        #expect(badRating.status == 2 && badRating.stderr.contains("P, S, M or U"), "\(badRating)")
        let notDelivered = try await CommandRunner.drillctl(base + ["webshell", "yn-telecom", "S", "--reason", "r"])
        #expect(notDelivered.status == 1 && notDelivered.stderr.contains("never delivered"), "\(notDelivered)")
        let unknownTeam = try await CommandRunner.drillctl(base + ["defacement", "nobody", "S", "--reason", "r"])
        #expect(unknownTeam.status == 1, "\(unknownTeam)")

        let output = try await CommandRunner.drillctl(base + ["defacement", "yn-telecom", "S", "--reason", "专家组合议"])
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.contains("defacement × yn-telecom rated S"), "\(output)")
        let reconciled = try Self.events(practice).compactMap { event -> (RunEvent, RatingReconciledPayload)? in
            if case .ratingReconciled(let payload) = event.body { return (event, payload) }
            return nil
        }
        #expect(reconciled.count == 1)
        #expect(reconciled.first?.0.inject == "defacement" && reconciled.first?.0.team == "yn-telecom")
        #expect(reconciled.first?.1 == RatingReconciledPayload(rating: "S", reason: "专家组合议"))
    }

    @Test("runs shows whether each live run's engine beats: never, alive, or not since a time")
    func runsEngineColumn() async throws {
        let practice = try await Self.deliveredRun()
        defer { practice.remove() }
        let runDir = practice.run.folder.url.deletingLastPathComponent().path
        func engineColumn() async throws -> String {
            let output = try await CommandRunner.drillctl(["runs", "--run-dir", runDir])
            #expect(output.status == 0, "\(output)")
            let lines = output.stdout.split(separator: "\n")
            #expect(lines.first?.hasSuffix("ENGINE") == true, "\(output)")
            let line = try #require(lines.first { $0.hasPrefix(practice.run.journal.runID) }, "\(output)")
            #expect(line.contains(" running "), "\(line)")
            return String(line)
        }
        #expect(try await engineColumn().hasSuffix("engine not running (no heartbeat recorded)"))

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // A beat stamped a minute ahead stays fresh however slow the machine is.
        try practice.run.journal.recordHeartbeatNow(EngineHeartbeat(wallMillis: now + 60_000, exerciseMillis: 0))
        #expect(try await engineColumn().hasSuffix("alive"))

        try practice.run.journal.recordHeartbeatNow(EngineHeartbeat(wallMillis: now - 60_000, exerciseMillis: 0))
        let stale = try await engineColumn()
        #expect(stale.contains("engine not running since T+00:0"), "\(stale)")
    }

    @Test("respond while the engine is down records the response and warns that nothing reacts until resume")
    func respondWhileEngineDown() async throws {
        let practice = try await Self.deliveredRun()
        defer { practice.remove() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try practice.run.journal.recordHeartbeatNow(EngineHeartbeat(wallMillis: now - 30_000, exerciseMillis: 0))
        let output = try await CommandRunner.drillctl([
            "respond", "--run", practice.path, "--team", "yn-mobile", "--inject", "defacement", "report", "首页已恢复",
        ])
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.contains("recorded: yn-mobile report defacement"), "\(output)")
        #expect(output.stderr.contains("warning: engine not running since T+"), "\(output)")
        #expect(output.stderr.contains("drillctl resume"), "\(output)")
        let responses = try Self.events(practice).filter {
            if case .response(let response) = $0.body { return response.phase == .report }
            return false
        }
        #expect(responses.count == 1 && responses.first?.team == "yn-mobile")

        try practice.run.journal.recordHeartbeatNow(EngineHeartbeat(wallMillis: now + 60_000, exerciseMillis: 0))
        let alive = try await CommandRunner.drillctl([
            "respond", "--run", practice.path, "--team", "yn-telecom", "--inject", "defacement", "acknowledge",
        ])
        #expect(alive.status == 0, "\(alive)")
        #expect(!alive.stderr.contains("warning"), "no warning while the engine beats: \(alive)")
    }
}
