import DrillCore
import DrillReport
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import Testing

/// `drillctl report` end to end: a real run folder (SQLite journal, scenario copy), the built binary.
@Suite("drillctl report")
struct ReportCommandTests {
    /// A run folder holding the sample run.
    static func makeRun(in temp: TemporaryDirectory, plan: String? = nil) throws -> RunFolder {
        let directory = RunFolder(url: temp.url.appendingPathComponent(SampleRun.runID, isDirectory: true))
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        try directory.writeScenarioCopy(SampleRun.scenarioYAML)
        let events = SampleRun.events
        let created = try events[0].payload(as: RunCreatedPayload.self)
        let journal = try Journal.create(
            at: directory.journalPath,
            runID: SampleRun.runID,
            created: created,
            wallMillis: events[0].wallMillis
        )
        _ = try journal.appendNow(
            contentsOf: events.dropFirst().map { event in
                var copy = event
                copy.sequence = nil
                return copy
            }
        )
        if let plan { try Data(plan.utf8).write(to: directory.url.appendingPathComponent("improvement-plan.yaml")) }
        return directory
    }

    @Test("writes every format into the run folder, and the journal round trip gives the same report")
    func allFormats() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let run = try Self.makeRun(in: temp)
        let result = try await CommandRunner.drillctl([
            "report", SampleRun.runID, "--run-dir", temp.path, "--format", "all",
        ])
        #expect(result.status == 0, "\(result)")
        for ext in ["html", "md", "json", "csv"] {
            #expect(FileManager.default.fileExists(atPath: run.url.appendingPathComponent("report.\(ext)").path))
        }
        let html = try String(contentsOf: run.url.appendingPathComponent("report.html"), encoding: .utf8)
        let expected = ReportRenderer.render(
            RunEvaluator.evaluate(events: SampleRun.events, scenario: SampleRun.scenario),
            format: .html,
            language: .zh
        )
        #expect(html == expected)
    }

    @Test("-o - writes to standard output; --lang en switches the labels")
    func standardOutput() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let run = try Self.makeRun(in: temp)
        let result = try await CommandRunner.drillctl([
            "report", run.url.path, "--format", "md", "--lang", "en", "-o", "-",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("# 云贵两省网络安全应急演练（样例）"))
        #expect(result.stdout.contains("## Executive summary"))
    }

    @Test("the improvement-plan side file is merged; a bad one is reported with its line and column")
    func improvementPlan() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let run = try Self.makeRun(
            in: temp,
            plan: """
                items:
                  - id: team:gz-telecom
                    recommendation: 建立处置后复核制度
                    owner: 贵州电信安全部
                    due: 2026-07-31
                """
        )
        let result = try await CommandRunner.drillctl(["report", run.url.path, "--format", "csv", "-o", "-"])
        #expect(result.status == 0, "\(result)")
        let html = try await CommandRunner.drillctl(["report", run.url.path, "-o", "-"])
        #expect(html.stdout.contains("建立处置后复核制度"))
        #expect(html.stdout.contains("贵州电信安全部"))

        try Data("items:\n  - owner: x\n".utf8).write(to: run.url.appendingPathComponent("improvement-plan.yaml"))
        let bad = try await CommandRunner.drillctl(["report", run.url.path, "-o", "-"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("improvement-plan.yaml:2:5: error: an improvement-plan row needs an 'issue'"))
    }

    @Test("a run that does not exist, or a bad --lang, is a clear error")
    func errors() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let missing = try await CommandRunner.drillctl(["report", "no-such-run", "--run-dir", temp.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no journal at"))
        let lang = try await CommandRunner.drillctl(["report", "x", "--lang", "fr"])
        #expect(lang.status == 2)
        #expect(lang.stderr.contains("'--lang fr' is not a report language; use zh or en"))
    }
}
