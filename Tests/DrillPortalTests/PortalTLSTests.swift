import DrillPortal
import DrillTesting
import Foundation
import Testing

@Suite("Portal over HTTPS")
struct PortalTLSTests {
    @Test("with --tls-cert/--tls-key the portal serves HTTPS, and the session cookie is Secure")
    func https() async throws {
        let directory = try TemporaryDirectory()
        let certificate = directory.url.appendingPathComponent("cert.pem").path
        let key = directory.url.appendingPathComponent("key.pem").path
        let made = try await CommandRunner.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout",
                key, "-out", certificate,
            ]
        )
        try #require(made.status == 0, "openssl could not make a test certificate: \(made)")
        let harness = try await PortalHarness.start(
            configuration: PortalConfiguration(
                host: "127.0.0.1",
                port: 0,
                tls: .init(certificatePath: certificate, privateKeyPath: key),
                pollInterval: .milliseconds(20)
            )
        )
        defer { Task { await harness.stop() } }
        let base = "https://127.0.0.1:\(harness.port)"
        let document = try await CommandRunner.run(
            "/usr/bin/curl",
            ["-s", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}", base + "/openapi.yaml"]
        )
        #expect(document.stdout == "200", "\(document)")
        let code = harness.code("team:red")
        let signIn = try await CommandRunner.run(
            "/usr/bin/curl",
            ["-s", "--cacert", certificate, "-D", "-", "-o", "/dev/null", "-d", "code=\(code)", base + "/signin"]
        )
        #expect(signIn.stdout.contains("303"), "\(signIn)")
        #expect(signIn.stdout.lowercased().contains("; secure"), "\(signIn)")
        #expect(signIn.stdout.contains("Strict-Transport-Security"), "\(signIn)")
        let plain = try await CommandRunner.run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(harness.port)/openapi.yaml"]
        )
        #expect(plain.stdout != "200", "plain HTTP must not be served on the HTTPS port")
    }
}
