import DrillPortal
import DrillRun
import DrillTesting
import Foundation
import Logging
import Testing

/// A real portal on a run folder, listening on a free loopback port for the length of `body`, and requests to it
/// over HTTP with curl (a client that is not ours).
enum PortalOnRun {
    static func with<T>(_ run: OpenedRun, _ body: (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "consistency")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = try PortalServer.make(
            run: run.folder,
            journal: run.journal,
            configuration: PortalConfiguration(host: "127.0.0.1", port: 0),
            logger: logger,
            onListening: { continuation.yield($0) }
        )
        let task = Task { try await server.run() }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body(port)
    }

    /// `GET path` with the access code `code` as its bearer; the body of a 2xx answer.
    static func get(_ path: String, port: Int, code: String) async throws -> String {
        let response = try await CommandRunner.run(
            "/usr/bin/curl",
            ["-sS", "--fail", "-H", "Authorization: Bearer \(code)", "http://127.0.0.1:\(port)\(path)"]
        )
        #expect(response.status == 0, "GET \(path): \(response)")
        return response.stdout
    }
}
