import DrillCore
import DrillPortal
import DrillRun
import DrillStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Portal security and hostile input", .serialized)
struct PortalSecurityTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func bearer(_ harness: PortalHarness, _ who: String, json: Bool = false) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer " + harness.code(who)]
        if json { headers[.contentType] = "application/json" }
        return headers
    }

    @Test("scenario and team text is escaped on every page; no code or session id appears")
    func escaping() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let session = try await harness.signIn(harness.code("team:red"))
        let report = "<script>alert('x')</script> ' OR 1=1; DROP TABLE events;--"
        let posted = try await harness.request(
            .post,
            "/team/injects/webshell/report",
            headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
            body: "csrf=\(session.csrf)&text=" + report.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        )
        #expect(posted.status.code == 303)
        let page = try await harness.request(.get, "/team", headers: [.cookie: session.cookie]).text
        #expect(!page.contains("<script>alert"))
        #expect(page.contains("&lt;script&gt;alert(&#39;red&#39;)&lt;/script&gt;"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &#39; OR 1=1; DROP TABLE events;--"))
        #expect(page.contains("WebShell &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains(harness.code("team:red")))
        #expect(!page.contains(session.cookie.split(separator: "=")[1]))
        // The SQL-looking text is stored verbatim and the journal is intact.
        let stored = try harness.events(.response).compactMap { $0.payload["text"]?.stringValue }
        #expect(stored == [report])
        let director = try await harness.signIn(harness.code("director:director"))
        let directorPage = try await harness.request(.get, "/director", headers: [.cookie: director.cookie]).text
        #expect(!directorPage.contains("<script>alert"))
        let evaluator = try await harness.signIn(harness.code("evaluator:alice"))
        let board = try await harness.request(.get, "/evaluator", headers: [.cookie: evaluator.cookie]).text
        #expect(board.contains("Red &lt;b&gt;team&lt;/b&gt;"))
        #expect(!board.contains("<script>alert"))
    }

    @Test("a team sees only its own injects and responses, and cannot answer another team's")
    func teamIsolation() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        _ = try harness.journal.appendNow(
            PortalHarness.delivered(
                harness.run.runID,
                inject: "ddos",
                team: "blue",
                wall: harness.clock.now,
                message: "blue only"
            )
        )
        let blueReport = try await harness.request(
            .post,
            "/api/injects/webshell/report",
            headers: bearer(harness, "team:blue", json: true),
            body: #"{"text":"blue secret"}"#
        )
        #expect(blueReport.status.code == 201)
        let inbox = try await harness.request(.get, "/api/inbox", headers: bearer(harness, "team:red")).text
        #expect(inbox.contains("webshell"))
        #expect(!inbox.contains("ddos"))
        #expect(!inbox.contains("blue only"))
        #expect(!inbox.contains("blue secret"))
        let foreign = try await harness.request(
            .post,
            "/api/injects/ddos/acknowledge",
            headers: bearer(harness, "team:red")
        )
        #expect(foreign.status.code == 404)
        #expect(foreign.text.contains("\"error\":\"not_found\""))
        let unknown = try await harness.request(
            .post,
            "/api/injects/nope/acknowledge",
            headers: bearer(harness, "team:red")
        )
        #expect(unknown.status.code == 404)
        let page = try await harness.request(.get, "/team", headers: bearer(harness, "team:red")).text
        #expect(!page.contains("blue only") && !page.contains("blue secret"))
    }

    @Test("forms and cookie JSON posts need the session's CSRF token and a same-origin Origin")
    func csrf() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let session = try await harness.signIn(harness.code("team:red"))
        var headers = Self.form
        headers[.cookie] = session.cookie
        #expect(
            try await harness.request(.post, "/team/injects/webshell/acknowledge", headers: headers, body: "x=1").status
                .code == 403
        )
        #expect(
            try await harness.request(
                .post,
                "/team/injects/webshell/acknowledge",
                headers: headers,
                body: "csrf=" + String(repeating: "0", count: 64)
            )
            .status.code == 403
        )
        var crossOrigin = headers
        crossOrigin[.origin] = "http://evil.example"
        #expect(
            try await harness.request(
                .post,
                "/team/injects/webshell/acknowledge",
                headers: crossOrigin,
                body: "csrf=\(session.csrf)"
            ).status.code
                == 403
        )
        #expect(try harness.events(.response).isEmpty)
        var sameOrigin = headers
        sameOrigin[.origin] = "http://127.0.0.1:\(harness.port)"
        #expect(
            try await harness.request(
                .post,
                "/team/injects/webshell/acknowledge",
                headers: sameOrigin,
                body: "csrf=\(session.csrf)"
            ).status.code
                == 303
        )
        var json: HTTPFields = [.cookie: session.cookie, .contentType: "application/json"]
        #expect(
            try await harness.request(.post, "/api/injects/webshell/report", headers: json, body: #"{"text":"a"}"#)
                .status.code == 403
        )
        json[HTTPField.Name("X-CSRF-Token")!] = session.csrf
        #expect(
            try await harness.request(.post, "/api/injects/webshell/report", headers: json, body: #"{"text":"a"}"#)
                .status.code == 201
        )
        #expect(try harness.events(.response).count == 2)
    }

    @Test("the session cookie is HttpOnly and SameSite=Strict; sign-out ends the session")
    func cookieFlags() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let response = try await harness.request(
            .post,
            "/signin",
            headers: Self.form,
            body: "code=\(harness.code("evaluator:bob"))"
        )
        #expect(response.status.code == 303)
        #expect(response.headers[.location] == "/evaluator")
        let cookie = try #require(response.headers[.setCookie])
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        let value = String(cookie.split(separator: ";")[0])
        let id = String(value.split(separator: "=")[1])
        #expect(id.count == 64)
        let session = try await harness.signIn(harness.code("evaluator:bob"))
        var headers = Self.form
        headers[.cookie] = session.cookie
        #expect(
            try await harness.request(.post, "/signout", headers: headers, body: "csrf=\(session.csrf)").status.code
                == 303
        )
        #expect(try await harness.request(.get, "/api/session", headers: [.cookie: session.cookie]).status.code == 401)
        #expect(try await harness.request(.get, "/evaluator", headers: [.cookie: session.cookie]).status.code == 303)
    }

    @Test("sign-in attempts are rate-limited per address with 429 and Retry-After")
    func rateLimit() async throws {
        let harness = try await PortalHarness.start(
            configuration: PortalConfiguration(
                host: "127.0.0.1",
                port: 0,
                signInLimit: 3,
                signInWindow: .seconds(60),
                pollInterval: .milliseconds(20)
            )
        )
        defer { Task { await harness.stop() } }
        for _ in 0..<3 {
            #expect(
                try await harness.request(.post, "/signin", headers: Self.form, body: "code=WRONG").status.code == 401
            )
        }
        let limited = try await harness.request(
            .post,
            "/signin",
            headers: Self.form,
            body: "code=\(harness.code("team:red"))"
        )
        #expect(limited.status.code == 429)
        #expect(limited.headers[.retryAfter] == "60")
        #expect(!limited.text.contains(harness.code("team:red")))
        harness.clock.advance(.seconds(61))
        #expect(
            try await harness.request(.post, "/signin", headers: Self.form, body: "code=\(harness.code("team:red"))")
                .status.code == 303
        )
        // Wrong bearer codes count too.
        for _ in 0..<2 {
            #expect(
                try await harness.request(.get, "/api/inbox", headers: [.authorization: "Bearer WRONG"]).status.code
                    == 401
            )
        }
        #expect(
            try await harness.request(.get, "/api/inbox", headers: [.authorization: "Bearer WRONG"]).status.code == 429
        )
    }

    @Test("oversized, malformed, mistyped and invalid bodies get 413, 400, 415 and 422 with a JSON reason")
    func hostileBodies() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let team = bearer(harness, "team:red", json: true)
        let big = #"{"text":""# + String(repeating: "A", count: 20_000) + #""}"#
        let cases: [(HTTPFields, String, String, Int, String)] = [
            (team, "/api/injects/webshell/report", big, 413, "too_large"),
            (team, "/api/injects/webshell/report", #"{"text": "#, 400, "bad_request"),
            (team, "/api/injects/webshell/report", #"["text"]"#, 400, "bad_request"),
            (team, "/api/injects/webshell/report", #"{"text": 42}"#, 422, "invalid"),
            (team, "/api/injects/webshell/report", #"{"text": "   "}"#, 422, "invalid"),
            (team, "/api/injects/webshell/report", #"{"other": "x"}"#, 422, "invalid"),
            (bearer(harness, "team:red"), "/api/injects/webshell/report", "text=x", 415, "unsupported_media_type"),
            (
                bearer(harness, "evaluator:alice", json: true), "/api/observations",
                #"{"inject":"webshell","team":"red","scores":{"detection":9}}"#, 422, "invalid"
            ),
            (
                bearer(harness, "evaluator:alice", json: true), "/api/observations",
                #"{"inject":"webshell","team":"red","scores":{"speed":1}}"#, 422, "invalid"
            ),
            (
                bearer(harness, "evaluator:alice", json: true), "/api/observations",
                #"{"inject":"webshell","team":"red","scores":{"detection":"4"}}"#, 422, "invalid"
            ),
            (
                bearer(harness, "evaluator:alice", json: true), "/api/observations",
                #"{"inject":"webshell","team":"red","rating":"X"}"#, 422, "invalid"
            ),
            (
                bearer(harness, "evaluator:alice", json: true), "/api/observations",
                #"{"inject":"webshell","team":"nobody","rating":"P"}"#, 404, "not_found"
            ),
            (
                bearer(harness, "evaluator:alice", json: true), "/api/observations",
                #"{"inject":"'; DROP TABLE events;--","team":"red","rating":"P"}"#, 404, "not_found"
            ),
            (
                bearer(harness, "director:director", json: true), "/api/control", #"{"action":"explode"}"#, 422,
                "invalid"
            ),
            (bearer(harness, "director:director", json: true), "/api/control", #"{"action":"abort"}"#, 422, "invalid"),
            (
                bearer(harness, "director:director", json: true), "/api/control",
                #"{"action":"abort","confirm":"yes"}"#, 422, "invalid"
            ),
            (
                bearer(harness, "director:director", json: true), "/api/control",
                #"{"action":"trigger","inject":"nope"}"#, 404, "not_found"
            ),
            (
                bearer(harness, "director:director", json: true), "/api/control", #"{"action":"resume"}"#, 409,
                "conflict"
            ),
            (
                bearer(harness, "director:director", json: true), "/api/control",
                #"{"action":"extend","inject":"webshell","phase":"report","minutes":-5}"#, 422, "invalid"
            ),
        ]
        for (headers, path, body, status, code) in cases {
            let response = try await harness.request(.post, path, headers: headers, body: body)
            #expect(Int(response.status.code) == status, "\(path) \(body.prefix(80))")
            #expect(
                response.text.contains("\"error\":\"\(code)\""),
                "\(path) \(body.prefix(80)): \(response.text.prefix(200))"
            )
            #expect(response.text.contains("\"reason\":"))
            #expect(!response.text.contains("Bearer"))
        }
        #expect(try harness.events(.response).isEmpty)
        #expect(try harness.events(.observation).isEmpty)
        #expect(try harness.events(.control).isEmpty)
        // A malformed Authorization header is a 400, not a crash.
        #expect(
            try await harness.request(.get, "/api/inbox", headers: [.authorization: "Basic abc"]).status.code == 400
        )
    }

    @Test("late responses are accepted and shown late")
    func lateResponses() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        harness.clock.advance(.seconds(11 * 60))  // the acknowledge deadline is 10 min after delivery
        let response = try await harness.request(
            .post,
            "/api/injects/webshell/acknowledge",
            headers: bearer(harness, "team:red")
        )
        #expect(response.status.code == 201)
        #expect(response.text.contains("\"late\":true"))
        _ = try await harness.server.portal.feed.catchUp()
        let inbox = try await harness.request(.get, "/api/inbox", headers: bearer(harness, "team:red")).text
        #expect(inbox.contains("\"late\":true"))
        let page = try await harness.request(.get, "/team", headers: bearer(harness, "team:red")).text
        #expect(page.contains("class=\"late\""))
    }

    @Test("evaluators score independently: another's scores are hidden until they submit their own")
    func independentObservations() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let alice = bearer(harness, "evaluator:alice", json: true)
        let bob = bearer(harness, "evaluator:bob", json: true)
        #expect(
            try await harness.request(
                .post,
                "/api/observations",
                headers: alice,
                body: #"{"inject":"webshell","team":"red","scores":{"detection":5},"notes":"alice-note"}"#
            )
            .status.code == 201
        )
        let before = try await harness.request(.get, "/api/observations", headers: bob).text
        #expect(!before.contains("alice-note"))
        #expect(
            try await harness.request(
                .post,
                "/api/observations",
                headers: bob,
                body: #"{"inject":"webshell","team":"red","scores":{"detection":2}}"#
            )
            .status.code == 201
        )
        let after = try await harness.request(.get, "/api/observations", headers: bob).text
        #expect(after.contains("alice-note"))
        let observations = try harness.events(.observation)
        #expect(observations.map { $0.actor?.description } == ["evaluator:alice", "evaluator:bob"])
    }

    @Test("director controls are journaled with who; pause stops the clock and resume restarts it")
    func controls() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let director = bearer(harness, "director:director", json: true)
        #expect(
            try await harness.request(.post, "/api/control", headers: director, body: #"{"action":"pause"}"#).status
                .code == 201
        )
        #expect(
            try await harness.request(.post, "/api/control", headers: director, body: #"{"action":"pause"}"#).status
                .code == 409
        )
        #expect(
            try await harness.request(.post, "/api/control", headers: director, body: #"{"action":"resume"}"#).status
                .code == 201
        )
        #expect(
            try await harness.request(
                .post,
                "/api/control",
                headers: director,
                body: #"{"action":"trigger","inject":"ddos"}"#
            ).status.code == 201
        )
        #expect(
            try await harness.request(
                .post,
                "/api/control",
                headers: director,
                body: #"{"action":"abort","confirm":true,"reason":"fire alarm"}"#
            )
            .status.code == 201
        )
        #expect(
            try await harness.request(.post, "/api/control", headers: director, body: #"{"action":"pause"}"#).status
                .code == 409
        )
        let controls = try harness.events(.control)
        #expect(controls.map { $0.payload["action"]?.stringValue } == ["pause", "resume", "trigger", "abort"])
        #expect(controls.allSatisfy { $0.actor?.description == "director:director" })
        #expect(controls[2].inject == "ddos")
    }

    @Test("the live stream pushes a team's own deliveries and nothing of other teams")
    func liveStreamFiltering() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let port = harness.port
        let code = harness.code("team:red")
        let (status, connection) = try await offPool {
            try RawHTTPConnection.status(port: port, path: "/api/events", headers: ["Authorization": "Bearer " + code])
        }
        #expect(status == 200)
        _ = try harness.journal.appendNow(
            PortalHarness.delivered(
                harness.run.runID,
                inject: "ddos",
                team: "blue",
                wall: harness.clock.now,
                message: "b"
            )
        )
        _ = try harness.journal.appendNow(
            PortalHarness.delivered(
                harness.run.runID,
                inject: "ddos",
                team: "red",
                wall: harness.clock.now,
                message: "r"
            )
        )
        let data: [String] = try await offPool {
            var data: [String] = []
            while let line = connection.readLine() {
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
                if data.count == 1 { break }
            }
            return data
        }
        #expect(data.count == 1)
        #expect(data.first?.contains("\"team\":\"red\"") == true)
        #expect(data.first?.contains("\"kind\":\"delivered\"") == true)
    }
}
