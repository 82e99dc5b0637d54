import DrillCore
import DrillPortal
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("drillctl team and serve", .serialized)
struct PortalCommandLineTests {
    @Test("team inbox, acknowledge and report go through the API; a wrong code is refused with the portal's reason")
    func teamCommands() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let portal = "http://127.0.0.1:\(harness.port)"
        let code = harness.code("team:red")
        let inbox = try await CommandRunner.drillctl(["team", "inbox", "--portal", portal, "--code", code])
        #expect(inbox.status == 0, "\(inbox)")
        #expect(inbox.stdout.contains("webshell [II]: WebShell <script>alert(1)</script>"), "\(inbox)")
        #expect(inbox.stdout.contains("acknowledge: due in 0:10:00"), "\(inbox)")
        let ack = try await CommandRunner.drillctl(
            ["team", "acknowledge", "webshell", "--portal", portal],
            environment: ["DRILL_ACCESS_CODE": code]
        )
        #expect(ack.status == 0, "\(ack)")
        #expect(ack.stdout.hasPrefix("recorded acknowledge for webshell"), "\(ack)")
        let report = try await CommandRunner.drillctl([
            "team", "report", "webshell", "Removed .cache.php", "--portal", portal, "--code", code,
        ])
        #expect(report.status == 0, "\(report)")
        let texts = try harness.events(.response).compactMap { $0.payload["text"]?.stringValue }
        #expect(texts == ["Removed .cache.php"])
        let wrong = try await CommandRunner.drillctl(["team", "inbox", "--portal", portal, "--code", "WRONG"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("the portal refused (401): sign in with your access code"), "\(wrong)")
        let foreign = try await CommandRunner.drillctl(["team", "resolve", "nope", "--portal", portal, "--code", code])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("(404)"), "\(foreign)")
    }

    @Test("serve listens on loopback for an existing run and stops on SIGTERM")
    func serve() async throws {
        let harness = try await PortalHarness.start()
        await harness.stop()
        let output = Pipe()
        let process = try await BackgroundProcess.start(
            CommandRunner.drillctlPath,
            ["serve", "--run", harness.run.url.path, "--port", "0"],
            stdout: output.fileHandleForWriting.fileDescriptor
        )
        try output.fileHandleForWriting.close()
        let reader = LineReader(output.fileHandleForReading)
        let line = try await offPool { reader.next() } ?? ""
        #expect(line.contains("at http://127.0.0.1:"), "\(line)")
        let port = Int(line.split(separator: ":").last?.prefix { $0.isNumber } ?? "") ?? 0
        let code = harness.code("director:director")
        let (status, _) = try await offPool {
            try RawHTTPConnection.status(
                port: port,
                path: "/api/director",
                headers: ["Authorization": "Bearer \(code)"]
            )
        }
        #expect(status == 200)
        process.signal(SIGTERM)
        #expect(await process.wait() == 0)
    }

    @Test("plain HTTP off loopback is warned about; loopback and HTTPS are not")
    func exposureWarning() {
        #expect(PortalConfiguration(host: "127.0.0.1").exposureWarning == nil)
        #expect(PortalConfiguration(host: "::1").exposureWarning == nil)
        let exposed = PortalConfiguration(host: "0.0.0.0", port: 8443).exposureWarning
        #expect(exposed?.contains("IN CLEAR") == true)
        let tls = PortalConfiguration(host: "0.0.0.0", tls: .init(certificatePath: "c.pem", privateKeyPath: "k.pem"))
        #expect(tls.exposureWarning == nil)
    }
}
