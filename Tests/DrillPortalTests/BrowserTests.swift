import DrillCore
import DrillPortal
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Headless Chromium (Debian's `chromium`) loads the team page, an inject is appended to the journal while it
/// is open, the page shows it without a reload (live stream), a real mouse click acknowledges it, and the
/// journal records the acknowledgement. Screenshots of the three pages go to `.build/portal-artifacts/` and,
/// with `DRILL_UPDATE_SCREENSHOTS=1`, to `docs/images/`.
///
/// Driving: `Browser/cdp_portal.py` speaks the DevTools protocol over a WebSocket with Python's standard
/// library only (Node 20 has no WebSocket client; no extra package needed). A missing chromium is a failure
/// that names the package, not a skip.
@Suite("Portal in a real browser", .serialized)
struct BrowserTests {
    @Test("the team page shows a new inject live and a click acknowledges it")
    func teamPageLiveAndAcknowledge() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        try #require(chromium != nil, "headless Chromium is needed: apt-get install chromium")
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        _ = try harness.journal.appendNow(
            JournalEvent(
                kind: .hostActionResult,
                runID: harness.run.runID,
                wallMillis: harness.clock.now,
                exerciseMillis: 600_000,
                inject: "webshell",
                host: "web01.yn",
                actor: .engine,
                payload: HostActionResultPayload(step: 0, exitStatus: 0).journalValue
            )
        )
        let team = try await harness.signIn(harness.code("team:red"))
        let evaluator = try await harness.signIn(harness.code("evaluator:alice"))
        let director = try await harness.signIn(harness.code("director:director"))
        func id(_ cookie: String) -> String { String(cookie.split(separator: "=", maxSplits: 1)[1]) }

        let artifacts = CommandRunner.packageRoot.appendingPathComponent(".build/portal-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/DrillPortalTests/Browser/cdp_portal.py")
            .path
        let input = Pipe()
        let output = Pipe()
        let process = try await BackgroundProcess.start(
            "/usr/bin/env",
            [
                "python3", script, String(harness.port), "ddos", artifacts.path,
                "team=\(id(team.cookie))", "evaluator=\(id(evaluator.cookie))", "director=\(id(director.cookie))",
            ],
            stdin: input.fileHandleForReading.fileDescriptor,
            stdout: output.fileHandleForWriting.fileDescriptor
        )
        defer { process.signal(SIGKILL) }
        try input.fileHandleForReading.close()
        try output.fileHandleForWriting.close()
        let lines = LineReader(output.fileHandleForReading)

        let lineLOADED = try await offPool { lines.next() }
        #expect(lineLOADED == "LOADED", "the browser driver said: \(lineLOADED ?? "nothing")")
        // The engine delivers an inject while the page is open.
        _ = try harness.journal.appendNow(
            PortalHarness.delivered(
                harness.run.runID,
                inject: "ddos",
                team: "red",
                wall: harness.clock.now,
                message: "DDoS on the DNS resolvers: check and report.",
                exercise: 1_800_000
            )
        )
        input.fileHandleForWriting.write(Data("GO\n".utf8))
        let lineAPPEARED = try await offPool { lines.next() }
        #expect(lineAPPEARED == "APPEARED", "the browser driver said: \(lineAPPEARED ?? "nothing")")
        let lineACKED = try await offPool { lines.next() }
        #expect(lineACKED == "ACKED", "the browser driver said: \(lineACKED ?? "nothing")")
        let lineDONE = try await offPool { lines.next() }
        #expect(lineDONE == "DONE", "the browser driver said: \(lineDONE ?? "nothing")")
        #expect(await process.wait() == 0)

        let acknowledgements = try harness.events(.response).filter {
            $0.inject == "ddos" && $0.team == "red" && $0.payload["phase"]?.stringValue == "acknowledge"
        }
        #expect(acknowledgements.count == 1)
        #expect(acknowledgements.first?.actor?.description == "team:red")
        for page in ["team", "evaluator", "director"] {
            let path = artifacts.appendingPathComponent("\(page).png").path
            #expect(FileManager.default.fileExists(atPath: path), "\(page).png")
            if ProcessInfo.processInfo.environment["DRILL_UPDATE_SCREENSHOTS"] == "1" {
                let images = CommandRunner.packageRoot.appendingPathComponent("docs/images")
                try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
                let destination = images.appendingPathComponent("\(page).png")
                try? FileManager.default.removeItem(at: destination)
                try FileManager.default.copyItem(atPath: path, toPath: destination.path)
            }
        }
    }
}

/// Reads lines from a pipe, blocking, with the script's own timeouts bounding the wait.
final class LineReader: @unchecked Sendable {  // read by one task at a time
    private let handle: FileHandle
    private var buffer = Data()
    init(_ handle: FileHandle) { self.handle = handle }

    func next() -> String? {
        while true {
            if let index = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<index], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...index)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
