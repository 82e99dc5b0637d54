import DrillCore
import DrillReport
import DrillTesting
import Foundation
import Testing

/// Opens the HTML report in headless Chromium (Debian's `chromium`): the page must parse into the expected DOM,
/// run no script, log nothing to the console, and render to a screenshot (a test artefact in
/// `.build/test-artifacts/`).
@Suite("Report in a browser", .serialized)
struct ReportBrowserTests {
    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw BrowserMissing()
    }

    struct BrowserMissing: Error, CustomStringConvertible {
        var description: String { "headless Chromium is needed for this test: apt-get install chromium" }
    }

    /// Common flags: no sandbox (root in CI), no GPU, no first-run noise, a throwaway profile.
    static func flags(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
        ]
    }

    @Test(
        "the report parses, runs no script, logs no console message, and renders to a screenshot",
        arguments: [ReportLanguage.zh, .en]
    )
    func screenshot(language: ReportLanguage) async throws {
        let browser = try Self.chromium()
        let evaluation = RunEvaluator.evaluate(events: SampleRun.events, scenario: SampleRun.scenario)
        let html = ReportRenderer.render(evaluation, format: .html, language: language)
        let directory = Golden.artifacts
        let page = directory.appendingPathComponent("report-\(language.rawValue).html")
        try Data(html.utf8).write(to: page)
        let profile = try TemporaryDirectory(prefix: "drillctl-chromium")
        defer { profile.remove() }

        let dump = try await CommandRunner.run(
            browser,
            Self.flags(profile: profile.path) + ["--dump-dom", page.absoluteString]
        )
        #expect(dump.status == 0, "\(dump)")
        let dom = dump.stdout
        #expect(dom.contains("<section id=\"heatmap\""))
        #expect(dom.contains("<svg"))
        #expect(!dom.contains("<script"))
        #expect(dom.contains("&lt;script&gt;alert"))
        #expect(!dump.stderr.contains("CONSOLE"), "console output: \(dump.stderr)")

        let png = directory.appendingPathComponent("report-\(language.rawValue).png")
        try? FileManager.default.removeItem(at: png)
        let shot = try await CommandRunner.run(
            browser,
            Self.flags(profile: profile.path) + [
                "--screenshot=\(png.path)", "--window-size=1280,2400", page.absoluteString,
            ]
        )
        #expect(shot.status == 0, "\(shot)")
        #expect(!shot.stderr.contains("CONSOLE"), "console output: \(shot.stderr)")
        let bytes = try Data(contentsOf: png)
        #expect(bytes.count > 20_000)
        #expect(bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }
}
