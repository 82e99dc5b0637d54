import DrillCore
import DrillStore
import DrillTesting
import Foundation
import Testing

@testable import DrillRun

@Suite("Run folders and run ids")
struct RunFolderTests {
    @Test(
        "Run ids are the UTC creation time and a slug of the scenario name, so they sort by time",
        arguments: [
            (1_795_980_612.0, "yunnan-guizhou-2026", "20261129-193012-yunnan-guizhou-2026"),
            (0.0, "Quick Start!", "19700101-000000-quick-start"),
            (1_709_208_000.5, "云贵两省演练", "20240229-120000-run"),
            (951_825_599.0, "--a__b--", "20000229-115959-a-b"),
        ]
    )
    func runIDs(seconds: Double, scenario: String, expected: String) {
        #expect(RunID.make(scenario: scenario, date: Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("Slugs are at most 48 characters and never end with a dash")
    func longSlug() {
        let slug = RunID.slug(String(repeating: "ab-", count: 40))
        #expect(slug.count <= 48)
        #expect(slug.last != "-")
    }

    @Test("A second run created in the same second gets its own folder")
    func collisions() throws {
        let base = try TemporaryDirectory(prefix: "drill-runs")
        defer { base.remove() }
        let date = Date(timeIntervalSince1970: 1_795_980_612)
        let first = try RunFolder.create(under: base.url, scenario: "drill", date: date)
        let second = try RunFolder.create(under: base.url, scenario: "drill", date: date)
        #expect(first.runID == "20261129-193012-drill")
        #expect(second.runID == "20261129-193012-drill-2")
    }

    @Test("The access codes file is created readable by its owner only, and never overwritten")
    func accessCodesMode() throws {
        let base = try TemporaryDirectory(prefix: "drill-runs")
        defer { base.remove() }
        let run = try RunFolder.create(under: base.url, scenario: "drill", date: Date())
        let previous = umask(0)
        defer { umask(previous) }
        try run.writeAccessCodes("director: ABCDE-FGHJK\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: run.accessCodesPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: run.accessCodesPath, encoding: .utf8) == "director: ABCDE-FGHJK\n")
        #expect(throws: JournalError.self) { try run.writeAccessCodes("again") }
        try run.writeScenarioCopy("drill: x\n")
        try run.writeInventoryCopy("{}")
        #expect(FileManager.default.fileExists(atPath: run.scenarioPath))
        #expect(FileManager.default.fileExists(atPath: run.inventoryPath))
    }

    @Test("RUN is a run id under the base folder, or a path to a run folder")
    func resolve() throws {
        let base = URL(fileURLWithPath: "/srv/drills")
        #expect(RunFolder.resolve("20261129-193012-x", base: base).url.path == "/srv/drills/20261129-193012-x")
        #expect(RunFolder.resolve("/tmp/r1", base: base).url.path == "/tmp/r1")
        #expect(RunFolder.resolve("runs/r1", base: base).url.path.hasSuffix("/runs/r1"))
    }

    @Test("Listing runs reads each run's status from its journal, skips other folders, and reports broken ones")
    func listing() async throws {
        let base = try TemporaryDirectory(prefix: "drill-runs")
        defer { base.remove() }
        let older = try RunFolder.create(
            under: base.url,
            scenario: "quickstart",
            date: Date(timeIntervalSince1970: 1000)
        )
        let newer = try RunFolder.create(
            under: base.url,
            scenario: "yunnan",
            date: Date(timeIntervalSince1970: 2000)
        )
        let broken = try RunFolder.create(
            under: base.url,
            scenario: "broken",
            date: Date(timeIntervalSince1970: 3000)
        )
        try FileManager.default.createDirectory(
            at: base.url.appendingPathComponent("not-a-run"),
            withIntermediateDirectories: true
        )

        let first = try Journal.create(
            at: older.journalPath,
            runID: older.runID,
            created: RunCreatedPayload(scenario: "quickstart"),
            wallMillis: 1
        )
        _ = try await first.append(JournalEvent(kind: .startex, runID: older.runID, wallMillis: 2, exerciseMillis: 0))
        _ = try await first.append(JournalEvent(kind: .endex, runID: older.runID, wallMillis: 3, exerciseMillis: 9))
        let second = try Journal.create(
            at: newer.journalPath,
            runID: newer.runID,
            created: RunCreatedPayload(scenario: "yunnan"),
            wallMillis: 1
        )
        _ = try await second.append(JournalEvent(kind: .startex, runID: newer.runID, wallMillis: 2, exerciseMillis: 0))
        try "garbage".write(toFile: broken.journalPath, atomically: true, encoding: .utf8)

        let runs = RunFolder.list(under: base.url)
        #expect(runs.map(\.directory.runID) == [older.runID, newer.runID, broken.runID])
        #expect(runs[0].summary?.status == .ended)
        #expect(runs[0].summary?.lastSequence == 3)
        #expect(runs[1].summary?.status == .running)
        #expect(runs[1].summary?.scenario == "yunnan")
        #expect(runs[2].summary == nil)
        #expect(runs[2].error?.contains(broken.journalPath) == true, "\(runs[2].error ?? "")")
        #expect(RunFolder.list(under: base.url.appendingPathComponent("missing")).isEmpty)
    }
}
