import ArgumentParser
import DrillCore
import DrillEngine
import DrillLab
import DrillSSH
import DrillStore
import Foundation
import Logging

/// `drill-bench engine`: how late injects fire against their schedule, and how many durable journal events per
/// second the engine writes, with 200 hosts and an inject every second.
///
/// Hosts are reached through an in-memory executor that answers after `--host-latency-ms` (a lab SSH command
/// takes about that long), so the figures measure the engine and the SQLite journal, not sshd; the SSH
/// transport has its own benchmark. The journal is the real one (DrillStore, SQLite, `synchronous=FULL` unless
/// `--durability normal`).
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure inject lateness (p50/p99/max) and durable journal events per second of the engine."
    )

    @Option(help: "Target hosts in the inventory (50 teams of hosts/50).")
    var hosts = 200

    @Option(help: "Injects, one a second; each reaches one team's hosts (round robin).")
    var injects = 30

    @Option(help: "Injects fired at once in the burst phase, each on every host (for events per second).")
    var burstInjects = 5

    @Option(help: "Simulated time per host command, milliseconds.")
    var hostLatencyMs = 5

    @Option(help: "Journal durability: full (fsync every commit) or normal.")
    var durability = "full"

    @Flag(help: "Reach the hosts over SSH on a practice range started for the run (127.0.10.x), not in memory.")
    var lab = false

    func run() async throws {
        let durability: Journal.Durability = self.durability == "normal" ? .normal : .full
        let teams = max(1, hosts / 4)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "drill-bench-engine-\(ProcessInfo.processInfo.globallyUniqueString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var runningLab: RunningLab?
        defer { if let runningLab { _ = try? Lab(directory: runningLab.paths.directory).downNow() } }
        let executor: any RemoteExecutor
        var inventoryText = Self.inventory(hosts: hosts, teams: teams)
        if lab {
            let started = try await Lab.start(hosts: hosts, in: folder.appendingPathComponent("lab").path)
            runningLab = started
            inventoryText = Self.inventory(hosts: hosts, teams: teams, lab: started)
            executor = SSHTransport(
                configuration: SSHTransport.Configuration(knownHostsFile: started.paths.knownHosts),
                logger: Logger(label: "drill-bench.engine")
            )
        } else {
            executor = BenchExecutor(latency: .milliseconds(hostLatencyMs))
        }
        let inventory = try InventoryLoader.load(text: inventoryText, file: "bench.yaml")

        print(
            "engine bench: \(hosts) hosts, \(teams) teams, journal durability \(durability.rawValue), "
                + (lab ? "hosts over SSH on a practice range" : "in-memory hosts with \(hostLatencyMs) ms latency")
        )
        // Phase 1: an inject a second at speed 1; lateness = intent time - scheduled time.
        let steady = try ScenarioLoader.load(
            text: Self.scenario(injects: injects, teams: teams, burst: 0),
            file: "steady.yaml"
        ).scenario
        let (steadyEvents, steadySeconds) = try await Self.drive(
            scenario: steady,
            inventory: inventory,
            executor: executor,
            path: folder.appendingPathComponent("steady.sqlite").path,
            durability: durability
        )
        var lateness: [Int64] = []
        for event in steadyEvents where event.kind == .injectIntent {
            if let scheduled = event.payload["scheduledMillis"]?.int64Value {
                lateness.append(event.exerciseMillis - scheduled)
            }
        }
        lateness.sort()
        func percentile(_ p: Double) -> Int64 {
            lateness.isEmpty ? 0 : lateness[min(lateness.count - 1, Int((Double(lateness.count) * p).rounded(.up)) - 1)]
        }
        print(
            "steady: \(lateness.count) injects over \(String(format: "%.1f", steadySeconds)) s, \(steadyEvents.count) events;"
                + " lateness p50 \(percentile(0.50)) ms, p99 \(percentile(0.99)) ms, max \(lateness.last ?? 0) ms"
        )

        // Phase 2: a burst of injects on every host at once: the engine writes as fast as the journal allows.
        let burst = try ScenarioLoader.load(
            text: Self.scenario(injects: 0, teams: teams, burst: burstInjects),
            file: "burst.yaml"
        ).scenario
        let (burstEvents, _) = try await Self.drive(
            scenario: burst,
            inventory: inventory,
            executor: executor,
            path: folder.appendingPathComponent("burst.sqlite").path,
            durability: durability
        )
        let busy = burstEvents.filter {
            [.injectIntent, .hostActionStarted, .hostActionResult, .delivered, .injectFired].contains($0.kind)
        }
        if let first = busy.first?.wallMillis, let last = busy.last?.wallMillis, last > first {
            let rate = Double(busy.count) / (Double(last - first) / 1000)
            print(
                "burst: \(burstInjects) injects x \(hosts) hosts: \(busy.count) durable events in \(last - first) ms"
                    + " = \(Int(rate)) events/s (every append durable when it returns)"
            )
        }
        print("goals: p99 lateness < 50 ms; >= 5000 durable events/s")
    }

    static func drive(
        scenario: Scenario,
        inventory: Inventory,
        executor: any RemoteExecutor,
        path: String,
        durability: Journal.Durability
    ) async throws -> ([JournalEvent], Double) {
        let plan = Planner.plan(scenario, inventory: inventory)
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        let journal = try Journal.create(
            at: path,
            runID: "bench",
            created: RunCreatedPayload(scenario: scenario.id, speed: 1),
            wallMillis: wall,
            durability: durability
        )
        let service = EngineService(
            plan: plan,
            targets: EngineTargets(plan: plan, inventory: inventory),
            executor: executor,
            journal: journal,
            runID: "bench",
            clock: ContinuousClock(),
            wallMillisAtStart: wall,
            speed: 1,
            limits: EngineLimits(forks: 64)
        )
        let started = ContinuousClock.now
        _ = try await service.run()
        let elapsed = started.duration(to: .now)
        return (
            try journal.eventsNow(after: 0),
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
    }

    /// The bench inventory with every host reached on `lab` (its address, port, user, key and known_hosts), and
    /// `drill_root` in the lab host's own folder.
    static func inventory(hosts: Int, teams: Int, lab: RunningLab) -> String {
        var text = inventory(hosts: hosts, teams: teams)
        text += "  hosts:\n"
        for (index, facts) in lab.connectionFacts.enumerated() where index < hosts {
            let root = lab.paths.directory + "/hosts/" + facts.name
            text += """
                    h\(index):
                      ansible_host: \(facts.address)
                      ansible_port: \(facts.port)
                      ansible_user: \(facts.user ?? "root")
                      ansible_ssh_private_key_file: \(lab.paths.clientKey)
                      drill_root: \(root)

                """
        }
        return text
    }

    static func inventory(hosts: Int, teams: Int) -> String {
        var text = "all:\n  vars:\n    drill_root: /tmp\n  children:\n    bench:\n      children:\n"
        for team in 0..<teams {
            text += "        team\(team):\n          hosts:\n"
            var host = team
            while host < hosts {
                text += "            h\(host): {}\n"
                host += teams
            }
        }
        return text
    }

    static func scenario(injects: Int, teams: Int, burst: Int) -> String {
        var text = """
            drill: bench
            title: bench
            duration: \(max(injects, 1) + 2)s
            scope: [bench]
            provinces: [{ id: p, name: P }]
            teams:

            """
        for team in 0..<teams { text += "  - { id: t\(team), name: T\(team), province: p, groups: team\(team) }\n" }
        text += "injects:\n"
        for index in 0..<injects {
            text += """
                  - id: i\(index)
                    at: \(index + 1)s
                    targets: { team: t\(index % teams) }
                    message: "inject \(index)"
                    actions: [ { run: "touch {{ host.vars.drill_root }}/i\(index)" } ]

                """
        }
        for index in 0..<burst {
            text += """
                  - id: b\(index)
                    at: 1s
                    message: "burst \(index)"
                    actions: [ { run: "touch {{ host.vars.drill_root }}/b\(index)" } ]

                """
        }
        return text
    }
}

/// Answers every command with exit status 0 after `latency`.
struct BenchExecutor: RemoteExecutor {
    var latency: Duration

    func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult {
        if latency > .zero { try await Task.sleep(for: latency) }
        return RemoteResult(exitStatus: 0, timings: RemoteTimings(run: latency))
    }

    func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws {}
}
