import DrillCore
import DrillEngine
import DrillPortal
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import Synchronization
import Testing

/// A three-province drill of the kind a new user writes: a notice (message only), a defacement with a
/// `resolved_when` check, a ransom note uploaded to one province's hosts, an escalation that waits on the
/// defacement's acknowledgement deadline (no `within`: it follows extensions), an inject that follows the
/// escalation, and a tabletop inject that expects all three phases by claim.
let consistencyScenario = """
    drill: three-provinces
    title: 三省联合演练
    duration: 2h
    scope: [all]
    provinces:
      - { id: yunnan, name: 云南 }
      - { id: guizhou, name: 贵州 }
      - { id: sichuan, name: 四川 }
    teams:
      - { id: yn-a, province: yunnan, groups: yn_a }
      - { id: yn-b, province: yunnan, groups: yn_b }
      - { id: gz-a, province: guizhou, groups: gz_a }
      - { id: gz-b, province: guizhou, groups: gz_b }
      - { id: sc-a, province: sichuan, groups: sc_a }
      - { id: sc-b, province: sichuan, groups: sc_b }
    severity_deadlines:
      I: { acknowledge: 5m, report: 15m, resolve: 30m }
      II: { acknowledge: 10m, report: 20m, resolve: 40m }
    injects:
      - id: notice
        at: 00:01:00
        severity: II
        message: 演练开始
      - id: deface
        at: 00:05:00
        severity: II
        message: "{{ team.name }}: 主页被篡改"
        actions:
          - run: "touch {{ host.vars.drill_root }}/deface"
        landed_when: "test -e {{ host.vars.drill_root }}/deface"
        resolved_when: { run: "test ! -e {{ host.vars.drill_root }}/deface", every: 1m }
        cleanup:
          - run: "rm -f {{ host.vars.drill_root }}/deface"
      - id: ransom
        at: 00:20:00
        severity: I
        targets: { province: guizhou }
        message: 勒索软件
        actions:
          - upload: { dest: "{{ host.vars.drill_root }}/ransom", content: "pay up" }
        resolved_when: { run: "test ! -e {{ host.vars.drill_root }}/ransom", every: 2m }
        cleanup:
          - run: "rm -f {{ host.vars.drill_root }}/ransom"
      - id: escalate
        after: { inject: deface, unless: acknowledged }
        severity: I
        message: 督办：请立即确认
        expects: [acknowledge, report]
      - id: followup
        after: { inject: escalate, delay: 5m }
        message: 补充说明
      - id: tabletop
        at: 00:40:00
        severity: II
        message: 桌面推演：请报告处置方案
        expects: [acknowledge, report, resolve]
    """

let consistencyInventory: String = {
    var text = "all:\n  children:\n"
    for team in ["yn_a", "yn_b", "gz_a", "gz_b", "sc_a", "sc_b"] {
        text += "    \(team):\n      hosts:\n"
        for index in 1...2 {
            let host = "\(team.replacingOccurrences(of: "_", with: "-"))-\(index)"
            text += "        \(host): { drill_root: /srv/\(host) }\n"
        }
    }
    return text
}()

/// A seeded generator, so every drill can be replayed from its seed.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func minutes(_ range: ClosedRange<Int>) -> Int64 {
        Int64(range.lowerBound + below(range.count)) * 60_000
    }
}

/// The hosts as a drill would find them: files the injects plant and the teams remove. Commands are read for
/// what they do (`touch`, an upload, `test -e`, `test ! -e`, `rm -f`); unreachable hosts refuse the connection.
final class ScriptedRange: RemoteExecutor, Sendable {
    struct Refused: RemoteFailure, CustomStringConvertible {
        var host: String
        var commandMayHaveStarted: Bool { false }
        var description: String { "\(host): connection refused (scripted range)" }
    }

    private let state = Mutex<(files: Set<String>, unreachable: Set<String>)>(([], []))

    func setUnreachable(_ hosts: Set<String>) { state.withLock { $0.unreachable = hosts } }

    /// A team fixes `host`: the planted file of `inject` is gone.
    func fix(_ host: String, _ marker: String) { _ = state.withLock { $0.files.remove("\(host):\(marker)") } }

    func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult {
        let host = target.name
        let text = command.command
        let marker = text.contains("ransom") ? "ransom" : "deface"
        return try state.withLock { state in
            if state.unreachable.contains(host) { throw Refused(host: host) }
            let key = "\(host):\(marker)"
            if text.hasPrefix("touch") {
                state.files.insert(key)
                return RemoteResult(exitStatus: 0)
            }
            if text.hasPrefix("test ! -e") { return RemoteResult(exitStatus: state.files.contains(key) ? 1 : 0) }
            if text.hasPrefix("test -e") { return RemoteResult(exitStatus: state.files.contains(key) ? 0 : 1) }
            if text.hasPrefix("rm -f") {
                state.files.remove(key)
                return RemoteResult(exitStatus: 0)
            }
            return RemoteResult(exitStatus: 0)
        }
    }

    func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws {
        try state.withLock { state in
            if state.unreachable.contains(target.name) { throw Refused(host: target.name) }
            state.files.insert("\(target.name):ransom")
        }
    }
}

/// A journal that dies (as the engine process does under kill -9) after a number of appends: the append that
/// reaches the count throws and writes nothing, and so does every later one until the journal is revived.
final class KillSwitchJournal: JournalWriter, JournalReader, Sendable {
    struct Killed: Error {}
    let base: Journal
    private let state = Mutex<(appends: Int, killAt: Int?)>((0, nil))

    init(base: Journal) { self.base = base }

    /// Kills the writer once `count` more appends have gone through.
    func kill(after count: Int) { state.withLock { $0.killAt = $0.appends + count } }
    /// Lets writes through again (the restarted engine).
    func revive() { state.withLock { $0.killAt = nil } }
    var isDead: Bool { state.withLock { state in state.killAt.map { state.appends >= $0 } ?? false } }

    private func gate(_ count: Int) throws {
        try state.withLock { state in
            if let killAt = state.killAt, state.appends + count > killAt { throw Killed() }
            state.appends += count
        }
    }

    func append(_ event: JournalEvent) async throws -> JournalEvent {
        try gate(1)
        return try await base.append(event)
    }

    func append(contentsOf events: [JournalEvent]) async throws -> [JournalEvent] {
        try gate(events.count)
        return try await base.append(contentsOf: events)
    }

    func appendIfAbsent(_ event: JournalEvent) async throws -> JournalAppendOutcome {
        try gate(1)
        return try await base.appendIfAbsent(event)
    }

    func events(after sequence: Int64, limit: Int?) async throws -> [JournalEvent] {
        try await base.events(after: sequence, limit: limit)
    }

    func events(forTeam team: String, after sequence: Int64) async throws -> [JournalEvent] {
        try await base.events(forTeam: team, after: sequence)
    }

    func event(withIdempotencyKey key: String) async throws -> JournalEvent? {
        try await base.event(withIdempotencyKey: key)
    }
}

/// One randomised drill: what each team does and when, which hosts are unreachable, pauses, extensions and
/// engine kills, all drawn from the seed.
struct DrillScript {
    struct Behaviour {
        /// After delivery: when the team acknowledges, reports, claims resolution (nil: never).
        var acknowledge: Int64?
        var report: Int64?
        var claim: Int64?
        /// After delivery: when the team really fixes each of its hosts (nil: never).
        var fixes: [String: Int64]
    }

    var behaviours: [String: Behaviour] = [:]  // "inject>team"
    var unreachable: Set<String> = []
    var pauses: [(at: Int64, wallMillis: Int64)] = []
    var extensions: [(at: Int64, inject: String, phase: ResponsePhase, minutes: Int, team: String?)] = []
    var kills: [(at: Int64, afterAppends: Int, outage: OutagePolicy, outageWallMillis: Int64)] = []

    init(seed: UInt64, teams: [String: [String]]) {
        var random = SeededRandom(seed: seed)
        for inject in ["notice", "deface", "ransom", "escalate", "followup", "tabletop"] {
            for (team, hosts) in teams {
                func maybe(_ percent: Int, _ range: ClosedRange<Int>) -> Int64? {
                    random.chance(percent) ? random.minutes(range) : nil
                }
                var fixes: [String: Int64] = [:]
                for host in hosts where random.chance(70) { fixes[host] = random.minutes(1...60) }
                behaviours["\(inject)>\(team)"] = Behaviour(
                    acknowledge: maybe(60, 1...25),
                    report: maybe(65, 2...35),
                    claim: maybe(55, 5...60),
                    fixes: fixes
                )
            }
        }
        let allHosts = teams.values.flatMap { $0 }.sorted()
        for host in allHosts where random.chance(8) { unreachable.insert(host) }
        // Now and then a whole team's hosts refuse the connection: nothing lands, resolve is not applicable.
        if random.chance(40) { unreachable.formUnion(teams[teams.keys.sorted()[random.below(teams.count)]] ?? []) }
        for _ in 0..<random.below(3) {
            pauses.append((random.minutes(3...90), random.minutes(1...20)))
        }
        for _ in 0..<(1 + random.below(4)) {
            let inject = ["deface", "ransom", "tabletop", "escalate"][random.below(4)]
            let phase = ResponsePhase.allCases[random.below(3)]
            let team = random.chance(60) ? teams.keys.sorted()[random.below(teams.count)] : nil
            extensions.append((random.minutes(2...70), inject, phase, 1 + random.below(30), team))
        }
        for _ in 0..<random.below(4) {
            kills.append(
                (
                    random.minutes(1...100), 1 + random.below(12), random.chance(50) ? .pause : .continue,
                    random.minutes(1...10)
                )
            )
        }
        kills.sort { $0.at < $1.at }
    }
}

@Suite("Across views: engine verdicts, ctl status, the portal's board and the report agree", .serialized)
struct ConsistencyTests {
    static let seeds: [UInt64] = Array(1...12)

    @Test("randomised drills with claims, real and late fixes, pauses, per-team extensions and kill -9 + resume")
    func everyViewAgrees() async throws {
        var summary: [String] = []
        for seed in Self.seeds {
            summary.append(try await Self.check(seed: seed))
        }
        print(summary.joined(separator: "\n"))
    }

    /// Runs the drill of `seed` on a real run folder and compares the views; returns a line of what it exercised.
    static func check(seed: UInt64) async throws -> String {
        let folder = try TemporaryDirectory(prefix: "drill-consistency")
        defer { folder.remove() }
        let loaded = try ScenarioLoader.load(text: consistencyScenario, file: "three-provinces.yaml")
        let inventory = try InventoryLoader.load(text: consistencyInventory, file: "inventory.yaml")
        let diagnostics = ScenarioValidator.validate(loaded, inventory: inventory)
        #expect(!diagnostics.hasErrors, "\(diagnostics.sorted)")
        let time = VirtualTime(wall: 1_800_000_000_000)
        let (run, codes) = try OpenedRun.create(
            loaded: loaded,
            inventory: inventory,
            under: URL(fileURLWithPath: folder.path),
            speed: 1,
            startex: nil,
            settings: RunSettings(),
            now: Date(timeIntervalSince1970: Double(time.wall) / 1000),
            durability: .normal
        )
        let director = try #require(
            codes.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("director ") }?
                .split(separator: " ").last.map(String.init)
        )
        let teams = Dictionary(
            uniqueKeysWithValues: run.plan.scenario.teams.map { team in
                (team.id, run.plan.injects.first { $0.id == "deface" }!.teams.first { $0.id == team.id }!.hosts)
            }
        )
        let script = DrillScript(seed: seed, teams: teams)
        let range = ScriptedRange()
        range.setUnreachable(script.unreachable)
        let journal = KillSwitchJournal(base: run.journal)
        var engine = VirtualEngine(
            plan: run.plan,
            targets: EngineTargets(plan: run.plan, inventory: inventory),
            executor: range,
            journal: journal,
            runID: run.journal.runID,
            time: time
        )
        try await engine.startex()
        try await engine.ingest()
        let responses = ResponseDesk(journal: run.journal, scenario: run.scenario)
        let controls = ControlDesk(journal: run.journal, scenario: run.scenario)

        var done = Set<String>()
        var pauses = script.pauses
        var extensions = script.extensions
        var kills = script.kills
        var killed = 0
        var armed: (outage: OutagePolicy, outageWallMillis: Int64)?
        let step: Int64 = 30_000
        var now: Int64 = 0
        var finished = false
        var ledger = RunLedger(scenario: run.scenario)
        while !finished {
            // The world acts first: teams respond and fix hosts, the director controls, the engine dies.
            for event in try run.journal.eventsNow(after: ledger.lastSequence) { ledger.apply(event) }
            if ledger.status == .running || ledger.status == .paused {
                for key in ledger.deliveryOrder {
                    guard let behaviour = script.behaviours["\(key.inject)>\(key.team)"],
                        let delivered = ledger.pair(key.inject, key.team)?.delivery?.at.exerciseMillis
                    else { continue }
                    let phases: [(ResponsePhase, Int64?)] = [
                        (.acknowledge, behaviour.acknowledge), (.report, behaviour.report), (.resolve, behaviour.claim),
                    ]
                    for (phase, delay) in phases {
                        let id = "\(key)/\(phase)"
                        guard let delay, now >= delivered + delay, done.insert(id).inserted else { continue }
                        _ = try await responses.respond(
                            team: key.team,
                            inject: key.inject,
                            phase: phase,
                            text: phase == .report ? "初报 \(seed)" : nil,
                            wallMillis: time.wall
                        )
                    }
                    for (host, delay) in behaviour.fixes where now >= delivered + delay {
                        guard done.insert("\(key)@\(host)").inserted else { continue }
                        range.fix(host, key.inject == "ransom" ? "ransom" : "deface")
                    }
                }
                while let next = extensions.first, next.at <= now {
                    extensions.removeFirst()
                    let teamsToExtend = next.team.map { [$0] } ?? []
                    _ = try? await controls.perform(
                        .extend(
                            inject: next.inject,
                            phase: next.phase,
                            by: .seconds(next.minutes * 60),
                            teams: teamsToExtend
                        ),
                        wallMillis: time.wall
                    )
                }
            }
            if let pause = pauses.first, pause.at <= now, ledger.status == .running {
                pauses.removeFirst()
                try await controls.perform(.pause, wallMillis: time.wall)
                engine.wait(wallMillis: pause.wallMillis)
                try await controls.perform(.resume, wallMillis: time.wall)
            }
            if armed == nil, let kill = kills.first, kill.at <= now {
                kills.removeFirst()
                journal.kill(after: kill.afterAppends)
                armed = (kill.outage, kill.outageWallMillis)
            }
            do {
                finished = try await engine.run(until: now + step)
            } catch is KillSwitchJournal.Killed {
                // kill -9: the machine and its in-flight work are gone; resume rebuilds from the journal.
                killed += 1
                journal.revive()
                engine.wait(wallMillis: armed?.outageWallMillis ?? 60_000)
                try await engine.restart(simulator: nil)
                try await engine.resume(outage: armed?.outage ?? .pause, missed: .fire)
                armed = nil
                continue
            }
            now = engine.now
            if !finished, engine.time.clock.isPaused { engine.wait(wallMillis: step) }
        }

        // The four views of the finished run.
        let final = RunLedger(events: try run.journal.eventsNow(after: 0), scenario: run.scenario)
        var engineView: [String: String] = [:]
        for key in final.deliveryOrder {
            for phase in ResponsePhase.allCases {
                engineView["\(key)/\(phase)"] = final.pairs[key]?.verdicts[phase]?.status.rawValue ?? "none"
            }
        }
        let status = try await CommandRunner.drillctl([
            "ctl", "--run", run.folder.url.path, "status", "--format", "json",
        ])
        #expect(status.status == 0, "\(status)")
        let statusView = try Self.statuses(json: status.stdout, results: ["results"])
        let report = try await CommandRunner.drillctl(["report", run.folder.url.path, "--format", "json", "-o", "-"])
        #expect(report.status == 0, "\(report)")
        let reportView = try Self.statuses(json: report.stdout, results: ["evaluation", "results"])
        let boardView = try await Self.board(run: run, director: director)

        #expect(!engineView.isEmpty, "seed \(seed): nothing was delivered")
        #expect(
            statusView == engineView,
            "seed \(seed): ctl status and the engine's verdicts differ: \(Self.diff(statusView, engineView))"
        )
        #expect(
            boardView == engineView,
            "seed \(seed): the portal's board and the engine's verdicts differ: \(Self.diff(boardView, engineView))"
        )
        #expect(
            reportView == engineView,
            "seed \(seed): the report and the engine's verdicts differ: \(Self.diff(reportView, engineView))"
        )

        var counts: [String: Int] = [:]
        for value in engineView.values { counts[value, default: 0] += 1 }
        let statuses = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return
            "seed \(seed): \(engineView.count) phases (\(statuses)); \(killed) kills, \(script.pauses.count) pauses, \(script.extensions.count) extensions, \(script.unreachable.count) unreachable hosts"
    }

    /// `inject>team/phase` → status from a JSON document whose `results` (at `path`) list `inject`, `team` and
    /// `phases[]` with `phase` and `status`.
    static func statuses(json: String, results path: [String]) throws -> [String: String] {
        var node = try JSONSerialization.jsonObject(with: Data(json.utf8))
        for key in path { node = try #require((node as? [String: Any])?[key], "no '\(key)' in the JSON") }
        var view: [String: String] = [:]
        for result in try #require(node as? [[String: Any]]) {
            let inject = try #require(result["inject"] as? String)
            let team = try #require(result["team"] as? String)
            for phase in try #require(result["phases"] as? [[String: Any]]) {
                let name = try #require(phase["phase"] as? String)
                view["\(inject)>\(team)/\(name)"] = try #require(phase["status"] as? String)
            }
        }
        return view
    }

    /// The portal's `GET /api/board`, over HTTP from a real portal on the run.
    static func board(run: OpenedRun, director: String) async throws -> [String: String] {
        let text = try await PortalOnRun.with(run) { port in
            try await PortalOnRun.get("/api/board", port: port, code: director)
        }
        var node = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        node["results"] = node["cells"]
        let data = try JSONSerialization.data(withJSONObject: node)
        return try statuses(json: String(decoding: data, as: UTF8.self), results: ["results"])
    }

    static func diff(_ lhs: [String: String], _ rhs: [String: String]) -> String {
        Set(lhs.keys).union(rhs.keys).sorted().compactMap { key in
            lhs[key] == rhs[key] ? nil : "\(key): \(lhs[key] ?? "-") vs \(rhs[key] ?? "-")"
        }.joined(separator: "; ")
    }
}
