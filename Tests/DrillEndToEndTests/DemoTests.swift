import DrillTesting
import Foundation
import Testing

@Suite("drillctl demo, the README's main job")
struct DemoTests {
    @Test("demo runs the quick-start drill on a practice range, writes the report and stops the range, exit 0")
    func demo() async throws {
        let folder = try TemporaryDirectory(prefix: "drill-demo")
        defer { folder.remove() }
        let root = CommandRunner.packageRoot.path
        let output = try await CommandRunner.drillctl(
            [
                "demo", "--dir", folder.path, "--speed", "300", "--scenario", "\(root)/scenarios/quickstart.yaml",
                "-i", "\(root)/inventory/quickstart.yaml",
            ],
            in: root
        )
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.contains("done (exit status 0)"), "\(output)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/runs")
        let run = try #require(runs.first, "no run folder in \(folder.path)/runs")
        for file in ["report.html", "report.md", "report.json", "report.csv", "summary.md", "journal.sqlite"] {
            #expect(FileManager.default.fileExists(atPath: "\(folder.path)/runs/\(run)/\(file)"), "\(file) missing")
        }
        let html = try String(contentsOfFile: "\(folder.path)/runs/\(run)/report.html", encoding: .utf8)
        #expect(html.contains("云南省网络安全应急演练"))
        // The range is stopped: its sshd is gone and its files removed.
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/lab/sshd.pid"))
    }
}
