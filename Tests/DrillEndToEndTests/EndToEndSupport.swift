import DrillCore
import DrillLab
import DrillStore
import DrillTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A practice range shaped after inventory/quickstart.yaml in a temporary folder, with a runs folder beside it.
struct EndToEndLab {
    let folder: TemporaryDirectory
    let status: LabStatus
    var runs: String { folder.path + "/runs" }
    var inventory: String { status.paths.inventory }

    static func start() async throws -> EndToEndLab {
        let folder = try TemporaryDirectory(prefix: "drill-e2e")
        let source = try InventoryLoader.load(
            path: CommandRunner.packageRoot.appendingPathComponent("inventory/quickstart.yaml").path
        )
        let status = try await Lab.up(
            LabConfiguration(
                source: source,
                sourceDescription: "quickstart",
                directory: folder.path + "/lab",
                port: nil
            )
        )
        return EndToEndLab(folder: folder, status: status)
    }

    func stop() {
        _ = try? Lab(directory: folder.path + "/lab").downNow()
        folder.remove()
    }

    /// The lab inventory's variable `name` for `host` (drill_root, webroot).
    func variable(_ name: String, host: String) throws -> String {
        let inventory = try InventoryLoader.load(path: inventory)
        return try #require(inventory.variables(forHost: host)[name]?.stringValue)
    }

    /// Writes `text` as a scenario file in the test folder.
    func scenario(_ text: String, name: String = "scenario.yaml") throws -> String {
        try folder.write(name, text)
    }
}

/// A `drillctl` process running in the background, its output going to a file.
final class BackgroundDrillctl: Sendable {
    let process: BackgroundProcess
    let outputPath: String

    init(_ arguments: [String], output: String) async throws {
        outputPath = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let log = open(output, O_WRONLY | O_APPEND | O_CLOEXEC)
        defer { if log >= 0 { close(log) } }
        process = try await BackgroundProcess.start(
            CommandRunner.drillctlPath,
            arguments,
            directory: CommandRunner.packageRoot.path,
            stdout: log >= 0 ? log : nil,
            stderr: log >= 0 ? log : nil
        )
    }

    var pid: Int32 { process.pid }

    /// kill -9.
    func killHard() async {
        await process.kill()
    }

    /// Waits for the process to exit (at most `seconds`) and returns its status; kills it and returns nil when
    /// it is still running then.
    func wait(seconds: Double) async -> Int32? {
        if let status = await process.wait(timeout: .milliseconds(Int64(seconds * 1000))) { return status }
        await process.kill()
        return nil
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
}

/// The only run folder under `runs`.
func onlyRun(in runs: String) throws -> String {
    let names = try FileManager.default.contentsOfDirectory(atPath: runs).filter { !$0.hasPrefix(".") }
    #expect(names.count == 1, "\(names)")
    return runs + "/" + (names.first ?? "")
}

/// Polls until `condition` holds (at most `seconds`).
func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// The journal's events (read-only; another process may be writing).
func journalEvents(_ runFolder: String) throws -> [JournalEvent] {
    guard FileManager.default.fileExists(atPath: runFolder + "/journal.sqlite") else { return [] }
    return try Journal.openForReading(at: runFolder + "/journal.sqlite").eventsNow(after: 0)
}

/// The facts of a run that must not depend on crashes: who got what, which phases were done and whether
/// each deadline was met.
func durableFacts(_ events: [JournalEvent]) -> [String] {
    let ledger = RunLedger(events: events)
    var facts: [String] = []
    for event in events {
        if case .injectIntent(let intent) = RunEvent(event).body {
            facts.append("fire \(event.inject ?? "") \(intent.teams.sorted())")
        }
    }
    for (key, pair) in ledger.pairs {
        if pair.delivery != nil { facts.append("delivered \(key)") }
        for phase in pair.firstResponse.keys { facts.append("response \(key) \(phase.rawValue)") }
        for (phase, verdict) in pair.verdicts { facts.append("deadline \(key) \(phase.rawValue) \(verdict.status)") }
    }
    facts.append("status \(ledger.status.rawValue)")
    facts.append("unclean \(ledger.hostsNeedingCleanup.map(\.host))")
    return facts.sorted()
}
