import DrillCore
import DrillStore
import DrillTesting
import Foundation
import Testing

@Suite("End to end: drillctl run against the practice range", .serialized)
struct LabRunTests {
    @Test("actions land on the hosts, respond/ctl work from other processes, checks see remediation, cleanup restores")
    func runAgainstLab() async throws {
        let lab = try await EndToEndLab.start()
        defer { lab.stop() }
        let webroot = try lab.variable("webroot", host: "yn-tel-web01")
        try "<html>original</html>\n".write(toFile: webroot + "/index.html", atomically: true, encoding: .utf8)

        let run = try await BackgroundDrillctl(
            [
                "run", "scenarios/quickstart.yaml", "-i", lab.inventory, "--speed", "200", "--simulate-teams", "fast:5",
                "--run-dir", lab.runs,
            ],
            output: lab.folder.path + "/run.out"
        )
        let folder = try #require(
            try eventually(20) { (try? FileManager.default.contentsOfDirectory(atPath: lab.runs))?.isEmpty == false }
                ? onlyRun(in: lab.runs) : nil
        )
        #expect(eventually(30) { ((try? journalEvents(folder)) ?? []).contains { $0.kind == .delivered } })

        // Freeze the drill, then look at the hosts: the defacement landed.
        let pause = try await CommandRunner.drillctl(["ctl", "--run", folder, "pause", "--reason", "look at the hosts"])
        #expect(pause.status == 0, "\(pause)")
        let page = try String(contentsOfFile: webroot + "/index.html", encoding: .utf8)
        #expect(page.contains("drill:defacement"))
        let status = try await CommandRunner.drillctl(["ctl", "--run", folder, "status"])
        #expect(status.stdout.contains("paused"), "\(status)")
        let countBefore = try journalEvents(folder).filter { $0.kind == .injectIntent }.count
        usleep(1_500_000)  // 1.5 s real = 5 exercise minutes at speed 200: webshell would be due.
        #expect(try journalEvents(folder).filter { $0.kind == .injectIntent }.count == countBefore)

        // A team responds from another process; a response to an inject it never received is refused.
        let report = try await CommandRunner.drillctl([
            "respond", "--run", folder, "--team", "yn-telecom", "--inject", "defacement", "report", "主页已恢复",
        ])
        #expect(report.status == 0, "\(report)")
        #expect(report.stdout.contains("recorded: yn-telecom report defacement"))
        let refused = try await CommandRunner.drillctl([
            "respond", "--run", folder, "--team", "yn-telecom", "--inject", "webshell", "acknowledge",
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("was never delivered"), "\(refused)")
        let resume = try await CommandRunner.drillctl(["ctl", "--run", folder, "resume"])
        #expect(resume.status == 0, "\(resume)")

        let exit = await run.wait(seconds: 90)
        #expect(exit == 0, "\(run.output)")
        let events = try journalEvents(folder)
        let state = RunLedger(events: events)
        #expect(state.status == .ended)
        let defacement = state.hostInjects.filter { $0.key.inject == "defacement" }
        #expect(Set(defacement.keys.map(\.host)) == ["yn-tel-web01", "yn-mob-web01", "yn-mob-web02"])
        #expect(defacement.values.allSatisfy { $0.results.values.allSatisfy(\.succeeded) && $0.landedCheck == true })
        // Simulated teams ran the remedy; the checks on the hosts saw it.
        let passed = events.filter {
            if case .checkResult(let check) = RunEvent($0).body { return check.passed }
            return false
        }
        #expect(Set(passed.compactMap(\.host)).count == 3)
        #expect(try passed.allSatisfy { try $0.payload(as: CheckResultPayload.self).evidence.isIntact })
        // The team's own report (from the other process) is in the journal with its actor.
        #expect(events.contains { $0.kind == .response && $0.actor?.description == "team:yn-telecom" })
        // Cleanup put the hosts back.
        #expect(state.hostsNeedingCleanup.isEmpty)
        #expect(try String(contentsOfFile: webroot + "/index.html", encoding: .utf8) == "<html>original</html>\n")
        for host in ["yn-tel-web01", "yn-mob-web01", "yn-mob-web02"] {
            let root = try lab.variable("webroot", host: host)
            #expect(!FileManager.default.fileExists(atPath: root + "/.cache.php"))
            #expect(!(try String(contentsOfFile: root + "/index.html", encoding: .utf8)).contains("drill:"))
        }
        // Access codes: written 0600, stored only as hashes.
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/access-codes.txt")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let credentials = try Journal.openForReading(at: folder + "/journal.sqlite").credentials()
        #expect(Set(credentials.map(\.role)) == ["director", "team", "evaluator"])

        let runs = try await CommandRunner.drillctl(["runs", "--run-dir", lab.runs])
        #expect(runs.stdout.contains(URL(fileURLWithPath: folder).lastPathComponent))
        #expect(runs.stdout.contains("ended"))
    }

    @Test("an invalid scenario is refused before anything starts, with file:line:column")
    func refusesInvalid() async throws {
        let folder = try TemporaryDirectory(prefix: "drill-e2e-invalid")
        defer { folder.remove() }
        let scenario = try folder.write(
            "bad.yaml",
            "drill: bad\nduration: 1h\nscope: [all]\nprovinces: []\nteams: []\ninjects:\n  - id: x\n    at: soon\n"
        )
        let inventory = try folder.write("inv.yaml", "all:\n  hosts:\n    h1: {}\n")
        let result = try await CommandRunner.drillctl([
            "run", scenario, "-i", inventory, "--run-dir", folder.path + "/runs",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.yaml:8:"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"))
    }
}
