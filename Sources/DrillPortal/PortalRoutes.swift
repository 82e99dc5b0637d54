public import HTTPTypes

/// One route of the portal: method, path pattern, who may call it, and what it is.
///
/// The table in ``PortalRoutes/all`` is the single source of truth: the dispatcher serves it, the OpenAPI test
/// checks every entry is documented, and the access test walks every entry with every role.
public struct PortalRoute: Sendable, Hashable, CustomStringConvertible {
    /// Who may call a route.
    public enum Access: Sendable, Hashable {
        /// Anyone, signed in or not.
        case open
        /// Signed-in users with one of these roles.
        case roles(Set<PortalRole>)
    }

    /// What kind of route it is: a page (HTML; a GET without a session redirects to sign-in), a form post
    /// (HTML forms; CSRF token in the body), or the JSON API (bearer token or session + CSRF header).
    public enum Kind: Sendable, Hashable {
        case page, form, api, stream, document
    }

    public var method: HTTPRequest.Method
    /// The path, with `{name}` for a parameter segment.
    public var path: String
    public var access: Access
    public var kind: Kind
    public var name: String

    public var description: String { "\(method.rawValue) \(path)" }

    /// True when `role` may call the route.
    public func allows(_ role: PortalRole) -> Bool {
        switch access {
        case .open: true
        case .roles(let roles): roles.contains(role)
        }
    }

    var segments: [Substring] { path.split(separator: "/") }

    /// The parameters when `pathSegments` match the pattern, else `nil`.
    func match(_ pathSegments: [Substring]) -> [String: String]? {
        let pattern = segments
        guard pattern.count == pathSegments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, pathSegments) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                guard !actual.isEmpty else { return nil }
                parameters[String(expected.dropFirst().dropLast())] = String(actual).removingPercentEncodingSafe
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

extension String {
    var removingPercentEncodingSafe: String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The portal's routes.
public enum PortalRoutes {
    static let team: PortalRoute.Access = .roles([.team])
    static let evaluator: PortalRoute.Access = .roles([.evaluator])
    static let director: PortalRoute.Access = .roles([.director])
    static let watchers: PortalRoute.Access = .roles([.evaluator, .director])
    static let anyone: PortalRoute.Access = .roles(Set(PortalRole.allCases))

    /// Every route the portal serves.
    public static let all: [PortalRoute] = [
        PortalRoute(method: .get, path: "/", access: .open, kind: .page, name: "home"),
        PortalRoute(method: .get, path: "/signin", access: .open, kind: .page, name: "signinPage"),
        PortalRoute(method: .post, path: "/signin", access: .open, kind: .form, name: "signin"),
        PortalRoute(method: .post, path: "/signout", access: anyone, kind: .form, name: "signout"),
        PortalRoute(method: .get, path: "/team", access: team, kind: .page, name: "teamPage"),
        PortalRoute(
            method: .post,
            path: "/team/injects/{inject}/acknowledge",
            access: team,
            kind: .form,
            name: "teamAcknowledge"
        ),
        PortalRoute(
            method: .post,
            path: "/team/injects/{inject}/report",
            access: team,
            kind: .form,
            name: "teamReport"
        ),
        PortalRoute(
            method: .post,
            path: "/team/injects/{inject}/resolve",
            access: team,
            kind: .form,
            name: "teamResolve"
        ),
        PortalRoute(method: .get, path: "/evaluator", access: evaluator, kind: .page, name: "evaluatorPage"),
        PortalRoute(
            method: .post,
            path: "/evaluator/observations",
            access: evaluator,
            kind: .form,
            name: "evaluatorObserve"
        ),
        PortalRoute(method: .get, path: "/director", access: director, kind: .page, name: "directorPage"),
        PortalRoute(method: .post, path: "/director/control", access: director, kind: .form, name: "directorControl"),
        PortalRoute(method: .get, path: "/openapi.yaml", access: .open, kind: .document, name: "openapi"),
        PortalRoute(method: .get, path: "/api/session", access: anyone, kind: .api, name: "apiSession"),
        PortalRoute(method: .get, path: "/api/inbox", access: team, kind: .api, name: "apiInbox"),
        PortalRoute(
            method: .post,
            path: "/api/injects/{inject}/acknowledge",
            access: team,
            kind: .api,
            name: "apiAcknowledge"
        ),
        PortalRoute(method: .post, path: "/api/injects/{inject}/report", access: team, kind: .api, name: "apiReport"),
        PortalRoute(method: .post, path: "/api/injects/{inject}/resolve", access: team, kind: .api, name: "apiResolve"),
        PortalRoute(method: .get, path: "/api/board", access: watchers, kind: .api, name: "apiBoard"),
        PortalRoute(method: .get, path: "/api/observations", access: evaluator, kind: .api, name: "apiObservations"),
        PortalRoute(method: .post, path: "/api/observations", access: evaluator, kind: .api, name: "apiObserve"),
        PortalRoute(method: .get, path: "/api/director", access: director, kind: .api, name: "apiDirector"),
        PortalRoute(method: .post, path: "/api/control", access: director, kind: .api, name: "apiControl"),
        PortalRoute(method: .post, path: "/api/reconcile", access: director, kind: .api, name: "apiReconcile"),
        PortalRoute(method: .get, path: "/api/events", access: anyone, kind: .stream, name: "apiEvents"),
    ]
}
