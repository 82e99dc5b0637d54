import DrillCore
import DrillStore
import DrillTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The quick-start drill with a host-side counter: every firing of an inject on a host appends a line to
/// drill_root/fired-INJECT, which cleanup leaves alone, so the hosts themselves say how often each inject ran.
let countingScenario = """
    drill: crash
    title: crash safety
    duration: 30m
    scope: [yunnan]
    provinces: [{ id: yunnan, name: 云南 }]
    teams:
      - { id: yn-telecom, name: 云南电信, province: yunnan, groups: yn_telecom }
      - { id: yn-mobile, name: 云南移动, province: yunnan, groups: yn_mobile }
    severity_deadlines:
      II: { acknowledge: 5m, report: 10m, resolve: 20m }
    injects:
      - id: defacement
        at: 00:02:00
        severity: II
        targets: { group: web }
        message: "{{ team.name }}: defaced"
        actions:
          - run: "echo fired >> {{ host.vars.drill_root }}/fired-defacement; printf 'drill:defacement' > {{ host.vars.webroot }}/index.html"
        resolved_when: { run: "! grep -q drill:defacement {{ host.vars.webroot }}/index.html", every: 15s }
        remedy:
          - run: "rm -f {{ host.vars.webroot }}/index.html"
        cleanup:
          - run: "rm -f {{ host.vars.webroot }}/index.html"
      - id: webshell
        at: 00:06:00
        severity: II
        targets: { group: web }
        message: "webshell"
        actions:
          - run: "echo fired >> {{ host.vars.drill_root }}/fired-webshell; touch {{ host.vars.webroot }}/.cache.php"
        resolved_when: { run: "test ! -e {{ host.vars.webroot }}/.cache.php", every: 15s }
        remedy:
          - run: "rm -f {{ host.vars.webroot }}/.cache.php"
        cleanup:
          - run: "rm -f {{ host.vars.webroot }}/.cache.php"
      - id: escalation
        after: { inject: webshell, unless: acknowledged, within: 4m }
        severity: II
        message: "escalation"
        actions:
          - run: "echo fired >> {{ host.vars.drill_root }}/fired-escalation"
      - id: dns
        at: 00:12:00
        targets: { group: dns }
        message: "dns"
        actions:
          - run: "echo fired >> {{ host.vars.drill_root }}/fired-dns"
    """

@Suite("Crash safety: kill -9 the engine and resume", .serialized)
struct CrashSafetyTests {
    @Test("killed five times at random points and resumed: nothing fired twice, no response lost, same facts")
    func killAndResume() async throws {
        let profile = "sloppy:11"
        let speed = "100"

        // The reference: the same drill, uninterrupted.
        let reference = try await EndToEndLab.start()
        defer { reference.stop() }
        let referenceScenario = try reference.scenario(countingScenario)
        let plain = try await BackgroundDrillctl(
            [
                "run", referenceScenario, "-i", reference.inventory, "--speed", speed, "--simulate-teams", profile,
                "--run-dir", reference.runs,
            ],
            output: reference.folder.path + "/run.out"
        )
        #expect(await plain.wait(seconds: 120) == 0, "\(plain.output)")
        let expected = durableFacts(try journalEvents(try onlyRun(in: reference.runs)))

        // The crashed one.
        let lab = try await EndToEndLab.start()
        defer { lab.stop() }
        let scenario = try lab.scenario(countingScenario)
        var generator = SystemRandomNumberGenerator()
        var process = try await BackgroundDrillctl(
            [
                "run", scenario, "-i", lab.inventory, "--speed", speed, "--simulate-teams", profile, "--run-dir",
                lab.runs,
            ],
            output: lab.folder.path + "/run.out"
        )
        #expect(
            try eventually(20) { (try? FileManager.default.contentsOfDirectory(atPath: lab.runs))?.isEmpty == false }
        )
        let folder = try onlyRun(in: lab.runs)
        var kills = 0
        var responsesSeen: Set<Int64> = []
        for _ in 0..<5 {
            usleep(UInt32.random(in: 400_000...2_500_000, using: &generator))
            guard process.process.isRunning else { break }
            await process.killHard()
            kills += 1
            responsesSeen.formUnion(try journalEvents(folder).filter { $0.kind == .response }.compactMap(\.sequence))
            process = try await BackgroundDrillctl(
                ["resume", folder, "--outage", "pause", "--missed", "fire"],
                output: lab.folder.path + "/resume-\(kills).out"
            )
        }
        let exit = await process.wait(seconds: 120)
        #expect(exit == 0, "\(process.output)")
        #expect(kills >= 3)

        let events = try journalEvents(folder)
        // No inject fired twice on any host: per journal…
        var started: [String: Int] = [:]
        for event in events where event.kind == .hostActionStarted {
            started["\(event.inject ?? "")@\(event.host ?? "")", default: 0] += 1
        }
        #expect(started.values.allSatisfy { $0 == 1 }, "\(started)")
        // …and per the hosts themselves.
        for host in ["yn-tel-web01", "yn-mob-web01", "yn-mob-web02", "yn-tel-dns01"] {
            let root = try lab.variable("drill_root", host: host)
            for inject in ["defacement", "webshell", "escalation", "dns"] {
                let text = (try? String(contentsOfFile: "\(root)/fired-\(inject)", encoding: .utf8)) ?? ""
                let lines = text.split(separator: "\n").count
                #expect(lines <= 1, "\(inject) ran \(lines) times on \(host)")
            }
        }
        // No response lost: every response seen before a kill is still there.
        let sequences = Set(events.compactMap(\.sequence))
        #expect(responsesSeen.isSubset(of: sequences))
        // The same facts as the uninterrupted run. Where an action's outcome is uncertain (killed mid-command),
        // whether the host needed remediating is unknown too: resolve deadlines of that inject are left out.
        let uncertain = Set(events.filter { $0.kind == .uncertain }.compactMap(\.inject))
        func comparable(_ facts: [String]) -> [String] {
            facts.filter { fact in
                !uncertain.contains { fact.hasPrefix("deadline \($0)>") && fact.contains(" resolve ") }
            }
        }
        #expect(comparable(durableFacts(events)) == comparable(expected))
        let state = RunLedger(events: events)
        #expect(state.status == .ended)
        #expect(state.hostsNeedingCleanup.isEmpty)
    }
}
