public import DrillCore
import Foundation
public import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore

/// The portal: sessions, access checks, and the handlers behind ``PortalRoutes/all``.
///
/// Order of checks for every request: route (404), method (405), identity (401, or a redirect to sign-in for
/// pages), role (403), body size (413), CSRF (403), body shape (400/415), values (422), ids (404); then the
/// action. No reason given to a client ever contains a code, a session id or a CSRF token.
public final class Portal: Sendable {
    public let configuration: PortalConfiguration
    public let runID: String
    public let scenario: Scenario?
    public let feed: PortalFeed
    public let sessions: SessionStore
    let commands: any PortalCommandHandling
    let credentials: any PortalCredentialChecking
    let limiter: SignInRateLimiter
    let now: @Sendable () -> Int64
    let logger: Logger
    let openAPIDocument: String

    public init(
        configuration: PortalConfiguration,
        runID: String,
        scenario: Scenario?,
        feed: PortalFeed,
        commands: any PortalCommandHandling,
        credentials: any PortalCredentialChecking,
        now: @escaping @Sendable () -> Int64 = Portal.wallClock,
        logger: Logger
    ) {
        self.configuration = configuration
        self.runID = runID
        self.scenario = scenario
        self.feed = feed
        self.commands = commands
        self.credentials = credentials
        self.now = now
        self.logger = logger
        self.sessions = SessionStore(
            idleTimeout: configuration.sessionIdleTimeout,
            absoluteTimeout: configuration.sessionAbsoluteTimeout,
            now: now
        )
        self.limiter = SignInRateLimiter(
            limit: configuration.signInLimit,
            window: configuration.signInWindow,
            now: now
        )
        self.openAPIDocument = OpenAPIDocument.text
    }

    /// UTC milliseconds now.
    public static let wallClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    static let sessionCookie = "drill_session"

    // MARK: - Dispatch

    /// One request in flight, after its route and caller are known.
    struct Call {
        var request: Request
        var context: PortalRequestContext
        var route: PortalRoute
        var parameters: [String: String]
        var identity: PortalIdentity?
        var session: PortalSession?
        var language: PortalLanguage
        var body: [UInt8] = []

        func query(_ name: String) -> String? { request.uri.queryParameters[Substring(name)].map(String.init) }
    }

    func respond(to request: Request, context: PortalRequestContext) async throws -> Response {
        do {
            var response = try await dispatch(request, context: context)
            addSecurityHeaders(&response.headers)
            return response
        } catch var error as PortalError {
            let path = request.uri.path
            let isPage = !(path.hasPrefix("/api/") || path == "/openapi.yaml")
            error.html = isPage
            logger.info(
                "refused",
                metadata: ["method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(error.status.code)"]
            )
            return try error.response(from: request, context: context)
        }
    }

    private func dispatch(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let pathSegments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        let candidates = PortalRoutes.all.compactMap { route in route.match(pathSegments).map { (route, $0) } }
        guard !candidates.isEmpty else { throw PortalError.notFound("no such page or API route") }
        let method = request.method == .head ? HTTPRequest.Method.get : request.method
        guard let (route, parameters) = candidates.first(where: { $0.0.method == method }) else {
            throw PortalError.methodNotAllowed(candidates.map(\.0.method))
        }

        let language = PortalLanguage.choose(
            query: request.uri.queryParameters["lang"].map(String.init),
            cookie: request.cookies["lang"]?.value,
            acceptLanguage: request.headers[.acceptLanguage]
        )
        var call = Call(
            request: request,
            context: context,
            route: route,
            parameters: parameters,
            identity: nil,
            session: nil,
            language: language
        )
        try authenticate(&call)

        if case .roles = route.access {
            guard let identity = call.identity else {
                if route.kind == .page {
                    return Self.redirect("/signin")
                }
                throw PortalError.unauthenticated()
            }
            guard route.allows(identity.role) else { throw PortalError.forbidden(identity.role) }
        }

        if request.method == .post {
            call.body = try await collectBody(request)
            try checkCSRF(call)
        }

        var response = try await handle(&call)
        if let lang = request.uri.queryParameters["lang"].map(String.init), PortalLanguage(rawValue: lang) != nil {
            response.headers.append(
                HTTPField(name: .setCookie, value: "lang=\(lang); Path=/; Max-Age=31536000; SameSite=Strict")
            )
        }
        return response
    }

    /// Finds the caller: a bearer code, else a session cookie. A wrong bearer code is refused (and counted
    /// against the client's sign-in budget); an unknown or expired session cookie is simply no session.
    private func authenticate(_ call: inout Call) throws {
        if let authorization = call.request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw PortalError.badRequest("the Authorization header must be 'Bearer CODE'")
            }
            let code = parts[1].trimmingCharacters(in: .whitespaces)
            if let identity = try credentials.identity(forCode: code) {
                call.identity = identity
                return
            }
            if let wait = limiter.attempt(from: call.context.clientAddress) {
                throw PortalError.rateLimited(retryAfter: wait)
            }
            throw PortalError.unauthenticated()
        }
        if let id = call.request.cookies[Self.sessionCookie]?.value, let session = sessions.session(id: id) {
            call.session = session
            call.identity = session.identity
        }
    }

    private func collectBody(_ request: Request) async throws -> [UInt8] {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw PortalError.tooLarge(limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw PortalError.tooLarge(limit: limit)
        }
    }

    /// Cross-site request forgery: a session-authenticated post must carry the session's token (a form field
    /// `csrf`, or the `X-CSRF-Token` header for JSON), and its `Origin`, when sent, must be this server.
    /// Bearer-token posts need neither: a browser never adds that header by itself.
    private func checkCSRF(_ call: Call) throws {
        let request = call.request
        if let origin = request.headers[.origin] {
            let host = request.head.authority ?? ""
            let originHost = origin.split(separator: "://", maxSplits: 1).last.map(String.init) ?? ""
            guard origin != "null", originHost == host else {
                throw PortalError.csrf("the request's Origin is not this portal")
            }
        }
        guard call.route.access != .open, call.request.headers[.authorization] == nil else { return }
        guard let session = call.session else { return }
        let token: String?
        if call.route.kind == .api {
            token = request.headers[HTTPField.Name("X-CSRF-Token")!]
        } else {
            token = FormBody.parse(call.body)?["csrf"]
        }
        guard let token, constantTimeEquals(token, session.csrfToken) else {
            throw PortalError.csrf("the form is stale or did not come from this portal; reload the page and retry")
        }
    }

    private func addSecurityHeaders(_ headers: inout HTTPFields) {
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        headers[.xContentTypeOptions] = "nosniff"
        // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which the CSRF
        // check must refuse.
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if configuration.tls != nil {
            headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000"
        }
    }

    // MARK: - Handlers

    private func handle(_ call: inout Call) async throws -> Response {
        switch call.route.name {
        case "home":
            guard let identity = call.identity else { return Self.redirect("/signin") }
            return Self.redirect(Self.page(for: identity.role))
        case "signinPage":
            return html(PortalPages.signIn(language: call.language, failed: false), status: .ok)
        case "signin":
            return try signIn(call)
        case "signout":
            if let session = call.session { sessions.remove(id: session.id) }
            var response = Self.redirect("/signin")
            response.headers.append(HTTPField(name: .setCookie, value: expiredSessionCookie()))
            return response
        case "teamPage", "evaluatorPage", "directorPage":
            return page(call)
        case "teamAcknowledge", "teamReport", "teamResolve":
            let phase = Self.phase(fromRouteName: call.route.name)
            let form = try requireForm(call)
            _ = try await respond(call, phase: phase, text: form["text"])
            return Self.redirect("/team")
        case "evaluatorObserve":
            let form = try requireForm(call)
            _ = try await observe(call, fields: ObservationInput.fromForm(form, criteria: criteria))
            return Self.redirect("/evaluator")
        case "directorControl":
            let form = try requireForm(call)
            _ = try await control(call, input: try ControlInput.fromForm(form))
            return Self.redirect("/director")
        case "openapi":
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            headers[.cacheControl] = "public, max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: openAPIDocument)))
        case "apiSession":
            let identity = call.identity!
            return try json(
                SessionView(
                    role: identity.role.rawValue,
                    subject: identity.subject,
                    runID: runID,
                    csrfToken: call.session?.csrfToken
                )
            )
        case "apiInbox":
            return try json(
                PortalViews.inbox(feed.snapshot, team: call.identity!.subject, scenario: scenario, now: now())
            )
        case "apiAcknowledge", "apiReport", "apiResolve":
            let phase = Self.phase(fromRouteName: call.route.name)
            var text: String?
            if phase == .report || !call.body.isEmpty {
                let object = try JSONBody.object(call)
                text = try JSONBody.string(object, "text", required: phase == .report, max: configuration.maxTextLength)
            }
            let event = try await respond(call, phase: phase, text: text)
            return try json(PortalViews.recorded([event], state: feed.snapshot), status: .created)
        case "apiBoard":
            return try json(PortalViews.board(feed.snapshot, scenario: scenario, now: now()))
        case "apiObservations":
            return try json(PortalViews.observations(feed.snapshot, evaluator: call.identity!.subject))
        case "apiObserve":
            let object = try JSONBody.object(call)
            let event = try await observe(call, fields: ObservationInput.fromJSON(object, criteria: criteria))
            return try json(PortalViews.recorded([event], state: feed.snapshot), status: .created)
        case "apiDirector":
            return try json(PortalViews.director(feed.snapshot, scenario: scenario, now: now()))
        case "apiControl":
            let object = try JSONBody.object(call)
            let events = try await control(call, input: try ControlInput.fromJSON(object))
            return try json(PortalViews.recorded(events, state: feed.snapshot), status: .created)
        case "apiReconcile":
            let input = try ReconcileInput.fromJSON(try JSONBody.object(call))
            guard Self.isValidID(input.inject), Self.isValidID(input.team) else {
                throw PortalError.notFound("no such inject or team")
            }
            let event = try await commands.reconcile(
                inject: input.inject,
                team: input.team,
                rating: input.rating,
                reason: input.reason,
                actor: JournalEvent.Actor(
                    call.identity!.role == .director ? .director : .evaluator,
                    id: call.identity!.subject
                )
            )
            try await readYourWrites()
            return try json(PortalViews.recorded([event], state: feed.snapshot), status: .created)
        case "apiEvents":
            return PortalStream.response(feed: feed, identity: call.identity!, heartbeat: configuration.heartbeat)
        default:
            throw PortalError.notFound("no such route")
        }
    }

    private static func phase(fromRouteName name: String) -> ResponsePhase {
        if name.hasSuffix("Acknowledge") { return .acknowledge }
        if name.hasSuffix("Report") { return .report }
        return .resolve
    }

    static func page(for role: PortalRole) -> String {
        switch role {
        case .team: "/team"
        case .evaluator: "/evaluator"
        case .director: "/director"
        }
    }

    private func signIn(_ call: Call) throws -> Response {
        if let wait = limiter.attempt(from: call.context.clientAddress) {
            throw PortalError.rateLimited(retryAfter: wait)
        }
        let form = try requireForm(call)
        let code = (form["code"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard let identity = try credentials.identity(forCode: code) else {
            logger.info("sign-in refused", metadata: ["client": "\(call.context.clientAddress)"])
            return html(PortalPages.signIn(language: call.language, failed: true), status: .unauthorized)
        }
        if let old = call.session { sessions.remove(id: old.id) }
        let session = sessions.create(for: identity)
        logger.info("signed in", metadata: ["who": "\(identity)"])
        var response = Self.redirect(Self.page(for: identity.role))
        let secure = configuration.tls != nil ? "; Secure" : ""
        response.headers.append(
            HTTPField(
                name: .setCookie,
                value: "\(Self.sessionCookie)=\(session.id); Path=/; HttpOnly; SameSite=Strict\(secure)"
            )
        )
        return response
    }

    private func expiredSessionCookie() -> String {
        "\(Self.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
    }

    private func requireForm(_ call: Call) throws -> [String: String] {
        let type = call.request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw PortalError.unsupportedMediaType("application/x-www-form-urlencoded")
        }
        guard let form = FormBody.parse(call.body) else { throw PortalError.badRequest("the form body is malformed") }
        return form
    }

    private func page(_ call: Call) -> Response {
        let identity = call.identity!
        let fragment = call.query("fragment") != nil
        let context = PortalPages.Context(
            identity: identity,
            csrfToken: call.session?.csrfToken ?? "",
            language: call.language,
            nonce: SecureRandom.hex(bytes: 16),
            state: feed.snapshot,
            scenario: scenario,
            now: now(),
            criteria: criteria,
            runID: runID
        )
        let text: String
        switch identity.role {
        case .team: text = fragment ? PortalPages.teamLive(context) : PortalPages.team(context)
        case .evaluator: text = fragment ? PortalPages.evaluatorLive(context) : PortalPages.evaluator(context)
        case .director: text = fragment ? PortalPages.directorLive(context) : PortalPages.director(context)
        }
        var response = html(text, status: .ok)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'nonce-\(context.nonce)'; style-src 'nonce-\(context.nonce)';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        return response
    }

    /// The rubric criteria observations are scored on: the scenario's `evaluation:` rubric, else the default four.
    var criteria: [RubricCriterion] {
        if let rubric = scenario?.evaluation?.rubric, !rubric.isEmpty { return rubric }
        return [
            RubricCriterion(id: "detection", title: "Detection"),
            RubricCriterion(id: "reporting", title: "Reporting"),
            RubricCriterion(id: "containment", title: "Containment"),
            RubricCriterion(id: "communication", title: "Communication"),
        ]
    }

    // MARK: - Actions

    private func respond(_ call: Call, phase: ResponsePhase, text: String?) async throws -> JournalEvent {
        let identity = call.identity!
        guard let inject = call.parameters["inject"], Self.isValidID(inject) else {
            throw PortalError.notFound("no such inject")
        }
        if phase == .report {
            let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw PortalError.invalid("a situation report needs some text") }
            guard trimmed.count <= configuration.maxTextLength else {
                throw PortalError.invalid("a situation report is at most \(configuration.maxTextLength) characters")
            }
        }
        let event = try await commands.respond(
            team: identity.subject,
            inject: inject,
            phase: phase,
            text: phase == .report ? text?.trimmingCharacters(in: .whitespacesAndNewlines) : nil,
            actor: JournalEvent.Actor(.team, id: identity.subject)
        )
        try await readYourWrites()
        return event
    }

    private func observe(_ call: Call, fields: ObservationInput) async throws -> JournalEvent {
        let identity = call.identity!
        if let notes = fields.notes, notes.count > configuration.maxTextLength {
            throw PortalError.invalid("notes are at most \(configuration.maxTextLength) characters")
        }
        guard Self.isValidID(fields.inject), Self.isValidID(fields.team) else {
            throw PortalError.notFound("no such inject or team")
        }
        if let scenario, scenario.team(fields.team) == nil {
            throw PortalError.notFound("the scenario has no team '\(fields.team)'")
        }
        let event = try await commands.observe(
            inject: fields.inject,
            team: fields.team,
            observation: ObservationPayload(scores: fields.scores, rating: fields.rating, notes: fields.notes),
            actor: JournalEvent.Actor(.evaluator, id: identity.subject)
        )
        try await readYourWrites()
        return event
    }

    private func control(_ call: Call, input: ControlInput) async throws -> [JournalEvent] {
        if input.request.action == .abort && !input.confirmed {
            throw PortalError.invalid("aborting the drill needs confirmation ('confirm': true)")
        }
        if let inject = input.request.inject, !Self.isValidID(inject) { throw PortalError.notFound("no such inject") }
        let events = try await commands.control(
            input.request,
            actor: JournalEvent.Actor(.director, id: call.identity!.subject)
        )
        try await readYourWrites()
        return events
    }

    /// Folds what was just written before answering, so the page a form redirects to (and the next API read)
    /// already shows it.
    private func readYourWrites() async throws {
        try await feed.catchUp()
    }

    /// Scenario ids are short names; anything else cannot be one (and is never echoed back in full).
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && !id.contains(where: { $0.isNewline })
    }

    // MARK: - Responses

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// The HTTP responder that hands every request to the portal.
public struct PortalResponder: HTTPResponder {
    public typealias Context = PortalRequestContext
    let portal: Portal

    public init(portal: Portal) { self.portal = portal }

    public func respond(to request: Request, context: PortalRequestContext) async throws -> Response {
        try await portal.respond(to: request, context: context)
    }
}
