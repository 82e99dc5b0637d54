import DrillCore
import DrillPortal
import DrillStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every route × every kind of caller, with the exact status code each must get.
@Suite("Portal access: every route with every role", .serialized)
struct RouteAccessTests {
    enum Caller: String, CaseIterable, CustomStringConvertible {
        case none, forged, expired, team, evaluator, director
        var description: String { rawValue }
    }

    /// One row: a route, a valid request for it, and the status each caller gets.
    struct Row: CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var route: String
        var contentType: String?
        var body: String?
        var expected: [Caller: Int]
        var description: String { "\(method.rawValue) \(path)" }
    }

    static let form = "application/x-www-form-urlencoded"
    static let json = "application/json"

    /// none/forged/expired share one answer: the caller is not signed in.
    static func row(
        _ method: HTTPRequest.Method,
        _ path: String,
        route: String? = nil,
        type: String? = nil,
        body: String? = nil,
        anonymous: Int,
        team: Int,
        evaluator: Int,
        director: Int
    ) -> Row {
        Row(
            method: method,
            path: path,
            route: route ?? path,
            contentType: type,
            body: body,
            expected: [
                .none: anonymous, .forged: anonymous, .expired: anonymous, .team: team, .evaluator: evaluator,
                .director: director,
            ]
        )
    }

    static let rows: [Row] = [
        row(.get, "/", anonymous: 303, team: 303, evaluator: 303, director: 303),
        row(.get, "/signin", anonymous: 200, team: 200, evaluator: 200, director: 200),
        row(
            .post,
            "/signin",
            type: form,
            body: "code=NOT-A-CODE",
            anonymous: 401,
            team: 401,
            evaluator: 401,
            director: 401
        ),
        row(.get, "/team", anonymous: 303, team: 200, evaluator: 403, director: 403),
        row(
            .post,
            "/team/injects/webshell/acknowledge",
            route: "/team/injects/{inject}/acknowledge",
            type: form,
            body: "x=1",
            anonymous: 401,
            team: 303,
            evaluator: 403,
            director: 403
        ),
        row(
            .post,
            "/team/injects/webshell/report",
            route: "/team/injects/{inject}/report",
            type: form,
            body: "text=all+quiet",
            anonymous: 401,
            team: 303,
            evaluator: 403,
            director: 403
        ),
        row(
            .post,
            "/team/injects/webshell/resolve",
            route: "/team/injects/{inject}/resolve",
            type: form,
            body: "x=1",
            anonymous: 401,
            team: 303,
            evaluator: 403,
            director: 403
        ),
        row(.get, "/evaluator", anonymous: 303, team: 403, evaluator: 200, director: 403),
        row(
            .post,
            "/evaluator/observations",
            type: form,
            body: "pair=webshell%7Cred&score.detection=3&rating=S",
            anonymous: 401,
            team: 403,
            evaluator: 303,
            director: 403
        ),
        row(.get, "/director", anonymous: 303, team: 403, evaluator: 403, director: 200),
        row(
            .post,
            "/director/control",
            type: form,
            body: "action=extend&inject=webshell&phase=report&minutes=5",
            anonymous: 401,
            team: 403,
            evaluator: 403,
            director: 303
        ),
        row(.get, "/openapi.yaml", anonymous: 200, team: 200, evaluator: 200, director: 200),
        row(.get, "/api/session", anonymous: 401, team: 200, evaluator: 200, director: 200),
        row(.get, "/api/inbox", anonymous: 401, team: 200, evaluator: 403, director: 403),
        row(
            .post,
            "/api/injects/webshell/acknowledge",
            route: "/api/injects/{inject}/acknowledge",
            anonymous: 401,
            team: 201,
            evaluator: 403,
            director: 403
        ),
        row(
            .post,
            "/api/injects/webshell/report",
            route: "/api/injects/{inject}/report",
            type: json,
            body: #"{"text":"contained"}"#,
            anonymous: 401,
            team: 201,
            evaluator: 403,
            director: 403
        ),
        row(
            .post,
            "/api/injects/webshell/resolve",
            route: "/api/injects/{inject}/resolve",
            anonymous: 401,
            team: 201,
            evaluator: 403,
            director: 403
        ),
        row(.get, "/api/board", anonymous: 401, team: 403, evaluator: 200, director: 200),
        row(.get, "/api/observations", anonymous: 401, team: 403, evaluator: 200, director: 403),
        row(
            .post,
            "/api/observations",
            type: json,
            body: #"{"inject":"webshell","team":"red","scores":{"detection":4},"rating":"P"}"#,
            anonymous: 401,
            team: 403,
            evaluator: 201,
            director: 403
        ),
        row(.get, "/api/director", anonymous: 401, team: 403, evaluator: 403, director: 200),
        row(
            .post,
            "/api/control",
            type: json,
            body: #"{"action":"extend","inject":"webshell","phase":"report","minutes":5}"#,
            anonymous: 401,
            team: 403,
            evaluator: 403,
            director: 201
        ),
        row(
            .post,
            "/api/reconcile",
            type: json,
            body: #"{"inject":"webshell","team":"red","rating":"S","reason":"the panel split P/M; agreed S"}"#,
            anonymous: 401,
            team: 403,
            evaluator: 403,
            director: 201
        ),
        row(.get, "/api/events", anonymous: 401, team: 200, evaluator: 200, director: 200),
        row(.post, "/signout", type: form, body: "x=1", anonymous: 401, team: 303, evaluator: 303, director: 303),
    ]

    @Test("the table covers every route the portal serves")
    func tableCoversEveryRoute() {
        let served = Set(PortalRoutes.all.map { "\($0.method.rawValue) \($0.path)" })
        let tested = Set(Self.rows.map { "\($0.method.rawValue) \($0.route)" })
        #expect(served == tested)
    }

    @Test("every route answers every caller with the exact status")
    func everyRouteEveryCaller() async throws {
        let harness = try await PortalHarness.start(
            configuration: PortalConfiguration(
                host: "127.0.0.1",
                port: 0,
                signInLimit: 10_000,
                pollInterval: .milliseconds(20)
            )
        )
        defer { Task { await harness.stop() } }
        // An expired session: signed in, then left idle past the idle timeout (8 h).
        let stale = try await harness.signIn(harness.code("team:red"))
        harness.clock.advance(.seconds(9 * 3600))

        var failures: [String] = []
        for row in Self.rows {
            for caller in Caller.allCases {
                var headers = HTTPFields()
                switch caller {
                case .none: break
                case .forged: headers[.cookie] = "drill_session=" + String(repeating: "ab", count: 32)
                case .expired: headers[.cookie] = stale.cookie
                case .team: headers[.authorization] = "Bearer " + harness.code("team:red")
                case .evaluator: headers[.authorization] = "Bearer " + harness.code("evaluator:alice")
                case .director: headers[.authorization] = "Bearer " + harness.code("director:director")
                }
                if let type = row.contentType { headers[.contentType] = type }
                let status: Int
                if row.route == "/api/events" {
                    var raw: [String: String] = [:]
                    for field in headers { raw[field.name.rawName] = field.value }
                    let port = harness.port
                    let path = row.path
                    let rawHeaders = raw
                    status = try await offPool {
                        try RawHTTPConnection.status(port: port, path: path, headers: rawHeaders).0
                    }
                } else {
                    status = Int(
                        try await harness.request(row.method, row.path, headers: headers, body: row.body).status.code
                    )
                }
                if status != row.expected[caller] {
                    failures.append("\(row) as \(caller): got \(status), expected \(row.expected[caller]!)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("a wrong method on a known path is 405 with Allow; an unknown path is 404")
    func wrongMethodAndUnknownPath() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let director: HTTPFields = [.authorization: "Bearer " + harness.code("director:director")]
        for route in PortalRoutes.all {
            let path = route.path.replacingOccurrences(of: "{inject}", with: "webshell")
            let wrong: HTTPRequest.Method = route.method == .get ? .delete : .put
            let response = try await harness.request(wrong, path, headers: director)
            #expect(response.status.code == 405, "\(wrong.rawValue) \(path)")
            #expect(response.headers[.allow]?.contains(route.method.rawValue) == true, "\(path)")
        }
        #expect(try await harness.request(.get, "/nope", headers: director).status.code == 404)
        #expect(try await harness.request(.get, "/api/nope", headers: director).status.code == 404)
        let unknown = try await harness.request(.get, "/api/injects", headers: director)
        #expect(unknown.status.code == 404)
        #expect(unknown.text.contains("\"error\":\"not_found\""))
    }
}
