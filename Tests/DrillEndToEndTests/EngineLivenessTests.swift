import DrillCore
import DrillStore
import DrillTesting
import Foundation
import Testing

/// An upload inject whose source file is read from the run folder's copy.
private let uploadScenario = """
    drill: upload-resume
    title: 上传续跑
    duration: 10m
    scope: [yunnan]
    provinces: [{ id: yunnan, name: 云南 }]
    teams:
      - { id: yn-telecom, name: 云南电信, province: yunnan, groups: yn_telecom }
    severity_deadlines:
      II: { acknowledge: 5m, report: 10m, resolve: 20m }
    injects:
      - id: ransom-note
        title: 勒索信
        severity: II
        at: 00:02:00
        targets: { hosts: [yn-tel-web01] }
        message: "{{ team.name }}：主机出现勒索信。"
        actions:
          - upload: { src: files/ransom.txt, dest: "{{ host.vars.drill_root }}/README_DECRYPT.txt", mode: "0600" }
        cleanup:
          - run: "rm -f {{ host.vars.drill_root }}/README_DECRYPT.txt"
    """

@Suite("End to end: the engine's liveness and resume from the run folder", .serialized)
struct EngineLivenessTests {
    static func statusJSON(_ folder: String) async throws -> [String: Any] {
        let output = try await CommandRunner.drillctl(["ctl", "--run", folder, "status", "--format", "json"])
        #expect(output.status == 0, "\(output)")
        return (try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    static func engineAlive(_ object: [String: Any]) -> Bool? {
        (object["engine"] as? [String: Any])?["alive"] as? Bool
    }

    @Test("kill -9 the engine: ctl status, runs and a separate portal say it is not running; resume brings it back")
    func killedEngineIsReported() async throws {
        let lab = try await EndToEndLab.start()
        defer { lab.stop() }
        let run = try await BackgroundDrillctl(
            ["run", "scenarios/quickstart.yaml", "-i", lab.inventory, "--speed", "1", "--run-dir", lab.runs],
            output: lab.folder.path + "/run.out"
        )
        defer { run.process.signal(SIGKILL) }
        let folder = try #require(
            try eventually(30) { (try? FileManager.default.contentsOfDirectory(atPath: lab.runs))?.isEmpty == false }
                ? onlyRun(in: lab.runs) : nil
        )
        #expect(
            eventually(30) { (try? Journal.openForReading(at: folder + "/journal.sqlite").lastHeartbeat()) != nil },
            "\(run.output)"
        )
        #expect(Self.engineAlive(try await Self.statusJSON(folder)) == true, "\(run.output)")

        // A portal of its own (as a director serves it beside the engine), on the same run.
        let port = LabTesting.freePort()
        let portal = try await BackgroundDrillctl(
            ["serve", "--run", folder, "--port", "\(port)"],
            output: lab.folder.path + "/serve.out"
        )
        defer { portal.process.signal(SIGKILL) }
        let director = try #require(
            try String(contentsOfFile: folder + "/access-codes.txt", encoding: .utf8).split(separator: "\n")
                .first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("director ") }?
                .split(separator: " ").last.map(String.init)
        )
        func get(_ path: String) async throws -> CommandOutput {
            try await CommandRunner.run(
                "/usr/bin/curl",
                [
                    "-sS", "--fail", "--retry", "20", "--retry-connrefused", "--retry-delay", "1",
                    "-H", "Authorization: Bearer \(director)", "-H", "Accept-Language: en",
                    "http://127.0.0.1:\(port)\(path)",
                ]
            )
        }
        let before = try await get("/api/director")
        #expect(before.status == 0, "\(before)\n\(portal.output)")
        #expect(before.stdout.contains("\"alive\":true"), "\(before)")

        await run.killHard()
        // Three missed beats and every view says so.
        #expect(
            try await eventuallyAsync(15) { Self.engineAlive(try await Self.statusJSON(folder)) == false },
            "ctl status still says the engine runs"
        )
        let status = try await Self.statusJSON(folder)
        let lastSeen = (status["engine"] as? [String: Any])?["lastSeenMillis"] as? Int64
        #expect(lastSeen != nil && status["state"] as? String == "running", "\(status)")
        let text = try await CommandRunner.drillctl(["ctl", "--run", folder, "status"])
        #expect(text.stdout.contains("!! engine not running since T+"), "\(text)")
        let runs = try await CommandRunner.drillctl(["runs", "--run-dir", lab.runs])
        #expect(runs.stdout.contains("engine not running since T+"), "\(runs)")
        let api = try await get("/api/director")
        #expect(api.stdout.contains("\"alive\":false"), "\(api)")
        let page = try await get("/director")
        #expect(page.stdout.contains("engine not running since"), "the director page shows the notice")

        // resume: the engine beats again, and every view follows.
        let resumed = try await BackgroundDrillctl(
            ["resume", folder, "--outage", "pause", "--missed", "fire"],
            output: lab.folder.path + "/resume.out"
        )
        defer { resumed.process.signal(SIGKILL) }
        #expect(
            try await eventuallyAsync(30) { Self.engineAlive(try await Self.statusJSON(folder)) == true },
            "\(resumed.output)"
        )
        #expect(try await get("/api/director").stdout.contains("\"alive\":true"))
        let abort = try await CommandRunner.drillctl(["ctl", "--run", folder, "abort", "--reason", "test over"])
        #expect(abort.status == 0, "\(abort)")
        #expect(await resumed.wait(seconds: 60) == 3, "aborted, every touched host cleaned: \(resumed.output)")
        // Over: no engine is expected, so no notice.
        let over = try await CommandRunner.drillctl(["ctl", "--run", folder, "status"])
        #expect(!over.stdout.contains("engine not running"), "\(over)")
        await portal.killHard()
    }

    @Test("an upload's source is copied into the run folder: killed before it fires, resume uploads the copy")
    func uploadSourceSurvivesResume() async throws {
        let lab = try await EndToEndLab.start()
        defer { lab.stop() }
        let note = "你的文件已被加密！（演练）\nrun: {{ team.name }}\n"
        let source = try lab.folder.write("files/ransom.txt", note)
        let scenario = try lab.scenario(uploadScenario)
        // Speed 20: the inject is due 6 s after STARTEX.
        let run = try await BackgroundDrillctl(
            ["run", scenario, "-i", lab.inventory, "--speed", "20", "--run-dir", lab.runs],
            output: lab.folder.path + "/run.out"
        )
        defer { run.process.signal(SIGKILL) }
        let folder = try #require(
            try eventually(30) { (try? FileManager.default.contentsOfDirectory(atPath: lab.runs))?.isEmpty == false }
                ? onlyRun(in: lab.runs) : nil
        )
        #expect(eventually(20) { ((try? journalEvents(folder)) ?? []).contains { $0.kind == .startex } })
        await run.killHard()
        #expect(!(try journalEvents(folder)).contains { $0.kind == .injectIntent }, "killed before the inject fired")

        // The scenario's folder changes after the run began: the run uses its own copy.
        try "a different note\n".write(toFile: source, atomically: true, encoding: .utf8)
        let resumed = try await BackgroundDrillctl(
            ["resume", folder, "--outage", "continue", "--missed", "fire"],
            output: lab.folder.path + "/resume.out"
        )
        defer { resumed.process.signal(SIGKILL) }
        let root = try lab.variable("drill_root", host: "yn-tel-web01")
        let landed = root + "/README_DECRYPT.txt"
        #expect(eventually(60) { FileManager.default.fileExists(atPath: landed) }, "\(resumed.output)")
        let text = try String(contentsOfFile: landed, encoding: .utf8)
        #expect(text == "你的文件已被加密！（演练）\nrun: 云南电信\n", "the copy taken at run time, rendered")
        let mode = try FileManager.default.attributesOfItem(atPath: landed)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let abort = try await CommandRunner.drillctl(["ctl", "--run", folder, "abort", "--reason", "test over"])
        #expect(abort.status == 0, "\(abort)")
        #expect(await resumed.wait(seconds: 60) == 3, "aborted, every touched host cleaned: \(resumed.output)")
        #expect(!FileManager.default.fileExists(atPath: landed), "cleanup removed the note")
    }
}

/// Polls an async `condition` until it holds (at most `seconds`).
func eventuallyAsync(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return try await condition()
}
