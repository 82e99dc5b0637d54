import DrillCore
import DrillPortal
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// A real portal on 127.0.0.1 with an ephemeral port, over a real run folder and journal, with one access code
/// per role. Tests talk to it over real HTTP.
/// Immutable after `start`; shared with the clean-up task only to stop it.
final class PortalHarness: @unchecked Sendable {
    static let scenarioYAML = """
        drill: portal-test
        title: "Portal <script>alert('title')</script> test"
        timezone: Asia/Shanghai
        duration: 2h
        provinces: [{ id: yunnan, name: 云南 }]
        teams:
          - { id: red, name: "Red <b>team</b>", province: yunnan, hosts: "red" }
          - { id: blue, name: Blue team, province: yunnan, hosts: "blue" }
        injects:
          - id: webshell
            title: "WebShell <script>alert(1)</script>"
            at: 00:10:00
            severity: II
            targets: { province: yunnan }
            message: "x"
            expects: [acknowledge, report, resolve]
          - id: ddos
            at: 00:30:00
            severity: I
            targets: { province: yunnan }
            message: "y"
        """

    let directory: TemporaryDirectory
    let run: RunFolder
    let journal: Journal
    let codes: [String: String]
    let port: Int
    let server: PortalServer
    let clock: ManualClock
    private let task: Task<Void, any Error>

    /// The access code of `role:subject`.
    func code(_ key: String) -> String { codes[key]! }

    /// Wall clock for tests: starts at a fixed time; tests move it.
    final class ManualClock: Sendable {
        let millis = Mutex<Int64>(1_800_000_000_000)
        var now: Int64 { millis.withLock { $0 } }
        func advance(_ duration: Duration) {
            let (seconds, attoseconds) = duration.components
            millis.withLock { $0 += seconds * 1000 + attoseconds / 1_000_000_000_000_000 }
        }
    }

    static func start(
        configuration: PortalConfiguration = PortalConfiguration(
            host: "127.0.0.1",
            port: 0,
            pollInterval: .milliseconds(20)
        ),
        deliver: Bool = true
    ) async throws -> PortalHarness {
        let directory = try TemporaryDirectory()
        let run = try RunFolder.create(under: directory.url, scenario: "portal-test", date: Date())
        try scenarioYAML.write(toFile: run.scenarioPath, atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let journal = try Journal.create(
            at: run.journalPath,
            runID: run.runID,
            created: RunCreatedPayload(scenario: "portal-test", speed: 1),
            wallMillis: clock.now,
            durability: .normal
        )
        var codes: [String: String] = [:]
        for (role, subject) in [
            ("team", "red"), ("team", "blue"), ("evaluator", "alice"), ("evaluator", "bob"), ("director", "director"),
        ] {
            let code = AccessCode.generate()
            codes["\(role):\(subject)"] = code
            try journal.storeCredential(role: role, subject: subject, hash: .make(code: code), wallMillis: clock.now)
        }
        _ = try journal.appendNow(
            JournalEvent(
                kind: .startex,
                runID: run.runID,
                wallMillis: clock.now,
                exerciseMillis: 0,
                actor: .engine,
                idempotencyKey: "startex"
            )
        )
        if deliver {
            for team in ["red", "blue"] {
                _ = try journal.appendNow(
                    Self.delivered(
                        run.runID,
                        inject: "webshell",
                        team: team,
                        wall: clock.now,
                        message: "WebShell on <script>alert('\(team)')</script>'; DROP TABLE events;--"
                    )
                )
            }
        }
        var logger = Logger(label: "portal-test")
        logger.logLevel = .critical
        let portStream = AsyncStream<Int>.makeStream()
        let server = try PortalServer.make(
            run: run,
            journal: journal,
            configuration: configuration,
            now: { clock.now },
            logger: logger,
            onListening: { port in portStream.continuation.yield(port) }
        )
        let task = Task { try await server.run() }
        var iterator = portStream.stream.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return PortalHarness(
            directory: directory,
            run: run,
            journal: journal,
            codes: codes,
            port: port,
            server: server,
            clock: clock,
            task: task
        )
    }

    static func delivered(
        _ runID: String,
        inject: String,
        team: String,
        wall: Int64,
        message: String,
        exercise: Int64 = 0
    ) -> JournalEvent {
        JournalEvent(
            kind: .delivered,
            runID: runID,
            wallMillis: wall,
            exerciseMillis: exercise,
            inject: inject,
            team: team,
            actor: .engine,
            idempotencyKey: EventKey.delivered(inject: inject, occurrence: 1, team: team).description,
            payload: DeliveredPayload(
                message: message,
                severity: "II",
                deadlines: [.acknowledge: .seconds(600), .report: .seconds(1800), .resolve: .seconds(3600)]
            ).journalValue
        )
    }

    private init(
        directory: TemporaryDirectory,
        run: RunFolder,
        journal: Journal,
        codes: [String: String],
        port: Int,
        server: PortalServer,
        clock: ManualClock,
        task: Task<Void, any Error>
    ) {
        self.directory = directory
        self.run = run
        self.journal = journal
        self.codes = codes
        self.port = port
        self.server = server
        self.clock = clock
        self.task = task
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// One request on a fresh connection.
    func request(
        _ method: HTTPRequest.Method,
        _ uri: String,
        headers: HTTPFields = [:],
        body: String? = nil
    ) async throws -> TestClient.Response {
        let request = TestClient.Request(
            uri,
            method: method,
            authority: "127.0.0.1:\(port)",
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        )
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(request)
        }
    }

    /// Signs in with `code` and returns the session cookie value and the CSRF token.
    func signIn(_ code: String) async throws -> (cookie: String, csrf: String) {
        let response = try await request(
            .post,
            "/signin",
            headers: [.contentType: "application/x-www-form-urlencoded"],
            body: "code=\(code)"
        )
        guard response.status == .seeOther, let setCookie = response.headers[.setCookie],
            let value = setCookie.split(separator: ";").first
        else { throw HarnessError("sign-in failed: \(response.status)") }
        let cookie = String(value)
        let session = try await request(.get, "/api/session", headers: [.cookie: cookie])
        let text = String(buffer: session.body ?? ByteBuffer())
        guard let range = text.range(of: "\"csrfToken\":\"") else { throw HarnessError("no csrf token in \(text)") }
        let token = text[range.upperBound...].prefix { $0 != "\"" }
        return (cookie, String(token))
    }

    func events(_ kind: JournalEvent.Kind) throws -> [JournalEvent] {
        try journal.eventsNow().filter { $0.kind == kind }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestClient.Response {
    var text: String { String(buffer: body ?? ByteBuffer()) }
}

/// Runs blocking work (socket reads, waiting on a child process) on a Dispatch thread, never on Swift's
/// cooperative pool: on a 2-core machine that pool has 2 threads, and a blocked one starves the server
/// under test.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
