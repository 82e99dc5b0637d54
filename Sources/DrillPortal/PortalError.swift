public import HTTPTypes
public import Hummingbird
import NIOCore

/// An error a portal client sees: an HTTP status, a short machine-readable code and a reason in words.
///
/// Only this error reaches clients with its reason (Hummingbird turns every other error into a bare 500). The
/// reason must never contain a secret (an access code, a session id, a CSRF token): it is built only from
/// request shapes, ids the client already sent, and fixed text. API clients get JSON
/// `{ "error": CODE, "reason": TEXT }`; pages get the same reason in a small escaped HTML page.
public struct PortalError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code: `unauthenticated`, `forbidden`, `not_found`, `csrf`, …
    public var code: String
    /// What went wrong and how to fix it.
    public var reason: String
    /// Extra response headers (`Retry-After`, `Allow`, `Location`).
    public var headers: HTTPFields
    /// True to answer with an HTML page instead of JSON.
    public var html: Bool = false

    public init(_ status: HTTPResponse.Status, _ code: String, _ reason: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.reason = reason
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(reason)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        let body: String
        if html {
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'"
            body = """
                <!doctype html><html><head><meta charset="utf-8"><title>\(status.code)</title></head>
                <body style="font-family:sans-serif;margin:2em"><h1>\(status.code) \(HTML.escape(status.reasonPhrase))</h1>
                <p>\(HTML.escape(reason))</p><p><a href="/signin">Sign in</a></p></body></html>
                """
        } else {
            headers[.contentType] = "application/json; charset=utf-8"
            body = JSONText.object(["error": .string(code), "reason": .string(reason)])
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: - The errors the portal uses

    static func unauthenticated() -> PortalError {
        PortalError(
            .unauthorized,
            "unauthenticated",
            "sign in with your access code, or send it as 'Authorization: Bearer CODE'",
            headers: [.wwwAuthenticate: "Bearer realm=\"drillctl\""]
        )
    }

    static func forbidden(_ role: PortalRole) -> PortalError {
        PortalError(.forbidden, "forbidden", "the \(role.rawValue) role may not use this route")
    }

    static func notAllowed(_ reason: String) -> PortalError { PortalError(.forbidden, "forbidden", reason) }

    static func notFound(_ what: String) -> PortalError {
        PortalError(.notFound, "not_found", what)
    }

    static func methodNotAllowed(_ allowed: [HTTPRequest.Method]) -> PortalError {
        PortalError(
            .methodNotAllowed,
            "method_not_allowed",
            "this route accepts \(allowed.map(\.rawValue).joined(separator: ", ")) only",
            headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")]
        )
    }

    static func csrf(_ reason: String) -> PortalError {
        PortalError(.forbidden, "csrf", reason)
    }

    static func badRequest(_ reason: String) -> PortalError { PortalError(.badRequest, "bad_request", reason) }

    static func invalid(_ reason: String) -> PortalError {
        PortalError(.unprocessableContent, "invalid", reason)
    }

    static func tooLarge(limit: Int) -> PortalError {
        PortalError(.contentTooLarge, "too_large", "the request body is larger than \(limit) bytes")
    }

    static func conflict(_ reason: String) -> PortalError { PortalError(.conflict, "conflict", reason) }

    static func rateLimited(retryAfter seconds: Int) -> PortalError {
        PortalError(
            .tooManyRequests,
            "rate_limited",
            "too many sign-in attempts from this address; try again in \(seconds) s",
            headers: [.retryAfter: String(seconds)]
        )
    }

    static func unsupportedMediaType(_ expected: String) -> PortalError {
        PortalError(.unsupportedMediaType, "unsupported_media_type", "send the body as \(expected)")
    }
}
